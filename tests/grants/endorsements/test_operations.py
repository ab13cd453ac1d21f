from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from werkzeug.datastructures import FileStorage

from core.audit.models import AuditEntry
from core.errors import OperationError
from core.extensions import db
from core.timeutil import utcnow
from grants.applications.models import Endorsement, EndorsementState
from grants.applications.states import ApplicationState
from grants.endorsements import operations
from tests.grants.endorsements.conftest import PDF_BYTES, latest_token, messages_to


def _audit(session, action, application):
    return list(session.scalars(select(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.object_type == "applications",
        AuditEntry.object_id == str(application.id)).order_by(AuditEntry.id)))


def _answer(endorsement, endorse=True, **overrides):
    fields = {"name": "Maria Chen", "position": "Director of Public Service",
              "comment": "We support this partnership."}
    fields.update(overrides)
    return operations.respond(endorsement, endorse=endorse, **fields)


# Asking ------------------------------------------------------------------------------------

def test_request_stores_only_the_hash_and_emails_the_link(app, db_session, application,
                                                          member):
    before = utcnow()
    endorsement = operations.request_endorsement(application, member)
    assert endorsement.state is EndorsementState.pending
    assert endorsement.recipient_email == application.counterpart_contact_email
    assert endorsement.sent_at >= before
    assert (endorsement.expires_at - endorsement.sent_at) == timedelta(days=21)

    token = latest_token(db_session, application)
    assert len(token) >= 40
    assert endorsement.token_hash == hashlib.sha256(token.encode()).hexdigest()
    [message] = messages_to(db_session, application.counterpart_contact_email,
                            "grants.endorsements.request")
    assert application.organisation.name in message.body_text
    assert application.title in message.body_text
    assert application.reference in message.body_text
    assert f"/endorse/{token}" in message.body_text
    [entry] = _audit(db_session, "endorsement.request", application)
    assert entry.actor_id == member.id

    # The raw token is in no table but the outbox (which must carry the email until it is
    # delivered): not in the endorsement, not in the audit log.
    db_session.flush()
    found = []
    for table in db.metadata.sorted_tables:
        if table.name == "outbox_messages":
            continue
        for row in db_session.execute(table.select()):
            if any(token in str(value) for value in row):
                found.append(table.name)
    assert found == []


def test_link_expiry_follows_the_setting(app, monkeypatch, application, member):
    monkeypatch.setitem(app.config, "ENDORSEMENT_LINK_DAYS", 7)
    endorsement = operations.request_endorsement(application, member)
    assert endorsement.expires_at - endorsement.sent_at == timedelta(days=7)


def test_request_is_refused_without_a_contact_email(db_session, factories, member):
    from tests.fixtures.applications import make_submitted_application
    application = make_submitted_application(db_session, factories, contact_email="")
    with pytest.raises(OperationError):
        operations.request_endorsement(application, member)
    assert application.endorsement is None


def test_request_is_refused_once_answered(db_session, application, member):
    endorsement = operations.request_endorsement(application, member)
    _answer(endorsement)
    with pytest.raises(OperationError):
        operations.request_endorsement(application, member)
    assert endorsement.state is EndorsementState.endorsed


def test_request_refreshes_the_single_row(db_session, application, member):
    first = operations.request_endorsement(application, member)
    old_token = latest_token(db_session, application)
    second = operations.request_endorsement(application, member)
    assert second.id == first.id
    assert db_session.scalar(select(db.func.count()).select_from(Endorsement).where(
        Endorsement.application_id == application.id)) == 1
    with pytest.raises(operations.EndorsementLinkError):
        operations.endorsement_for_token(old_token)
    assert operations.endorsement_for_token(latest_token(db_session, application)) is second


def test_request_early_needs_the_counterpart_section(db_session, factories, member):
    from tests.fixtures.applications import make_submitted_application
    application = make_submitted_application(db_session, factories,
                                             state=ApplicationState.draft, reference=None,
                                             counterpart=None)
    with pytest.raises(OperationError):
        operations.request_early(application, member)


# Links -------------------------------------------------------------------------------------

def test_tampered_and_unknown_links_are_refused(db_session, application, member):
    operations.request_endorsement(application, member)
    token = latest_token(db_session, application)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (tampered, "not-a-token", "", "x" * 5000, "../../etc/passwd",
                hashlib.sha256(token.encode()).hexdigest()):
        with pytest.raises(operations.EndorsementLinkError) as caught:
            operations.endorsement_for_token(bad)
        assert caught.value.status == 400


def test_expired_links_are_refused_until_answered(db_session, application, member):
    endorsement = operations.request_endorsement(application, member)
    token = latest_token(db_session, application)
    endorsement.expires_at = utcnow() - timedelta(minutes=1)
    db_session.flush()
    with pytest.raises(operations.EndorsementLinkError) as caught:
        operations.endorsement_for_token(token)
    assert caught.value.status == 410
    assert "expired" in caught.value.message
    with pytest.raises(operations.EndorsementLinkError):
        _answer(endorsement)
    assert endorsement.state is EndorsementState.pending


# Answering ---------------------------------------------------------------------------------

def test_endorsing_records_the_answer_audits_and_tells_the_applicant(db_session, application,
                                                                     member):
    endorsement = operations.request_endorsement(application, member)
    _answer(endorsement)
    assert endorsement.state is EndorsementState.endorsed
    assert endorsement.responder_name == "Maria Chen"
    assert endorsement.responder_position == "Director of Public Service"
    assert endorsement.responded_at is not None
    [entry] = _audit(db_session, "endorsement.endorse", application)
    assert entry.actor_id is None
    assert entry.data["responder"] == "Maria Chen"
    [message] = messages_to(db_session, member.email, "grants.endorsements.answered")
    assert "Maria Chen" in message.body_text
    assert "We support this partnership." in message.body_text


