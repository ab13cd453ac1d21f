from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from core.audit.models import AuditEntry
from core.outbox.models import OutboxMessage
from grants.applications.states import ApplicationState
from tests.fixtures.applications import make_submitted_application


def _url(application) -> str:
    return f"/staff/applications/{application.id}/screening"


def _count(session, model, *conditions) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*conditions))


def test_staff_see_the_checklist_with_links_to_documents(client, login_as, application):
    login_as("staff")
    response = client.get(_url(application))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    attachment = application.attachments[0]
    assert (f"/applications/{application.id}/attachments/{attachment.id}") in page
    assert application.call.eligibility_statements[0].text in page
    assert "Endorsement received" in page and "Applicant organisation verified" in page
    assert 'name="outcome"' in page and 'name="reason"' in page
    assert "Not met" not in page


def test_failing_checks_are_marked(client, db_session, factories, login_as):
    application = make_submitted_application(db_session, factories, verified=False)
    login_as("staff")
    page = client.get(_url(application)).get_data(as_text=True)
    assert "Not met" in page and "is not verified yet" in page


def test_marking_eligible(client, db_session, login_as, application):
    login_as("staff")
    response = client.post(_url(application), data={
        "outcome": "eligible", "reason": "", "note_amount": "Budget checked."})
    assert response.status_code == 302
    assert application.state is ApplicationState.eligible
    check = application.eligibility_check
    assert check.is_eligible
    assert any(item["note"] == "Budget checked." for item in check.checklist)
    # Now the recorded check is shown read-only.
    page = client.get(_url(application)).get_data(as_text=True)
    assert 'name="outcome"' not in page and "Recorded outcome" in page
    assert "Budget checked." in page
    again = client.post(_url(application), data={"outcome": "ineligible", "reason": "No."})
    assert again.status_code == 409
    assert application.state is ApplicationState.eligible


def test_ineligible_without_a_reason_gets_422_and_changes_nothing(client, db_session,
                                                                  login_as, application):
    login_as("staff")
    audits = _count(db_session, AuditEntry)
    response = client.post(_url(application), data={"outcome": "ineligible", "reason": ""})
    assert response.status_code == 422
    assert "Give the reason" in response.get_data(as_text=True)
    assert application.state is ApplicationState.submitted
    assert application.eligibility_check is None
    assert _count(db_session, AuditEntry) == audits


def test_ineligible_with_a_reason_emails_the_applicant(client, db_session, login_as,
                                                      application, member):
    login_as("staff")
    reason = "The project is outside the call's thematic areas."
    response = client.post(_url(application), data={"outcome": "ineligible",
                                                     "reason": reason})
    assert response.status_code == 302
    assert application.state is ApplicationState.ineligible
    [message] = db_session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == member.email,
        OutboxMessage.kind == "grants.applications.ineligible")).all()
    assert reason in message.body_text


def test_override_needs_a_reason(client, db_session, factories, login_as):
    application = make_submitted_application(db_session, factories, verified=False)
    login_as("staff")
    response = client.post(_url(application), data={"outcome": "eligible", "reason": ""})
    assert response.status_code == 422
    assert "write the reason" in response.get_data(as_text=True)
    assert application.state is ApplicationState.submitted
    response = client.post(_url(application), data={
        "outcome": "eligible", "reason": "Verification is in progress."})
    assert response.status_code == 302
    assert application.state is ApplicationState.eligible
    assert _count(db_session, AuditEntry, AuditEntry.action == "screening.override") == 1


def test_an_invalid_outcome_gets_422(client, login_as, application):
    login_as("staff")
    response = client.post(_url(application), data={"outcome": "maybe", "reason": "x"})
    assert response.status_code == 422
    assert application.state is ApplicationState.submitted


def test_draft_applications_are_not_screened(client, db_session, factories, login_as):
    draft = make_submitted_application(db_session, factories, state=ApplicationState.draft,
                                       reference=None)
    login_as("staff")
    page = client.get(_url(draft))
    assert page.status_code == 200 and 'name="outcome"' not in page.get_data(as_text=True)
    assert client.post(_url(draft), data={"outcome": "eligible"}).status_code == 409
    assert draft.state is ApplicationState.draft


@pytest.mark.parametrize("method", ["get", "post"])
def test_non_staff_get_403(client, login_as, application, member, method):
    for who in (member, "applicant", "reviewer", "donor", "finance"):
        login_as(who)
        response = getattr(client, method)(_url(application), data={"outcome": "eligible"})
        assert response.status_code == 403
    assert application.state is ApplicationState.submitted


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_sign_in(client, application, method):
    response = getattr(client, method)(_url(application))
    assert response.status_code == 302 and "/login" in response.location


@pytest.mark.parametrize("missing", [999999, 2**40])
def test_missing_applications_get_404(client, login_as, missing):
    login_as("staff")
    assert client.get(f"/staff/applications/{missing}/screening").status_code == 404


HOSTILE = st.sampled_from([
    "", " ", "\x00", "a\x00b", "\r\n", "<script>alert(1)</script>", "' OR 1=1 --",
    "\u202e", "😀" * 50, "x" * 6000, "{{ 7*7 }}", "eligible", "ineligible",
])
TEXT = st.one_of(HOSTILE, st.text(max_size=200))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(fields=st.fixed_dictionaries({"outcome": TEXT, "reason": TEXT, "note_amount": TEXT,
                                     "note_unknown": TEXT}))
def test_hostile_input_never_fails(client, db_session, login_as, application, fields):
    login_as("staff")
    state = application.state
    audits = _count(db_session, AuditEntry)
    response = client.post(_url(application), data=fields)
    assert response.status_code in (302, 400, 409, 422)
    if response.status_code != 302:
        assert application.state is state and _count(db_session, AuditEntry) == audits
