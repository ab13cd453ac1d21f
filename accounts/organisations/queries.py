"""Read helpers for the organisations directory (one query each, no N+1)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from accounts.models import User
from accounts.organisations.models import (
    Organisation,
    OrganisationInvitation,
    OrganisationMember,
    organisation_name_key,
)
from accounts.organisations.states import MemberRole, Sector
from accounts.states import InvitationState
from core.extensions import db
from core.timeutil import utcnow


def organisation_choices() -> list[tuple[int, str]]:
    """Every organisation as ``(id, label)``, alphabetically, for selects: the label is the
    name with the acronym after it."""
    rows = db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.acronym)
        .order_by(func.lower(Organisation.name), Organisation.id))
    return [(row.id, f"{row.name} ({row.acronym})" if row.acronym else row.name)
            for row in rows]


def _like_pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _directory_conditions(*, search: str = "", sector: Sector | None = None,
                          verified: bool | None = None, country: str | None = None) -> list:
    conditions = []
    if search:
        pattern = _like_pattern(search)
        conditions.append(or_(
            *(func.lower(column).like(pattern, escape="\\")
              for column in (Organisation.name, Organisation.acronym,
                             Organisation.registration_number, Organisation.org_id)),
            # "fundacion" finds "Fundación".
            Organisation.name_key.like(_like_pattern(organisation_name_key(search)),
                                       escape="\\"),
        ))
    if sector is not None:
        conditions.append(Organisation.sector == sector)
    if verified is not None:
        conditions.append(Organisation.is_verified == verified)
    if country:
        conditions.append(Organisation.country == country)
    return conditions


def directory_query(search: str = "", sector: Sector | None = None,
                    verified: bool | None = None, country: str | None = None):
    """Organisations matching the filters, by name. ``search`` looks (case-insensitively) in
    the name (accents and spacing ignored too), acronym, registration number and org-id."""
    return (select(Organisation)
            .where(*_directory_conditions(search=search, sector=sector, verified=verified,
                                          country=country))
            .order_by(func.lower(Organisation.name), Organisation.id))


def sector_counts(search: str = "", verified: bool | None = None,
                  country: str | None = None) -> dict[Sector, int]:
    """How many organisations of each sector match the other filters (every sector listed)."""
    rows = db.session.execute(
        select(Organisation.sector, func.count(Organisation.id))
        .where(*_directory_conditions(search=search, verified=verified, country=country))
        .group_by(Organisation.sector)
    )
    counts = {sector: 0 for sector in Sector}
    for sector, count in rows:
        counts[Sector(sector)] = count
    return counts


def directory_countries() -> list[str]:
    """The country codes used in the directory."""
    return list(db.session.scalars(
        select(Organisation.country).distinct().order_by(Organisation.country)))


_KEY_CHUNK = 500


def by_name_keys(names: Iterable[str]) -> dict[str, Organisation]:
    """The organisations called ``names``, ignoring case, accents and spacing
    (:func:`~accounts.organisations.models.organisation_name_key`), by name key. Where the
    directory has two with one key (not merged yet), the oldest."""
    keys = sorted({organisation_name_key(name) for name in names} - {""})
    found: dict[str, Organisation] = {}
    for start in range(0, len(keys), _KEY_CHUNK):
        chunk = keys[start:start + _KEY_CHUNK]
        for org in db.session.scalars(
                select(Organisation).where(Organisation.name_key.in_(chunk))
                .order_by(Organisation.id)):
            found.setdefault(org.name_key, org)
    return found


def by_name(name: str) -> Organisation | None:
    """The organisation called ``name`` ignoring case, accents and spacing (the oldest)."""
    return by_name_keys([name]).get(organisation_name_key(name))


def likely_duplicates(org: Organisation) -> list[Organisation]:
    """Other organisations with the same name (ignoring case, accents and spacing) or
    acronym (ignoring case), or the same registration number."""
    matches = [Organisation.name_key == organisation_name_key(org.name)]
    if org.acronym and org.acronym.strip():
        matches.append(func.lower(Organisation.acronym) == org.acronym.strip().lower())
    if org.registration_number and org.registration_number.strip():
        matches.append(and_(
            func.lower(Organisation.registration_number)
            == org.registration_number.strip().lower(),
            Organisation.country == org.country,
        ))
    return list(db.session.scalars(
        select(Organisation).where(Organisation.id != org.id, or_(*matches))
        .order_by(func.lower(Organisation.name), Organisation.id)
    ))


def organisations_of(user: User) -> list[tuple[Organisation, MemberRole]]:
    """The user's organisations, by name, with the user's role in each."""
    if getattr(user, "id", None) is None:
        return []
    rows = db.session.execute(
        select(Organisation, OrganisationMember.role)
        .join(OrganisationMember, OrganisationMember.organisation_id == Organisation.id)
        .where(OrganisationMember.user_id == user.id)
        .order_by(func.lower(Organisation.name), Organisation.id)
    )
    return [(org, MemberRole(role)) for org, role in rows]


def members_of(org: Organisation) -> list[OrganisationMember]:
    """The organisation's members, owners first, with their users loaded in the same query."""
    owner_first = case((OrganisationMember.role == MemberRole.owner, 0), else_=1)
    return list(db.session.scalars(
        select(OrganisationMember)
        .join(User, User.id == OrganisationMember.user_id)
        .where(OrganisationMember.organisation_id == org.id)
        .options(contains_eager(OrganisationMember.user))
        .order_by(owner_first, func.lower(User.name), OrganisationMember.id)
    ))


