"""The indicators, on small hand-built data sets."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal

import pytest

from accounts.organisations.models import Sector
from coalitions.coalitions.models import Coalition, CoalitionMembership
from coalitions.events.models import (
    Attendance,
    AttendanceRole,
    Event,
    EventType,
    Person,
    Sex,
)
from core.timeutil import from_programme_time
from reporting.indicators import queries
from reporting.indicators.queries import Period, compute
from tests.fixtures.grants import GrantFactories

YEAR = Period(date(2021, 1, 1), date(2021, 12, 31))
_emails = itertools.count(1)


@pytest.fixture
def make(db_session, factories):
    class Make:
        grants = GrantFactories(db_session, factories)

        @staticmethod
        def event(day: date, kind=EventType.training, days: int = 1) -> Event:
            event = Event(title=f"Event on {day}", type=kind, starts_on=day,
                          ends_on=day.replace(day=day.day + days - 1))
            db_session.add(event)
            db_session.flush()
            return event

        @staticmethod
        def person(sex=Sex.female, birth_year: int | None = 1980, organisation=None,
                   expert: bool = False) -> Person:
            person = Person(full_name=f"Person {next(_emails)}", sex=sex, birth_year=birth_year,
                            organisation=organisation, is_international_expert=expert)
            db_session.add(person)
            db_session.flush()
            return person

        @staticmethod
        def attend(person, *events, attended: bool = True, role=AttendanceRole.participant):
            for event in events:
                db_session.add(Attendance(event=event, person=person, attended=attended,
                                          role=role))
            db_session.flush()

        @staticmethod
        def member(organisation, joined_on: date, left_on: date | None = None):
            coalition = Coalition(name="Coalition")
            coalition.memberships.append(CoalitionMembership(
                organisation=organisation, joined_on=joined_on, left_on=left_on))
            db_session.add(coalition)
            db_session.flush()

        @staticmethod
        def at(day: date, hour: int = 12) -> datetime:
            """Noon (by default) on ``day`` in the programme's time zone."""
            return from_programme_time(datetime(day.year, day.month, day.day, hour))

        @classmethod
        def application(cls, call, organisation, submitted_on: date | None, *,
                        state="submitted", counterpart=None):
            application = cls.grants.application(call, organisation, state=state,
                                                 counterpart=counterpart)
            application.submitted_at = cls.at(submitted_on) if submitted_on else None
            db_session.flush()
            return application

        @classmethod
        def award(cls, call, decided_on: date | None, amount="5000.00", currency="USD"):
            from grants.awards.models import Award

            application = cls.grants.application(call, state="awarded")
            application.decided_at = cls.at(decided_on) if decided_on else None
            award = Award(application=application, amount=Decimal(amount), currency=currency,
                          reference=f"T-G-{next(_emails)}")
            db_session.add(award)
            db_session.flush()
            return award

    return Make


def test_a_person_at_three_events_counts_once(make):
    events = [make.event(date(2021, month, 10)) for month in (2, 5, 9)]
    person = make.person()
    make.attend(person, *events)
    result = compute(YEAR)
    assert result.events == 3
    assert result.events_by_type == {"training": 3}
    assert result.participants == 1
    assert result.female == 1
    assert queries.participant_ids(YEAR) == [person.id]


def test_registered_but_absent_people_are_not_participants(make):
    event = make.event(date(2021, 3, 1))
    make.attend(make.person(), event, attended=False)
    make.attend(make.person(sex=Sex.male), event, role=AttendanceRole.trainer)
    result = compute(YEAR)
    assert result.participants == 1
    assert result.by_sex["male"] == 1 and result.female == 0


def test_someone_turning_30_in_the_event_year_is_not_under_30(make):
    event = make.event(date(2021, 1, 5))
    thirty = make.person(birth_year=1991)
    twenty_nine = make.person(birth_year=1992)
    make.attend(thirty, event)
    make.attend(twenty_nine, event)
    result = compute(YEAR)
    assert result.under_30 == 1
    assert result.by_age == {"under_30": 1, "30_and_over": 1, "not_recorded": 0}
    assert queries.participant_ids(YEAR, age="under_30") == [twenty_nine.id]


def test_youth_is_decided_at_the_first_event_attended_in_the_period(make):
    december, january = make.event(date(2021, 12, 1)), make.event(date(2022, 1, 20))
    person = make.person(birth_year=1992)  # 29 in 2021, 30 in 2022
    make.attend(person, december, january)
    assert compute(Period(date(2021, 1, 1), date(2022, 12, 31))).under_30 == 1
    assert compute(Period(date(2022, 1, 1), date(2022, 12, 31))).under_30 == 0


def test_unknown_sex_and_age_are_categories_of_their_own(make):
    event = make.event(date(2021, 6, 1))
    unrecorded = make.person(sex=None, birth_year=None)
    make.attend(unrecorded, event)
    make.attend(make.person(sex=Sex.undisclosed), event)
    make.attend(make.person(sex=Sex.female, birth_year=2000), event)
    result = compute(YEAR)
    assert result.participants == 3
    assert result.by_sex == {"female": 1, "male": 0, "other": 0, "undisclosed": 1,
                             "not_recorded": 1}
    assert result.by_age == {"under_30": 1, "30_and_over": 1, "not_recorded": 1}
    assert queries.participant_ids(YEAR, sex="not_recorded") == [unrecorded.id]
    assert queries.participant_ids(YEAR, age="not_recorded") == [unrecorded.id]


