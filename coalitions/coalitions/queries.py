"""Read helpers for coalitions: the list with member counts, members by sector, the
activity timeline and linked grant awards."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from accounts.organisations.states import Sector
from coalitions.coalitions.models import (
    Coalition,
    CoalitionActivity,
    CoalitionMembership,
    coalition_awards,
)
from core.extensions import db
from grants.awards.queries import award_summaries


def coalition_list() -> list[tuple[Coalition, int]]:
    """Every coalition with its number of current member organisations (one query)."""
    current = (select(CoalitionMembership.coalition_id,
                      func.count(func.distinct(CoalitionMembership.organisation_id))
                      .label("members"))
               .where(CoalitionMembership.left_on.is_(None))
               .group_by(CoalitionMembership.coalition_id).subquery())
    query = (select(Coalition, func.coalesce(current.c.members, 0))
             .outerjoin(current, current.c.coalition_id == Coalition.id)
             .options(selectinload(Coalition.lead_organisation))
             .order_by(func.lower(Coalition.name), Coalition.id))
    return [(coalition, count) for coalition, count in db.session.execute(query)]


@dataclass
class SectorGroup:
    sector: Sector
    current: list[CoalitionMembership] = field(default_factory=list)
    past: list[CoalitionMembership] = field(default_factory=list)


def members_by_sector(coalition: Coalition) -> list[SectorGroup]:
    """The coalition's membership periods grouped by the organisation's sector (in the
    sectors' order), current periods first, then past ones (latest first)."""
    periods = db.session.scalars(
        select(CoalitionMembership)
        .where(CoalitionMembership.coalition_id == coalition.id)
        .options(selectinload(CoalitionMembership.organisation))
        .order_by(CoalitionMembership.joined_on, CoalitionMembership.id)).all()
    groups = {sector: SectorGroup(sector) for sector in Sector}
    for period in periods:
        group = groups[Sector(period.organisation.sector)]
        (group.current if period.left_on is None else group.past).append(period)
    for group in groups.values():
        group.current.sort(key=lambda m: (m.organisation.name.lower(), m.id))
        group.past.sort(key=lambda m: (m.left_on, m.id), reverse=True)
    return [group for group in groups.values() if group.current or group.past]


def timeline(coalition: Coalition) -> list[CoalitionActivity]:
    """The coalition's activities, latest first, with their organisations and evidence."""
    return list(db.session.scalars(
        select(CoalitionActivity)
        .where(CoalitionActivity.coalition_id == coalition.id)
        .options(selectinload(CoalitionActivity.organisations),
                 selectinload(CoalitionActivity.evidence_file))
        .order_by(CoalitionActivity.happened_on.desc(), CoalitionActivity.id.desc())))


def linked_awards(coalition: Coalition) -> list[dict]:
    """The grant awards linked to the coalition (reference, amount, currency), by reference,
    through grants' own query."""
    return award_summaries(select(coalition_awards.c.award_id)
                           .where(coalition_awards.c.coalition_id == coalition.id))




def active_coalition_count(start: date, end: date) -> int:
    """Coalitions active in the period: at least one membership overlapping it (the
    indicators' "member" rule), whatever the coalition's state today. One statement."""
    return db.session.scalar(
        select(func.count(func.distinct(CoalitionMembership.coalition_id)))
        .where(CoalitionMembership.joined_on <= end,
               (CoalitionMembership.left_on.is_(None)) | (CoalitionMembership.left_on >= start)))
