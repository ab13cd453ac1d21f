"""What the donor workbook covers, and the read helpers its sheets share.

The workbook covers a period (both ends optional: no dates is the whole programme) and
optionally one fund. Each sheet filters its records by their natural date, as the programme's
indicators do (``reporting.indicators.queries``), so that a sheet's rows are exactly the
records behind the indicator of the same name: the sets (events of the period, participants,
organisations engaged, grants awarded, applications submitted) come from that module's own
query builders rather than from copies of them.

Streaming: the row generators run their query with ``yield_per`` (a server-side cursor on
PostgreSQL), so a sheet of any length holds a few hundred rows in memory at a time. What a
row needs besides its own columns (scores, counts, sums, the list of an application's
thematic areas) comes from one grouped query per sheet, loaded before streaming, never from a
query per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import and_, func, or_, select

from core.extensions import db
from core.money import cents as money  # noqa: F401 (the sheets read it from here)
from core.timeutil import from_programme_time
from core.translations import stored_text
from grants.applications.models import Application, application_thematic_areas
from grants.awards.models import Award
from grants.calls.models import Fund, ThematicArea
from grants.calls.queries import call_titles  # noqa: F401 (the sheets read it from here)
from grants.ledger.money import Money, select_money
from grants.monitoring.models import Expenditure, ProgressReport, ReportVersion
from grants.monitoring.queries import accepted_versions
from reporting.indicators.queries import Period, awards_in, submitted_applications

#: Rows fetched from the database at a time while a sheet streams.
YIELD_PER = 500
#: Bounds standing for "no date given" when a whole-programme period must be handed to the
#: indicators' queries (which need both ends). Far enough to hold every record, near enough
#: for every database's date arithmetic.
EARLIEST = date(1900, 1, 1)
LATEST = date(9998, 12, 31)
ZERO = Decimal("0.00")
#: How several values of one cell (thematic areas, districts) are joined.
SEPARATOR = "; "


@dataclass(frozen=True)
class WorkbookPeriod:
    """The days the workbook covers, both inclusive; a missing end is open."""

    start: date | None = None
    end: date | None = None

    def __post_init__(self):
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError("the period ends before it starts")

    @property
    def is_whole_programme(self) -> bool:
        return self.start is None and self.end is None


@dataclass(frozen=True)
class Scope:
    """The period and fund of one workbook, with the filters every sheet applies."""

    period: WorkbookPeriod
    fund_id: int | None = None

    @property
    def indicators_period(self) -> Period:
        """The same period as ``reporting.indicators.queries.Period`` (open ends become
        bounds beyond any record)."""
        return Period(self.period.start or EARLIEST, self.period.end or LATEST, self.fund_id)

    def days(self, column) -> list:
        """Conditions putting a date ``column`` in the period (none for open ends)."""
        conditions = []
        if self.period.start is not None:
            conditions.append(column >= self.period.start)
        if self.period.end is not None:
            conditions.append(column <= self.period.end)
        return conditions

    def times(self, column) -> list:
        """Conditions putting a UTC datetime ``column`` in the period's days, in the
        programme's time zone (half-open at the end, as the indicators count)."""
        conditions = []
        if self.period.start is not None:
            conditions.append(column >= _day_start(self.period.start))
        if self.period.end is not None:
            conditions.append(column < _day_start(self.period.end + timedelta(days=1)))
        return conditions

    def overlapping(self, starts, ends) -> list:
        """Conditions for a span (``starts`` to ``ends``, an open end when ``ends`` is NULL)
        that shares at least one day with the period."""
        conditions = []
        if self.period.end is not None:
            conditions.append(starts <= self.period.end)
        if self.period.start is not None:
            conditions.append(or_(ends.is_(None), ends >= self.period.start))
        return conditions

    def overlapping_times(self, starts, ends) -> list:
        """As :meth:`overlapping`, for a span between two UTC datetime columns."""
        conditions = []
        if self.period.end is not None:
            conditions.append(starts < _day_start(self.period.end + timedelta(days=1)))
        if self.period.start is not None:
            conditions.append(or_(ends.is_(None), ends >= _day_start(self.period.start)))
        return conditions

    def fund(self, call_fund_column) -> list:
        return [] if self.fund_id is None else [call_fund_column == self.fund_id]

    def any_of(self, *condition_lists) -> list:
        """One condition true when every condition of at least one list holds (nothing when
        a list is empty, i.e. unbounded)."""
        if any(not conditions for conditions in condition_lists):
            return []
        return [or_(*(and_(*conditions) for conditions in condition_lists))]


def _day_start(day: date) -> datetime:
    return from_programme_time(datetime.combine(day, time.min))


def stream(query) -> Iterator:
    """The rows of ``query``, fetched ``YIELD_PER`` at a time."""
    yield from db.session.execute(query.execution_options(yield_per=YIELD_PER))