def test_international_experts(make):
    event = make.event(date(2021, 6, 1))
    expert = make.person(expert=True)
    make.attend(expert, event, role=AttendanceRole.expert)
    make.attend(make.person(), event)
    later = make.person(expert=True)
    make.attend(later, make.event(date(2022, 2, 1)))
    result = compute(YEAR)
    assert result.international_experts == 1
    assert queries.participant_ids(YEAR, expert=True) == [expert.id]


def test_an_organisation_engaged_for_every_reason_counts_once(make, factories):
    ministry = factories.organisation(name="Ministry", sector=Sector.government)
    cso = factories.organisation(name="CSO", sector=Sector.civil_society)
    call = make.grants.call()
    # The ministry attends, is a coalition member, applies and is a counterpart.
    make.attend(make.person(organisation=ministry), make.event(date(2021, 4, 1)))
    make.member(ministry, date(2020, 6, 1))
    make.application(call, ministry, date(2021, 2, 1))
    make.application(call, cso, date(2021, 3, 1), counterpart=ministry)
    result = compute(YEAR)
    assert result.organisations == 2
    assert result.organisations_by_sector["government"] == 1
    assert result.organisations_by_sector["civil_society"] == 1
    assert result.organisations_by_reason == {"attended": 1, "member": 1, "applied": 2,
                                              "counterpart": 1}
    rows = dict(queries.organisations(YEAR))
    assert rows[ministry] == ["attended", "member", "applied", "counterpart"]
    assert rows[cso] == ["applied"]
    assert queries.organisation_ids(YEAR, sector="government") == [ministry.id]


def test_drafts_and_memberships_outside_the_period_do_not_engage(make, factories):
    call = make.grants.call()
    drafter = factories.organisation(name="Drafter")
    make.application(call, drafter, None, state="draft",
                     counterpart=factories.organisation(name="Draft counterpart",
                                                        sector=Sector.government))
    make.member(factories.organisation(name="Left"), date(2019, 1, 1), date(2020, 12, 31))
    make.member(factories.organisation(name="Joined later"), date(2022, 1, 1))
    make.member(factories.organisation(name="Left during"), date(2019, 1, 1), date(2021, 1, 1))
    assert [o.name for o, _r in queries.organisations(YEAR)] == ["Left during"]
    assert compute(YEAR).organisations == 1


def test_period_boundaries(make, factories):
    for day in (date(2020, 12, 31), date(2021, 1, 1), date(2021, 12, 31), date(2022, 1, 1)):
        make.attend(make.person(), make.event(day))
    call = make.grants.call()
    # 23:00 on 31 December in the programme's time zone is already 2021 in UTC.
    late = make.application(call, factories.organisation(name="Late"), date(2020, 12, 31))
    late.submitted_at = make.at(date(2020, 12, 31), hour=23)
    make.application(call, factories.organisation(name="First day"), date(2021, 1, 1))
    make.application(call, factories.organisation(name="Last day"), date(2021, 12, 31))
    result = compute(YEAR)
    assert result.events == 2
    assert result.participants == 2
    assert sorted(o.name for o, _r in queries.organisations(YEAR)) == ["First day", "Last day"]


def test_grants_awarded_by_decision_date_with_totals_per_currency(make):
    call = make.grants.call()
    make.award(call, date(2021, 3, 1))
    make.award(call, date(2021, 11, 30), amount="2500.50")
    make.award(call, date(2021, 6, 1), amount="10000.00", currency="BZD")
    make.award(call, date(2020, 12, 1))  # decided the year before
    undecided = make.award(call, None)  # no decision time: the award's creation time
    undecided.created_at = make.at(date(2021, 8, 1))
    result = compute(YEAR)
    assert result.grants_awarded == 4
    assert result.grants_by_currency == {"BZD": (1, Decimal("10000.00")),
                                         "USD": (3, Decimal("12500.50"))}
    assert len(queries.grants(YEAR, currency="USD")) == 3


def test_the_fund_filter_applies_to_grants_only(make, factories):
    first, second = make.grants.fund(), make.grants.fund()
    first_call, second_call = make.grants.call(fund=first), make.grants.call(fund=second)
    kept = make.award(first_call, date(2021, 3, 1))
    make.award(second_call, date(2021, 3, 1))
    make.application(first_call, factories.organisation(name="A"), date(2021, 3, 1))
    make.application(second_call, factories.organisation(name="B"), date(2021, 3, 1))
    make.attend(make.person(organisation=factories.organisation(name="C")),
                make.event(date(2021, 5, 1)))
    make.member(factories.organisation(name="D"), date(2021, 1, 1))

    everything = compute(YEAR)
    only_first = compute(Period(YEAR.start, YEAR.end, fund_id=first.id))
    assert everything.grants_awarded == 2 and only_first.grants_awarded == 1
    assert queries.award_ids(Period(YEAR.start, YEAR.end, fund_id=first.id)) == [kept.id]
    names = {o.name for o, _r in queries.organisations(Period(YEAR.start, YEAR.end,
                                                               fund_id=first.id))}
    assert {"A", "C", "D"} <= names and "B" not in names
    assert only_first.events == everything.events == 1
    assert only_first.participants == everything.participants == 1


def test_the_numbers_take_a_fixed_number_of_queries(make, app):
    from sqlalchemy import event as sa_event

    from core.extensions import db

    for month in range(1, 7):
        make.attend(make.person(), make.event(date(2021, month, 3)))
    statements = []

    def count(*_args):
        statements.append(1)

    engine = db.session.get_bind()
    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        compute(YEAR)
        small = len(statements)
        for month in range(7, 13):
            make.attend(make.person(), make.event(date(2021, month, 3)))
        statements.clear()
        compute(YEAR)
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == small
