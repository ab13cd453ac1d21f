"""The indicators read from stored figures, exact because they are keyed by the records'
version.

Counting unique participants over 100,000 attendance rows takes a noticeable part of a
second, and the indicators page, the results framework and the workbook ask for the same
periods again and again while the records stay the same. Every model the indicators count
is watched (``core.freshness``): a change to any of them bumps the ``indicators`` version in
the transaction that makes it. The figures of a period are computed once per version and
stored with it; a page reads them back in two statements. A stored row of an older version is
never read again (and is deleted when figures of a newer one are stored), so the figures
shown are always those of the records as committed, never an approximation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from decimal import Decimal

from sqlalchemy import delete, not_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from accounts.organisations.models import Organisation
from coalitions.coalitions.models import CoalitionMembership
from coalitions.events.models import Attendance, Event, Person
from core import freshness
from core.extensions import db
from core.timeutil import utcnow
from grants.applications.models import Application
from grants.applications.states import ApplicationState
from grants.awards.models import Award
from grants.calls.models import Call
from reporting.indicators import queries
from reporting.indicators.models import IndicatorFigures

#: The data version of everything the indicators count.
INDICATORS = "indicators"
#: The data version of the dashboard's money (``reporting.dashboards.stored`` watches what
#: it sums). Figures of this channel are stored under kinds prefixed ``money:``.
MONEY = "money"

for _model, _attributes, _options in (
        (Event, (), {}), (Attendance, (), {}),
        (Person, ("sex", "birth_year", "is_international_expert", "organisation_id",
                  "erased_at"), {}),
        (Application, ("state", "submitted_at", "decided_at", "organisation_id",
                       "counterpart_organisation_id", "call_id"),
         # A draft counts nowhere (a new application is a draft until it is flushed).
         {"when": lambda application: application.state not in (None, ApplicationState.draft)}),
        (Award, (), {}), (CoalitionMembership, (), {}),
        (Organisation, ("sector",), {}), (Call, ("fund_id",), {"rows": False})):
    freshness.watch(INDICATORS, _model, *_attributes, **_options)


def stored(kind: str, period: queries.Period, compute: Callable[[], object],
           encode: Callable[[object], dict], decode: Callable[[dict], object], *,
           channel: str = INDICATORS):
    """``compute()``, the ``kind`` of figures of ``period``, from those stored for the
    current version of ``channel`` (the records it watches), or computed and stored.
    ``encode`` and ``decode`` turn the figures into JSON and back, exactly. A transaction
    that has itself changed the records (not yet committed, so the version has not moved)
    computes them and stores nothing."""
    if freshness.changed_in_transaction(channel):
        return compute()
    version = freshness.current_version(channel)
    if channel != INDICATORS:
        kind = f"{channel}:{kind}"
    key = (kind, period.start, period.end, period.fund_id or 0)
    found = db.session.scalar(select(IndicatorFigures.figures).where(
        *_is(key), IndicatorFigures.version == version))
    if found is not None:
        return decode(found)
    computed = compute()
    _store(key, version, encode(computed), channel)
    return computed


def indicators(period: queries.Period) -> queries.Indicators:
    """``queries.compute(period)``, stored."""
    return stored("indicators", period, lambda: queries.compute(period), to_figures,
                  lambda figures: from_figures(period, figures))


def to_figures(numbers: queries.Indicators) -> dict:
    figures = asdict(numbers)
    del figures["period"]
    figures["grants_by_currency"] = {currency: [count, str(amount)] for currency, (count, amount)
                                     in numbers.grants_by_currency.items()}
    return figures


def from_figures(period: queries.Period, figures: dict) -> queries.Indicators:
    fields = dict(figures)
    fields["grants_by_currency"] = {currency: (count, Decimal(amount)) for currency,
                                    (count, amount) in figures["grants_by_currency"].items()}
    return queries.Indicators(period=period, **fields)


def _is(key: tuple) -> list:
    kind, start, end, fund_key = key
    return [IndicatorFigures.kind == kind, IndicatorFigures.period_start == start,
            IndicatorFigures.period_end == end, IndicatorFigures.fund_key == fund_key]


def _of_channel(channel: str):
    """The stored figures of ``channel``: each channel counts its own versions."""
    money = IndicatorFigures.kind.startswith(f"{MONEY}:", autoescape=True)
    return money if channel == MONEY else not_(money)


def _store(key: tuple, version: int, figures: dict, channel: str) -> None:
    """Keep the figures, dropping every figure of the channel's older versions (never read
    again, so the table holds only the current version's). Two requests computing the same
    figures at once both succeed: the second insert does nothing."""
    session = db.session
    session.execute(delete(IndicatorFigures).where(IndicatorFigures.version < version,
                                                   _of_channel(channel)))
    insert = (postgresql_insert if session.get_bind().dialect.name == "postgresql"
              else sqlite_insert)
    kind, start, end, fund_key = key
    session.execute(insert(IndicatorFigures).values(
        kind=kind, period_start=start, period_end=end, fund_key=fund_key, version=version,
        figures=figures, computed_at=utcnow()).on_conflict_do_nothing())
