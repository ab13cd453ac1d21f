"""How merging two organisations treats coalitions' references to them.

Leads and organisers move to the kept organisation. A commitment's supporters, an event's
partners and an activity's organisations are sets: when both organisations are in one, the
duplicate's row is dropped before the rest move (moving it would break the set's key). A
coalition keeps one membership history per organisation: the duplicate's periods that overlap
one of the kept organisation's in the same coalition are dropped, the others move.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, select

from accounts.organisations.merging import Handling, handle_references
from coalitions.coalitions.models import CoalitionMembership, activity_organisations
from coalitions.events.models import event_partners
from coalitions.plans.models import commitment_supporters
from core.extensions import db
from core.signals import organisation_merging

#: Each set of organisations, with the column naming what the set belongs to.
_SETS = ((commitment_supporters, "commitment_id"), (event_partners, "event_id"),
         (activity_organisations, "activity_id"))

handle_references("coalitions", "lead_organisation_id")
handle_references("commitments", "lead_organisation_id")
handle_references("events", "organiser_id")
handle_references("people", "organisation_id")
# A forum membership is a period, like a coalition's; it moves with the organisation.
handle_references("forum_members", "organisation_id")
handle_references("participation_profiles", "organisation_id")
handle_references("consultation_proposals", "institution_id")
for _table, _owner in _SETS:
    handle_references(_table.name, "organisation_id", how=Handling.deduplicated)
handle_references(CoalitionMembership.__tablename__, "organisation_id",
                  how=Handling.deduplicated)


def _drop_clashing_set_rows(table, owner_column: str, kept_id: int, duplicate_id: int) -> int:
    kept_owners = select(table.c[owner_column]).where(table.c.organisation_id == kept_id)
    result = db.session.execute(delete(table).where(
        table.c.organisation_id == duplicate_id, table.c[owner_column].in_(kept_owners)))
    return result.rowcount


def _overlap(one: CoalitionMembership, other: CoalitionMembership) -> bool:
    """Periods overlap unless one ends on or before the day the other starts."""
    return ((one.left_on is None or other.joined_on < one.left_on)
            and (other.left_on is None or one.joined_on < other.left_on))


def _drop_overlapping_memberships(kept_id: int, duplicate_id: int) -> int:
    periods = defaultdict(list)
    for period in db.session.scalars(select(CoalitionMembership).where(
            CoalitionMembership.organisation_id == kept_id)):
        periods[period.coalition_id].append(period)
    dropped = 0
    for period in db.session.scalars(select(CoalitionMembership).where(
            CoalitionMembership.organisation_id == duplicate_id)
            .order_by(CoalitionMembership.id)):
        if any(_overlap(period, kept) for kept in periods[period.coalition_id]):
            db.session.delete(period)
            dropped += 1
    db.session.flush()
    return dropped


@organisation_merging.connect
def resolve_unique_rows(kept, duplicate) -> dict:
    """Drop the duplicate's rows that would clash with the kept organisation's once moved."""
    resolved = {table.name: _drop_clashing_set_rows(table, owner, kept.id, duplicate.id)
                for table, owner in _SETS}
    resolved[CoalitionMembership.__tablename__] = _drop_overlapping_memberships(kept.id,
                                                                                duplicate.id)
    return {name: count for name, count in resolved.items() if count}
