"""Human-readable reference numbers, e.g. OGB-2026-0007, unique and gap-free per series."""

from __future__ import annotations

from sqlalchemy import Integer, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db


class ReferenceCounter(db.Model):
    __tablename__ = "reference_counters"

    series: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


def _locked_counter(series: str) -> ReferenceCounter | None:
    return db.session.scalar(
        select(ReferenceCounter).where(ReferenceCounter.series == series).with_for_update())


def next_number(series: str) -> int:
    """The next number in ``series``. The counter row is locked (FOR UPDATE on PostgreSQL;
    SQLite's write transaction serialises), so concurrent requests never share a number.

    A new series has no row to lock yet: two requests may both find none and both insert
    it. The insert runs in a savepoint, so the one that loses the race (its insert waits
    for the winner's commit, then fails on the primary key) locks the winner's row instead
    of failing the request."""
    counter = _locked_counter(series)
    if counter is None:
        try:
            with db.session.begin_nested():
                db.session.add(ReferenceCounter(series=series, last_number=0))
        except IntegrityError:
            pass
        counter = _locked_counter(series)
    counter.last_number += 1
    db.session.flush()
    return counter.last_number


def next_reference(prefix: str, year: int, width: int = 4) -> str:
    number = next_number(f"{prefix}-{year}")
    return f"{prefix}-{year}-{number:0{width}d}"
