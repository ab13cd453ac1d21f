"""Erasing people's personal data changes no figure: every count by sex and age on the
indicators and the workbook's events sheet is the same after everyone is erased."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from coalitions.events import personal_data
from coalitions.events.models import Person
from reporting.indicators.queries import Period, compute


def _figures(periods) -> list:
    """Every count by sex and age, per period, and the workbook's events sheet."""
    from reporting.workbook.queries import Scope, WorkbookPeriod
    from reporting.workbook.sheets_coalitions import _event_rows

    figures = []
    for period in periods:
        indicators = compute(period)
        figures.append((indicators.participants, dict(indicators.by_sex),
                        dict(indicators.by_age), indicators.international_experts))
        figures.append(list(_event_rows(Scope(WorkbookPeriod(period.start, period.end)))))
    return figures


def test_erasing_everyone_changes_no_count(app, demo_programme, db_session):
    periods = [Period(date(2018, 1, 1), date(2019, 12, 31)),
               Period(date(2019, 1, 1), date(2019, 6, 30)),
               Period(date(2018, 1, 1), date.today())]
    before = _figures(periods)
    for person in list(db_session.scalars(select(Person))):
        personal_data.erase_person(person, None)
    db_session.flush()
    assert not db_session.scalar(select(Person.id).where(
        (Person.full_name != "") | Person.email.is_not(None) | Person.birth_year.is_not(None)))
    assert _figures(periods) == before
