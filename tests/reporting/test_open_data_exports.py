"""Staff's open data exports of a fund and a period: the form (staff only, bad input next to
the field), the jobs "360giving" and "iati" made by the worker, each file checked against its
standard, kept to the period's awards, for the requester alone, with an email when ready."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from lxml import etree
from sqlalchemy import select

from core.extensions import db
from core.jobs.models import Job
from core.jobs.states import JobState
from core.outbox.models import OutboxMessage
from reporting.iati.validation import file_errors
from reporting.opendata.validation import package_errors
from tests.fixtures.demo_numbers import PUBLIC_PROJECTS, reference_projects
from tests.fixtures.jobs import download_through_job, job_id_of, run_jobs

FORM = "/reports/open-data-exports"


def _export(client, **data):
    return download_through_job(client, FORM, data)


@pytest.fixture
def staff(demo_programme, login_as):
    return login_as(demo_programme["staff"])


def test_staff_get_the_form(client, staff):
    html = client.get(FORM).get_data(as_text=True)
    assert "Open data exports" in html and 'value="iati-xml"' in html
    assert f'action="{FORM}"' in html


@pytest.mark.parametrize("role", ["donor", "finance", "applicant"])
def test_others_are_refused(client, login_as, role):
    login_as(role)
    assert client.get(FORM).status_code == 403
    assert client.post(FORM, data={"format": "iati-xml"}).status_code == 403


def test_the_360giving_json_of_every_period(client, staff):
    response = _export(client, format="360giving-json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    package = json.loads(response.get_data())
    assert package_errors(package) == [] and len(package["grants"]) == PUBLIC_PROJECTS
    assert "360giving-ogbz.json" in response.headers["Content-Disposition"]


def test_a_period_keeps_the_projects_awarded_in_it(client, staff):
    project = reference_projects()[0]
    day = project.award_date.isoformat()
    response = _export(client, format="360giving-json", fund=str(project.fund_id),
                       **{"from": day, "to": day})
    package = json.loads(response.get_data())
    awarded = {p.reference for p in reference_projects() if p.award_date == project.award_date}
    assert {grant["id"] for grant in package["grants"]} == {f"360G-ogbz-{reference}"
                                                            for reference in awarded}
    assert f"fund-{project.fund_id}-{day}-to-{day}.json" in (
        response.headers["Content-Disposition"])


def test_the_spreadsheet(client, staff):
    response = _export(client, format="360giving-xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.active.max_row == PUBLIC_PROJECTS + 1


def test_the_iati_file_passes_the_schema(client, staff):
    response = _export(client, format="iati-xml", **{"from": "2018-01-01"})
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert file_errors(response.data) == []
    assert etree.fromstring(response.data).tag == "iati-activities"


def test_a_period_without_grants_fails_with_a_message(client, staff, db_session):
    response = client.post(FORM, data={"format": "360giving-json", "from": "2001-01-01",
                                       "to": "2001-12-31"})
    job_id = job_id_of(response)
    run_jobs()
    job = db_session.get(Job, job_id)
    assert job.state == JobState.failed and "No published project" in job.message
    assert "No published project" in client.get(f"/jobs/{job_id}").get_data(as_text=True)


def test_bad_input_is_shown_next_to_the_fields(client, staff):
    response = client.post(FORM, data={"format": "pdf", "from": "2020-02-02",
                                       "to": "2020-01-01", "fund": "999999"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The last day cannot be before the first day." in html
    assert "Choose a fund from the list." in html
    assert db.session.scalar(select(Job)) is None


def test_the_requester_alone_reads_it_and_is_emailed(client, staff, login_as, db_session):
    response = client.post(FORM, data={"format": "iati-xml"})
    job_id = job_id_of(response)
    assert client.post(FORM, data={"format": "iati-xml"}).headers["Location"].endswith(
        f"/jobs/{job_id}")  # asked twice: one job
    run_jobs()
    job = db_session.get(Job, job_id)
    assert job.kind == "iati" and job.state == JobState.done
    assert "IATI activity file (XML)" in client.get(f"/jobs/{job_id}").get_data(as_text=True)
    email = db_session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == staff.email)).all()
    assert any(f"/jobs/{job_id}" in message.body_text for message in email)
    login_as("staff")
    assert client.get(f"/jobs/{job_id}/download").status_code == 403
