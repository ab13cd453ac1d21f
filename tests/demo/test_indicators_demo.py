"""The demo programme shows exactly the reference programme's numbers (DESIGN.md §1, §5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from coalitions.events.models import Event
from reporting.indicators.queries import Period, compute

REFERENCE = Period(date(2018, 1, 1), date(2019, 12, 31))


def test_the_demo_shows_the_reference_numbers(app, db_session):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output

    indicators = compute(REFERENCE)
    assert indicators.events == 21
    assert indicators.organisations == 114
    assert {sector: n for sector, n in indicators.organisations_by_sector.items() if n} == {
        "government": 30, "civil_society": 30, "private": 45, "academic": 9}
    assert indicators.participants >= 200
    assert indicators.participants == 212
    assert indicators.under_30 == 63
    assert indicators.female == 109
    assert indicators.international_experts == 23
    assert indicators.grants_awarded == 8
    assert indicators.grants_by_currency == {"USD": (8, Decimal("40000.00"))}
    # Unknown sex and age are counted apart, and everything adds up.
    assert indicators.by_sex["not_recorded"] > 0
    assert indicators.by_age["not_recorded"] > 0
    assert sum(indicators.by_sex.values()) == indicators.participants
    assert sum(indicators.by_age.values()) == indicators.participants


def test_loading_twice_adds_no_events(app, db_session):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    events = db_session.scalar(select(func.count()).select_from(Event))
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert db_session.scalar(select(func.count()).select_from(Event)) == events
    assert compute(REFERENCE).participants == 212


def test_the_following_year_has_only_the_co_creation_events(app, db_session):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    indicators = compute(Period(date(2020, 1, 1), date(2020, 12, 31)))
    assert indicators.events == 2
    assert indicators.grants_awarded == 0
    assert indicators.organisations_by_sector["media"] == 1
