"""The indicators read from stored figures, exact because they are keyed by the records'
version.

Counting unique participants over 100,000 attendance rows takes a noticeable part of a
second, and the indicators page, the results framework and the workbook ask for the same
periods again and again while the records stay the same. Every model the indicators count
is watched (``core.freshness``): a change to any of them bumps the ``indicators`` version in
the transaction that makes it. The figures of a period are computed once per version and
stored with it; a page reads them back in two statements. A stored row of an older version is
never read again (and is deleted when its period is stored anew), so the figures shown are
always those of the records as committed, never an approximation.
"""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal

from sqlalchemy import delete, select
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


def indicators(period: queries.Period) -> queries.Indicators:
    """``queries.compute(period)``, from the stored figures when the records have not
    changed since they were computed."""
    version = freshness.current_version(INDICATORS)
    fund_key = period.fund_id or 0
    stored = db.session.scalar(
        select(IndicatorFigures.figures).where(
            IndicatorFigures.period_start == period.start,
            IndicatorFigures.period_end == period.end,
            IndicatorFigures.fund_key == fund_key, IndicatorFigures.version == version))
    if stored is not None:
        return from_figures(period, stored)
    computed = queries.compute(period)
    _store(period, fund_key, version, to_figures(computed))
    return computed


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


def _store(period: queries.Period, fund_key: int, version: int, figures: dict) -> None:
    """Keep the figures, replacing the period's older ones. Two requests computing the same
    figures at once both succeed: the second insert does nothing."""
    session = db.session
    session.execute(delete(IndicatorFigures).where(
        IndicatorFigures.period_start == period.start,
        IndicatorFigures.period_end == period.end, IndicatorFigures.fund_key == fund_key,
        IndicatorFigures.version < version))
    insert = (postgresql_insert if session.get_bind().dialect.name == "postgresql"
              else sqlite_insert)
    session.execute(insert(IndicatorFigures).values(
        period_start=period.start, period_end=period.end, fund_key=fund_key, version=version,
        figures=figures, computed_at=utcnow()).on_conflict_do_nothing())