def test_declining_needs_a_reason(db_session, application, member):
    endorsement = operations.request_endorsement(application, member)
    with pytest.raises(OperationError) as caught:
        _answer(endorsement, endorse=False, comment="  ")
    assert caught.value.field == "comment"
    assert endorsement.state is EndorsementState.pending
    _answer(endorsement, endorse=False, comment="We have no capacity this year.")
    assert endorsement.state is EndorsementState.declined
    assert _audit(db_session, "endorsement.decline", application)


def test_an_answer_never_changes(db_session, application, member):
    endorsement = operations.request_endorsement(application, member)
    _answer(endorsement)
    with pytest.raises(OperationError):
        _answer(endorsement, endorse=False, comment="Changed my mind", name="Someone Else")
    assert endorsement.state is EndorsementState.endorsed
    assert endorsement.responder_name == "Maria Chen"
    # A replayed link still finds the (answered) endorsement, even after the expiry date.
    endorsement.expires_at = utcnow() - timedelta(days=1)
    db_session.flush()
    token = latest_token(db_session, application)
    assert operations.endorsement_for_token(token) is endorsement


@pytest.mark.parametrize("field, value", [("name", ""), ("position", " "),
                                          ("name", "x" * 121), ("comment", "x" * 2001)])
def test_answers_are_validated(db_session, application, member, field, value):
    endorsement = operations.request_endorsement(application, member)
    with pytest.raises(OperationError) as caught:
        _answer(endorsement, **{field: value})
    assert caught.value.field == field
    assert endorsement.state is EndorsementState.pending


def test_a_withdrawn_application_cannot_be_endorsed(db_session, application, member):
    endorsement = operations.request_endorsement(application, member)
    application.state = ApplicationState.withdrawn
    db_session.flush()
    with pytest.raises(OperationError):
        _answer(endorsement)
    with pytest.raises(OperationError):
        operations.request_endorsement(application, member)


# Staff -------------------------------------------------------------------------------------

def test_resend_replaces_the_link(db_session, application, member, staff):
    operations.request_endorsement(application, member)
    old_token = latest_token(db_session, application)
    endorsement = operations.resend(application, staff)
    new_token = latest_token(db_session, application)
    assert new_token != old_token
    with pytest.raises(operations.EndorsementLinkError):
        operations.endorsement_for_token(old_token)
    assert operations.endorsement_for_token(new_token) is endorsement
    [entry] = _audit(db_session, "endorsement.resend", application)
    assert entry.actor_id == staff.id


def test_only_staff_resend(db_session, application, member):
    operations.request_endorsement(application, member)
    with pytest.raises(OperationError):
        operations.resend(application, member)


def _pdf(name="letter.pdf", data=PDF_BYTES):
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type="application/pdf")


def test_paper_endorsement_keeps_the_letter_and_is_audited(db_session, application, member,
                                                          staff):
    operations.request_endorsement(application, member)
    token = latest_token(db_session, application)
    endorsement = operations.record_paper_endorsement(
        application, staff, endorse=True, name="Maria Chen", position="Director",
        comment="Signed letter of 3 March.", file_storage=_pdf())
    assert endorsement.state is EndorsementState.endorsed
    assert endorsement.recorded_by_id == staff.id
    assert endorsement.letter_file.kind == "pdf"
    assert endorsement.letter_file.original_name == "letter.pdf"
    [entry] = _audit(db_session, "endorsement.record_paper", application)
    assert entry.actor_id == staff.id
    assert entry.data["file_id"] == endorsement.letter_file.id
    # The emailed link now shows the recorded answer.
    assert operations.endorsement_for_token(token).is_answered


def test_paper_endorsement_without_a_prior_request(db_session, application, staff):
    endorsement = operations.record_paper_endorsement(
        application, staff, endorse=False, name="Maria Chen", position="Director",
        comment="", file_storage=_pdf())
    assert endorsement.state is EndorsementState.declined
    assert endorsement.token_hash is None


def test_paper_endorsement_refuses_a_file_that_is_not_a_letter(db_session, application,
                                                              staff):
    with pytest.raises(OperationError) as caught:
        operations.record_paper_endorsement(
            application, staff, endorse=True, name="Maria Chen", position="Director",
            comment="", file_storage=_pdf(data=b"MZ not a pdf"))
    assert caught.value.field == "letter"
    assert application.endorsement is None
    assert db_session.execute(text("SELECT COUNT(*) FROM stored_files WHERE original_name = "
                                   "'letter.pdf'")).scalar() == 0


def test_paper_endorsement_is_refused_once_answered(db_session, application, member, staff):
    endorsement = operations.request_endorsement(application, member)
    _answer(endorsement)
    with pytest.raises(OperationError):
        operations.record_paper_endorsement(
            application, staff, endorse=False, name="X", position="Y", comment="Z",
            file_storage=_pdf())
    assert endorsement.state is EndorsementState.endorsed


def test_only_staff_record_paper_endorsements(db_session, application, member):
    with pytest.raises(OperationError):
        operations.record_paper_endorsement(
            application, member, endorse=True, name="X", position="Y", comment="",
            file_storage=_pdf())
