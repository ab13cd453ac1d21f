"""States of review assignments, reviews and decisions, as data."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from core.workflow import Transition, Workflow


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


def _assignment_refusal(_assignment):
    return _l("This assignment has already been declined.")


#: A reviewer saves a draft or submits it, and may revise a submitted review (it stays
#: submitted) until the panel is locked.
REVIEW_WORKFLOW = Workflow("review", [
    Transition("save", ReviewState.draft, ReviewState.draft),
    Transition("submit", ReviewState.draft, ReviewState.submitted),
    Transition("revise", ReviewState.submitted, ReviewState.submitted),
], refusal=lambda _review: _l("A submitted review cannot go back to draft."))
#: ``{(from, to): name}``, the review workflow read as moves between states.
REVIEW_TRANSITIONS = REVIEW_WORKFLOW.pairs()

#: An assignment can be declined by its reviewer while no review has been submitted.
ASSIGNMENT_WORKFLOW = Workflow("assignment", [
    Transition("decline", AssignmentState.assigned, AssignmentState.declined),
], refusal=_assignment_refusal)
#: ``{(from, to): name}``, the assignment workflow read as moves between states.
ASSIGNMENT_TRANSITIONS = ASSIGNMENT_WORKFLOW.pairs()
