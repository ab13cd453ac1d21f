from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from core.audit.models import AuditEntry
from core.outbox.models import OutboxMessage
from core.timeutil import utcnow
from grants.applications.models import EndorsementState
from grants.endorsements import operations
from tests.fixtures.applications import make_submitted_application
from tests.grants.endorsements.conftest import PDF_BYTES, latest_token, messages_to

ANSWER = {"answer": "endorse", "name": "Maria Chen", "position": "Director",
          "comment": "A good partnership."}


def _count(session, model, *conditions) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*conditions))


@pytest.fixture
def token(db_session, application, member):
    operations.request_endorsement(application, member)
    return latest_token(db_session, application)


# The counterpart's page --------------------------------------------------------------------

def test_the_link_shows_the_summary_and_the_form_without_signing_in(client, application,
                                                                    token):
    response = client.get(f"/endorse/{token}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in (application.title, application.organisation.name,
                 application.counterpart.name, "Belize, Cayo", "12 months",
                 "Publish every public contract as open data."):
        assert text in page
    assert "$5,000.00" in page
    assert 'name="answer"' in page and 'name="position"' in page
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response.headers["X-Robots-Tag"]


def test_endorsing_through_the_link(client, db_session, application, member, token):
    response = client.post(f"/endorse/{token}", data=ANSWER)
    assert response.status_code == 200
    assert "Thank you" in response.get_data(as_text=True)
    endorsement = application.endorsement
    assert endorsement.state is EndorsementState.endorsed
    assert endorsement.responder_name == "Maria Chen"
    assert endorsement.comment == "A good partnership."
    assert messages_to(db_session, member.email, "grants.endorsements.answered")


def test_a_replayed_link_shows_the_answer_and_changes_nothing(client, db_session,
                                                               application, token):
    client.post(f"/endorse/{token}", data=ANSWER)
    audits = _count(db_session, AuditEntry)
    messages = _count(db_session, OutboxMessage)

    shown = client.get(f"/endorse/{token}")
    assert shown.status_code == 200
    page = shown.get_data(as_text=True)
    assert "already been answered" in page
    assert "Maria Chen" in page and 'name="answer"' not in page

    replay = client.post(f"/endorse/{token}", data={
        "answer": "decline", "name": "Impostor", "position": "None", "comment": "No."})
    assert replay.status_code == 200
    assert "Maria Chen" in replay.get_data(as_text=True)
    endorsement = application.endorsement
    assert endorsement.state is EndorsementState.endorsed
    assert endorsement.responder_name == "Maria Chen"
    assert _count(db_session, AuditEntry) == audits
    assert _count(db_session, OutboxMessage) == messages


def test_a_tampered_link_is_refused_with_400(client, application, token):
    tampered = token[:-2] + ("xy" if token[-2:] != "xy" else "yz")
    for bad in (tampered, "not-a-token", "a" * 2000):
        response = client.get(f"/endorse/{bad}")
        assert response.status_code == 400
        assert "This link is not valid." in response.get_data(as_text=True)
    response = client.post(f"/endorse/{tampered}", data=ANSWER)
    assert response.status_code == 400
    assert application.endorsement.state is EndorsementState.pending


def test_an_expired_link_is_refused_with_410(client, db_session, application, token):
    application.endorsement.expires_at = utcnow() - timedelta(hours=1)
    db_session.flush()
    response = client.get(f"/endorse/{token}")
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "expired on" in page and "ask the applicant or the programme team" in page
    assert client.post(f"/endorse/{token}", data=ANSWER).status_code == 410
    assert application.endorsement.state is EndorsementState.pending


def test_an_incomplete_answer_gets_422_and_saves_nothing(client, application, token):
    response = client.post(f"/endorse/{token}", data={**ANSWER, "name": ""})
    assert response.status_code == 422
    assert "Enter your name." in response.get_data(as_text=True)
    response = client.post(f"/endorse/{token}", data={**ANSWER, "answer": "decline",
                                                      "comment": ""})
    assert response.status_code == 422
    assert "why you decline" in response.get_data(as_text=True)
    response = client.post(f"/endorse/{token}", data={**ANSWER, "answer": "maybe"})
    assert response.status_code == 422
    assert application.endorsement.state is EndorsementState.pending


def test_declining_through_the_link(client, application, token):
    response = client.post(f"/endorse/{token}", data={
        **ANSWER, "answer": "decline", "comment": "No budget for it this year."})
    assert response.status_code == 200
    assert application.endorsement.state is EndorsementState.declined


# Staff: resend and paper -------------------------------------------------------------------

def test_staff_resend_invalidates_the_old_link(client, db_session, login_as, application,
                                               token):
    login_as("staff")
    response = client.post(f"/staff/applications/{application.id}/endorsement/resend")
    assert response.status_code == 302
    assert response.location.endswith(f"/applications/{application.id}")
    assert client.get(f"/endorse/{token}").status_code == 400
    new_token = latest_token(db_session, application)
    assert new_token != token
    assert client.get(f"/endorse/{new_token}").status_code == 200


def test_resend_after_an_answer_is_refused_with_409(client, login_as, application, token):
    client.post(f"/endorse/{token}", data=ANSWER)
    login_as("staff")
    response = client.post(f"/staff/applications/{application.id}/endorsement/resend")
    assert response.status_code == 409
    assert "already answered" in response.get_data(as_text=True)


