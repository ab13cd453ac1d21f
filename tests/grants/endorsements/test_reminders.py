from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from core.audit.models import AuditEntry
from core.timeutil import from_programme_time, to_programme_time, utcnow
from grants.applications.models import EndorsementState
from grants.applications.states import ApplicationState
from grants.endorsements import operations
from tests.fixtures.applications import make_submitted_application
from tests.grants.endorsements.conftest import latest_token, messages_to

REMINDER = "grants.endorsements.reminder"


@pytest.fixture
def sent_six_days_ago(db_session, application, member):
    endorsement = operations.request_endorsement(application, member)
    endorsement.sent_at = utcnow() - timedelta(days=6)
    endorsement.expires_at = endorsement.sent_at + timedelta(days=21)
    db_session.flush()
    return endorsement


def _run(app):
    result = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_command_is_idempotent_per_day(app, db_session, application, sent_six_days_ago):
    expires = sent_six_days_ago.expires_at
    old_token = latest_token(db_session, application)
    assert "Queued 1 endorsement reminder" in _run(app)
    db_session.expire_all()
    [message] = messages_to(db_session, application.counterpart_contact_email, REMINDER)
    new_token = latest_token(db_session, application)
    assert new_token != old_token and f"/endorse/{new_token}" in message.body_text
    endorsement = application.endorsement
    assert endorsement.reminder_count == 1
    assert endorsement.expires_at == expires  # a reminder does not extend the link
    # The reminder's link works; the one it replaces does not.
    assert operations.endorsement_for_token(new_token) is endorsement
    with pytest.raises(operations.EndorsementLinkError):
        operations.endorsement_for_token(old_token)
    assert db_session.scalars(select(AuditEntry).where(
        AuditEntry.action == "endorsement.remind")).all()

    assert "Queued 0 endorsement reminder" in _run(app)
    db_session.expire_all()
    assert len(messages_to(db_session, application.counterpart_contact_email, REMINDER)) == 1
    assert application.endorsement.reminder_count == 1


def test_once_a_day_and_at_most_three_times(db_session, application, sent_six_days_ago):
    # Noon in the programme's time zone, so "a minute later" is the same day there.
    today = to_programme_time(utcnow()).date()
    now = from_programme_time(datetime.combine(today, time(12, 0)))
    for day in range(5):
        queued = operations.send_reminders(now + timedelta(days=day))
        assert queued == (1 if day < 3 else 0), day
        assert operations.send_reminders(now + timedelta(days=day, minutes=1)) == 0
    assert sent_six_days_ago.reminder_count == 3
    assert len(messages_to(db_session, application.counterpart_contact_email, REMINDER)) == 3


def test_recent_answered_expired_and_closed_requests_are_skipped(db_session, factories,
                                                                 member):
    def requested(days_ago: int, **fields):
        application = make_submitted_application(db_session, factories, member=member,
                                                 **fields)
        endorsement = operations.request_endorsement(application, member)
        endorsement.sent_at = utcnow() - timedelta(days=days_ago)
        endorsement.expires_at = endorsement.sent_at + timedelta(days=21)
        db_session.flush()
        return application, endorsement

    due, _ = requested(5)
    requested(4)  # too recent
    _, answered = requested(8)
    operations.respond(answered, endorse=True, name="Maria Chen", position="Director",
                       comment="")
    _, expired = requested(22)
    assert expired.is_expired()
    closed, _ = requested(10)
    closed.state = ApplicationState.withdrawn
    db_session.flush()

    assert operations.send_reminders() == 1
    assert messages_to(db_session, due.counterpart_contact_email, REMINDER)
    assert answered.state is EndorsementState.endorsed
    assert answered.reminder_count == 0 and expired.reminder_count == 0
