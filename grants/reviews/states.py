"""States of review assignments, reviews and decisions, as data."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.enums import TitledEnum
from core.workflow import Transition, Workflow


class AssignmentState(TitledEnum):
    assigned = "assigned"
    declined = "declined"

    __titles__ = {
        assigned: _l("Assigned"),
        declined: _l("Declined"),
    }


class ReviewState(TitledEnum):
    draft = "draft"
    submitted = "submitted"

    __titles__ = {
        draft: _l("Draft"),
        submitted: _l("Submitted"),
    }


class Recommendation(TitledEnum):
    fund = "fund"
    fund_with_conditions = "fund_with_conditions"
    do_not_fund = "do_not_fund"

    __titles__ = {
        fund: _l("Recommend funding"),
        fund_with_conditions: _l("Recommend funding with conditions"),
        do_not_fund: _l("Do not recommend funding"),
    }


class Confidence(TitledEnum):
    low = "low"
    medium = "medium"
    high = "high"

    __titles__ = {
        low: _l("Low"),
        medium: _l("Medium"),
        high: _l("High"),
    }


class Outcome(TitledEnum):
    award = "award"
    waitlist = "waitlist"
    decline = "decline"

    __titles__ = {
        award: _l("Award a grant"),
        waitlist: _l("Put on the waiting list"),
        decline: _l("Decline the application"),
    }


class LateConflictOutcome(TitledEnum):
    """What staff decided about a review whose reviewer became conflicted after it."""

    keep = "keep"
    exclude = "exclude"

    __titles__ = {
        keep: _l("Keep the review in the ranking"),
        exclude: _l("Exclude the review from the ranking"),
    }


def _assignment_refusal(_assignment):
    return _l("This assignment has already been declined.")


#: A reviewer saves a draft or submits it, and may revise a submitted review (it stays
#: submitted) until the panel is locked.
REVIEW_WORKFLOW = Workflow("review", [
    Transition("save", ReviewState.draft, ReviewState.draft),
    Transition("submit", ReviewState.draft, ReviewState.submitted),
    Transition("revise", ReviewState.submitted, ReviewState.submitted),
], refusal=lambda _review: _l("A submitted review cannot go back to draft."))

#: An assignment can be declined by its reviewer while no review has been submitted.
ASSIGNMENT_WORKFLOW = Workflow("assignment", [
    Transition("decline", AssignmentState.assigned, AssignmentState.declined),
], refusal=_assignment_refusal)
