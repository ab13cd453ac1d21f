"""The dashboard's numbers: a fixed number of aggregate queries whatever the amount of data.

Definitions (also shown on the dashboard):

- **Period.** Optional first and last days, inclusive, in the programme's time zone. Without
  bounds the whole programme is shown.
- **Applications.** Applications submitted in the period (a draft, never submitted, by the
  day it was started), counted by their state now.
- **Awards.** Awards whose application was decided in the period (the award's creation time
  when the application has no decision time), whatever the award's state since: the same
  set as the indicators page's "grants awarded".
- **Thematic area and district.** An award counts under every thematic area and every
  district of its application, so these rows can add up to more than the number of awards.
- **Money, to date.** Summed per currency in SQL over every award of the period; the
  table and chart per award show the ``TOP_AWARDS`` largest only.
- **Money, per award, to date.** Awarded, committed, disbursed and not yet disbursed as
  ``grants.ledger.money`` defines them (its SQL expressions, aggregated in SQL).
  Spent: the expenditure of the award's *accepted* reports only, as on the budget pages
  (a report still under review is not counted).
- **Events and participants over time.** By the quarter of the event's first day: events
  held; participations (people marked as attended, one per person and event); and unique
  participants (each person once per quarter).
- **Sex and age.** Unique participants of the period, as on the indicators page (the same
  helpers, so the numbers agree).
- **Fund.** Restricts applications and awards to the fund's calls; events and participants
  belong to no fund and are not filtered.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import String, and_, case, cast, extract, func, not_, or_, select
from sqlalchemy.orm import contains_eager

from coalitions.events.models import Attendance, Event, Person
from core.extensions import db
from core.money import cents
from core.timeutil import from_programme_time
from grants.applications.models import DISTRICTS, Application, application_thematic_areas
from grants.applications.states import ApplicationState
from grants.awards.models import Award, Disbursement
from grants.calls.models import Call, Fund, ThematicArea
from grants.calls.queries import area_titles
from grants.ledger.money import Money, select_money
from grants.monitoring.models import Expenditure, ProgressReport, ReportVersion
from grants.monitoring.states import ReportState
from reporting.indicators import figures
from reporting.indicators import queries as indicators

ZERO = Decimal("0.00")
#: The key of awards with no thematic area or no district.
NONE_KEY = ""


@dataclass(frozen=True)
class Filters:
    start: date | None = None
    end: date | None = None
    fund_id: int | None = None

    @staticmethod
    def _midnight_utc(day: date, days_after: int = 0) -> datetime | None:
        """The first instant of ``day`` (plus ``days_after``) in the programme's time zone,
        in UTC; None at the ends of the calendar (year 1 or 9999), where it means no
        bound at all."""
        try:
            return from_programme_time(
                datetime.combine(day + timedelta(days=days_after), time.min))
        except OverflowError:
            return None

    def within(self, column) -> list:
        """Conditions putting a UTC time ``column`` inside the period (half-open at the
        end: before the first instant of the day after the last day)."""
        conditions = []
        start = self._midnight_utc(self.start) if self.start else None
        end = self._midnight_utc(self.end, 1) if self.end else None
        if start is not None:
            conditions.append(column >= start)
        if end is not None:
            conditions.append(column < end)
        return conditions

    def indicator_period(self) -> indicators.Period:
        """The indicators' period: open bounds become the earliest and latest dates."""
        return indicators.Period(start=self.start or date.min, end=self.end or date.max)

    def events_within(self) -> list:
        conditions = []
        if self.start is not None:
            conditions.append(Event.starts_on >= self.start)
        if self.end is not None:
            conditions.append(Event.starts_on <= self.end)
        return conditions


def _in_fund(filters: Filters) -> list:
    if filters.fund_id is None:
        return []
    return [Application.call_id.in_(select(Call.id).where(Call.fund_id == filters.fund_id))]


# 1. Applications by state ------------------------------------------------------------------

def pipeline(filters: Filters) -> list[tuple[ApplicationState, int]]:
    """Every state in workflow order with its number of applications (zeros included)."""
    when = func.coalesce(Application.submitted_at, Application.created_at)
    rows = db.session.execute(
        select(Application.state, func.count())
        .where(*filters.within(when), *_in_fund(filters))
        .group_by(Application.state))
    counts = {ApplicationState(state): n for state, n in rows}
    return [(state, counts.get(state, 0)) for state in ApplicationState]


# 2. Awards by thematic area and by district ------------------------------------------------

def awards_in(filters: Filters) -> list:
    decided = func.coalesce(Application.decided_at, Award.created_at)
    return [*filters.within(decided), *_in_fund(filters)]


