"""The stored indicator figures are always the figures of the records as committed: read back
in two statements while nothing changes, computed anew after any change they count. A random
sequence of writes (hypothesis) is followed, after each commit, by a comparison of the stored
figures with a recomputation from the raw rows."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, select

from accounts.organisations.states import Sector
from coalitions.events.models import Attendance, Event, Person
from coalitions.events.states import EventType, Sex
from core import freshness
from core.extensions import db
from reporting.dashboards import queries as dashboards
from reporting.indicators import figures, queries
from reporting.indicators.models import IndicatorFigures

PERIODS = (queries.Period(date(2019, 1, 1), date(2019, 12, 31)),
           queries.Period(date(2019, 3, 1), date(2019, 6, 30)))
DASHBOARD_FILTERS = (dashboards.Filters(), dashboards.Filters(date(2019, 4, 1), None))


def _statements(call) -> int:
    count = 0

    def counted(*_args, **_kwargs):
        nonlocal count
        count += 1
    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
    return count


def test_the_demo_figures_are_stored_once_and_read_back(demo_programme, db_session):
    period = queries.Period(date(2018, 1, 1), date(2019, 12, 31))
    first = figures.indicators(period)
    assert figures.to_figures(first) == figures.to_figures(queries.compute(period))
    assert first.participants == 212 and first.female == 109
    assert _statements(lambda: figures.indicators(period)) == 2
    again = figures.indicators(period)
    assert figures.to_figures(again) == figures.to_figures(first)
    assert again.grants_by_currency == first.grants_by_currency  # Decimal, to the cent


def test_a_change_makes_the_stored_figures_stale_and_an_unrelated_one_does_not(
        demo_programme, db_session):
    period = queries.Period(date(2018, 1, 1), date(2019, 12, 31))
    before = figures.indicators(period)
    version = freshness.current_version(figures.INDICATORS)
    person = db_session.scalar(select(Person).join(Attendance).where(Person.sex == Sex.male)
                               .limit(1))
    person.full_name = person.full_name + " Jr."  # not counted anywhere
    db_session.commit()
    assert freshness.current_version(figures.INDICATORS) == version
    person.sex = Sex.female
    # Before the commit, the transaction that made the change sees it too.
    assert figures.indicators(period).female == before.female + 1
    db_session.commit()
    assert freshness.current_version(figures.INDICATORS) == version + 1
    after = figures.indicators(period)
    assert after.female == before.female + 1
    assert figures.to_figures(after) == figures.to_figures(queries.compute(period))
    # The period keeps one stored row: the older version's was replaced.
    assert db_session.scalar(select(func.count()).select_from(IndicatorFigures).where(
        IndicatorFigures.period_start == period.start)) == 1


ACTIONS = st.lists(st.tuples(
    st.sampled_from(["event", "attend", "absent", "sex", "birth", "sector", "leave"]),
    st.integers(min_value=0, max_value=10_000)), min_size=1, max_size=12)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS)
def test_stored_figures_equal_a_recomputation_after_any_writes(db_session, factories,
                                                               actions):
    organisations = [factories.organisation(name=f"Org {n}", sector=sector)
                     for n, sector in enumerate([Sector.civil_society, Sector.government])]
    for kind, seed in actions:
        _apply(db_session, organisations, kind, seed)
        db_session.commit()
        for period in PERIODS:
            stored = figures.indicators(period)
            assert figures.to_figures(stored) == figures.to_figures(queries.compute(period)), \
                (kind, period)
        for filters in DASHBOARD_FILTERS:
            board = dashboards.dashboard(filters)
            assert board.quarters == dashboards.activity_by_quarter(filters), (kind, filters)
            assert board.people == dashboards.participants(filters), (kind, filters)


def _apply(session, organisations, kind: str, seed: int) -> None:
    events = session.scalars(select(Event).order_by(Event.id)).all()
    people = session.scalars(select(Person).order_by(Person.id)).all()
    if kind == "event" or not events:
        day = date(2019, 1 + seed % 12, 1 + seed % 28)
        session.add(Event(title=f"Event {seed}", type=list(EventType)[seed % len(EventType)],
                          starts_on=day, ends_on=day))
    elif kind == "attend" or not people:
        person = Person(full_name=f"Person {seed}", sex=[*Sex, None][seed % (len(Sex) + 1)],
                        birth_year=1960 + seed % 50 if seed % 7 else None,
                        organisation=organisations[seed % 2] if seed % 3 else None)
        session.add(Attendance(event=events[seed % len(events)], person=person))
    elif kind == "absent":
        attendances = session.scalars(select(Attendance).order_by(Attendance.id)).all()
        if attendances:
            chosen = attendances[seed % len(attendances)]
            chosen.attended = not chosen.attended
    elif kind == "sex":
        people[seed % len(people)].sex = list(Sex)[seed % len(Sex)]
    elif kind == "birth":
        people[seed % len(people)].birth_year = 1990 + seed % 15
    elif kind == "sector":
        organisations[seed % 2].sector = list(Sector)[seed % len(Sector)]
    elif kind == "leave":
        attendances = session.scalars(select(Attendance).order_by(Attendance.id)).all()
        if attendances:
            session.delete(attendances[seed % len(attendances)])
    session.flush()
