"""The dashboard's numbers on small hand-built data, and a fixed number of SQL statements
whatever the amount of data."""

from __future__ import annotations

import itertools
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import event

from coalitions.events.models import Attendance, Event, EventType, Person, Sex
from core.extensions import db
from core.timeutil import from_programme_time
from grants.applications.states import ApplicationState
from grants.awards.models import Award, Disbursement
from grants.awards.states import AwardState, DisbursementKind, DisbursementState
from grants.monitoring.models import Expenditure, ProgressReport, ReportVersion
from grants.monitoring.states import ReportKind, ReportState
from reporting.dashboards import queries
from reporting.dashboards.queries import Filters
from tests.fixtures.grants import GrantFactories

_serial = itertools.count(1)
EVERYTHING = Filters()


def at(day: date, hour: int = 12) -> datetime:
    """``hour`` o'clock on ``day`` in the programme's time zone, as UTC."""
    return from_programme_time(datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def make(db_session, factories):
    grants = GrantFactories(db_session, factories)

    class Make:
        fund = staticmethod(grants.fund)

        @staticmethod
        def call(fund=None, areas=("Open data", "Access to information")):
            return grants.call(fund, areas=list(areas))

        @staticmethod
        def award(call, decided_on: date | None = date(2019, 3, 1), *, amount="5000.00",
                  currency="USD", districts=("Cayo",), areas=None, state=AwardState.active,
                  deobligated="0.00"):
            application = grants.application(
                call, state="awarded", districts=list(districts),
                areas=call.thematic_areas[:1] if areas is None else areas)
            application.decided_at = at(decided_on) if decided_on else None
            award = Award(application=application, amount=Decimal(amount), currency=currency,
                          reference=f"T-G-{next(_serial):04d}", state=state,
                          deobligated_amount=Decimal(deobligated))
            db_session.add(award)
            db_session.flush()
            return award

        @staticmethod
        def entry(award, amount, state=DisbursementState.paid, kind=DisbursementKind.payment,
                  reverses=None):
            entry = Disbursement(award=award, amount=Decimal(amount), state=state, kind=kind,
                                 idempotency_key=f"key-{next(_serial)}", reverses=reverses)
            db_session.add(entry)
            db_session.flush()
            return entry

        @staticmethod
        def report(award, state=ReportState.accepted, versions=(("1000.00",),)):
            """A report with one submitted version per item of ``versions``, each with
            expenditure lines of those amounts."""
            report = ProgressReport(award=award, kind=ReportKind.midterm,
                                    due_on=date(2019, 6, 1), state=state)
            for number, amounts in enumerate(versions, start=1):
                version = ReportVersion(number=number, submitted_at=at(date(2019, 6, number)))
                version.expenditures = [
                    Expenditure(position=i, category="activities", spent_on=date(2019, 5, 1),
                                description="Workshop", amount=Decimal(amount))
                    for i, amount in enumerate(amounts)]
                report.versions.append(version)
            db_session.add(report)
            db_session.flush()
            return report

        @staticmethod
        def event(day: date) -> Event:
            event = Event(title=f"Event {next(_serial)}", type=EventType.training,
                          starts_on=day, ends_on=day)
            db_session.add(event)
            db_session.flush()
            return event

        @staticmethod
        def person(sex=Sex.female, birth_year=1990) -> Person:
            person = Person(full_name=f"Person {next(_serial)}", sex=sex, birth_year=birth_year)
            db_session.add(person)
            db_session.flush()
            return person

        @staticmethod
        def attend(person, *events, attended=True):
            for item in events:
                db_session.add(Attendance(event=item, person=person, attended=attended))
            db_session.flush()

    return Make


# The pipeline ------------------------------------------------------------------------------

def test_the_pipeline_lists_every_state_in_workflow_order(make, db_session):
    grants = GrantFactories(db_session)
    call = make.call()
    for state in ("submitted", "submitted", "in_review", "declined", "draft"):
        grants.application(call, state=state)
    pipeline = queries.pipeline(EVERYTHING)
    assert [state for state, _n in pipeline] == list(ApplicationState)
    counts = dict(pipeline)
    assert counts[ApplicationState.submitted] == 2
    assert counts[ApplicationState.in_review] == 1
    assert counts[ApplicationState.declined] == 1
    assert counts[ApplicationState.draft] == 1
    assert counts[ApplicationState.awarded] == 0


def test_the_pipeline_counts_applications_submitted_in_the_period(make, db_session):
    grants = GrantFactories(db_session)
    call = make.call()
    inside = grants.application(call, state="submitted")
    inside.submitted_at = at(date(2019, 12, 31), 23)  # late on the last day, Belize time
    outside = grants.application(call, state="submitted")
    outside.submitted_at = at(date(2020, 1, 1), 0)
    db_session.flush()
    counts = dict(queries.pipeline(Filters(date(2019, 1, 1), date(2019, 12, 31))))
    assert counts[ApplicationState.submitted] == 1


def test_the_pipeline_follows_the_fund(make, db_session):
    grants = GrantFactories(db_session)
    mine, other = make.call(), make.call()
    grants.application(mine, state="eligible")
    grants.application(other, state="eligible")
    grants.application(other, state="eligible")
    counts = dict(queries.pipeline(Filters(fund_id=mine.fund_id)))
    assert counts[ApplicationState.eligible] == 1


# Awards by thematic area and by district ---------------------------------------------------

def test_awards_by_thematic_area(make):
    call = make.call(areas=("Open data", "Access to information", "Education"))
    open_data, access, _education = call.thematic_areas
    make.award(call, areas=[open_data], amount="5000.00")
    make.award(call, areas=[open_data, access], amount="3000.00")
    make.award(call, areas=[], amount="1000.00")
    groups = {group.key: group for group in queries.by_thematic_area(EVERYTHING)}
    assert groups["Open data"].awards == 2
    assert groups["Open data"].amount("USD") == Decimal("8000.00")
    assert groups["Access to information"].awards == 1
    assert groups["Access to information"].amount("USD") == Decimal("3000.00")
    assert groups[queries.NONE_KEY].awards == 1
    assert "Education" not in groups
    # The calls' order of areas; no area last.
    assert [group.key for group in queries.by_thematic_area(EVERYTHING)] == [
        "Open data", "Access to information", queries.NONE_KEY]


def test_areas_of_the_same_name_in_two_calls_are_one_row(make):
    first, second = make.call(), make.call()
    make.award(first)
    make.award(second)
    groups = queries.by_thematic_area(EVERYTHING)
    assert [(group.key, group.awards) for group in groups] == [("Open data", 2)]


def test_awards_by_district(make):
    call = make.call()
    make.award(call, districts=["Cayo"], amount="5000.00")
    make.award(call, districts=["Cayo", "Toledo"], amount="2000.00")
    make.award(call, districts=["Belize"], amount="1000.00", currency="BZD")
    make.award(call, districts=[], amount="500.00")
    groups = {group.key: group for group in queries.by_district(EVERYTHING)}
    assert groups["Cayo"].awards == 2 and groups["Cayo"].amounts == {"USD": Decimal("7000.00")}
    assert groups["Toledo"].awards == 1
    assert groups["Belize"].amounts == {"BZD": Decimal("1000.00")}
    assert groups["Corozal"].awards == 0 and groups["Corozal"].amounts == {}
    assert groups[queries.NONE_KEY].awards == 1


def test_no_district_row_when_every_award_has_one(make):
    make.award(make.call(), districts=["Cayo"])
    keys = [group.key for group in queries.by_district(EVERYTHING)]
    assert queries.NONE_KEY not in keys
    assert keys[:2] == ["Belize", "Cayo"]


def _count(filters: Filters) -> int:
    return sum(total.awards for total in queries.money_totals(filters))


def test_awards_are_those_decided_in_the_period(make):
    call = make.call()
    make.award(call, date(2018, 12, 14))
    make.award(call, date(2020, 1, 1))
    period = Filters(date(2018, 1, 1), date(2019, 12, 31))
    assert _count(period) == 1 and len(queries.top_awards(period)) == 1
    assert sum(group.awards for group in queries.by_district(period)) == 1
    assert _count(Filters(start=date(2019, 1, 1))) == 1
    assert _count(EVERYTHING) == 2 and len(queries.top_awards(EVERYTHING)) == 2


def test_the_ends_of_the_calendar_mean_no_bound(make):
    make.award(make.call(), date(2019, 3, 1))
    assert _count(Filters(date.min, date.max)) == 1
    assert _count(Filters(date(9999, 12, 31))) == 0
    assert queries.top_awards(Filters(date(9999, 12, 31))) == []


# Money -------------------------------------------------------------------------------------

def test_money_per_award_and_in_total(make):
    call = make.call()
    first = make.award(call, amount="5000.00")
    paid = make.entry(first, "2500.00")
    make.entry(first, "2500.00")
    make.entry(first, "-2500.00", kind=DisbursementKind.reversal, reverses=paid)
    make.entry(first, "1000.00", state=DisbursementState.requested)  # not paid: not counted
    make.report(first, ReportState.accepted, versions=[("900.00",), ("1000.00", "200.00")])
    make.report(first, ReportState.submitted)  # not accepted: not counted
    second = make.award(call, amount="4000.00", deobligated="1000.00",
                        state=AwardState.terminated)
    make.entry(second, "1500.00")
    rows, totals = queries.top_awards(EVERYTHING), queries.money_totals(EVERYTHING)
    by_id = {row.award.id: row for row in rows}
    one, two = by_id[first.id], by_id[second.id]
    assert (one.awarded, one.committed, one.disbursed, one.spent) == (
        Decimal("5000.00"), Decimal("5000.00"), Decimal("2500.00"), Decimal("1200.00"))
    assert one.undisbursed == Decimal("2500.00")
    assert (two.awarded, two.committed, two.disbursed, two.spent) == (
        Decimal("4000.00"), Decimal("3000.00"), Decimal("1500.00"), Decimal("0.00"))
    [usd] = totals
    assert usd.currency == "USD" and usd.awards == 2
    assert (usd.awarded, usd.committed, usd.disbursed, usd.spent) == (
        Decimal("9000.00"), Decimal("8000.00"), Decimal("4000.00"), Decimal("1200.00"))
    assert all(isinstance(value, Decimal) for value in
               (usd.awarded, usd.committed, usd.disbursed, usd.spent, one.spent))


def test_spent_agrees_with_the_budget_pages(make):
    from grants.monitoring.queries import spent_by_category

    award = make.award(make.call())
    make.report(award, ReportState.accepted, versions=[("100.00", "250.50")])
    make.report(award, ReportState.returned, versions=[("999.00",)])
    [row] = queries.top_awards(EVERYTHING)
    assert row.spent == sum(spent_by_category(award).values()) == Decimal("350.50")


def test_currencies_are_never_added_together(make):
    call = make.call()
    make.award(call, amount="5000.00", currency="USD")
    make.award(call, amount="10000.00", currency="BZD")
    totals = queries.money_totals(EVERYTHING)
    assert [(total.currency, total.awarded) for total in totals] == [
        ("BZD", Decimal("10000.00")), ("USD", Decimal("5000.00"))]


def test_money_of_no_awards():
    assert queries.top_awards(EVERYTHING) == [] and queries.money_totals(EVERYTHING) == []


def test_only_the_largest_awards_are_listed_but_all_are_counted(make):
    call = make.call()
    made = []
    for index in range(queries.TOP_AWARDS + 5):
        made.append(make.award(call, amount=f"{1000 + 100 * (index % 7)}.00"))
        make.entry(made[-1], "100.00")
    rows = queries.top_awards(EVERYTHING)
    largest = sorted(made, key=lambda award: (-award.amount, award.reference))[:20]
    assert [row.award.reference for row in rows] == [award.reference for award in largest]
    assert all(row.disbursed == Decimal("100.00") for row in rows)
    [usd] = queries.money_totals(EVERYTHING)
    assert usd.awards == 25
    assert usd.awarded == sum((award.amount for award in made), Decimal("0.00"))
    assert usd.disbursed == Decimal("2500.00")


# Events and participants over time ---------------------------------------------------------

def test_events_and_participants_by_quarter(make):
    january, march, may = (make.event(date(2019, 1, 10)), make.event(date(2019, 3, 5)),
                           make.event(date(2019, 5, 20)))
    late = make.event(date(2019, 11, 2))
    ana, ben, cleo = make.person(), make.person(Sex.male), make.person()
    make.attend(ana, january, march, may)
    make.attend(ben, january)
    make.attend(cleo, late)
    make.attend(make.person(), january, attended=False)
    quarters = queries.activity_by_quarter(EVERYTHING)
    assert [(q.year, q.quarter, q.events, q.participations, q.participants)
            for q in quarters] == [
        (2019, 1, 2, 3, 2),
        (2019, 2, 1, 1, 1),
        (2019, 3, 0, 0, 0),  # no events: shown as zero, the time axis has no gap
        (2019, 4, 1, 1, 1),
    ]


def test_an_event_without_attendance_counts_as_held(make):
    make.event(date(2018, 12, 31))
    [quarter] = queries.activity_by_quarter(EVERYTHING)
    assert (quarter.year, quarter.quarter, quarter.events, quarter.participants) == (2018, 4, 1, 0)


def test_quarters_follow_the_period(make):
    make.attend(make.person(), make.event(date(2018, 6, 30)), make.event(date(2018, 7, 1)))
    quarters = queries.activity_by_quarter(Filters(start=date(2018, 7, 1)))
    assert [(q.year, q.quarter) for q in quarters] == [(2018, 3)]
    assert queries.activity_by_quarter(Filters(end=date(2017, 12, 31))) == []


# Sex and age -------------------------------------------------------------------------------

def test_sex_and_age_agree_with_the_indicators(make):
    from reporting.indicators.queries import Period, compute

    day = date(2019, 4, 1)
    first, second = make.event(day), make.event(date(2019, 9, 1))
    people = [make.person(Sex.female, 1995), make.person(Sex.male, 1980),
              make.person(None, None), make.person(Sex.undisclosed, 1990),
              make.person(Sex.female, 1989)]  # turns 30 in 2019: not under 30
    for person in people:
        make.attend(person, first, second)
    filters = Filters(date(2019, 1, 1), date(2019, 12, 31))
    result = queries.participants(filters)
    indicators = compute(Period(filters.start, filters.end))
    assert result.total == indicators.participants == 5
    assert result.by_sex == indicators.by_sex
    assert result.by_age == indicators.by_age
    assert result.by_sex == {"female": 2, "male": 1, "other": 0, "undisclosed": 1,
                             "not_recorded": 1}
    assert result.by_age == {"under_30": 2, "30_and_over": 2, "not_recorded": 1}


def test_the_whole_programme_has_no_bounds(make):
    make.attend(make.person(), make.event(date(1999, 1, 1)), make.event(date(2031, 1, 1)))
    assert queries.participants(EVERYTHING).total == 1
    assert sum(q.events for q in queries.activity_by_quarter(EVERYTHING)) == 2


def test_an_empty_database_gives_zeros():
    board = queries.dashboard(EVERYTHING)
    assert board.applications == 0
    assert all(n == 0 for _state, n in board.pipeline)
    assert board.awards == [] and board.money == [] and board.quarters == []
    assert board.by_area == []
    assert all(group.awards == 0 for group in board.by_district)
    assert board.people.total == 0
    assert set(board.people.by_sex.values()) == {0}


# A fixed number of statements --------------------------------------------------------------

@contextmanager
def counting_statements():
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _programme(make, size: int) -> None:
    """``size`` awards with ledgers and reports, and ``size`` events with people."""
    call = make.call()
    for index in range(size):
        award = make.award(call, date(2019, 1 + index % 12, 1),
                           districts=["Cayo", "Toledo"][: 1 + index % 2])
        make.entry(award, "1000.00")
        make.entry(award, "500.00", state=DisbursementState.approved)
        make.report(award, versions=[("100.00", "50.00")])
        event_ = make.event(date(2019, 1 + index % 12, 15))
        for sex in (Sex.female, Sex.male, None):
            make.attend(make.person(sex), event_)


@pytest.mark.parametrize("filters", [EVERYTHING, Filters(date(2019, 1, 1), date(2019, 12, 31))])
def test_the_number_of_queries_does_not_grow_with_the_data(make, db_session, filters):
    _programme(make, 2)
    db_session.expire_all()
    with counting_statements() as small:
        small_board = queries.dashboard(filters)
    _programme(make, 12)
    db_session.expire_all()
    with counting_statements() as large:
        large_board = queries.dashboard(filters)
    assert len(small_board.awards) == 2 and len(large_board.awards) == 14
    assert large_board.award_count == 14
    # Reading the objects the page shows issues no further statement (no lazy loads).
    with counting_statements() as lazy:
        for row in large_board.awards:
            _ = (row.award.application.organisation.name, row.award.reference)
    assert lazy == []
    assert len(small) == len(large)
    assert len(large) <= 8, large
