"""Every change to review panels, conflicts, assignments and reviews.

Operations check everything first, then change objects, write the audit entry and queue
email; they flush and never commit. Writing a review is in ``revisions``, the discussion
phase in ``discussion`` and conflicts that arise after a review in ``late_conflicts``. A
locked panel (``panel.is_locked``) refuses every change to its membership, assignments and
reviews.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select

from accounts.states import Role
from core.audit.operations import record
from core.errors import OperationError
from core.extensions import db
from core.locking import AlreadyDone, lock
from core.outbox.operations import queue_email
from core.timeutil import utcnow
from core.urls import external_url
from core.validation import clean_text
from core.workflow import Transition
from grants.applications.models import Application
from grants.applications.operations import transition
from grants.applications.states import ApplicationState
from grants.reviews.assignment import plan_assignments, shortfalls
from grants.reviews.conflicts import conflicts_by_reviewer
from grants.reviews.models import (
    ConflictDeclaration,
    Panel,
    PanelMember,
    ReviewAssignment,
)
from grants.reviews.policies import can_decline, can_manage_panels
from grants.reviews.queries import ASSIGNABLE_STATES

# Writing a review (and keeping its versions) lives in its own module; callers reach it here
# with the panel's other writes.
from grants.reviews.revisions import create_review, save_review  # noqa: F401
from grants.reviews.states import (
    ASSIGNMENT_WORKFLOW,
    AssignmentState,
    ReviewState,
)

MAX_REVIEWERS_PER_APPLICATION = 20
REASON_MAX = 2000


def _require_staff(actor) -> None:
    allowed, reason = can_manage_panels(actor)
    if not allowed:
        raise OperationError(reason)


def _require_unlocked(panel: Panel) -> None:
    if panel.is_locked:
        raise OperationError(_l("The panel is locked: reviews and assignments can no longer "
                                "be changed."))


def _clean_reason(reason: str | None, field_name: str = "reason") -> str:
    return clean_text(reason, field=field_name, max_length=REASON_MAX,
                      required=_l("Give the reason."), multiline=True)


def _label(panel: Panel) -> str:
    return f"panel of {panel.call.title}"


# Panels ------------------------------------------------------------------------------------

def _check_settings(due_at: datetime | None, reviewers_per_application: int) -> None:
    if due_at is not None and due_at.tzinfo is None:
        raise OperationError(_l("Give the due date with its time zone."), field="due_at")
    if not isinstance(reviewers_per_application, int) or not (
            1 <= reviewers_per_application <= MAX_REVIEWERS_PER_APPLICATION):
        raise OperationError(_l("Enter a number of reviewers from 1 to %(max)s.",
                                max=MAX_REVIEWERS_PER_APPLICATION),
                             field="reviewers_per_application")


def create_panel(call, actor, *, due_at: datetime | None = None,
                 reviewers_per_application: int = 3) -> Panel:
    _require_staff(actor)
    _check_settings(due_at, reviewers_per_application)
    lock(call)  # the same panel created twice at once: the second finds the first
    existing = db.session.scalar(select(Panel).where(Panel.call_id == call.id))
    if existing is not None:
        raise AlreadyDone(_l("This call already has a review panel."), field="call_id",
                          existing=existing)
    panel = Panel(call=call, due_at=due_at, reviewers_per_application=reviewers_per_application,
                  is_locked=False)
    db.session.add(panel)
    db.session.flush()
    record("panel.create", panel, actor=actor, summary=f"Created the {_label(panel)}",
           data={"call_id": call.id, "due_at": due_at,
                 "reviewers_per_application": reviewers_per_application})
    return panel


def update_panel(panel: Panel, actor, *, due_at: datetime | None,
                 reviewers_per_application: int) -> None:
    _require_staff(actor)
    lock(panel)
    _require_unlocked(panel)
    _check_settings(due_at, reviewers_per_application)
    before = {"due_at": panel.due_at,
              "reviewers_per_application": panel.reviewers_per_application}
    if before == {"due_at": due_at, "reviewers_per_application": reviewers_per_application}:
        return  # nothing changes (the same form sent again): nothing to record
    panel.due_at = due_at
    panel.reviewers_per_application = reviewers_per_application
    db.session.flush()
    record("panel.update", panel, actor=actor, summary=f"Changed the {_label(panel)}",
           data={"before": before, "after": {
               "due_at": due_at, "reviewers_per_application": reviewers_per_application}})


def _membership(panel: Panel, user) -> PanelMember | None:
    return db.session.scalar(select(PanelMember).where(PanelMember.panel_id == panel.id,
                                                       PanelMember.user_id == user.id))


def add_member(panel: Panel, user, actor) -> PanelMember:
    _require_staff(actor)
    lock(panel)
    _require_unlocked(panel)
    if user is None or not user.is_enabled or not user.has_role(Role.reviewer):
        raise OperationError(_l("Only users holding the reviewer role can join a panel."),
                             field="user_id")
    if _membership(panel, user) is not None:
        raise AlreadyDone(_l("%(name)s is already a member of this panel.", name=user.name),
                          field="user_id")
    member = PanelMember(panel=panel, user=user)
    db.session.add(member)
    db.session.flush()
    record("panel.add_member", panel, actor=actor,
           summary=f"Added {user.name} to the {_label(panel)}",
           data={"user_id": user.id, "member_id": member.id})
    return member


def remove_member(panel: Panel, member: PanelMember, actor) -> None:
    """Remove a member who has submitted no review in this panel; their unsubmitted
    assignments (and drafts) go with them, declined ones stay on record."""
    _require_staff(actor)
    member_id = member.id
    lock(panel)
    if db.session.scalar(select(PanelMember.id).where(PanelMember.id == member_id)) is None:
        raise AlreadyDone(_l("This person is no longer a member of this panel."))
    _require_unlocked(panel)
    if member.panel_id != panel.id:
        raise OperationError(_l("This person is not a member of this panel."))
    if panel.chair_id == member.user_id:
        raise OperationError(_l("%(name)s chairs the panel: choose another chair first.",
                                name=member.user.name))
    assignments = list(db.session.scalars(select(ReviewAssignment).where(
        ReviewAssignment.panel_id == panel.id, ReviewAssignment.reviewer_id == member.user_id)))
    if any(a.review is not None and a.review.state == ReviewState.submitted
           for a in assignments):
        raise OperationError(_l("%(name)s has submitted reviews in this panel and cannot be "
                                "removed.", name=member.user.name))
    removed = [a for a in assignments if a.state == AssignmentState.assigned]
    removed_ids = [(a.id, a.application_id) for a in removed]
    for assignment in removed:
        db.session.delete(assignment)
    user = member.user
    db.session.delete(member)
    db.session.flush()
    record("panel.remove_member", panel, actor=actor,
           summary=f"Removed {user.name} from the {_label(panel)}",
           data={"user_id": user.id, "removed_assignments": removed_ids})


def set_chair(panel: Panel, user, actor) -> None:
    """Make a member the chair (or, with ``user`` None, leave the panel without one)."""
    _require_staff(actor)
    _require_unlocked(panel)
    if user is not None and _membership(panel, user) is None:
        raise OperationError(_l("The chair must be a member of the panel."), field="chair_id")
    previous = panel.chair_id
    if previous == (user.id if user else None):
        return
    panel.chair_id = user.id if user else None
    db.session.flush()
    record("panel.set_chair", panel, actor=actor,
           summary=(f"{user.name} chairs the {_label(panel)}" if user
                    else f"The {_label(panel)} has no chair"),
           data={"from": previous, "to": panel.chair_id})


# Conflicts ---------------------------------------------------------------------------------

def declare_conflict(panel: Panel, reviewer, *, reason: str, application=None,
                     organisation=None) -> ConflictDeclaration:
    """A member declares a conflict with one application of the call or with an
    organisation. Their unsubmitted assignments of the applications concerned are declined
    (a submitted review stays, and the conflict hides it from them)."""
    from grants.reviews.policies import can_declare_conflict

    allowed, why = can_declare_conflict(reviewer, panel)
    if not allowed:
        raise OperationError(why)
    if (application is None) == (organisation is None):
        raise OperationError(_l("Choose an application or an organisation (one of them)."),
                             field="application_id")
    if application is not None and application.call_id != panel.call_id:
        raise OperationError(_l("Choose an application of this call."), field="application_id")
    reason = _clean_reason(reason)
    lock(panel)  # the same declaration sent twice at once is recorded once
    duplicate = select(exists().where(
        ConflictDeclaration.panel_id == panel.id, ConflictDeclaration.reviewer_id == reviewer.id,
        (ConflictDeclaration.application_id == application.id) if application is not None
        else (ConflictDeclaration.organisation_id == organisation.id)))
    if db.session.scalar(duplicate):
        raise AlreadyDone(_l("You have already declared this conflict."),
                             field="application_id" if application else "organisation_id")

    if application is not None:
        affected = {application.id}
        target = application.display_reference
    else:
        affected = set(db.session.scalars(select(Application.id).where(
            Application.call_id == panel.call_id,
            (Application.organisation_id == organisation.id)
            | (Application.counterpart_organisation_id == organisation.id))))
        target = organisation.name
    declaration = ConflictDeclaration(panel=panel, reviewer_id=reviewer.id,
                                      application=application, organisation=organisation,
                                      reason=reason)
    db.session.add(declaration)
    db.session.flush()
    record("conflict.declare", declaration, actor=reviewer,
           summary=f"{reviewer.name} declared a conflict with {target}",
           data={"panel_id": panel.id, "application_id": getattr(application, "id", None),
                 "organisation_id": getattr(organisation, "id", None), "reason": reason})
    if affected:
        for assignment in db.session.scalars(select(ReviewAssignment).where(
                ReviewAssignment.panel_id == panel.id,
                ReviewAssignment.reviewer_id == reviewer.id,
                ReviewAssignment.application_id.in_(affected),
                ReviewAssignment.state == AssignmentState.assigned)):
            if assignment.review is not None and \
                    assignment.review.state == ReviewState.submitted:
                continue
            transition = _mark_declined(assignment, str(_l("Conflict of interest: %(reason)s",
                                                           reason=reason)))
            record(transition.audit, assignment, actor=reviewer,
                   summary=f"{reviewer.name} no longer reviews "
                           f"{assignment.application.display_reference}: conflict declared",
                   data={"reason": "conflict", "conflict_id": declaration.id})
    return declaration


# Assignments -------------------------------------------------------------------------------

def _check_assignable(panel: Panel, application: Application, reviewer, *,
                      replacing: ReviewAssignment | None = None) -> None:
    """Everything that must hold before ``reviewer`` gets ``application`` (in place of
    ``replacing``, whose slot is then free)."""
    _require_unlocked(panel)
    if application.call_id != panel.call_id:
        raise OperationError(_l("Choose an application of this call."), field="application_id")
    if application.state not in ASSIGNABLE_STATES:
        raise OperationError(_l("Only eligible applications can be given reviewers; this one "
                                "is “%(state)s”.", state=application.state.title),
                             field="application_id")
    if reviewer is None or _membership(panel, reviewer) is None:
        raise OperationError(_l("Choose a member of the panel."), field="reviewer_id")
    conflicted = conflicts_by_reviewer(panel, {reviewer.id}).get(reviewer.id, set())
    if application.id in conflicted:
        raise OperationError(_l("%(name)s has a conflict of interest with this application.",
                                name=reviewer.name), field="reviewer_id")
    previous = db.session.scalar(select(ReviewAssignment).where(
        ReviewAssignment.application_id == application.id,
        ReviewAssignment.reviewer_id == reviewer.id))
    if previous is not None:
        if previous.state == AssignmentState.declined:
            raise OperationError(_l("%(name)s declined this application; choose someone else.",
                                    name=reviewer.name), field="reviewer_id")
        raise AlreadyDone(_l("%(name)s already reviews this application.",
                             name=reviewer.name), field="reviewer_id")
    active = select(func.count()).select_from(ReviewAssignment).where(
        ReviewAssignment.application_id == application.id,
        ReviewAssignment.panel_id == panel.id,
        ReviewAssignment.state == AssignmentState.assigned)
    if replacing is not None:
        active = active.where(ReviewAssignment.id != replacing.id)
    active = db.session.scalar(active)
    if active >= panel.reviewers_per_application:
        raise OperationError(_l("This application already has %(count)s reviewers, the "
                                "panel's number per application.", count=active),
                             field="application_id")


def _create_assignment(panel: Panel, application: Application, reviewer, actor,
                       action: str, data: dict | None = None) -> ReviewAssignment:
    assignment = ReviewAssignment(panel=panel, application=application, reviewer=reviewer,
                                  reviewer_id=reviewer.id, state=AssignmentState.assigned,
                                  assigned_by_id=getattr(actor, "id", None),
                                  decline_reason="")
    db.session.add(assignment)
    db.session.flush()
    record(action, assignment, actor=actor,
           summary=f"{reviewer.name} reviews {application.display_reference}",
           data={"panel_id": panel.id, "application_id": application.id,
                 "reviewer_id": reviewer.id, **(data or {})})
    if application.state == ApplicationState.eligible:
        transition(application, ApplicationState.in_review, actor)
    return assignment


def _notify_assigned(panel: Panel, reviewer, applications: list[Application]) -> None:
    if not reviewer.is_enabled or not applications:
        return
    queue_email(reviewer.email, "grants/reviews/assigned", locale=reviewer.locale,
                user=reviewer, panel=panel, call=panel.call, applications=applications,
                workspace_url=external_url("reviews.workspace"))


def assign(panel: Panel, application: Application, reviewer, actor) -> ReviewAssignment:
    """Give ``reviewer`` the application by hand (eligible → in review) and tell them."""
    _require_staff(actor)
    lock(panel)
    _check_assignable(panel, application, reviewer)
    assignment = _create_assignment(panel, application, reviewer, actor, "assignment.create")
    _notify_assigned(panel, reviewer, [application])
    return assignment


@dataclass
class AutoAssignResult:
    created: list[ReviewAssignment] = field(default_factory=list)
    #: Application → how many reviewers it still lacks.
    short: dict[Application, int] = field(default_factory=dict)


def auto_assign(panel: Panel, actor) -> AutoAssignResult:
    """Fill every eligible or in-review application up to the panel's number of reviewers
    (see ``grants.reviews.assignment``): conflicts and earlier declines are respected, and
    running it again only fills gaps."""
    _require_staff(actor)
    lock(panel)
    _require_unlocked(panel)
    k = panel.reviewers_per_application
    applications = {a.id: a for a in db.session.scalars(select(Application).where(
        Application.call_id == panel.call_id, Application.state.in_(ASSIGNABLE_STATES)))}
    members = {m.user_id: m.user for m in db.session.scalars(
        select(PanelMember).where(PanelMember.panel_id == panel.id))}
    reviewers = {user_id: user for user_id, user in members.items() if user.is_enabled}
    existing: dict[int, set[int]] = defaultdict(set)
    excluded: dict[int, set[int]] = defaultdict(set)
    for application_id, reviewer_id, state in db.session.execute(
            select(ReviewAssignment.application_id, ReviewAssignment.reviewer_id,
                   ReviewAssignment.state)
            .where(ReviewAssignment.application_id.in_(applications))):
        if state == AssignmentState.assigned:
            existing[application_id].add(reviewer_id)
        else:
            excluded[reviewer_id].add(application_id)
    for reviewer_id, application_ids in conflicts_by_reviewer(panel, set(reviewers)).items():
        excluded[reviewer_id] |= application_ids
    load: dict[int, int] = defaultdict(int)
    for assigned in existing.values():
        for reviewer_id in assigned:
            load[reviewer_id] += 1
    plan = plan_assignments(applications, reviewers, existing, excluded, k, load)
    result = AutoAssignResult()
    by_reviewer: dict[int, list[Application]] = defaultdict(list)
    for application_id, reviewer_id in plan:
        application, reviewer = applications[application_id], reviewers[reviewer_id]
        result.created.append(_create_assignment(panel, application, reviewer, actor,
                                                 "assignment.auto"))
        by_reviewer[reviewer_id].append(application)
    result.short = {applications[application_id]: missing for application_id, missing
                    in shortfalls(applications, existing, plan, k).items()}
    if not plan:
        return result  # nothing assigned (a second run, or a double click): nothing to record
    record("panel.auto_assign", panel, actor=actor,
           summary=f"Automatic assignment in the {_label(panel)}: {len(plan)} new",
           data={"created": plan, "short": {str(a.id): n for a, n in result.short.items()}})
    for reviewer_id, assigned in by_reviewer.items():
        _notify_assigned(panel, reviewers[reviewer_id], assigned)
    return result


def _mark_declined(assignment: ReviewAssignment, reason: str) -> Transition:
    if assignment.state == AssignmentState.declined:
        raise AlreadyDone(_l("This assignment has already been declined."))
    transition = ASSIGNMENT_WORKFLOW.check(assignment, "decline")
    assignment.state = transition.target
    assignment.declined_at = utcnow()
    assignment.decline_reason = reason
    if assignment.review is not None:
        assignment.review = None  # a declined assignment keeps no draft
    db.session.flush()
    return transition


def decline_assignment(assignment: ReviewAssignment, reviewer, reason: str) -> None:
    """The reviewer declines, with a reason, an assignment they have not submitted yet."""
    assignment = lock(assignment)
    if assignment.state == AssignmentState.declined:
        raise AlreadyDone(_l("This assignment has already been declined."))
    allowed, why = can_decline(reviewer, assignment)
    if not allowed:
        raise OperationError(why)
    reason = _clean_reason(reason)
    transition = _mark_declined(assignment, reason)
    record(transition.audit, assignment, actor=reviewer,
           summary=f"{reviewer.name} declined {assignment.application.display_reference}",
           data={"reason": reason})


def reassign(assignment: ReviewAssignment, new_reviewer, actor) -> ReviewAssignment:
    """Give the application to ``new_reviewer`` instead. A declined assignment stays on
    record; one still open (not submitted) is withdrawn from its reviewer."""
    _require_staff(actor)
    assignment_id = assignment.id
    panel = lock(assignment.panel)
    assignment = db.session.get(ReviewAssignment, assignment_id)
    if assignment is None:
        raise AlreadyDone(_l("This assignment has already been given to someone else."))
    _require_unlocked(panel)
    review = assignment.review
    if review is not None and review.state == ReviewState.submitted:
        raise OperationError(_l("This review has been submitted and cannot be reassigned."))
    application = assignment.application
    previous = assignment.reviewer
    if new_reviewer is not None and new_reviewer.id == previous.id:
        raise OperationError(_l("Choose someone other than the current reviewer."),
                             field="reviewer_id")
    was_active = assignment.state == AssignmentState.assigned
    _check_assignable(panel, application, new_reviewer,
                      replacing=assignment if was_active else None)
    previous_id = assignment.id
    if was_active:
        db.session.delete(assignment)
        db.session.flush()
    new = _create_assignment(panel, application, new_reviewer, actor, "assignment.reassign",
                             data={"previous_reviewer_id": previous.id,
                                   "previous_assignment_id": previous_id,
                                   "previous_state": "assigned" if was_active else "declined"})
    _notify_assigned(panel, new_reviewer, [application])
    return new
