"""Panel operations: panels and their members, assigning reviewers, declining and
reassigning, conflicts."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from core.audit.models import AuditEntry
from core.errors import OperationError
from core.outbox.models import OutboxMessage
from grants.applications.states import ApplicationState
from grants.reviews import operations
from grants.reviews.models import ConflictDeclaration, Panel, PanelMember, Review, ReviewAssignment
from grants.reviews.states import AssignmentState
from tests.grants.reviews.conftest import _actions, _count

# Panels ------------------------------------------------------------------------------------

def test_create_panel_with_defaults_and_audit(db_session, call, staff):
    panel = operations.create_panel(call, staff)
    assert panel.reviewers_per_application == 3 and panel.due_at is None
    assert not panel.is_locked
    assert "panel.create" in _actions(db_session)


def test_one_panel_per_call(db_session, panel, call, staff):
    with pytest.raises(OperationError, match="already has a review panel"):
        operations.create_panel(call, staff)
    assert _count(db_session, Panel) == 1


@pytest.mark.parametrize("k", [0, -1, 21])
def test_reviewers_per_application_is_bounded(call, staff, k):
    with pytest.raises(OperationError) as error:
        operations.create_panel(call, staff, reviewers_per_application=k)
    assert error.value.field == "reviewers_per_application"


def test_only_staff_manage_panels(call, reviewers):
    with pytest.raises(OperationError, match="Only programme staff"):
        operations.create_panel(call, reviewers[0])


def test_update_panel(db_session, panel, staff):
    due = datetime(2026, 6, 1, 23, 0, tzinfo=UTC)
    operations.update_panel(panel, staff, due_at=due, reviewers_per_application=2)
    assert panel.due_at == due and panel.reviewers_per_application == 2
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "panel.update"))
    assert entry.data["after"]["reviewers_per_application"] == 2


def test_only_reviewers_join_once(db_session, panel, staff, factories, reviewers):
    applicant = factories.user(roles=("applicant",))
    with pytest.raises(OperationError, match="reviewer role"):
        operations.add_member(panel, applicant, staff)
    with pytest.raises(OperationError, match="already a member"):
        operations.add_member(panel, reviewers[0], staff)
    assert _count(db_session, PanelMember) == 4


def test_chair_must_be_a_member(db_session, panel, staff, factories, reviewers):
    outsider = factories.user(roles=("reviewer",))
    with pytest.raises(OperationError, match="must be a member"):
        operations.set_chair(panel, outsider, staff)
    operations.set_chair(panel, reviewers[1], staff)
    assert panel.chair_id == reviewers[1].id
    assert "panel.set_chair" in _actions(db_session)
    member = next(m for m in panel.members if m.user_id == reviewers[1].id)
    with pytest.raises(OperationError, match="choose another chair first"):
        operations.remove_member(panel, member, staff)


def test_remove_member_takes_their_unsubmitted_assignments(db_session, panel, assignment,
                                                           staff, reviewers):
    member = next(m for m in panel.members if m.user_id == reviewers[0].id)
    operations.remove_member(panel, member, staff)
    assert _count(db_session, ReviewAssignment) == 0
    assert _count(db_session, PanelMember) == 3
    assert "panel.remove_member" in _actions(db_session)


def test_a_member_with_submitted_reviews_stays(db_session, panel, assignment, staff,
                                               reviewers, submit_review):
    submit_review(assignment)
    member = next(m for m in panel.members if m.user_id == reviewers[0].id)
    with pytest.raises(OperationError, match="submitted reviews"):
        operations.remove_member(panel, member, staff)
    assert _count(db_session, PanelMember) == 4


# Assigning ---------------------------------------------------------------------------------

def test_assigning_moves_eligible_to_in_review_audits_and_emails(db_session, panel, staff,
                                                                 applications, reviewers):
    application = applications[0]
    assignment = operations.assign(panel, application, reviewers[0], staff)
    assert assignment.state == AssignmentState.assigned
    assert assignment.assigned_by_id == staff.id
    assert application.state == ApplicationState.in_review
    actions = _actions(db_session)
    assert "assignment.create" in actions and "application.send_to_review" in actions
    mail = db_session.scalar(select(OutboxMessage).where(
        OutboxMessage.recipient == reviewers[0].email))
    assert mail.kind == "grants.reviews.assigned"
    assert application.reference in mail.body_text and "/reviews" in mail.body_text
    # Another reviewer: already in review, no second transition.
    operations.assign(panel, application, reviewers[1], staff)
    assert _actions(db_session).count("application.send_to_review") == 1


@pytest.mark.parametrize("state", [ApplicationState.submitted, ApplicationState.ineligible,
                                   ApplicationState.withdrawn])
def test_only_eligible_or_in_review_applications_get_reviewers(db_session, panel, staff,
                                                               make_application, reviewers,
                                                               state):
    application = make_application(state)
    with pytest.raises(OperationError, match="Only eligible applications"):
        operations.assign(panel, application, reviewers[0], staff)
    assert _count(db_session, ReviewAssignment) == 0


def test_assign_refuses_outsiders_duplicates_and_more_than_k(db_session, panel, staff,
                                                             applications, reviewers,
                                                             factories, grant_factories):
    outsider = factories.user(roles=("reviewer",))
    with pytest.raises(OperationError, match="member of the panel"):
        operations.assign(panel, applications[0], outsider, staff)
    other_call = grant_factories.call()
    foreign = grant_factories.application(other_call, state="eligible")
    with pytest.raises(OperationError, match="application of this call"):
        operations.assign(panel, foreign, reviewers[0], staff)
    for reviewer in reviewers[:3]:
        operations.assign(panel, applications[0], reviewer, staff)
    with pytest.raises(OperationError, match="already reviews"):
        operations.assign(panel, applications[0], reviewers[0], staff)
    with pytest.raises(OperationError, match="already has 3 reviewers"):
        operations.assign(panel, applications[0], reviewers[3], staff)
    assert _count(db_session, ReviewAssignment) == 3


def test_members_of_the_applicant_or_counterpart_are_conflicted(db_session, factories, panel,
                                                                staff, applications,
                                                                reviewers):
    application = applications[0]
    factories.member(application.organisation, reviewers[0])
    factories.member(application.counterpart, reviewers[1])
    for reviewer in reviewers[:2]:
        with pytest.raises(OperationError, match="conflict of interest") as error:
            operations.assign(panel, application, reviewer, staff)
        assert error.value.field == "reviewer_id"
    assert _count(db_session, ReviewAssignment) == 0


def test_auto_assign_balances_and_is_idempotent(db_session, panel, staff, applications,
                                                reviewers, make_application):
    extra = make_application()  # five applications × 3 = 15 slots over four reviewers
    result = operations.auto_assign(panel, staff)
    assert len(result.created) == 15 and result.short == {}
    loads = Counter(a.reviewer_id for a in db_session.scalars(select(ReviewAssignment)))
    assert sorted(loads.values()) == [3, 4, 4, 4]
    for application in [*applications, extra]:
        assert application.state == ApplicationState.in_review
        assert _count(db_session, ReviewAssignment,
                      ReviewAssignment.application_id == application.id) == 3
    assert "panel.auto_assign" in _actions(db_session)
    # One email per reviewer, listing their applications.
    assert _count(db_session, OutboxMessage, OutboxMessage.kind == "grants.reviews.assigned") == 4
    again = operations.auto_assign(panel, staff)
    assert again.created == [] and again.short == {}
    assert _count(db_session, ReviewAssignment) == 15


def test_auto_assign_respects_conflicts_and_reports_shortfalls(db_session, factories, panel,
                                                               staff, applications,
                                                               reviewers):
    application = applications[0]
    factories.member(application.organisation, reviewers[0])
    operations.declare_conflict(panel, reviewers[1], application=application,
                                reason="I advise them.")
    result = operations.auto_assign(panel, staff)
    assigned = set(db_session.scalars(select(ReviewAssignment.reviewer_id).where(
        ReviewAssignment.application_id == application.id)))
    assert assigned == {reviewers[2].id, reviewers[3].id}
    assert result.short == {application: 1}


def test_decline_then_rerun_fills_the_slot_with_someone_else(db_session, panel, staff,
                                                             applications, reviewers):
    operations.auto_assign(panel, staff)
    declined = db_session.scalars(select(ReviewAssignment).where(
        ReviewAssignment.application_id == applications[0].id)).first()
    operations.decline_assignment(declined, declined.reviewer, "Travelling all month.")
    result = operations.auto_assign(panel, staff)
    assert len(result.created) == 1
    new = result.created[0]
    assert new.application_id == applications[0].id
    assert new.reviewer_id != declined.reviewer_id
    assert declined.state == AssignmentState.declined


# Declining and reassigning -----------------------------------------------------------------

def test_decline_needs_a_reason_and_drops_the_draft(db_session, assignment, criteria):
    reviewer = assignment.reviewer
    with pytest.raises(OperationError, match="Give the reason"):
        operations.decline_assignment(assignment, reviewer, "  ")
    operations.save_review(assignment, reviewer, scores={criteria["Relevance"].id: 5},
                           comments={}, overall_comment="", recommendation=None,
                           confidence=None, submit=False)
    operations.decline_assignment(assignment, reviewer, "Too busy.")
    assert assignment.state == AssignmentState.declined
    assert assignment.decline_reason == "Too busy." and assignment.declined_at is not None
    assert _count(db_session, Review) == 0
    assert "assignment.decline" in _actions(db_session)
    with pytest.raises(OperationError, match="declined"):
        operations.decline_assignment(assignment, reviewer, "Again.")


def test_only_the_reviewer_declines_and_not_after_submitting(assignment, reviewers,
                                                             submit_review):
    with pytest.raises(OperationError, match="assigned to someone else"):
        operations.decline_assignment(assignment, reviewers[1], "Not mine.")
    submit_review(assignment)
    with pytest.raises(OperationError, match="no longer be declined|no longer\\s+declined"):
        operations.decline_assignment(assignment, assignment.reviewer, "Changed my mind.")


def test_reassign_a_declined_assignment(db_session, assignment, staff, reviewers):
    operations.decline_assignment(assignment, reviewers[0], "On leave.")
    with pytest.raises(OperationError, match="someone other than"):
        operations.reassign(assignment, reviewers[0], staff)
    with pytest.raises(OperationError, match="declined this application"):
        operations.assign(assignment.panel, assignment.application, reviewers[0], staff)
    new = operations.reassign(assignment, reviewers[1], staff)
    assert new.reviewer_id == reviewers[1].id and new.state == AssignmentState.assigned
    assert assignment.state == AssignmentState.declined  # kept on record
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "assignment.reassign"))
    assert entry.data["previous_reviewer_id"] == reviewers[0].id
    assert db_session.scalar(select(OutboxMessage).where(
        OutboxMessage.recipient == reviewers[1].email)) is not None


def test_reassign_an_open_assignment_frees_its_slot(db_session, panel, staff, applications,
                                                    reviewers):
    for reviewer in reviewers[:3]:
        operations.assign(panel, applications[0], reviewer, staff)
    late = db_session.scalar(select(ReviewAssignment).where(
        ReviewAssignment.reviewer_id == reviewers[0].id))
    new = operations.reassign(late, reviewers[3], staff)
    reviewers_now = set(db_session.scalars(select(ReviewAssignment.reviewer_id)))
    assert reviewers_now == {reviewers[1].id, reviewers[2].id, reviewers[3].id}
    assert new.application_id == applications[0].id


def test_reassign_refuses_submitted_and_conflicted(db_session, factories, assignment, staff,
                                                   reviewers, submit_review):
    factories.member(assignment.application.organisation, reviewers[2])
    with pytest.raises(OperationError, match="conflict of interest"):
        operations.reassign(assignment, reviewers[2], staff)
    assert db_session.get(ReviewAssignment, assignment.id) is not None  # nothing removed
    submit_review(assignment)
    with pytest.raises(OperationError, match="has been submitted"):
        operations.reassign(assignment, reviewers[1], staff)


# Conflicts ---------------------------------------------------------------------------------

def test_declaring_a_conflict_declines_the_open_assignment(db_session, assignment, reviewers):
    declaration = operations.declare_conflict(assignment.panel, reviewers[0],
                                              application=assignment.application,
                                              reason="My sister leads the project.")
    assert declaration.reason == "My sister leads the project."
    assert assignment.state == AssignmentState.declined
    assert "Conflict of interest" in assignment.decline_reason
    actions = _actions(db_session)
    assert "conflict.declare" in actions and "assignment.decline" in actions


def test_conflict_with_an_organisation_covers_its_applications(db_session, panel, staff,
                                                               applications, reviewers):
    counterpart = applications[1].counterpart
    operations.declare_conflict(panel, reviewers[0], organisation=counterpart,
                                reason="I worked there until last year.")
    with pytest.raises(OperationError, match="conflict of interest"):
        operations.assign(panel, applications[1], reviewers[0], staff)
    operations.assign(panel, applications[0], reviewers[0], staff)


def test_conflict_declarations_refuse_bad_input(db_session, panel, applications, reviewers,
                                                factories, grant_factories):
    with pytest.raises(OperationError, match="Give the reason"):
        operations.declare_conflict(panel, reviewers[0], application=applications[0],
                                    reason="")
    with pytest.raises(OperationError, match="one of them"):
        operations.declare_conflict(panel, reviewers[0], reason="Both.",
                                    application=applications[0],
                                    organisation=applications[0].organisation)
    foreign = grant_factories.application(grant_factories.call(), state="eligible")
    with pytest.raises(OperationError, match="application of this call"):
        operations.declare_conflict(panel, reviewers[0], application=foreign, reason="X")
    outsider = factories.user(roles=("reviewer",))
    with pytest.raises(OperationError, match="Only members"):
        operations.declare_conflict(panel, outsider, application=applications[0], reason="X")
    operations.declare_conflict(panel, reviewers[0], application=applications[0], reason="X")
    with pytest.raises(OperationError, match="already declared"):
        operations.declare_conflict(panel, reviewers[0], application=applications[0],
                                    reason="Again")
    assert _count(db_session, ConflictDeclaration) == 1