@dataclass(frozen=True)
class Group:
    """Awards under one thematic area or district: how many, and how much per currency."""

    key: str
    awards: int
    amounts: dict[str, Decimal]
    #: The key as the reader reads it (a thematic area's translated name), when it differs.
    title: str | None = None

    def amount(self, currency: str) -> Decimal:
        return self.amounts.get(currency, ZERO)


def _groups(rows) -> dict[str, Group]:
    """(key, currency, awards, amount) rows folded into one group per key."""
    counts: dict[str, int] = defaultdict(int)
    amounts: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for key, currency, awards, amount in rows:
        counts[key] += int(awards or 0)
        if awards:
            amounts[key][currency] = amounts[key].get(currency, ZERO) + cents(amount)
    return {key: Group(key, counts[key], dict(amounts[key])) for key in counts}


def by_thematic_area(filters: Filters, *, titled: bool = True) -> list[Group]:
    """Awards per thematic area (areas are per call: grouped by name), in the calls' order;
    awards without an area last, under ``NONE_KEY``; with their titles unless not
    ``titled``."""
    rows = [(area or NONE_KEY, position or 0, currency, n, amount)
            for area, position, currency, n, amount in db.session.execute(
                select(ThematicArea.name, func.min(ThematicArea.position), Award.currency,
                       func.count(func.distinct(Award.id)), func.sum(Award.amount))
                .select_from(Award)
                .join(Application, Award.application_id == Application.id)
                .outerjoin(application_thematic_areas,
                           application_thematic_areas.c.application_id == Application.id)
                .outerjoin(ThematicArea,
                           ThematicArea.id == application_thematic_areas.c.thematic_area_id)
                .where(*awards_in(filters))
                .group_by(ThematicArea.name, Award.currency))]
    order: dict[str, int] = {}
    for area, position, *_rest in rows:
        order[area] = min(order.get(area, position), position)
    groups = _groups((area, currency, n, amount) for area, _p, currency, n, amount in rows)
    if titled:
        titles = area_titles(key for key in groups if key != NONE_KEY)
        groups = {key: replace(group, title=titles.get(key)) for key, group in groups.items()}
    return sorted(groups.values(),
                  key=lambda group: (group.key == NONE_KEY, order[group.key], group.key))


def by_district(filters: Filters) -> list[Group]:
    """Awards per district of Belize where the project takes place, in the usual order of
    the districts, then the awards naming no district (under ``NONE_KEY``).

    The application keeps its districts as a JSON list; each district is matched in its
    text (``"Cayo"`` with the quotes), as the applications list does, which works the same
    on SQLite and PostgreSQL. One query: two sums per district, by currency."""
    text = cast(Application.districts, String)
    matches = {name: text.contains(f'"{name}"', autoescape=True) for name in DISTRICTS}
    matches[NONE_KEY] = not_(or_(*matches.values()))
    columns = []
    for condition in matches.values():
        columns.append(func.sum(case((condition, 1), else_=0)))
        columns.append(func.sum(case((condition, Award.amount), else_=0)))
    rows = db.session.execute(
        select(Award.currency, *columns)
        .join(Application, Award.application_id == Application.id)
        .where(*awards_in(filters)).group_by(Award.currency)).all()
    flat = []
    for currency, *sums in rows:
        for index, key in enumerate(matches):
            flat.append((key, currency, sums[2 * index], sums[2 * index + 1]))
    groups = _groups(flat)
    result = [groups.get(name, Group(name, 0, {})) for name in DISTRICTS]
    if groups.get(NONE_KEY) and groups[NONE_KEY].awards:
        result.append(groups[NONE_KEY])
    return result


# 3. Money ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class AwardMoney:
    """An award's money (``grants.ledger.money``) and what its accepted reports spent."""

    award: Award
    money: Money
    spent: Decimal

    @property
    def currency(self) -> str:
        return self.award.currency

    @property
    def awarded(self) -> Decimal:
        return self.money.awarded

    @property
    def committed(self) -> Decimal:
        return self.money.committed

    @property
    def disbursed(self) -> Decimal:
        return self.money.disbursed

    @property
    def undisbursed(self) -> Decimal:
        return self.money.undisbursed


@dataclass(frozen=True)
class MoneyTotal:
    """The sums of the awards in one currency (currencies are never added together)."""

    currency: str
    awards: int = 0
    money: Money = field(default_factory=Money)
    spent: Decimal = ZERO

    @property
    def awarded(self) -> Decimal:
        return self.money.awarded

    @property
    def committed(self) -> Decimal:
        return self.money.committed

    @property
    def disbursed(self) -> Decimal:
        return self.money.disbursed

    @property
    def undisbursed(self) -> Decimal:
        return self.money.undisbursed


