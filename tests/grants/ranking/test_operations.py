from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.audit.models import AuditEntry
from core.errors import OperationError
from core.outbox.models import OutboxMessage
from core.timeutil import from_programme_time, programme_today, utcnow
from grants.applications.states import ApplicationState
from grants.ranking import operations
from grants.ranking.operations import send_review_reminders
from grants.reviews.models import ConflictDeclaration, Decision, ReviewAssignment
from grants.reviews.states import Outcome
from tests.fixtures.applications import make_submitted_application
from tests.grants.ranking.conftest import add_review


def _count(session, model, *conditions) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*conditions))


def _messages(session, recipient, kind="grants.applications.decided"):
    return list(session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == recipient, OutboxMessage.kind == kind)
        .order_by(OutboxMessage.id)))


def _decide(scored, keys, outcome, actor, rationale="Ranked by the panel.", **kwargs):
    return operations.decide(scored.panel, [scored.apps[key] for key in keys], outcome, actor,
                             rationale=rationale, **kwargs)


def _snapshot(session, scored):
    return ({key: app.state for key, app in scored.apps.items()},
            _count(session, Decision), _count(session, AuditEntry),
            _count(session, OutboxMessage))


# Decisions ---------------------------------------------------------------------------------

def test_awards_within_the_pool(db_session, scored, staff):
    decisions = _decide(scored, ["A", "B"], Outcome.award, staff,
                        rationale="Top of the ranking.")
    assert [d.outcome for d in decisions] == [Outcome.award, Outcome.award]
    for key in ("A", "B"):
        application = scored.apps[key]
        assert application.state is ApplicationState.awarded
        decision = db_session.scalar(select(Decision).where(
            Decision.application_id == application.id))
        assert decision.rationale == "Top of the ranking."
        assert decision.decided_by_id == staff.id and decision.method == "raw"
        [message] = _messages(db_session, scored.member(key).email)
        assert "Top of the ranking." in message.body_text
        assert application.reference in message.body_text
    a_decision = db_session.scalar(select(Decision).where(
        Decision.application_id == scored.apps["A"].id))
    assert a_decision.score_at_decision == Decimal("90.000")
    actions = set(db_session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "applications",
        AuditEntry.object_id == str(scored.apps["A"].id))))
    assert {"decision.award", "application.award"} <= actions


def test_the_pool_counts_earlier_awards_of_the_call(db_session, scored, staff):
    _decide(scored, ["A", "B", "C"], Outcome.award, staff)  # 14,000 of 16,000
    with pytest.raises(OperationError) as refused:
        _decide(scored, ["D"], Outcome.award, staff)  # 3,000 more would make 17,000
    assert "pool" in str(refused.value.message)
    assert scored.apps["D"].state is ApplicationState.in_review
    _decide(scored, ["E"], Outcome.award, staff)  # 2,000 fits: 16,000 exactly
    assert scored.apps["E"].state is ApplicationState.awarded


def test_a_bulk_beyond_the_pool_is_refused_whole(db_session, scored, staff):
    before = _snapshot(db_session, scored)
    with pytest.raises(OperationError) as refused:
        _decide(scored, ["A", "B", "C", "D"], Outcome.award, staff)  # 17,000 > 16,000
    message = str(refused.value.message)
    assert "16,000.00" in message and "17,000.00" in message
    assert _snapshot(db_session, scored) == before


def test_more_awards_than_the_call_allows_are_refused(db_session, scored, staff):
    before = _snapshot(db_session, scored)
    with pytest.raises(OperationError) as refused:
        # 16,000 would fit the pool, but five awards exceed the call's four.
        _decide(scored, ["B", "C", "D", "E", "F"], Outcome.award, staff)
    assert "at most 4" in str(refused.value.message)
    assert _snapshot(db_session, scored) == before


def test_an_ineligible_application_spoils_the_whole_bulk(db_session, factories, scored,
                                                         staff):
    ineligible = make_submitted_application(db_session, factories, call=scored.call,
                                            state=ApplicationState.ineligible)
    before = _snapshot(db_session, scored)
    with pytest.raises(OperationError) as refused:
        operations.decide(scored.panel, [scored.apps["A"], ineligible], Outcome.decline,
                          staff, rationale="Not selected.")
    message = str(refused.value.message)
    assert ineligible.reference in message and "Ineligible" in message
    assert refused.value.field == "application_ids"
    assert _snapshot(db_session, scored) == before
    assert ineligible.state is ApplicationState.ineligible


