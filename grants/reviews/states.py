"""States of review assignments, reviews and decisions, as data."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class AssignmentState(enum.StrEnum):
    assigned = "assigned"
    declined = "declined"

    @property
    def title(self) -> str:
        return str({AssignmentState.assigned: _l("Assigned"),
                    AssignmentState.declined: _l("Declined")}[self])


class ReviewState(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"

    @property
    def title(self) -> str:
        return str({ReviewState.draft: _l("Draft"),
                    ReviewState.submitted: _l("Submitted")}[self])


class Recommendation(enum.StrEnum):
    fund = "fund"
    fund_with_conditions = "fund_with_conditions"
    do_not_fund = "do_not_fund"

    @property
    def title(self) -> str:
        return str({Recommendation.fund: _l("Recommend funding"),
                    Recommendation.fund_with_conditions: _l("Recommend funding with conditions"),
                    Recommendation.do_not_fund: _l("Do not recommend funding")}[self])


class Confidence(enum.StrEnum):
    low = "low"
    medium = "medium"
    high = "high"

    @property
    def title(self) -> str:
        return str({Confidence.low: _l("Low"), Confidence.medium: _l("Medium"),
                    Confidence.high: _l("High")}[self])


class Outcome(enum.StrEnum):
    award = "award"
    waitlist = "waitlist"
    decline = "decline"

    @property
    def title(self) -> str:
        return str({Outcome.award: _l("Award a grant"),
                    Outcome.waitlist: _l("Put on the waiting list"),
                    Outcome.decline: _l("Decline the application")}[self])


class LateConflictOutcome(enum.StrEnum):
    """What staff decided about a review whose reviewer became conflicted after it."""

    keep = "keep"
    exclude = "exclude"

    @property
    def title(self) -> str:
        return str({LateConflictOutcome.keep: _l("Keep the review in the ranking"),
                    LateConflictOutcome.exclude: _l("Exclude the review from the ranking")}[self])


#: (from, to) moves of a review: a reviewer submits a draft, and may revise a submitted
#: review (it stays submitted) until the panel is locked.
REVIEW_TRANSITIONS = {
    (ReviewState.draft, ReviewState.draft),
    (ReviewState.draft, ReviewState.submitted),
    (ReviewState.submitted, ReviewState.submitted),
}
#: An assignment can be declined by its reviewer while no review has been submitted.
ASSIGNMENT_TRANSITIONS = {(AssignmentState.assigned, AssignmentState.declined)}