#: How many awards the "money by award" table and chart show: the page must not grow with
#: the programme (the donor workbook lists every award).
TOP_AWARDS = 20


def _award_ids(filters: Filters):
    """The ids of the awards of the period, to restrict the per-award aggregates."""
    return (select(Award.id).join(Application, Award.application_id == Application.id)
            .where(*awards_in(filters)))


def _spending(filters: Filters, award_ids=None):
    """Per award of the period (or of ``award_ids``, a query of award ids): the expenditure
    of its accepted reports. An accepted report's accepted version is its last submitted one
    (nothing can be added once it is accepted)."""
    awards = _award_ids(filters) if award_ids is None else award_ids
    latest = (select(ReportVersion.report_id, func.max(ReportVersion.number).label("number"))
              .where(ReportVersion.submitted_at.is_not(None)))
    if award_ids is not None:
        # A few awards: the versions of their reports only, not of every report.
        latest = latest.where(ReportVersion.report_id.in_(
            select(ProgressReport.id).where(ProgressReport.award_id.in_(award_ids))))
    latest = latest.group_by(ReportVersion.report_id).subquery("latest")
    return (select(ProgressReport.award_id, func.sum(Expenditure.amount).label("spent"))
            .join(ReportVersion, Expenditure.version_id == ReportVersion.id)
            .join(ProgressReport, ReportVersion.report_id == ProgressReport.id)
            .join(latest, and_(latest.c.report_id == ReportVersion.report_id,
                               latest.c.number == ReportVersion.number))
            .where(ProgressReport.state == ReportState.accepted,
                   ProgressReport.award_id.in_(awards))
            .group_by(ProgressReport.award_id).subquery("spending"))


def money_totals(filters: Filters) -> list[MoneyTotal]:
    """Per currency, in code order: the number of awards of the period and their sums. One
    aggregate query, whatever the number of awards."""
    spending = _spending(filters)
    rows = db.session.execute(
        select_money(Award.currency)
        .add_columns(func.count(Award.id).label("awards"),
                     func.sum(func.coalesce(spending.c.spent, 0)).label("spent"))
        .join(Application, Award.application_id == Application.id)
        .outerjoin(spending, spending.c.award_id == Award.id)
        .where(*awards_in(filters)).order_by(Award.currency))
    return [MoneyTotal(row.currency, int(row.awards), Money.of(row._mapping), cents(row.spent))
            for row in rows]


def top_awards(filters: Filters, limit: int = TOP_AWARDS) -> list[AwardMoney]:
    """The ``limit`` largest awards of the period (then by reference) with their grantees,
    ledgers and spending, in one query: the ledgers and spending of those awards only (a
    programme has thousands)."""
    top = (select(Award.id).join(Application, Award.application_id == Application.id)
           .where(*awards_in(filters))
           .order_by(Award.amount.desc(), Award.reference, Award.id).limit(limit)
           .cte("top_awards"))
    top = select(top.c.id).scalar_subquery()
    spending = _spending(filters, top)
    rows = db.session.execute(
        select_money(Award, grouped=False, ledger_where=[Disbursement.award_id.in_(top)])
        .add_columns(spending.c.spent.label("spent"))
        .join(Award.application).join(Application.organisation)
        .outerjoin(spending, spending.c.award_id == Award.id)
        .where(*awards_in(filters), Award.id.in_(top))
        .options(contains_eager(Award.application).contains_eager(Application.organisation))
        .order_by(Award.amount.desc(), Award.reference, Award.id).limit(limit))
    return [AwardMoney(row.Award, Money.of(row._mapping), cents(row.spent)) for row in rows]


# 4. Events and participants over time ------------------------------------------------------

@dataclass(frozen=True)
class Quarter:
    year: int
    quarter: int
    events: int = 0
    participations: int = 0
    participants: int = 0

    @property
    def key(self) -> tuple[int, int]:
        return (self.year, self.quarter)


