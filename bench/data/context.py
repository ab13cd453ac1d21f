"""What the data builders share: the insert helper, the random generator and the ids that
later tables point at."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal

from bench.scales import Scale
from core.extensions import db

#: Rows per INSERT: large enough to amortise the round trips, small enough to bound memory.
CHUNK = 5_000


def _chunks(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    chunk: list[dict] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class Writer:
    """Chunked Core inserts on one connection, counting the rows of each table."""

    def __init__(self, connection):
        self.connection = connection
        self.counts: Counter[str] = Counter()

    def insert(self, table_name: str, rows: Iterable[dict]) -> None:
        table = db.metadata.tables[table_name]
        for chunk in _chunks(rows, CHUNK):
            self.connection.execute(table.insert(), chunk)
            self.counts[table_name] += len(chunk)


@dataclass
class CallInfo:
    id: int
    fund_id: int
    currency: str
    opens_at: datetime
    closes_at: datetime
    area_ids: list[int]
    area_names: list[str]
    statement_ids: list[int]
    #: (criterion id, max score, N/A allowed, weight)
    criteria: list[tuple[int, int, bool, Decimal]]
    applications: int = 0
    panel_id: int = 0
    reviewer_ids: list[int] = field(default_factory=list)


@dataclass
class ApplicationInfo:
    id: int
    call: CallInfo
    organisation_id: int
    state: str
    submitted_at: datetime | None
    decided_at: datetime | None


@dataclass
class Context:
    scale: Scale
    writer: Writer
    seed: int
    rng: random.Random = field(init=False)
    organisations: dict[str, list[int]] = field(default_factory=dict)
    managing_organisation_id: int = 0
    donor_organisation_ids: list[int] = field(default_factory=list)
    admin_id: int = 0
    staff_id: int = 0
    finance_id: int = 0
    reviewer_ids: list[int] = field(default_factory=list)
    applicant_by_organisation: dict[int, int] = field(default_factory=dict)
    funds: list[tuple[int, str]] = field(default_factory=list)
    calls: list[CallInfo] = field(default_factory=list)
    applications: list[ApplicationInfo] = field(default_factory=list)
    award_ids: list[int] = field(default_factory=list)
    ledger_award_id: int = 0
    #: Reference series (e.g. OGB-2019) -> last number used.
    reference_counters: Counter[str] = field(default_factory=Counter)

    def __post_init__(self):
        # Synthetic data only: a seeded generator makes every run identical.
        self.rng = random.Random(self.seed)  # nosec B311


def at(day: date, hour: int = 15) -> datetime:
    """A UTC time on ``day`` (every stored time is aware UTC)."""
    return datetime.combine(day, time(hour), tzinfo=UTC)
