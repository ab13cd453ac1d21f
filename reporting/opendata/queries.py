"""Reads for the open-data page beyond the published projects themselves (those come from
:func:`reporting.portal.queries.public_projects`)."""

from __future__ import annotations

from sqlalchemy import select

from core.extensions import db
from grants.calls.models import Fund

#: Larger ids cannot exist (and PostgreSQL would refuse to compare an integer column to them).
MAX_ID = 2**31 - 1


def funds() -> list[Fund]:
    """Every fund, for the filter, by name."""
    return list(db.session.scalars(select(Fund).order_by(Fund.name, Fund.id)))


def fund(fund_id: int) -> Fund | None:
    if not 0 < fund_id <= MAX_ID:
        return None
    return db.session.get(Fund, fund_id)
