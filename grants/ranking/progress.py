"""The reviews' progress on a panel, reviewer by reviewer: assigned, submitted, late."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from core.extensions import db
from core.timeutil import utcnow
from grants.applications.models import Application
from grants.reviews.models import Panel, ReviewAssignment
from grants.reviews.states import AssignmentState, ReviewState

from .scores import RANKED_STATES


@dataclass
class ReviewerProgress:
    reviewer: object
    assigned: int = 0
    submitted: int = 0
    late: int = 0
    declined: int = 0
    last_reminded_at: datetime | None = None
    late_references: list[str] = field(default_factory=list)

    @property
    def outstanding(self) -> int:
        return self.assigned - self.submitted


def is_past_due(panel: Panel, now: datetime | None = None) -> bool:
    return panel.due_at is not None and (now or utcnow()) > panel.due_at


def progress(panel: Panel, now: datetime | None = None) -> list[ReviewerProgress]:
    """Per reviewer: assignments, submitted reviews and late ones (the panel's due date has
    passed and the review is not submitted), from one query. Applications withdrawn or
    screened out after assignment do not count."""
    past_due = is_past_due(panel, now)
    assignments = db.session.scalars(
        select(ReviewAssignment).join(ReviewAssignment.application)
        .where(ReviewAssignment.panel_id == panel.id,
               Application.state.in_(RANKED_STATES))
        .options(contains_eager(ReviewAssignment.application),
                 joinedload(ReviewAssignment.reviewer), joinedload(ReviewAssignment.review))
        .order_by(ReviewAssignment.id))
    by_reviewer: dict[int, ReviewerProgress] = {}
    for assignment in assignments:
        entry = by_reviewer.setdefault(assignment.reviewer_id,
                                       ReviewerProgress(reviewer=assignment.reviewer))
        if assignment.state == AssignmentState.declined:
            entry.declined += 1
            continue
        entry.assigned += 1
        review = assignment.review
        if review is not None and review.state == ReviewState.submitted:
            entry.submitted += 1
        elif past_due:
            entry.late += 1
            entry.late_references.append(assignment.application.display_reference)
        if assignment.last_reminded_on and (entry.last_reminded_at is None
                                            or assignment.last_reminded_on
                                            > entry.last_reminded_at):
            entry.last_reminded_at = assignment.last_reminded_on
    return sorted(by_reviewer.values(),
                  key=lambda e: (-e.late, (e.reviewer.name or "").lower(), e.reviewer.id))
