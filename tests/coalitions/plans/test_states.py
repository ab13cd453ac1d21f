"""A plan's states: drafted, consulted (and back), submitted to OGP, implemented, completed.
Its commitments are frozen once submitted; milestones' progress is recorded while it is
implemented."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from coalitions.plans import operations, policies
from coalitions.plans.states import PLAN_WORKFLOW, MilestoneState, PlanState
from core.audit.models import AuditEntry
from core.errors import OperationError
from core.locking import AlreadyDone

_S = PlanState


def _names(plan, user):
    return [t.name for t in PLAN_WORKFLOW.available(plan, user)]


def test_a_new_plan_is_drafted(ogp_plan):
    assert ogp_plan["plan"].state is PlanState.drafting


def test_the_table_lists_the_moves_between_states():
    assert PLAN_WORKFLOW.pairs() == {
        (_S.drafting, _S.in_consultation): "consult",
        (_S.in_consultation, _S.drafting): "rework",
        (_S.in_consultation, _S.submitted): "submit",
        (_S.submitted, _S.in_implementation): "implement",
        (_S.in_implementation, _S.completed): "complete",
    }


def test_staff_move_the_plan_through_its_states_audited(ogp_plan, db_session):
    plan, staff = ogp_plan["plan"], ogp_plan["staff"]
    assert _names(plan, staff) == ["consult"]
    operations.transition_plan(plan, _S.in_consultation, staff)
    assert _names(plan, staff) == ["rework", "submit"]
    operations.transition_plan(plan, _S.drafting, staff)
    for state in (_S.in_consultation, _S.submitted, _S.in_implementation, _S.completed):
        operations.transition_plan(plan, state, staff)
    assert plan.state is _S.completed and _names(plan, staff) == []
    actions = db_session.scalars(select(AuditEntry.action).where(
        AuditEntry.action.like("action_plan.%")).order_by(AuditEntry.id)).all()
    assert actions == ["action_plan.create", "action_plan.consult", "action_plan.rework",
                       "action_plan.consult", "action_plan.submit", "action_plan.implement",
                       "action_plan.complete"]


def test_no_state_is_skipped_and_the_same_move_twice_is_done_once(ogp_plan):
    plan, staff = ogp_plan["plan"], ogp_plan["staff"]
    with pytest.raises(OperationError, match="while the plan is “Drafting”"):
        operations.transition_plan(plan, _S.submitted, staff)
    operations.transition_plan(plan, _S.in_consultation, staff)
    with pytest.raises(AlreadyDone):
        operations.transition_plan(plan, _S.in_consultation, staff)


def test_only_staff_move_a_plan(ogp_plan, factories):
    applicant = factories.user()
    assert _names(ogp_plan["plan"], applicant) == []
    with pytest.raises(OperationError, match="Only programme staff"):
        operations.transition_plan(ogp_plan["plan"], _S.in_consultation, applicant)
    assert policies.can_manage(applicant)[0] is False


def test_a_plan_without_commitments_is_not_consulted(factories):
    staff = factories.user(roles=("staff",))
    plan = operations.create_plan(staff, title="Empty", country="BZ",
                                  starts_on=date(2020, 1, 1), ends_on=date(2021, 1, 1))
    with pytest.raises(OperationError, match="at least one commitment"):
        operations.transition_plan(plan, _S.in_consultation, staff)


def _submit(plan, staff):
    operations.transition_plan(plan, _S.in_consultation, staff)
    operations.transition_plan(plan, _S.submitted, staff)


def test_commitments_are_frozen_once_submitted(ogp_plan):
    plan, staff, commitment = ogp_plan["plan"], ogp_plan["staff"], ogp_plan["commitment"]
    operations.transition_plan(plan, _S.in_consultation, staff)
    # In consultation the commitments still change.
    assert operations.update_commitment(commitment, staff, cause="Hand-made figures.")
    operations.transition_plan(plan, _S.submitted, staff)
    for attempt in (
            lambda: operations.update_commitment(commitment, staff, title="Renamed"),
            lambda: operations.create_commitment(plan, staff, title="Another"),
            lambda: operations.add_milestone(commitment, staff, title="Later",
                                             due_on=date(2022, 1, 1))):
        with pytest.raises(OperationError, match="can no longer be changed"):
            attempt()
    assert commitment.title == "Open budgets" and len(plan.commitments) == 1


def test_a_submitted_plan_keeps_its_title_and_dates(ogp_plan):
    plan, staff = ogp_plan["plan"], ogp_plan["staff"]
    operations.transition_plan(plan, _S.in_consultation, staff)
    operations.transition_plan(plan, _S.submitted, staff)
    title, ends_on = plan.title, plan.ends_on
    for change in ({"title": "Renamed"}, {"ends_on": date(2030, 1, 1)}):
        with pytest.raises(OperationError, match="those submitted"):
            operations.update_plan(plan, staff, **change)
    assert (plan.title, plan.ends_on) == (title, ends_on)
    assert operations.update_plan(plan, staff, is_public=not plan.is_public)


def test_milestones_are_tracked_in_implementation_only(ogp_plan):
    plan, staff = ogp_plan["plan"], ogp_plan["staff"]
    milestone = ogp_plan["milestones"][0]
    with pytest.raises(OperationError, match="while the plan is in implementation"):
        operations.update_milestone(milestone, staff, state="complete")
    _submit(plan, staff)
    with pytest.raises(OperationError, match="while the plan is in implementation"):
        operations.update_milestone(milestone, staff, state="complete")
    operations.transition_plan(plan, _S.in_implementation, staff)
    assert operations.update_milestone(milestone, staff, state="complete",
                                       evidence="Published")
    assert milestone.state is MilestoneState.complete
    operations.transition_plan(plan, _S.completed, staff)
    with pytest.raises(OperationError):
        operations.update_milestone(milestone, staff, state="in_progress")


def test_staff_press_the_buttons_of_the_available_moves(client, login_as, ogp_plan,
                                                        db_session):
    plan = ogp_plan["plan"]
    login_as("staff")
    page = client.get(f"/action-plans/{plan.id}").get_data(as_text=True)
    assert "Open the consultation" in page and "Mark as submitted to OGP" not in page
    response = client.post(f"/staff/action-plans/{plan.id}/state",
                           data={"target": "in_consultation"})
    assert response.status_code == 302
    db_session.refresh(plan)
    assert plan.state is _S.in_consultation
    page = client.get(f"/action-plans/{plan.id}").get_data(as_text=True)
    assert "Back to drafting" in page and "Mark as submitted to OGP" in page
    skipped = client.post(f"/staff/action-plans/{plan.id}/state",
                          data={"target": "completed"})
    assert skipped.status_code == 409
    assert "This cannot be done while the plan is “In consultation”." in skipped.get_data(
        as_text=True)
    assert client.post(f"/staff/action-plans/{plan.id}/state",
                       data={"target": "nonsense"}).status_code == 400


def test_the_frozen_commitment_form_says_why(client, login_as, ogp_plan, db_session):
    plan, commitment = ogp_plan["plan"], ogp_plan["commitment"]
    _submit(plan, ogp_plan["staff"])
    db_session.commit()
    login_as("staff")
    page = client.get(f"/staff/commitments/{commitment.id}/edit").get_data(as_text=True)
    assert "its commitments can no longer be changed" in page
    assert "Add the milestone" not in page
    response = client.post(f"/staff/commitments/{commitment.id}/edit",
                           data={"title": "Renamed"})
    assert response.status_code == 422
    assert "can no longer be changed" in response.get_data(as_text=True)
    db_session.refresh(commitment)
    assert commitment.title == "Open budgets"
