"""Read helpers for review panels: the reviewer's workspace, the panel overview with loads and
progress (aggregate queries), the reviews of an application and the conflicts matrix."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from accounts.models import User, UserRole
from accounts.organisations.models import Organisation, OrganisationMember
from accounts.states import Role
from core import work
from core.extensions import db
from core.timeutil import utcnow
from core.translations import tr
from grants.applications.models import Application
from grants.applications.states import ApplicationState
from grants.calls.models import Call
from grants.calls.states import CallState
from grants.reviews.conflicts import conflicts_by_reviewer
from grants.reviews.models import (
    ConflictDeclaration,
    Panel,
    PanelMember,
    Review,
    ReviewAssignment,
    ReviewScore,
)
from grants.reviews.policies import can_manage_panels, is_reviewer
from grants.reviews.states import AssignmentState, ReviewState

#: Applications that can be given reviewers.
ASSIGNABLE_STATES = (ApplicationState.eligible, ApplicationState.in_review)
#: Applications shown on the panel page: those that passed screening.
PANEL_STATES = (ApplicationState.eligible, ApplicationState.in_review,
                ApplicationState.awarded, ApplicationState.waitlisted,
                ApplicationState.declined)

NOT_STARTED, DRAFT, SUBMITTED = "not_started", "draft", "submitted"


def progress_of(assignment: ReviewAssignment) -> str:
    """"not_started", "draft" or "submitted"."""
    review = assignment.review
    if review is None:
        return NOT_STARTED
    return SUBMITTED if review.state == ReviewState.submitted else DRAFT


def is_late(assignment: ReviewAssignment, panel: Panel, now: datetime | None = None) -> bool:
    """Due date passed and the review not submitted (declined assignments are never late)."""
    return (assignment.state == AssignmentState.assigned and panel.due_at is not None
            and (now or utcnow()) > panel.due_at and progress_of(assignment) != SUBMITTED)


# Loading -----------------------------------------------------------------------------------

def load_panel(panel_id: int) -> Panel | None:
    return db.session.scalar(select(Panel).where(Panel.id == panel_id).options(
        joinedload(Panel.call).selectinload(Call.criteria),
        joinedload(Panel.chair),
        selectinload(Panel.members).joinedload(PanelMember.user)))


def panel_of_call(call_id: int) -> Panel | None:
    return db.session.scalar(select(Panel).where(Panel.call_id == call_id))


def load_assignment(assignment_id: int) -> ReviewAssignment | None:
    """An assignment with what the review page reads: the application (its content,
    attachments and budget), the panel and call with the rubric, and the review's scores."""
    return db.session.scalar(select(ReviewAssignment).where(
        ReviewAssignment.id == assignment_id).options(
        joinedload(ReviewAssignment.panel).joinedload(Panel.call).selectinload(Call.criteria),
        joinedload(ReviewAssignment.application).options(
            joinedload(Application.organisation), joinedload(Application.counterpart),
            selectinload(Application.attachments), selectinload(Application.budget_lines),
            selectinload(Application.activities), selectinload(Application.results),
            selectinload(Application.thematic_areas)),
        joinedload(ReviewAssignment.review).selectinload(Review.scores)))


# The reviewer's workspace ------------------------------------------------------------------

@dataclass
class WorkspaceItem:
    assignment: ReviewAssignment
    progress: str
    is_conflicted: bool
    is_late: bool

    @property
    def panel(self) -> Panel:
        return self.assignment.panel

    @property
    def application(self) -> Application:
        return self.assignment.application


def workspace(user) -> list[WorkspaceItem]:
    """The user's active assignments, soonest due first, with their progress."""
    assignments = list(db.session.scalars(
        select(ReviewAssignment)
        .where(ReviewAssignment.reviewer_id == user.id,
               ReviewAssignment.state == AssignmentState.assigned)
        .options(joinedload(ReviewAssignment.panel).joinedload(Panel.call),
                 joinedload(ReviewAssignment.application).joinedload(Application.organisation),
                 joinedload(ReviewAssignment.review))
        .order_by(ReviewAssignment.id)).unique())
    conflicted: dict[int, set[int]] = {}
    for panel in {a.panel for a in assignments}:
        conflicted[panel.id] = conflicts_by_reviewer(panel, {user.id}).get(user.id, set())
    now = utcnow()
    items = [WorkspaceItem(a, progress_of(a), a.application_id in conflicted[a.panel_id],
                           is_late(a, a.panel, now)) for a in assignments]
    items.sort(key=lambda item: (item.panel.due_at is None, item.panel.due_at or now,
                                 item.progress == SUBMITTED, item.assignment.id))
    return items


