"""A job's pages through the client: the progress page (refreshing itself while the job
runs), its JSON status, the file for the requester and staff only, the retry; and the donor
workbook queued from its form, reporting its progress sheet by sheet."""

from __future__ import annotations

from core.jobs import operations
from core.jobs.models import Job
from core.jobs.states import JobState
from tests.core.jobs import kinds  # noqa: F401 - registers "test.count"
from tests.fixtures.jobs import job_id_of, run_jobs

WORKBOOK = "/reports/workbook/download"


def _workbook_job(client, data=None) -> Job:
    from core.extensions import db

    response = client.post(WORKBOOK, data=data or {"from": "2019-01-01", "to": "2019-12-31"})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return db.session.get(Job, job_id_of(response))


def test_the_form_queues_the_workbook_and_shows_its_progress(client, login_as, db_session):
    login_as("donor")
    job = _workbook_job(client)
    assert job.kind == "donor_workbook" and job.state == JobState.queued
    assert job.parameters == {"from": "2019-01-01", "to": "2019-12-31", "fund": None,
                              "names": False}
    html = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in html
    assert "<progress" in html and "Waiting for the worker to start." in html
    assert f'data-job-status="/jobs/{job.id}/status"' in html
    status = client.get(f"/jobs/{job.id}/status").get_json()
    assert status["state"] == "queued" and status["finished"] is False
    assert status["download_url"] is None
    assert client.get(f"/jobs/{job.id}/download").status_code == 404  # not ready yet

    run_jobs()
    status = client.get(f"/jobs/{job.id}/status").get_json()
    assert status["state"] == "done" and status["percent"] == 100 and status["finished"]
    assert status["done"] == status["total"] == 16
    assert status["download_url"] == f"/jobs/{job.id}/download"
    html = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in html
    assert f'href="/jobs/{job.id}/download"' in html
    response = client.get(f"/jobs/{job.id}/download")
    assert response.status_code == 200
    assert "donor-workbook_2019-01-01_2019-12-31.xlsx" in response.headers["Content-Disposition"]


def test_the_builder_reports_each_sheet(app):
    from reporting.workbook.builder import build_donor_workbook

    steps = []
    with app.test_request_context():
        build_donor_workbook(progress=lambda done, total: steps.append((done, total))).close()
    assert steps[0] == (0, 16) and steps[-1] == (16, 16)
    assert [done for done, _total in steps] == sorted({done for done, _total in steps})


def test_a_running_job_shows_how_far_it_has_gone(client, login_as, db_session):
    user = login_as("donor")
    job = operations.enqueue("test.count", {"items": 4}, requested_by=user, locale="en")
    job.state, job.progress_done, job.progress_total = JobState.running, 1, 4
    db_session.flush()
    html = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert 'value="25"' in html and "1 of 4 steps done (25%)." in html
    assert 'http-equiv="refresh"' in html
    assert client.get(f"/jobs/{job.id}/status").get_json()["percent"] == 25


def test_a_workbook_is_its_requesters_alone(client, login_as, db_session):
    """Made for its reader (their conflicts of interest left out): nobody else reads it,
    staff included."""
    login_as("donor")
    job = _workbook_job(client)
    run_jobs()
    assert client.get(f"/jobs/{job.id}/download").status_code == 200
    for role in ("donor", "applicant", "staff", "admin"):
        login_as(role)
        for url in (f"/jobs/{job.id}", f"/jobs/{job.id}/status", f"/jobs/{job.id}/download"):
            assert client.get(url).status_code == 403, (role, url)
    client.post("/logout")
    response = client.get(f"/jobs/{job.id}/download")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/jobs/999999").status_code == 404


def test_other_jobs_are_read_by_their_requester_and_staff(client, login_as, db_session):
    donor = login_as("donor")
    job = operations.enqueue("test.count", {"items": 1}, requested_by=donor, locale="en")
    run_jobs()
    assert client.get(f"/jobs/{job.id}/download").status_code == 200
    login_as("donor")
    assert client.get(f"/jobs/{job.id}").status_code == 403
    login_as("staff")
    assert client.get(f"/jobs/{job.id}/download").status_code == 200


def test_the_workbook_with_names_is_staffs_alone(client, login_as, db_session):
    staff = login_as("staff")
    job = _workbook_job(client, {"names": "1"})
    assert job.parameters["names"] is True
    run_jobs()
    response = client.get(f"/jobs/{job.id}/download")
    assert response.status_code == 200 and "_names.xlsx" in response.headers[
        "Content-Disposition"]
    for row in list(staff.role_rows):  # no longer staff: the names are no longer theirs
        db_session.delete(row)
    db_session.flush()
    db_session.expire(staff)
    assert client.get(f"/jobs/{job.id}/download").status_code == 403


def test_a_requester_who_lost_the_right_to_names_gets_a_failure_not_the_names(
        client, login_as, db_session):
    staff = login_as("staff")
    job = _workbook_job(client, {"names": "1"})
    for row in list(staff.role_rows):  # no longer staff when the worker takes it
        db_session.delete(row)
    db_session.flush()
    db_session.expire(staff)
    run_jobs()
    db_session.refresh(job)
    assert job.state == JobState.failed and job.result_file is None
    assert job.message == "Only programme staff can download the names of participants."


def test_a_failure_is_shown_with_a_retry(client, login_as, db_session):
    from sqlalchemy import select

    from core.audit.models import AuditEntry

    user = login_as("donor")
    job = operations.enqueue("test.count", {"items": 2, "fail_at": 1}, requested_by=user,
                             locale="en")
    run_jobs()
    html = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Something went wrong while the file was being made." in html
    assert "secret" not in html and "Traceback" not in html
    assert f'action="/jobs/{job.id}/retry"' in html and 'name="csrf_token"' in html
    assert 'http-equiv="refresh"' not in html
    for _twice in range(2):
        response = client.post(f"/jobs/{job.id}/retry")
        assert response.status_code == 302 and response.headers["Location"].endswith(
            f"/jobs/{job.id}")
    db_session.refresh(job)
    assert job.state == JobState.queued and job.message is None
    assert len(db_session.scalars(select(AuditEntry).where(
        AuditEntry.action == "job.retry")).all()) == 1
    assert client.get(f"/jobs/{job.id}/status").get_json()["message"] is None


def test_a_bad_form_queues_nothing(client, login_as, db_session):
    from sqlalchemy import func, select

    login_as("donor")
    response = client.post(WORKBOOK, data={"from": "2019-12-31", "to": "2019-01-01"})
    assert response.status_code == 422
    assert db_session.scalar(select(func.count()).select_from(Job)) == 0
    assert client.post(WORKBOOK, data={"names": "1"}).status_code == 403
