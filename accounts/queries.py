from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from accounts.models import Role, User, UserRole
from accounts.organisations.models import OrganisationMember
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
