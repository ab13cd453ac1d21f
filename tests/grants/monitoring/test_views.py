"""The grantee's report pages: their dashboard, reading and writing a progress report, and
hostile input to the report form."""

from __future__ import annotations

from io import BytesIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.audit.models import AuditEntry
from core.outbox.models import OutboxMessage
from grants.awards.states import AwardState
from grants.monitoring import queries
from grants.monitoring.models import Expenditure, ReportEvidence, ReportVersion
from grants.monitoring.states import ReportState
from tests.grants.monitoring.conftest import (
    PDF_BYTES,
    D,
    _count,
    _edit_url,
    _form,
    _line,
    accepted,
    day,
    make_grant,
    pay,
    submitted,
    write_version,
)

# The grantee's dashboard -------------------------------------------------------------------

def test_my_grants_shows_the_grant_next_tranche_and_reports(db_session, client, login_as,
                                                           grant, other_grant):
    pay(db_session, grant.award, "2500.00", tranche=grant.tranches[0])
    login_as(grant.member)
    response = client.get("/grants")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "My grants" in page  # the menu entry
    assert grant.award.reference in page and other_grant.award.reference not in page
    assert "US$2,500.00" in page  # received so far
    assert "Tranche 2: US$2,000.00" in page
    assert "On acceptance of the mid-term report" in page and "condition not met yet" in page
    assert "Mid-term report" in page and "Final report" in page
    assert _edit_url(grant.midterm) in page


def test_my_grants_is_empty_for_someone_without_grants(client, login_as):
    login_as("reviewer")
    page = client.get("/grants").get_data(as_text=True)
    assert "Your organisation has no grants yet" in page


# Reading a report --------------------------------------------------------------------------

def test_a_grantee_never_sees_another_organisations_report(db_session, client, login_as,
                                                           grant, other_grant):
    version = write_version(db_session, other_grant.midterm, lines=[("activities", "1.00")],
                            evidence=1)
    other_grant.midterm.state = ReportState.submitted
    login_as(grant.owner)
    report = other_grant.midterm
    evidence_file = version.evidence[0].stored_file_id
    for url in (f"/reports/{report.id}", _edit_url(report),
                f"/reports/{report.id}/files/{evidence_file}",
                f"/awards/{other_grant.award.id}/budget",
                f"/staff/reports/{report.id}/review"):
        assert client.get(url).status_code == 403, url
    for url in (f"/reports/{report.id}/evidence",
                f"/reports/{report.id}/expenditures/{version.expenditures[0].id}/receipt"):
        assert client.post(url).status_code == 403, url
    assert client.post(_edit_url(report), data=_form()).status_code == 403
    # A file of another report through one's own report is not found.
    assert client.get(f"/reports/{grant.midterm.id}/files/{evidence_file}").status_code == 404
    assert client.get("/reports/999999").status_code == 404