def joined(values) -> str | None:
    values = [str(value) for value in values if value not in (None, "")]
    return SEPARATOR.join(values) if values else None


# The sets behind the indicators ---------------------------------------------------------------

def awards_in_scope(scope: Scope):
    """Ids of the awards of the period: decided in it (``indicators.awards_in``), of the fund."""
    awarded = awards_in(scope.indicators_period).subquery("awarded")
    return select(awarded.c.id)


def applications_in_scope(scope: Scope):
    """Ids of the applications submitted in the period (drafts never), of the fund."""
    return select(Application.id).where(*submitted_applications(scope.indicators_period))


# Grouped helpers -----------------------------------------------------------------------------

def single_currency(query) -> str | None:
    """The one currency ``query`` (a select of one currency column) yields, or None when it
    yields none or several (amounts in different currencies are never added up)."""
    currencies = list(db.session.scalars(query.distinct().limit(2)))
    return currencies[0] if len(currencies) == 1 and currencies[0] else None


def areas_by_application(application_ids) -> dict[int, str]:
    """Application id → its thematic areas joined, for the applications of a subquery."""
    areas: dict[int, list[str]] = defaultdict(list)
    for application_id, name, translations in db.session.execute(
            select(application_thematic_areas.c.application_id, ThematicArea.name,
                   ThematicArea.translations)
            .join(ThematicArea, ThematicArea.id == application_thematic_areas.c.thematic_area_id)
            .where(application_thematic_areas.c.application_id.in_(application_ids))
            .order_by(application_thematic_areas.c.application_id, ThematicArea.position,
                      ThematicArea.id)):
        areas[application_id].append(stored_text(name, translations, "name"))
    return {key: joined(names) for key, names in areas.items()}


def areas_by_call(call_ids) -> dict[int, str]:
    areas: dict[int, list[str]] = defaultdict(list)
    for call_id, name, translations in db.session.execute(
            select(ThematicArea.call_id, ThematicArea.name, ThematicArea.translations)
            .where(ThematicArea.call_id.in_(call_ids))
            .order_by(ThematicArea.call_id, ThematicArea.position, ThematicArea.id)):
        areas[call_id].append(stored_text(name, translations, "name"))
    return {key: joined(names) for key, names in areas.items()}


@dataclass(frozen=True)
class AwardMoney:
    """An award's money to date (``grants.ledger.money``'s definitions) and what its
    accepted reports spent."""

    reference: str
    currency: str
    money: Money
    spent: Decimal

    @property
    def awarded(self) -> Decimal:
        return self.money.awarded

    @property
    def deobligated(self) -> Decimal:
        return self.money.deobligated

    @property
    def committed(self) -> Decimal:
        return self.money.committed

    @property
    def disbursed(self) -> Decimal:
        return self.money.disbursed

    @property
    def undisbursed(self) -> Decimal:
        return self.money.undisbursed


def spent_by_award(award_ids) -> dict[int, Decimal]:
    """Expenditure of accepted report versions per award (as budget versus actual counts
    it): one grouped query. The accepted versions are joined, not tested with IN: beside the
    IN of the awards, SQLite would evaluate that list again for every expenditure."""
    accepted = accepted_versions().subquery("accepted")
    return {award_id: money(total) for award_id, total in db.session.execute(
        select(ProgressReport.award_id, func.sum(Expenditure.amount))
        .join(accepted, accepted.c.id == Expenditure.version_id)
        .join(ReportVersion, Expenditure.version_id == ReportVersion.id)
        .join(ProgressReport, ReportVersion.report_id == ProgressReport.id)
        .where(ProgressReport.award_id.in_(award_ids))
        .group_by(ProgressReport.award_id))}


def award_money(scope: Scope) -> dict[int, AwardMoney]:
    """Award id → its money to date, for the awards of the period, by reference: three
    queries whatever the number of awards."""
    ids = awards_in_scope(scope)
    spent = spent_by_award(ids)
    rows = db.session.execute(
        select_money(Award.id.label("award_id"), Award.reference.label("reference"),
                     Award.currency.label("currency"), grouped=False,
                     where=[Award.id.in_(ids)])
        .order_by(Award.reference, Award.id))
    return {row.award_id: AwardMoney(row.reference, row.currency, Money.of(row._mapping),
                                     spent.get(row.award_id, ZERO))
            for row in rows}


def fund_name(fund_id: int) -> str | None:
    return db.session.scalar(select(Fund.name).where(Fund.id == fund_id))


def funds() -> list[tuple[int, str]]:
    return [(row.id, row.name) for row in db.session.execute(
        select(Fund.id, Fund.name).order_by(Fund.name, Fund.id))]


def calls_in_scope(scope: Scope):
    """Ids of the calls with an application of the workbook (for the panels' scores)."""
    return select(Application.call_id).where(Application.id.in_(applications_in_scope(scope)))

