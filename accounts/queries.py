from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from accounts.models import User, UserInvitation, UserRole
from accounts.organisations.models import OrganisationMember
from accounts.policies import can_manage_users
from accounts.states import InvitationState, Role
from core import work
from core.extensions import db


def users_query(*, search: str = "", role: Role | None = None):
    query = select(User).order_by(func.lower(User.name), User.id)
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(or_(func.lower(User.name).like(pattern),
                                func.lower(User.email).like(pattern)))
    if role is not None:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    return query


def memberships_of(user: User) -> list[OrganisationMember]:
    return list(db.session.scalars(
        select(OrganisationMember).where(OrganisationMember.user_id == user.id)
        .options(joinedload(OrganisationMember.organisation))
    ))


def pending_invitations_of(user: User) -> list[UserInvitation]:
    """Administrators' invitations the user has not accepted yet (their roles wait)."""
    return list(db.session.scalars(
        select(UserInvitation).where(UserInvitation.user_id == user.id,
                                     UserInvitation.state == InvitationState.pending)
        .order_by(UserInvitation.id)))


@work.provide("accounts.invitations", _l("Invitations"), can_manage_users, order=95,
              see_all="users_admin.list_users")
def invitations_work(user, today) -> list[work.WorkItem]:
    """Invitations sent to people who have not answered yet."""
    pending = db.session.scalar(select(func.count()).select_from(UserInvitation)
                                .where(UserInvitation.state == InvitationState.pending))
    if not pending:
        return []
    return [work.WorkItem(label=_("Invitations not answered yet"), count=pending,
                          url=url_for("users_admin.list_users"))]
