"""The reference call's review panel: three reviewers of different severity, every review
submitted, decisions that fund the eight best-ranked applications, and the call decided."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from accounts.models import Role, User, UserRole
from core.extensions import db
from demo.awards import awarded_amount
from grants.applications.models import Application
from grants.applications.states import ApplicationState
from grants.calls.models import Call
from grants.calls.operations import transition_call
from grants.calls.states import CallState
from grants.reviews.models import (
    Decision,
    Panel,
    PanelMember,
    Review,
    ReviewAssignment,
    ReviewScore,
)
from grants.reviews.states import Confidence, Outcome, Recommendation, ReviewState

EXTRA_REVIEWERS = [
    ("harsh.reviewer@demo.example.org", "Hugo Harsh", -2),
    ("lenient.reviewer@demo.example.org", "Lucía Lenient", +2),
]
REVIEWED_STATES = {ApplicationState.awarded, ApplicationState.waitlisted,
                   ApplicationState.declined}
OUTCOMES = {ApplicationState.awarded: Outcome.award,
            ApplicationState.waitlisted: Outcome.waitlist,
            ApplicationState.declined: Outcome.decline}
SUBMITTED_AT = datetime(2018, 11, 30, 20, 0, tzinfo=UTC)
DECIDED_AT = datetime(2018, 12, 14, 16, 0, tzinfo=UTC)


def demo_reviewer(email: str, name: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        # Panel colleagues of the demo reviewer; they have no password (no login printed).
        user = User(email=email, name=name, locale="en", session_version=1,
                    failed_login_count=0, is_enabled=True, email_confirmed_at=SUBMITTED_AT)
        user.role_rows.append(UserRole(role=Role.reviewer))
        db.session.add(user)
        db.session.flush()
    return user


def load(call: Call, users: dict[str, User]) -> Panel | None:
    if users.get("reviewer") is None:
        return None
    existing = db.session.scalar(select(Panel).where(Panel.call_id == call.id))
    if existing is not None:
        return existing
    reviewers = [(users["reviewer"], 0)] + [(demo_reviewer(email, name), severity)
                                            for email, name, severity in EXTRA_REVIEWERS]
    panel = Panel(call=call, chair_id=users["reviewer"].id, reviewers_per_application=3,
                  due_at=datetime(2018, 11, 30, 23, 0, tzinfo=UTC))
    panel.members = [PanelMember(user=user) for user, _severity in reviewers]
    db.session.add(panel)
    applications = db.session.scalars(
        select(Application).where(Application.call_id == call.id,
                                  Application.state.in_(REVIEWED_STATES))
        .order_by(Application.id)).all()
    for rank, application in enumerate(_by_rank(applications)):
        for user, severity in reviewers:
            demo_review(panel, application, user, rank, severity, call, SUBMITTED_AT)
        _decide(application, users.get("reviewer"))
    db.session.flush()
    if call.state == CallState.in_review and users.get("staff") is not None:
        # Every application was answered in December 2018: the call is decided.
        transition_call(call, CallState.decided, users["staff"])
    return panel


def _by_rank(applications):
    """Awarded applications first, then waitlisted and declined, so that the funding line
    of the ranking falls after the eighth."""
    order = [ApplicationState.awarded, ApplicationState.waitlisted, ApplicationState.declined]
    return sorted(applications, key=lambda a: (order.index(a.state), a.id))


def _score(criterion, rank: int, severity: int) -> int:
    """A score that falls with the rank (0 = best), shifted by the reviewer's severity, so
    every application gets a distinct mean total."""
    base = {0: 10 - (rank + 1) // 2, 1: 10 - (rank + 2) // 2, 2: 9 - rank // 2}.get(
        criterion.position, criterion.max_score - rank // 3)
    shift = severity if criterion.max_score >= 10 else severity // 2
    return max(0, min(criterion.max_score, base + shift))


def demo_review(panel, application, user, rank: int, severity: int, call: Call,
                submitted_at: datetime | None, assigned_at: datetime = SUBMITTED_AT
                ) -> ReviewAssignment:
    """An assignment with its review: submitted at ``submitted_at``, else not yet started."""
    assignment = ReviewAssignment(panel=panel, application=application, reviewer_id=user.id,
                                  assigned_at=assigned_at)
    db.session.add(assignment)
    if submitted_at is not None:
        assignment.review = submitted_review(call, rank, severity, submitted_at)
    return assignment


def submitted_review(call: Call, rank: int, severity: int, submitted_at: datetime) -> Review:
    """A submitted review whose scores fall with ``rank`` (0 = best), shifted by the
    reviewer's ``severity``."""
    scores = []
    for criterion in call.criteria:
        score = _score(criterion, rank, severity)
        scores.append(ReviewScore(criterion_id=criterion.id, score=score,
                                  comment=_comment(score, criterion.max_score)))
    quality = 10 - rank * 0.6 + severity
    recommendation = (Recommendation.fund if quality >= 7 else
                      Recommendation.fund_with_conditions if quality >= 5 else
                      Recommendation.do_not_fund)
    return Review(state=ReviewState.submitted, submitted_at=submitted_at,
                  overall_comment=_comment(quality, 10), scores=scores,
                  recommendation=recommendation, confidence=Confidence.medium)


def _comment(score: float, maximum: int) -> str:
    share = score / maximum
    if share >= 0.75:
        return "Strong and well argued."
    if share >= 0.5:
        return "Sound, with room to sharpen the plan."
    return "Weak: the objectives and the budget do not match."


def _decide(application: Application, chair: User | None) -> None:
    outcome = OUTCOMES.get(application.state)
    if outcome is None:
        return
    application.decided_at = DECIDED_AT
    db.session.add(Decision(application=application, outcome=outcome, method="raw",
                            amount=awarded_amount(application, outcome),
                            decided_by_id=chair.id if chair else None, decided_at=DECIDED_AT,
                            rationale="Decided by the panel on the ranking of 14 December "
                                      "2018."))
