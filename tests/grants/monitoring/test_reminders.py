"""Report reminders: once when the due date is a week away or less, then daily once
overdue; never twice a day; only for reports still to be written of running awards."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from core.audit.models import AuditEntry
from grants.awards.states import AwardState
from grants.monitoring.operations import reminder_is_due, send_report_reminders
from grants.monitoring.states import ReportState
from tests.grants.monitoring.conftest import day, make_grant, messages, submitted

REMINDER = "grants.monitoring.reminder"
DUE = date(2026, 6, 15)


@pytest.mark.parametrize(("today", "last", "due"), [
    (date(2026, 6, 7), None, False),  # eight days before
    (date(2026, 6, 8), None, True),  # seven days before
    (date(2026, 6, 10), None, True),  # first run in the window
    (date(2026, 6, 10), date(2026, 6, 8), False),  # already reminded in the window
    (date(2026, 6, 15), date(2026, 6, 8), False),  # the due date itself
    (date(2026, 6, 15), None, True),
    (date(2026, 6, 16), date(2026, 6, 8), True),  # overdue: every day
    (date(2026, 6, 17), date(2026, 6, 16), True),
    (date(2026, 6, 17), date(2026, 6, 17), False),  # never twice the same day
    (date(2026, 6, 8), date(2026, 6, 1), True),  # a reminder before the window opened
])
def test_when_a_reminder_is_due(today, last, due):
    assert reminder_is_due(DUE, last, today) is due


def _reminders(session, grant):
    return messages(session, grant.owner.email, REMINDER)


def test_a_week_before_then_daily_once_overdue(db_session, grant):
    grant.final.due_on = day(400)  # out of the way
    grant.midterm.due_on = day(7)
    assert send_report_reminders(day(-1)) == 0
    assert send_report_reminders(day(0)) == 1
    assert send_report_reminders(day(0)) == 0  # same day: nothing
    [message] = _reminders(db_session, grant)
    assert grant.award.reference in message.subject
    assert "in 7 days" in message.body_text
    assert f"/reports/{grant.midterm.id}/edit" in message.body_text
    assert len(messages(db_session, grant.member.email, REMINDER)) == 1
    for offset in range(1, 8):  # the rest of the week, the due date included
        assert send_report_reminders(day(offset)) == 0
    assert send_report_reminders(day(8)) == 1
    assert send_report_reminders(day(9)) == 1
    assert send_report_reminders(day(9)) == 0
    assert len(_reminders(db_session, grant)) == 3
    assert "1 day ago" in _reminders(db_session, grant)[1].body_text
    assert grant.midterm.last_reminded_on == day(9)
    entries = db_session.scalars(select(AuditEntry).where(
        AuditEntry.action == "report.remind")).all()
    assert len(entries) == 3 and entries[0].actor_id is None


def test_no_reminder_for_submitted_accepted_or_ended(db_session, grant, factories):
    grant.final.due_on = day(400)
    grant.midterm.due_on = day(-3)
    submitted(db_session, grant.midterm)
    grant.midterm.state = ReportState.accepted
    closed = make_grant(db_session, factories, state=AwardState.closed)
    closed.midterm.due_on = day(-3)
    pending = make_grant(db_session, factories, state=AwardState.pending_signature)
    pending.midterm.due_on = day(2)
    submitted_one = make_grant(db_session, factories)
    submitted(db_session, submitted_one.midterm)
    submitted_one.midterm.due_on = day(-1)
    assert send_report_reminders(day(0)) == 0


def test_a_returned_report_is_reminded_while_overdue(db_session, grant):
    grant.final.due_on = day(400)
    grant.midterm.due_on = day(-10)
    grant.midterm.state = ReportState.returned
    assert send_report_reminders(day(0)) == 1
    [message] = _reminders(db_session, grant)
    assert "returned to you for changes" in message.body_text


def test_disabled_members_get_nothing(db_session, grant):
    grant.final.due_on = day(400)
    grant.midterm.due_on = day(3)
    grant.member.is_enabled = False
    assert send_report_reminders(day(0)) == 1
    assert messages(db_session, grant.member.email) == []
    assert len(_reminders(db_session, grant)) == 1


def _run(app) -> str:
    result = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_command_is_idempotent_per_day(app, db_session, grant, other_grant):
    grant.midterm.due_on = day(-1)
    other_grant.midterm.due_on = day(5)
    db_session.flush()
    assert "and 2 report reminder(s)" in _run(app)
    db_session.expire_all()
    assert len(_reminders(db_session, grant)) == 1
    assert "and 0 report reminder(s)" in _run(app)
    db_session.expire_all()
    assert len(_reminders(db_session, grant)) == 1
    assert len(messages(db_session, other_grant.owner.email, REMINDER)) == 1
