"""Conflicts of interest: who may not review, open or see the scores of which application.

A reviewer is conflicted with an application when they declared a conflict with it, or with
its applicant or counterpart organisation, or when they belong to either organisation (found
automatically from the directory). Computed in a few set-based queries, for one reviewer or
for the whole panel at once.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from accounts.organisations.models import OrganisationMember
from core.extensions import db
from grants.applications.models import Application
from grants.reviews.models import ConflictDeclaration, Panel


def conflicts_by_reviewer(panel: Panel, user_ids: set[int] | None = None) -> dict[int, set[int]]:
    """{reviewer id: ids of the call's applications they are conflicted with}."""
    if user_ids is None:
        user_ids = {member.user_id for member in panel.members}
        if panel.chair_id:
            user_ids.add(panel.chair_id)
    if not user_ids:
        return {}
    applications = db.session.execute(
        select(Application.id, Application.organisation_id,
               Application.counterpart_organisation_id)
        .where(Application.call_id == panel.call_id)).all()
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
