"""Synthetic data for the benchmark, written with SQLAlchemy Core bulk inserts.

The database is fresh, so every primary key is chosen here: child rows point at their
parents without reading anything back, and each table is sent as lists of dicts in chunks
(never ORM objects, never the operations layer, which would cost minutes at scale L).
Everything comes from one seeded random generator and fixed dates: the same scale always
gives the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.data import accounts, awards, coalitions, grants, reviews
from bench.data.context import Context, Writer
from bench.scales import Scale

SEED = 2018

#: The staff login the benchmark signs in with (a throwaway database: no secret here).
STAFF_EMAIL = accounts.STAFF_EMAIL
STAFF_PASSWORD = accounts.STAFF_PASSWORD


@dataclass(frozen=True)
class Generated:
    counts: dict[str, int]
    #: The review panel of the large call (the ranking page measured).
    ranking_panel_id: int
    ranking_applications: int
    #: An active award with six ledger entries (the same stage at every scale).
    ledger_award_id: int


def generate(connection, scale: Scale, *, password_hash: str, seed: int = SEED) -> Generated:
    """Fill the (empty, migrated) database behind ``connection`` at ``scale``."""
    context = Context(scale=scale, writer=Writer(connection), seed=seed)
    accounts.build(context, password_hash=password_hash)
    grants.build(context)
    reviews.build(context)
    awards.build(context)
    coalitions.build(context)
    grants.write_reference_counters(context)
    ranking_call = context.calls[-1]
    return Generated(counts=dict(context.writer.counts), ranking_panel_id=ranking_call.panel_id,
                     ranking_applications=ranking_call.applications,
                     ledger_award_id=context.ledger_award_id)