def test_paper_endorsement_with_an_uploaded_letter(client, db_session, login_as, application,
                                                   member, token):
    staff = login_as("staff")
    url = f"/staff/applications/{application.id}/endorsement/paper"
    assert client.get(url).status_code == 200
    response = client.post(url, data={
        "answer": "endorse", "name": "Maria Chen", "position": "Director", "comment": "",
        "letter": (io.BytesIO(PDF_BYTES), "endorsement letter.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    endorsement = application.endorsement
    assert endorsement.state is EndorsementState.endorsed
    assert endorsement.recorded_by_id == staff.id
    [entry] = db_session.scalars(select(AuditEntry).where(
        AuditEntry.action == "endorsement.record_paper"))
    assert entry.actor_id == staff.id and entry.object_id == str(application.id)

    letter_url = f"/applications/{application.id}/endorsement/letter"
    download = client.get(letter_url)
    assert download.status_code == 200
    assert download.data == PDF_BYTES
    assert download.headers["Content-Disposition"].startswith("attachment")
    login_as(member)
    assert client.get(letter_url).status_code == 200
    login_as("applicant")
    assert client.get(letter_url).status_code == 403
    # The counterpart's link now shows the recorded answer.
    assert "Maria Chen" in client.get(f"/endorse/{token}").get_data(as_text=True)
    # Recording again shows the answer instead of the form.
    login_as("staff")
    page = client.get(url).get_data(as_text=True)
    assert 'name="letter"' not in page and "Download the letter" in page


def test_paper_endorsement_without_a_letter_gets_422(client, login_as, application):
    login_as("staff")
    response = client.post(
        f"/staff/applications/{application.id}/endorsement/paper",
        data={"answer": "endorse", "name": "Maria Chen", "position": "Director"},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert application.endorsement is None


def test_paper_letter_with_the_wrong_content_gets_422(client, login_as, application):
    login_as("staff")
    response = client.post(
        f"/staff/applications/{application.id}/endorsement/paper",
        data={"answer": "endorse", "name": "Maria Chen", "position": "Director",
              "letter": (io.BytesIO(b"<html>not a letter</html>"), "letter.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert application.endorsement is None


def test_no_letter_is_404(client, login_as, application):
    login_as("staff")
    assert client.get(f"/applications/{application.id}/endorsement/letter").status_code == 404


@pytest.mark.parametrize("method, path", [
    ("post", "/staff/applications/{id}/endorsement/resend"),
    ("get", "/staff/applications/{id}/endorsement/paper"),
    ("post", "/staff/applications/{id}/endorsement/paper"),
])
def test_staff_pages_are_403_for_applicants(client, login_as, application, member, method,
                                            path):
    login_as(member)
    response = getattr(client, method)(path.format(id=application.id))
    assert response.status_code == 403


@pytest.mark.parametrize("method, path", [
    ("post", "/staff/applications/{id}/endorsement/resend"),
    ("get", "/staff/applications/{id}/endorsement/paper"),
    ("get", "/applications/{id}/endorsement/letter"),
    ("post", "/applications/{id}/endorsement/request"),
])
def test_missing_applications_are_404(client, login_as, method, path):
    login_as("staff")
    response = getattr(client, method)(path.format(id=999999))
    assert response.status_code == 404


# The applicant asks early ------------------------------------------------------------------

def test_members_can_ask_for_the_endorsement_before_submitting(client, db_session, factories,
                                                               login_as, member):
    from grants.applications.states import ApplicationState
    draft = make_submitted_application(db_session, factories, member=member,
                                       state=ApplicationState.draft, reference=None)
    login_as(member)
    response = client.post(f"/applications/{draft.id}/endorsement/request")
    assert response.status_code == 302
    assert response.location.endswith(f"/applications/{draft.id}")
    assert draft.endorsement.state is EndorsementState.pending
    assert messages_to(db_session, draft.counterpart_contact_email,
                       "grants.endorsements.request")


def test_asking_early_needs_the_counterpart_section(client, db_session, factories, login_as,
                                                   member):
    from grants.applications.states import ApplicationState
    draft = make_submitted_application(db_session, factories, member=member,
                                       state=ApplicationState.draft, reference=None,
                                       contact_email="")
    login_as(member)
    response = client.post(f"/applications/{draft.id}/endorsement/request")
    assert response.status_code == 409
    assert draft.endorsement is None


def test_others_cannot_ask_for_the_endorsement(client, login_as, application):
    login_as("applicant")
    assert client.post(
        f"/applications/{application.id}/endorsement/request").status_code == 403
    login_as("staff")
    assert client.post(
        f"/applications/{application.id}/endorsement/request").status_code == 403


# Hostile input ------------------------------------------------------------------------------

HOSTILE = st.sampled_from([
    "", " ", "\x00", "a\x00b", "\r\n", "<script>alert(1)</script>", "' OR 1=1 --",
    "=HYPERLINK(\"http://x\")", "\u202e", "😀" * 50, "x" * 5000, "é" * 200, "%00",
    "../../etc/passwd", "{{ 7*7 }}", "endorse", "decline",
])
TEXT = st.one_of(HOSTILE, st.text(max_size=200))
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@SETTINGS
@given(bad=TEXT)
def test_hostile_tokens_are_400(client, bad):
    response = client.get(f"/endorse/{quote(bad, safe='')}")
    # 404: an empty or path-like token; 308: doubled slashes are merged by the router first.
    assert response.status_code in (308, 400, 404)


@SETTINGS
@given(fields=st.fixed_dictionaries({"answer": TEXT, "name": TEXT, "position": TEXT,
                                     "comment": TEXT}))
def test_hostile_answers_never_fail(client, db_session, application, token, fields):
    audits = _count(db_session, AuditEntry)
    answered = application.endorsement.is_answered
    response = client.post(f"/endorse/{token}", data=fields)
    assert response.status_code in (200, 400, 422)
    if response.status_code in (400, 422) or answered:
        assert _count(db_session, AuditEntry) == audits