@dataclass
class ChairedPanel:
    panel: Panel
    applications: list[Application]
    conflicted: set[int]


def chaired_panels(user) -> list[ChairedPanel]:
    """The panels the user chairs, each with its screened applications and those the chair
    is conflicted with."""
    panels = list(db.session.scalars(select(Panel).where(Panel.chair_id == user.id)
                                     .options(joinedload(Panel.call)).order_by(Panel.id)))
    if not panels:
        return []
    by_call = defaultdict(list)
    for application in db.session.scalars(
            select(Application).where(Application.call_id.in_([p.call_id for p in panels]),
                                      Application.state.in_(PANEL_STATES))
            .order_by(Application.reference, Application.id)):
        by_call[application.call_id].append(application)
    return [ChairedPanel(panel, by_call[panel.call_id],
                         conflicts_by_reviewer(panel, {user.id}).get(user.id, set()))
            for panel in panels]


def member_panels(user) -> list[Panel]:
    """Panels the user belongs to (as a member or chair), for declaring conflicts."""
    return list(db.session.scalars(
        select(Panel).where(or_(Panel.chair_id == user.id, Panel.id.in_(
            select(PanelMember.panel_id).where(PanelMember.user_id == user.id))))
        .options(joinedload(Panel.call)).order_by(Panel.id)))


# Staff: panels and their progress -----------------------------------------------------------

@dataclass
class CallPanelRow:
    call: Call
    panel: Panel | None
    members: int = 0
    assigned: int = 0
    submitted: int = 0
    applications: int = 0


def panels_overview() -> list[CallPanelRow]:
    """Every non-draft call with its panel (or none yet) and counts, in four queries."""
    calls = list(db.session.scalars(
        select(Call).where(Call.state != CallState.draft)
        .options(joinedload(Call.fund)).order_by(Call.id.desc())))
    panels = {panel.call_id: panel for panel in db.session.scalars(
        select(Panel).options(joinedload(Panel.chair)))}
    members = dict(db.session.execute(
        select(PanelMember.panel_id, func.count()).group_by(PanelMember.panel_id)).all())
    progress = defaultdict(lambda: [0, 0])
    for panel_id, review_state, count in db.session.execute(
            select(ReviewAssignment.panel_id, Review.state, func.count(ReviewAssignment.id))
            .outerjoin(Review, Review.assignment_id == ReviewAssignment.id)
            .where(ReviewAssignment.state == AssignmentState.assigned)
            .group_by(ReviewAssignment.panel_id, Review.state)):
        progress[panel_id][0] += count
        if review_state == ReviewState.submitted:
            progress[panel_id][1] += count
    applications = dict(db.session.execute(
        select(Application.call_id, func.count()).where(Application.state.in_(ASSIGNABLE_STATES))
        .group_by(Application.call_id)).all())
    rows = []
    for call in calls:
        panel = panels.get(call.id)
        row = CallPanelRow(call, panel, applications=applications.get(call.id, 0))
        if panel is not None:
            row.members = members.get(panel.id, 0)
            row.assigned, row.submitted = progress[panel.id]
        rows.append(row)
    return rows


@dataclass
class MemberProgress:
    member: PanelMember
    assigned: int = 0
    not_started: int = 0
    draft: int = 0
    submitted: int = 0
    declined: int = 0
    late: int = 0

    @property
    def user(self):
        return self.member.user


def member_progress(panel: Panel, now: datetime | None = None) -> list[MemberProgress]:
    """Each member's load (active assignments) and progress, from one aggregate query."""
    now = now or utcnow()
    is_past_due = panel.due_at is not None and now > panel.due_at
    rows = {member.user_id: MemberProgress(member) for member in panel.members}
    for reviewer_id, state, review_state, count in db.session.execute(
            select(ReviewAssignment.reviewer_id, ReviewAssignment.state, Review.state,
                   func.count(ReviewAssignment.id))
            .outerjoin(Review, Review.assignment_id == ReviewAssignment.id)
            .where(ReviewAssignment.panel_id == panel.id)
            .group_by(ReviewAssignment.reviewer_id, ReviewAssignment.state, Review.state)):
        row = rows.get(reviewer_id)
        if row is None:
            continue  # a former member's declined assignments
        if state == AssignmentState.declined:
            row.declined += count
            continue
        row.assigned += count
        if review_state == ReviewState.submitted:
            row.submitted += count
        else:
            if review_state == ReviewState.draft:
                row.draft += count
            else:
                row.not_started += count
            if is_past_due:
                row.late += count
    return sorted(rows.values(), key=lambda row: (row.user.name.lower(), row.user.id))


