"""Conflicts of interest: who may not review, open or see the scores of which application.

A reviewer is conflicted with an application when they declared a conflict with it, or with
its applicant or counterpart organisation, or when they belong to either organisation (found
automatically from the directory). Computed in a few set-based queries, for one reviewer or
for the whole panel at once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from accounts.organisations.models import OrganisationMember
from core.access import ALLOW, Decision
from core.extensions import db
from grants.applications.models import Application
from grants.applications.policies import interested_organisation_ids
from grants.reviews.models import ConflictDeclaration, Panel


def conflicts_by_reviewer(panel: Panel, user_ids: set[int] | None = None) -> dict[int, set[int]]:
    """{reviewer id: ids of the call's applications they are conflicted with}."""
    if user_ids is None:
        user_ids = {member.user_id for member in panel.members}
        if panel.chair_id:
            user_ids.add(panel.chair_id)
    if not user_ids:
        return {}
    organisations_of = defaultdict(set)
    for user_id, organisation_id in db.session.execute(
            select(OrganisationMember.user_id, OrganisationMember.organisation_id)
            .where(OrganisationMember.user_id.in_(user_ids))):
        organisations_of[user_id].add(organisation_id)
    declared_applications = defaultdict(set)
    for declaration in db.session.scalars(select(ConflictDeclaration).where(
            ConflictDeclaration.panel_id == panel.id,
            ConflictDeclaration.reviewer_id.in_(user_ids))):
        if declaration.application_id:
            declared_applications[declaration.reviewer_id].add(declaration.application_id)
        else:
            organisations_of[declaration.reviewer_id].add(declaration.organisation_id)
    # Only the applications of those organisations: a large call has thousands of others.
    involved = sorted({organisation for organisations in organisations_of.values()
                       for organisation in organisations if organisation is not None})
    applications = db.session.execute(
        select(Application.id, Application.organisation_id,
               Application.counterpart_organisation_id)
        .where(Application.call_id == panel.call_id,
               or_(Application.organisation_id.in_(involved),
                   Application.counterpart_organisation_id.in_(involved)))).all()
    result = {}
    for user_id in user_ids:
        organisations = organisations_of[user_id]
        result[user_id] = declared_applications[user_id] | {
            app_id for app_id, applicant, counterpart in applications
            if applicant in organisations or counterpart in organisations}
    return result


def conflicted_application_ids(panel: Panel, user) -> set[int]:
    return conflicts_by_reviewer(panel, {user.id}).get(user.id, set())


def is_conflicted(panel: Panel, user, application: Application) -> bool:
    return application.id in conflicted_application_ids(panel, user)


# One viewer against every application ------------------------------------------------------
# Pages, exports and the audit log ask, for the person reading them, which applications they
# are conflicted with. The same detection as above (declared with the application, declared
# with an organisation in the panel of the application's call, or membership of the applicant
# or counterpart organisation), loaded once per request whatever the number of rows.

@dataclass(frozen=True)
class ViewerConflicts:
    organisation_ids: frozenset[int]
    application_ids: frozenset[int]
    #: (call id, organisation id) of conflicts declared with an organisation in a panel.
    call_organisations: frozenset[tuple[int, int]]

    def covers_ids(self, application_id: int, call_id: int | None, organisation_id: int | None,
                   counterpart_id: int | None) -> bool:
        return (application_id in self.application_ids
                or organisation_id in self.organisation_ids
                or counterpart_id in self.organisation_ids
                or (call_id, organisation_id) in self.call_organisations
                or (call_id, counterpart_id) in self.call_organisations)

    def covers(self, application: Application) -> bool:
        return self.covers_ids(application.id, application.call_id, application.organisation_id,
                               application.counterpart_organisation_id)


NO_CONFLICTS = ViewerConflicts(frozenset(), frozenset(), frozenset())


def _load_viewer_conflicts(user) -> ViewerConflicts:
    applications, call_organisations = set(), set()
    for application_id, organisation_id, call_id in db.session.execute(
            select(ConflictDeclaration.application_id, ConflictDeclaration.organisation_id,
                   Panel.call_id)
            .join(Panel, Panel.id == ConflictDeclaration.panel_id)
            .where(ConflictDeclaration.reviewer_id == user.id)):
        if application_id:
            applications.add(application_id)
        else:
            call_organisations.add((call_id, organisation_id))
    return ViewerConflicts(interested_organisation_ids(user), frozenset(applications),
                           frozenset(call_organisations))


def viewer_conflicts(user) -> ViewerConflicts:
    """What ``user`` is conflicted with; computed once per request (two small queries)."""
    if not (user and getattr(user, "is_authenticated", False)):
        return NO_CONFLICTS
    if not has_request_context():
        return _load_viewer_conflicts(user)
    cache = g.setdefault("viewer_conflicts", {})
    if user.id not in cache:
        cache[user.id] = _load_viewer_conflicts(user)
    return cache[user.id]


CONFLICT_REASON = _l("You have a conflict of interest with this application.")


def can_see_assessment(user, application) -> Decision:
    """The one rule for every page, export and audit entry showing an application's scores,
    rank, reviews or decisions in progress: nobody conflicted with it (declared, detected, or
    through membership of the applicant or counterpart organisation) sees them, whatever their
    roles. Lists ask ``viewer_conflicts(user).covers`` for each row instead (loaded once)."""
    if viewer_conflicts(user).covers(application):
        return False, str(CONFLICT_REASON)
    return ALLOW
