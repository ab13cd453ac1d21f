"""Helpers of the action-plan tests."""

from coalitions.plans.states import PlanState


def implement(plan, staff):
    """Take a drafted plan through consultation and submission into implementation."""
    from coalitions.plans import operations

    for state in (PlanState.in_consultation, PlanState.submitted,
                  PlanState.in_implementation):
        operations.transition_plan(plan, state, staff)
    return plan