@dataclass
class ApplicationAssignments:
    application: Application
    assignments: list[ReviewAssignment] = field(default_factory=list)

    @property
    def active(self) -> list[ReviewAssignment]:
        return [a for a in self.assignments if a.state == AssignmentState.assigned]

    @property
    def submitted(self) -> int:
        return sum(1 for a in self.active if progress_of(a) == SUBMITTED)


def assignments_by_application(panel: Panel) -> list[ApplicationAssignments]:
    """The call's screened applications, each with its assignments (declined ones too), in
    two queries."""
    applications = list(db.session.scalars(
        select(Application).where(Application.call_id == panel.call_id,
                                  Application.state.in_(PANEL_STATES))
        .options(joinedload(Application.organisation))
        .order_by(Application.reference, Application.id)))
    by_application = {application.id: ApplicationAssignments(application)
                      for application in applications}
    for assignment in db.session.scalars(
            select(ReviewAssignment).where(ReviewAssignment.panel_id == panel.id)
            .options(joinedload(ReviewAssignment.reviewer),
                     joinedload(ReviewAssignment.review))
            .order_by(ReviewAssignment.id)).unique():
        row = by_application.get(assignment.application_id)
        if row is not None:
            row.assignments.append(assignment)
    return list(by_application.values())


def calls_without_panel() -> list[Call]:
    """Published (or later) calls that have no panel yet, newest first."""
    return list(db.session.scalars(
        select(Call).where(Call.state != CallState.draft,
                           Call.id.not_in(select(Panel.call_id)))
        .order_by(Call.id.desc())))


def assignable_applications(panel: Panel) -> list[Application]:
    return list(db.session.scalars(
        select(Application).where(Application.call_id == panel.call_id,
                                  Application.state.in_(ASSIGNABLE_STATES))
        .order_by(Application.reference, Application.id)))


def reviewers_not_in(panel: Panel) -> list[User]:
    """Enabled users holding the reviewer role who are not members of the panel yet."""
    members = select(PanelMember.user_id).where(PanelMember.panel_id == panel.id)
    return list(db.session.scalars(
        select(User).where(User.is_enabled.is_(True),
                           User.id.in_(select(UserRole.user_id).where(
                               UserRole.role == Role.reviewer)),
                           User.id.not_in(members))
        .order_by(func.lower(User.name), User.id)))


# Reviews of an application -------------------------------------------------------------------

def reviews_of_application(application: Application, panel: Panel) -> list[ReviewAssignment]:
    """The application's active assignments in this panel with their reviews and scores,
    in assignment order (which numbers the reviewers: Reviewer 1, 2, …)."""
    return list(db.session.scalars(
        select(ReviewAssignment).where(
            ReviewAssignment.panel_id == panel.id,
            ReviewAssignment.application_id == application.id,
            ReviewAssignment.state == AssignmentState.assigned)
        .options(joinedload(ReviewAssignment.reviewer),
                 joinedload(ReviewAssignment.review).selectinload(Review.scores)
                 .joinedload(ReviewScore.criterion))
        .order_by(ReviewAssignment.id)).unique())


# Conflicts -----------------------------------------------------------------------------------

@dataclass
class ConflictRow:
    reviewer: User
    application: Application
    #: Each reason: {"kind": "application" | "organisation" | "member", "reason": text,
    #: "organisation": name or ""}.
    reasons: list[dict] = field(default_factory=list)


