"""States of action plans and of their milestones, and the plan's workflow as data.

A plan is drafted, put to public consultation (and back to drafting while it is reworked),
submitted to the Open Government Partnership, implemented and completed. Its commitments'
content may change only before it is submitted; milestones are tracked while it is
implemented.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.enums import TitledEnum
from core.workflow import Transition, Workflow


class MilestoneState(TitledEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    complete = "complete"
    delayed = "delayed"

    __titles__ = {
        not_started: _l("Not started"),
        in_progress: _l("In progress"),
        complete: _l("Complete"),
        delayed: _l("Delayed"),
    }


class PlanState(TitledEnum):
    drafting = "drafting"
    in_consultation = "in_consultation"
    submitted = "submitted"
    in_implementation = "in_implementation"
    completed = "completed"

    __titles__ = {
        drafting: _l("Drafting"),
        in_consultation: _l("In consultation"),
        submitted: _l("Submitted to OGP"),
        in_implementation: _l("In implementation"),
        completed: _l("Completed"),
    }
    __tones__ = {completed: "done"}


#: The states in which the commitments' content (texts, dates, institutions, milestones)
#: may still change.
EDITABLE_STATES = frozenset({PlanState.drafting, PlanState.in_consultation})
#: The states in which milestones' progress is recorded.
TRACKING_STATES = frozenset({PlanState.in_implementation})


def _staff(user, plan) -> tuple[bool, str]:
    from coalitions.plans.policies import can_manage
    return can_manage(user)


def _has_commitments(plan) -> tuple[bool, str]:
    return (bool(plan.commitments),
            str(_l("Add at least one commitment before the plan goes further.")))


def _plan_refusal(plan):
    return _l("This cannot be done while the plan is “%(state)s”.", state=plan.state.title)


_P = PlanState

PLAN_WORKFLOW = Workflow("action_plan", [
    Transition("consult", _P.drafting, _P.in_consultation, _staff, _has_commitments),
    Transition("rework", _P.in_consultation, _P.drafting, _staff),
    Transition("submit", _P.in_consultation, _P.submitted, _staff, _has_commitments),
    Transition("implement", _P.submitted, _P.in_implementation, _staff),
    Transition("complete", _P.in_implementation, _P.completed, _staff),
], refusal=_plan_refusal)