def test_an_application_of_another_call_is_refused(db_session, scored, staff):
    with pytest.raises(OperationError):
        operations.decide(scored.panel, [scored.other_award], Outcome.decline, staff,
                          rationale="No.")


def test_a_rationale_is_required(scored, staff):
    with pytest.raises(OperationError) as refused:
        _decide(scored, ["A"], Outcome.award, staff, rationale="  ")
    assert refused.value.field == "rationale"
    assert scored.apps["A"].state is ApplicationState.in_review


def test_the_waiting_list_can_be_awarded_later(db_session, scored, staff):
    _decide(scored, ["D"], Outcome.waitlist, staff, rationale="Just below the line.")
    assert scored.apps["D"].state is ApplicationState.waitlisted
    with pytest.raises(OperationError):
        _decide(scored, ["D"], Outcome.waitlist, staff)
    _decide(scored, ["D"], Outcome.award, staff, rationale="Funds became available.")
    assert scored.apps["D"].state is ApplicationState.awarded
    [decision] = db_session.scalars(select(Decision).where(
        Decision.application_id == scored.apps["D"].id))
    assert decision.outcome is Outcome.award
    assert decision.rationale == "Funds became available."
    # A decided application cannot be decided again.
    with pytest.raises(OperationError):
        _decide(scored, ["D"], Outcome.decline, staff)


def test_the_chair_records_decisions_on_the_normalised_ranking(db_session, scored):
    _decide(scored, ["A"], Outcome.award, scored.chair, method="normalised")
    decision = db_session.scalar(select(Decision).where(
        Decision.application_id == scored.apps["A"].id))
    assert decision.decided_by_id == scored.chair.id and decision.method == "normalised"
    assert decision.score_at_decision is not None
    assert scored.apps["A"].state is ApplicationState.awarded


def test_a_conflicted_decider_is_refused(db_session, scored, staff):
    db_session.add(ConflictDeclaration(panel=scored.panel, reviewer_id=staff.id,
                                       application_id=scored.apps["C"].id,
                                       reason="I advised them."))
    db_session.flush()
    with pytest.raises(OperationError) as refused:
        _decide(scored, ["B", "C"], Outcome.award, staff)
    assert "conflict of interest" in str(refused.value.message)
    assert scored.apps["B"].state is ApplicationState.in_review


# Locking -----------------------------------------------------------------------------------

def _audits(session, action, panel):
    return list(session.scalars(select(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.object_type == "panels",
        AuditEntry.object_id == str(panel.id))))


def test_locking_freezes_decisions_until_staff_unlock(db_session, scored, staff):
    operations.lock_panel(scored.panel, staff)
    assert scored.panel.is_locked and scored.panel.locked_by_id == staff.id
    assert len(_audits(db_session, "panel.lock", scored.panel)) == 1
    with pytest.raises(OperationError) as refused:
        _decide(scored, ["A"], Outcome.award, staff)
    assert "locked" in str(refused.value.message)
    with pytest.raises(OperationError):
        operations.choose_feedback(scored.panel, scored.apps["A"], staff,
                                   shared_review_ids=[])
    with pytest.raises(OperationError):
        operations.lock_panel(scored.panel, staff)
    with pytest.raises(OperationError):
        operations.unlock_panel(scored.panel, scored.chair)
    assert scored.apps["A"].state is ApplicationState.in_review

    operations.unlock_panel(scored.panel, staff)
    assert not scored.panel.is_locked and scored.panel.locked_at is None
    assert len(_audits(db_session, "panel.unlock", scored.panel)) == 1
    _decide(scored, ["A"], Outcome.award, staff)
    assert scored.apps["A"].state is ApplicationState.awarded


# Feedback ----------------------------------------------------------------------------------

def _reviews_of(scored, key):
    from grants.ranking.queries import feedback_reviews
    return {review.assignment.reviewer_id: review
            for review in feedback_reviews(scored.panel, scored.apps[key])}