def _following(year: int, quarter: int) -> tuple[int, int]:
    return (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def activity_by_quarter(filters: Filters) -> list[Quarter]:
    """Per quarter, from the first to the last quarter with an event (quarters without
    events in between are shown as zeros): events held, participations, unique
    participants. One query."""
    month = extract("month", Event.starts_on)
    # Grouped by the subquery's named columns: PostgreSQL does not match a GROUP BY
    # expression whose constants are bound separately.
    held = (select(Event.id.label("event_id"),
                   extract("year", Event.starts_on).label("year"),
                   case((month <= 3, 1), (month <= 6, 2), (month <= 9, 3), else_=4)
                   .label("quarter"))
            .where(*filters.events_within()).subquery("held"))
    present = (select(Attendance.id, Attendance.event_id, Attendance.person_id)
               .where(Attendance.attended.is_(True)).subquery("present"))
    rows = db.session.execute(
        select(held.c.year, held.c.quarter, func.count(func.distinct(held.c.event_id)),
               func.count(present.c.id), func.count(func.distinct(present.c.person_id)))
        .select_from(held).outerjoin(present, present.c.event_id == held.c.event_id)
        .group_by(held.c.year, held.c.quarter)).all()
    found = {(int(year), int(quarter)): Quarter(int(year), int(quarter), events, total, unique)
             for year, quarter, events, total, unique in rows}
    if not found:
        return []
    key, last = min(found), max(found)
    quarters = []
    while key <= last:
        quarters.append(found.get(key, Quarter(*key)))
        key = _following(*key)
    return quarters


# 5. Participants by sex and age ------------------------------------------------------------

@dataclass(frozen=True)
class People:
    total: int
    by_sex: dict[str, int]
    by_age: dict[str, int]


def participants(filters: Filters) -> People:
    """Unique participants of the period by sex and by age band, with the indicators'
    definitions and categories (``indicators.SEX_KEYS``, ``indicators.AGE_KEYS``)."""
    first = indicators.first_attendance(filters.indicator_period())
    people = (select(Person.sex.label("sex"), indicators.age_band(first).label("band"))
              .join(first, first.c.person_id == Person.id).subquery("participants"))
    rows = db.session.execute(select(people.c.sex, people.c.band, func.count())
                              .group_by(people.c.sex, people.c.band))
    by_sex: dict[str, int] = defaultdict(int)
    by_age: dict[str, int] = defaultdict(int)
    total = 0
    for sex, band, n in rows:
        by_sex[indicators.sex_value(sex)] += n
        by_age[band] += n
        total += n
    return People(total=total, by_sex={key: by_sex.get(key, 0) for key in indicators.SEX_KEYS},
                  by_age={key: by_age.get(key, 0) for key in indicators.AGE_KEYS})


# The filter's choices ----------------------------------------------------------------------

def funds() -> list:
    """(id, name) of every fund, for the filter."""
    return db.session.execute(select(Fund.id, Fund.name).order_by(Fund.name, Fund.id)).all()


def fund_name(fund_id: int) -> str | None:
    return db.session.scalar(select(Fund.name).where(Fund.id == fund_id))


# Everything --------------------------------------------------------------------------------

@dataclass
class Dashboard:
    filters: Filters
    pipeline: list[tuple[ApplicationState, int]] = field(default_factory=list)
    by_area: list[Group] = field(default_factory=list)
    by_district: list[Group] = field(default_factory=list)
    #: The largest awards only (``TOP_AWARDS``); the totals are in ``money``.
    awards: list[AwardMoney] = field(default_factory=list)
    money: list[MoneyTotal] = field(default_factory=list)
    quarters: list[Quarter] = field(default_factory=list)
    people: People = field(default_factory=lambda: People(0, {}, {}))

    @property
    def applications(self) -> int:
        return sum(n for _state, n in self.pipeline)

    @property
    def award_count(self) -> int:
        """Every award of the period, not only those listed."""
        return sum(total.awards for total in self.money)

    @property
    def currencies(self) -> list[str]:
        """The currencies of the awards shown, in code order."""
        return [total.currency for total in self.money]

    @property
    def events(self) -> int:
        return sum(quarter.events for quarter in self.quarters)

    @property
    def participations(self) -> int:
        return sum(quarter.participations for quarter in self.quarters)


def dashboard(filters: Filters, money: tuple | None = None) -> Dashboard:
    """Every number of the dashboard: seven queries, whatever the data; the two that count
    every attendance of the period are stored per version of the records
    (``reporting.indicators.figures``) and read back. ``money``, when given, is the
    thematic areas, districts, money totals and largest awards already found
    (``reporting.dashboards.stored``)."""
    period = filters.indicator_period()
    quarters = figures.stored(
        "dashboard-quarters", period, lambda: activity_by_quarter(filters),
        lambda found: [[q.year, q.quarter, q.events, q.participations, q.participants]
                       for q in found],
        lambda stored: [Quarter(*row) for row in stored])
    people = figures.stored(
        "dashboard-people", period, lambda: participants(filters),
        lambda found: {"total": found.total, "by_sex": found.by_sex, "by_age": found.by_age},
        lambda stored: People(**stored))
    areas, districts, totals, awards = money or (
        by_thematic_area(filters), by_district(filters), money_totals(filters),
        top_awards(filters))
    return Dashboard(filters=filters, pipeline=pipeline(filters), by_area=areas,
                     by_district=districts, awards=awards, money=totals,
                     quarters=quarters, people=people)