def conflicts_matrix(panel: Panel) -> tuple[list[ConflictRow], list[ConflictDeclaration]]:
    """(reviewer × application rows with why, every declaration) for the panel's members
    and chair, in four queries."""
    user_ids = {member.user_id for member in panel.members}
    if panel.chair_id:
        user_ids.add(panel.chair_id)
    declarations = list(db.session.scalars(
        select(ConflictDeclaration).where(ConflictDeclaration.panel_id == panel.id)
        .options(joinedload(ConflictDeclaration.reviewer),
                 joinedload(ConflictDeclaration.application),
                 joinedload(ConflictDeclaration.organisation))
        .order_by(ConflictDeclaration.declared_at, ConflictDeclaration.id)))
    if not user_ids:
        return [], declarations
    applications = list(db.session.scalars(
        select(Application).where(Application.call_id == panel.call_id,
                                  Application.state != ApplicationState.draft)
        .order_by(Application.reference, Application.id)))
    memberships = db.session.execute(
        select(OrganisationMember.user_id, Organisation)
        .join(Organisation, Organisation.id == OrganisationMember.organisation_id)
        .where(OrganisationMember.user_id.in_(user_ids))).all()
    users = {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_(user_ids)))}
    rows: dict[tuple[int, int], ConflictRow] = {}

    def add(user_id, application, reason):
        key = (user_id, application.id)
        if key not in rows:
            rows[key] = ConflictRow(users[user_id], application)
        rows[key].reasons.append(reason)

    for application in applications:
        organisations = {application.organisation_id, application.counterpart_organisation_id}
        for user_id, organisation in memberships:
            if organisation.id in organisations:
                add(user_id, application, {"kind": "member", "reason": "",
                                           "organisation": organisation.display_name})
        for declaration in declarations:
            if declaration.reviewer_id not in users:
                continue
            if declaration.application_id == application.id:
                add(declaration.reviewer_id, application,
                    {"kind": "application", "reason": declaration.reason, "organisation": ""})
            elif (declaration.organisation_id is not None
                  and declaration.organisation_id in organisations):
                add(declaration.reviewer_id, application,
                    {"kind": "organisation", "reason": declaration.reason,
                     "organisation": declaration.organisation.display_name})
    ordered = sorted(rows.values(), key=lambda row: (
        row.reviewer.name.lower(), row.reviewer.id, row.application.reference or "",
        row.application.id))
    return ordered, declarations


def conflict_targets(panel: Panel) -> tuple[list[Application], list[Organisation]]:
    """What a reviewer may declare a conflict with: the call's submitted applications and
    the organisations in the directory."""
    applications = list(db.session.scalars(
        select(Application).where(Application.call_id == panel.call_id,
                                  Application.state != ApplicationState.draft)
        .options(joinedload(Application.organisation))
        .order_by(Application.reference, Application.id)))
    organisations = list(db.session.scalars(
        select(Organisation).order_by(func.lower(Organisation.name), Organisation.id)))
    return applications, organisations


# My work -----------------------------------------------------------------------------------

@work.provide("reviews.assignments", _l("Reviews to write"), is_reviewer, order=30,
              see_all="reviews.workspace")
def reviews_work(user, today) -> list[work.WorkItem]:
    """The reviewer's assignments not yet submitted, the soonest due first."""
    progress = {NOT_STARTED: _("Not started"), DRAFT: _("Draft saved")}
    return [work.WorkItem(
        label=item.application.title or item.application.display_reference,
        url=url_for("reviews.review", assignment_id=item.assignment.id),
        detail=f"{tr(item.panel.call, 'title')} · {progress[item.progress]}",
        due=item.panel.due_at, overdue=item.is_late)
        for item in workspace(user) if item.progress != SUBMITTED]


@work.provide("reviews.panels", _l("Review panels"), can_manage_panels, order=40,
              see_all="panels.overview")
def panels_work(user, today) -> list[work.WorkItem]:
    """Calls whose screened applications have no panel or no reviewers yet, and panels whose
    reviews are all in, ready for the ranking and decisions."""
    items = []
    for row in panels_overview():
        if not row.applications:
            continue
        if row.panel is None:
            items.append(work.WorkItem(
                label=tr(row.call, "title"), url=url_for("panels.new", call_id=row.call.id),
                count=row.applications, detail=_("Screened applications without a panel")))
        elif row.assigned == 0:
            items.append(work.WorkItem(
                label=tr(row.call, "title"), url=url_for("panels.detail", panel_id=row.panel.id),
                count=row.applications, detail=_("Reviewers to assign")))
        elif row.submitted == row.assigned and row.call.state == CallState.in_review:
            items.append(work.WorkItem(
                label=tr(row.call, "title"), url=url_for("ranking.ranking", panel_id=row.panel.id),
                count=row.applications, detail=_("Every review is in: ready for decisions")))
    return items