def test_shared_comments_go_anonymised_into_the_decision_email(db_session, scored, staff):
    reviews = _reviews_of(scored, "A")
    normal = reviews[scored.reviewers["normal"].id]
    lenient = reviews[scored.reviewers["lenient"].id]
    shared = operations.choose_feedback(scored.panel, scored.apps["A"], staff,
                                        shared_review_ids=[normal.id, lenient.id])
    assert {review.id for review in shared} == {normal.id, lenient.id}
    assert not reviews[scored.reviewers["harsh"].id].is_shared_with_applicant

    _decide(scored, ["A"], Outcome.award, staff, rationale="Clearly fundable.")
    [message] = _messages(db_session, scored.member("A").email)
    body = message.body_text
    assert "Clearly fundable." in body
    assert "Reviewer 1: Clear plan and budget. (A)" in body
    assert "Reviewer 2: A strong partnership. (A)" in body
    assert "The indicators are weak." not in body
    for reviewer in scored.reviewers.values():
        assert reviewer.name not in body

    # Sharing is set exactly as chosen: unticking stops sharing.
    operations.choose_feedback(scored.panel, scored.apps["A"], staff,
                               shared_review_ids=[lenient.id])
    assert not normal.is_shared_with_applicant and lenient.is_shared_with_applicant
    assert db_session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "review.share_feedback")) == 2


def test_feedback_refuses_reviews_of_other_applications(scored, staff):
    other = next(iter(_reviews_of(scored, "B").values()))
    with pytest.raises(OperationError):
        operations.choose_feedback(scored.panel, scored.apps["A"], staff,
                                   shared_review_ids=[other.id])


# Reminders ---------------------------------------------------------------------------------

def _day_start(day):
    return from_programme_time(datetime.combine(day, time.min))


@pytest.fixture
def late_reviewer(db_session, factories, scored):
    """A reviewer with a draft review of A and an untouched assignment of B."""
    reviewer = factories.user(roles=("reviewer",), name="Slow Reviewer")
    add_review(db_session, scored.panel, scored.apps["A"], reviewer, 5, submitted=False)
    db_session.add(ReviewAssignment(panel=scored.panel, application=scored.apps["B"],
                                    reviewer=reviewer))
    db_session.flush()
    return reviewer


def _reminders(session, reviewer):
    return _messages(session, reviewer.email, "grants.ranking.review_reminder")


def test_reminders_go_once_a_day_before_the_due_date(db_session, scored, late_reviewer):
    today = programme_today()
    scored.panel.due_at = _day_start(today + timedelta(days=2)) + timedelta(hours=17)
    assert send_review_reminders() == 1  # today, in the programme's time zone
    [message] = _reminders(db_session, late_reviewer)
    assert scored.apps["A"].reference in message.body_text
    assert scored.apps["B"].reference in message.body_text
    assert "/reviews" in message.body_text
    # Reviewers who submitted everything hear nothing.
    for reviewer in scored.reviewers.values():
        assert _reminders(db_session, reviewer) == []
    assignments = db_session.scalars(select(ReviewAssignment).where(
        ReviewAssignment.reviewer_id == late_reviewer.id)).all()
    assert {a.last_reminded_on for a in assignments} == {_day_start(today)}

    # Idempotent for the day; again the next day.
    assert send_review_reminders(today) == 0
    assert len(_reminders(db_session, late_reviewer)) == 1
    assert send_review_reminders(today + timedelta(days=1)) == 1
    assert len(_reminders(db_session, late_reviewer)) == 2


def test_reminders_continue_after_the_due_date(db_session, scored, late_reviewer):
    today = programme_today()
    scored.panel.due_at = utcnow() - timedelta(days=4)
    assert send_review_reminders(today) == 1
    [message] = _reminders(db_session, late_reviewer)
    assert "overdue" in message.body_text


def test_no_reminder_too_early_or_on_a_locked_panel(db_session, scored, late_reviewer,
                                                    staff):
    today = programme_today()
    scored.panel.due_at = _day_start(today + timedelta(days=5)) + timedelta(hours=12)
    assert send_review_reminders(today) == 0
    scored.panel.due_at = utcnow() - timedelta(days=1)
    operations.lock_panel(scored.panel, staff)
    assert send_review_reminders(today) == 0
    assert _reminders(db_session, late_reviewer) == []


def test_no_reminder_for_a_submitted_or_decided_review(db_session, scored, late_reviewer,
                                                       staff):
    today = programme_today()
    scored.panel.due_at = utcnow() + timedelta(days=1)
    _decide(scored, ["A", "B"], Outcome.decline, staff)
    assert send_review_reminders(today) == 0