def owner_count(org: Organisation) -> int:
    return db.session.scalar(
        select(func.count(OrganisationMember.id)).where(
            OrganisationMember.organisation_id == org.id,
            OrganisationMember.role == MemberRole.owner,
        )
    ) or 0


def membership(org: Organisation, user: User) -> OrganisationMember | None:
    return db.session.scalar(
        select(OrganisationMember).where(OrganisationMember.organisation_id == org.id,
                                         OrganisationMember.user_id == user.id)
    )


# Invitations -------------------------------------------------------------------------------

def _open_conditions() -> list:
    oldest = utcnow() - timedelta(seconds=current_app.config["INVITE_TOKEN_MAX_AGE"])
    return [OrganisationInvitation.state == InvitationState.pending,
            OrganisationInvitation.created_at > oldest]


def open_invitations(org: Organisation, *, email: str | None = None,
                     lock: bool = False) -> list[OrganisationInvitation]:
    """The organisation's invitations still waiting for an answer, oldest first."""
    query = (select(OrganisationInvitation)
             .where(OrganisationInvitation.organisation_id == org.id, *_open_conditions())
             .order_by(OrganisationInvitation.created_at, OrganisationInvitation.id))
    if email is not None:
        query = query.where(OrganisationInvitation.email == email.strip().lower())
    if lock:
        query = query.with_for_update()
    return list(db.session.scalars(query))


def invitations_for(user: User) -> list[OrganisationInvitation]:
    """Invitations waiting for this user's answer, with their organisations."""
    if getattr(user, "id", None) is None:
        return []
    return list(db.session.scalars(
        select(OrganisationInvitation)
        .where(OrganisationInvitation.email == user.email.strip().lower(), *_open_conditions())
        .options(joinedload(OrganisationInvitation.organisation))
        .order_by(OrganisationInvitation.created_at, OrganisationInvitation.id)))


def invitations_sent_today(*, organisation: Organisation | None = None,
                           inviter: User | None = None) -> int:
    """Invitations sent in the last 24 hours, whatever became of them since."""
    query = select(func.count(OrganisationInvitation.id)).where(
        OrganisationInvitation.created_at > utcnow() - timedelta(days=1))
    if organisation is not None:
        query = query.where(OrganisationInvitation.organisation_id == organisation.id)
    if inviter is not None:
        query = query.where(OrganisationInvitation.invited_by_id == inviter.id)
    return db.session.scalar(query) or 0