def test_staff_read_the_submitted_version_with_flags(db_session, client, login_as, grant):
    version = submitted(db_session, grant.midterm, lines=[("activities", "300.00", True),
                                                          ("personnel", "120.00", False)],
                        evidence=1, women_under_30=4, men_30_and_over=3)
    login_as("staff")
    response = client.get(f"/reports/{grant.midterm.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Three workshops." in page and "Datasets published" in page  # indicator shown
    assert "1 expense has no receipt." in page and "Receipt missing" in page
    assert "US$420.00" in page and '<th scope="col"' in page
    assert 'class="table-wrap table-key" role="group" aria-label="Expenditure statement"' in page
    assert f"/reports/{grant.midterm.id}/files/{version.evidence[0].stored_file_id}" in page
    assert f"/staff/reports/{grant.midterm.id}/review" in page
    assert client.get(f"/reports/{grant.midterm.id}?version=x").status_code == 400
    assert client.get(f"/reports/{grant.midterm.id}?version=9").status_code == 404


def test_files_download_as_attachments(db_session, client, login_as, grant):
    from core.uploads.operations import store_upload
    from tests.grants.monitoring.conftest import upload

    stored = store_upload(upload("photo.pdf"), uploaded_by=grant.owner)
    version = write_version(db_session, grant.midterm, submitted=False)
    version.evidence.append(ReportEvidence(stored_file=stored))
    db_session.flush()
    login_as(grant.member)
    response = client.get(f"/reports/{grant.midterm.id}/files/{stored.id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.data == PDF_BYTES


# Writing a report --------------------------------------------------------------------------

def test_the_edit_page_shows_the_results_categories_and_blank_rows(client, login_as, grant):
    login_as(grant.owner)
    response = client.get(_edit_url(grant.midterm))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in ("District budgets published as open data", "Datasets published", ">12<"):
        assert text in page
    assert 'value="personnel"' in page and 'value="materials"' in page
    assert 'value="travel"' not in page  # not in the application's budget
    assert 'name="expenditures-2-amount"' in page and 'name="expenditures-3-amount"' not in page
    assert 'name="action" value="submit"' in page
    assert "Save the expenditure statement first" in page


def test_saving_and_submitting_through_the_page(db_session, client, login_as, grant, staff):
    login_as(grant.owner)
    response = client.post(_edit_url(grant.midterm), data=_form(lines=[
        _line(), _line(category="personnel", amount="1,000.50"), _line(description="",
                                                                        amount="",
                                                                        spent_on="",
                                                                        category="")]))
    assert response.status_code == 302 and response.location.endswith(_edit_url(grant.midterm))
    draft = queries.draft_version(grant.midterm)
    assert [(e.category, e.amount) for e in draft.expenditures] == [
        ("activities", D("250.00")), ("personnel", D("1000.50"))]
    assert draft.women_under_30 == 12 and draft.beneficiaries_total == 34

    page = client.get(_edit_url(grant.midterm)).get_data(as_text=True)
    first = draft.expenditures[0]
    assert f'value="{first.id}"' in page  # the line keeps its id, hence its receipt
    assert f"/reports/{grant.midterm.id}/expenditures/{first.id}/receipt" in page
    assert "Receipt missing" in page

    response = client.post(f"/reports/{grant.midterm.id}/expenditures/{first.id}/receipt",
                           data={"file": (BytesIO(PDF_BYTES), "receipt.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert first.receipt_file.original_name == "receipt.pdf"

    response = client.post(_edit_url(grant.midterm), data=_form("submit", lines=[
        _line(id=str(first.id), amount="260.00")]))
    assert response.status_code == 302
    assert response.location.endswith(f"/reports/{grant.midterm.id}")
    assert grant.midterm.state == ReportState.submitted
    [version] = queries.submitted_versions(grant.midterm)
    assert [(e.amount, e.receipt_file_id is not None) for e in version.expenditures] == [
        (D("260.00"), True)]
    assert _count(db_session, OutboxMessage, OutboxMessage.recipient == staff.email) == 1

    # Submitted twice (a double click): answered as the first was, with a note; nothing
    # changes and nobody is told again.
    response = client.post(_edit_url(grant.midterm), data=_form("submit"))
    assert response.status_code == 302 and response.location.endswith(
        f"/reports/{grant.midterm.id}")
    assert "waiting for the programme team" in client.get(response.location).get_data(
        as_text=True)
    assert _count(db_session, ReportVersion, ReportVersion.report_id == grant.midterm.id) == 1
    assert _count(db_session, OutboxMessage, OutboxMessage.recipient == staff.email) == 1
    # And the edit page sends the grantee to the report.
    response = client.get(_edit_url(grant.midterm))
    assert response.status_code == 302 and response.location.endswith(
        f"/reports/{grant.midterm.id}")


@pytest.mark.parametrize(("overrides", "message"), [
    ({"expenditures-0-amount": "-5"}, "Enter an amount such as 1250.50"),
    ({"expenditures-0-amount": "0"}, "The amount must be more than zero."),
    ({"expenditures-0-amount": "0.00"}, "The amount must be more than zero."),
    ({"expenditures-0-amount": "10.005"}, "Enter an amount such as 1250.50"),
    ({"expenditures-0-amount": "1e3"}, "Enter an amount such as 1250.50"),
    ({"expenditures-0-spent_on": "tomorrow"}, "cannot be dated in the future"),
    ({"expenditures-0-spent_on": "not a date"}, "Enter a date, for example 2026-03-31."),
    ({"expenditures-0-category": "travel"}, "Choose a category of the project"),
    ({"expenditures-0-description": ""}, "Describe the expense."),
    ({"expenditures-0-id": "12abc"}, "Reload the page"),
    ({"women_under_30": "-3"}, "Enter a whole number of zero or more."),
    ({"men_30_and_over": "2.5"}, "Not a valid integer"),
])
def test_bad_input_gets_a_message_and_writes_nothing(db_session, client, login_as, grant,
                                                      overrides, message):
    if overrides.get("expenditures-0-spent_on") == "tomorrow":
        overrides = {"expenditures-0-spent_on": day(1).isoformat()}
    login_as(grant.owner)
    response = client.post(_edit_url(grant.midterm), data=_form(lines=[_line()], **overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count(db_session, ReportVersion) == 0
    assert _count(db_session, AuditEntry, AuditEntry.action.like("report.%")) == 0


def test_submitting_an_empty_narrative_is_refused_and_saves_nothing(db_session, client,
                                                                   login_as, grant):
    login_as(grant.owner)
    response = client.post(_edit_url(grant.midterm), data=_form("submit", activities=""))
    assert response.status_code == 422
    assert "Describe the activities carried out." in response.get_data(as_text=True)
    assert _count(db_session, ReportVersion) == 0
    assert grant.midterm.state == ReportState.due


def test_staff_and_other_members_cannot_write(client, login_as, grant, other_grant):
    login_as("staff")
    assert client.get(_edit_url(grant.midterm)).status_code == 403
    assert client.post(_edit_url(grant.midterm), data=_form()).status_code == 403
    login_as(other_grant.member)
    assert client.get(_edit_url(grant.midterm)).status_code == 403


def test_a_closed_award_takes_no_report(db_session, client, login_as, factories):
    closed = make_grant(db_session, factories, state=AwardState.closed)
    login_as(closed.owner)
    response = client.post(_edit_url(closed.midterm), data=_form())
    assert response.status_code == 409
    assert "while the award is active" in response.get_data(as_text=True)
    response = client.post(f"/reports/{closed.midterm.id}/evidence",
                           data={"file": (BytesIO(PDF_BYTES), "photo.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 409
    assert _count(db_session, ReportVersion) == 0


def test_evidence_upload_and_removal(db_session, client, login_as, grant):
    login_as(grant.owner)
    response = client.post(f"/reports/{grant.midterm.id}/evidence",
                           data={"file": (BytesIO(PDF_BYTES), "photo.pdf"),
                                 "description": "Launch"},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    [evidence] = queries.draft_version(grant.midterm).evidence
    page = client.get(_edit_url(grant.midterm)).get_data(as_text=True)
    assert "photo.pdf" in page and f'value="{evidence.id}"' in page

    response = client.post(f"/reports/{grant.midterm.id}/evidence",
                           data={"file": (BytesIO(b"MZ not a pdf"), "virus.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    # The page with the error is at the upload's address; reloading it returns to the form.
    again = client.get(f"/reports/{grant.midterm.id}/evidence")
    assert again.status_code == 302 and again.location.endswith(_edit_url(grant.midterm))
    assert "content is not" in response.get_data(as_text=True)
    assert _count(db_session, ReportEvidence) == 1

    response = client.post(_edit_url(grant.midterm),
                           data=_form(remove_evidence=str(evidence.id)))
    assert response.status_code == 302
    assert _count(db_session, ReportEvidence) == 0


def test_receipts_only_for_lines_of_the_draft(db_session, client, login_as, grant,
                                              other_grant):
    write_version(db_session, grant.midterm, submitted=False, lines=[("activities", "5.00")])
    foreign = write_version(db_session, other_grant.midterm, submitted=False,
                            lines=[("activities", "5.00")]).expenditures[0]
    login_as(grant.owner)
    url = f"/reports/{grant.midterm.id}/expenditures/{foreign.id}/receipt"
    response = client.post(url, data={"file": (BytesIO(PDF_BYTES), "r.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 404
    own = queries.draft_version(grant.midterm).expenditures[0]
    response = client.post(f"/reports/{grant.midterm.id}/expenditures/{own.id}/receipt",
                           data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose a file to upload." in response.get_data(as_text=True)


# More on writing and the dashboard ---------------------------------------------------------

def test_a_refused_submission_keeps_the_stored_draft(db_session, client, login_as, grant):
    login_as(grant.owner)
    client.post(_edit_url(grant.midterm), data=_form(lines=[_line()]))
    response = client.post(_edit_url(grant.midterm), data=_form(
        "submit", activities="", lines=[_line(), _line(description="Printing")]))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count("/expenditures/") == 1  # one stored line to add a receipt to
    assert len(queries.draft_version(grant.midterm).expenditures) == 1


def test_my_grants_takes_a_fixed_number_of_queries(db_session, client, login_as, factories,
                                                   grant):
    from sqlalchemy import event

    from core.extensions import db

    def run() -> int:
        statements = []
        engine = db.session.get_bind()

        def count(*_args):
            statements.append(1)

        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get("/grants").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    login_as(grant.member)
    pay(db_session, grant.award, "100.00", tranche=grant.tranches[0])
    few = run()
    for _round in range(3):
        more = make_grant(db_session, factories)
        factories.member(more.organisation, grant.member)
        pay(db_session, more.award, "100.00", tranche=more.tranches[0])
        accepted(db_session, more.midterm)
    many = run()
    assert many == few
    assert client.get("/grants").get_data(as_text=True).count("Tranche 1:") == 4


HOSTILE = st.sampled_from([
    "", " ", "\x00", "a\x00b", "\r\n", "<script>alert(1)</script>", "' OR 1=1 --", "-1", "0",
    "1e3", "NaN", "Infinity", "1,000.505", "9" * 40, "2026-02-30", "0000-01-01", "😀" * 50,
    "x" * 5000, "personnel", "travel", "12abc", "99999999999", "-0.01", "3.5",
])


TEXT = st.one_of(HOSTILE, st.text(max_size=200))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(fields=st.fixed_dictionaries({
    "activities": TEXT, "women_under_30": TEXT, "other_30_and_over": TEXT,
    "expenditures-0-id": TEXT, "expenditures-0-category": TEXT,
    "expenditures-0-spent_on": TEXT, "expenditures-0-description": TEXT,
    "expenditures-0-amount": TEXT, "remove_evidence": TEXT, "action": TEXT}))
def test_hostile_input_never_breaks_the_report_form(client, login_as, db_session, grant,
                                                    fields):
    login_as(grant.owner)
    before = (_count(db_session, ReportVersion), _count(db_session, Expenditure),
              _count(db_session, AuditEntry))
    response = client.post(_edit_url(grant.midterm), data=fields)
    assert response.status_code in (302, 400, 409, 422)
    if response.status_code != 302:
        assert (_count(db_session, ReportVersion), _count(db_session, Expenditure),
                _count(db_session, AuditEntry)) == before
