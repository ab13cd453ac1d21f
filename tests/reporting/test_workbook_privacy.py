"""The anonymised Participants sheet is k-anonymous (k = PRIVACY_MIN_GROUP) on the demo
programme and on a generated one, under pseudonyms that change with every export and never
show a record's id; the About sheet says how."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from accounts.organisations.states import Sector
from coalitions.events.models import Attendance, Event, Person
from coalitions.events.states import EventType, Sex
from reporting.workbook.queries import WorkbookPeriod
from tests.reporting.test_workbook_sheets import block, build, table
from tests.reporting.test_workbook_views import download, workbook_of

FIELDS = ["Sex", "Age group", "Sector", "Organisation", "Country", "International expert"]
REFERENCE = {"from": "2018-01-01", "to": "2019-12-31"}


def participants(book) -> list[dict]:
    _headers, rows, _totals = table(book["Participants"])
    return [{name: cell.value for name, cell in row.items()} for row in rows]


def assert_k_anonymous(rows: list[dict], k: int = 5) -> Counter:
    groups = Counter(tuple(row[field] for field in FIELDS) for row in rows
                     if row["Sex"] != "Suppressed")
    assert groups and min(groups.values()) >= k, groups.most_common()[-3:]
    return groups


def about(book) -> dict:
    return dict(block(book["About"], "This workbook"))


@pytest.mark.parametrize("query", [{}, REFERENCE])
def test_the_demos_participants_are_k_anonymous(client, login_as, demo_programme, db_session,
                                                 query):
    login_as("donor")
    first = participants(workbook_of(download(client, query)))
    second_book = workbook_of(download(client, query))
    second = participants(second_book)
    total = len(first)
    assert total == len(second) == (212 if query else 214)
    assert_k_anonymous(first)
    suppressed = sum(1 for row in first if row["Sex"] == "Suppressed")
    assert f"{suppressed} of {total}" in about(second_book)["Privacy"]
    assert "k = 5" in about(second_book)["Privacy"]
    # Fresh pseudonyms at each export, never a record's id.
    labels = [row["Person"] for row in first]
    assert all(isinstance(label, str) and label.startswith("P-") for label in labels)
    assert len(set(labels)) == total and not set(labels) & {row["Person"] for row in second}
    ids = {str(n) for n in db_session.scalars(select(Person.id))}
    assert not ids & {label.removeprefix("P-") for label in labels}
    # The same people and numbers: only the labels and the detail differ.
    assert sorted(row["Events attended"] for row in first) == \
        sorted(row["Events attended"] for row in second)


def test_the_names_variant_stays_exact_for_staff(client, login_as, demo_programme):
    login_as("staff")
    rows = participants(workbook_of(download(client, {"names": "1"})))
    assert all(isinstance(row["Person"], int) for row in rows)
    assert "Suppressed" not in {row["Sex"] for row in rows}
    assert "Ministry of Finance" in {row["Organisation"] for row in rows}


def test_the_about_sheet_states_the_method_in_spanish(demo_programme):
    with force_locale("es"):
        book = build()
    rows = [row for row in book.worksheets[0].iter_rows(values_only=True)
            if row[1] and "k = 5" in str(row[1])]
    assert len(rows) == 1


def test_a_generated_programme_is_k_anonymous(app, db_session, factories):
    """Several hundred people of many organisations and countries, at random (seeded)."""
    chance = random.Random(20240531)
    sectors = list(Sector)
    organisations = [factories.organisation(name=f"Organisation {n}",
                                            sector=sectors[n % len(sectors)])
                     for n in range(40)]
    events = [Event(title=f"Event {n}", type=EventType.workshop, country="BZ",
                    starts_on=date(2019, 1 + n % 12, 1 + n), ends_on=date(2019, 1 + n % 12, 1 + n))
              for n in range(12)]
    db_session.add_all(events)
    countries = ["GT", "MX", "HN", "JM", "TT", "US", "CA", "CO", "BR", "GB", "ES", "DE", "NG",
                 "IN"]
    for n in range(600):
        expert = chance.random() < 0.1
        person = Person(full_name=f"Person {n}",
                        sex=chance.choices([*Sex, None], weights=[50, 44, 1, 2, 3])[0],
                        birth_year=chance.choice([None, *range(1950, 2005)]),
                        organisation=None if expert else chance.choice(organisations),
                        country=chance.choice(countries) if expert
                        else chance.choices(["BZ", chance.choice(countries)], [9, 1])[0],
                        is_international_expert=expert)
        for event in chance.sample(events, chance.randint(1, 3)):
            db_session.add(Attendance(event=event, person=person))
    db_session.flush()
    for period in (WorkbookPeriod(), WorkbookPeriod(date(2019, 3, 1), date(2019, 8, 31))):
        book = build(period)
        rows = participants(book)
        assert_k_anonymous(rows)
        suppressed = sum(1 for row in rows if row["Sex"] == "Suppressed")
        assert f"{suppressed} of {len(rows)}" in about(book)["Privacy"]
        assert len(rows) > 300


def test_the_summary_hides_small_counts_of_people_in_the_anonymised_variant(demo_programme):
    anonymised, named = build(), build(with_names=True)
    for title in ("Participants by sex", "Participants by age group"):
        exact = dict(block(named["Summary"], title))
        shown = dict(block(anonymised["Summary"], title))
        assert exact.keys() == shown.keys()
        for key, number in shown.items():
            assert number == exact[key] or number == "fewer than 5"
            assert not (isinstance(number, int) and 0 < number < 5)
        hidden = [key for key, number in shown.items() if number == "fewer than 5"]
        assert len(hidden) != 1
        assert hidden or min(exact.values()) == 0 or min(exact.values()) >= 5
    indicators = dict(block(anonymised["Summary"], "Programme indicators"))
    assert indicators["Women"] == dict(block(anonymised["Summary"],
                                             "Participants by sex"))["Female"]


def _counts(book, sheet: str, names: tuple[str, ...]) -> list[tuple]:
    _headers, rows, _totals = table(book[sheet])
    return [tuple(row[name].value for name in names) for row in rows]


def test_every_sheet_of_the_anonymised_variant_withholds_small_counts(demo_programme):
    """Each event's women, under-30s and experts, each organisation's participants and the
    results' breakdowns of people: no count from 1 to 4 in the anonymised variant, the exact
    numbers in the named one."""
    anonymised, named = build(), build(with_names=True)
    breakdowns = ("Participants", "Women", "Under 30", "International experts")
    hidden = 0
    for shown, exact in zip(_counts(anonymised, "Events", breakdowns),
                            _counts(named, "Events", breakdowns), strict=True):
        assert shown[0] == exact[0]  # an event's participants are not a breakdown
        for number, truth in zip(shown[1:], exact[1:], strict=True):
            assert number == truth or number == "fewer than 5"
            assert not (isinstance(number, int) and 0 < number < 5)
            # The rest of the participants is no small cell either.
            assert number == "fewer than 5" or not 0 < exact[0] - truth < 5
            hidden += number == "fewer than 5"
    organisations = _counts(anonymised, "Organisations", ("Participants",))
    assert not [n for (n,) in organisations if isinstance(n, int) and 0 < n < 5]
    assert ("fewer than 5",) in organisations
    assert any(isinstance(n, int) and 0 < n < 5
               for (n,) in _counts(named, "Organisations", ("Participants",)))
    assert hidden
    results = [text for indicator, text in _counts(anonymised, "Results",
                                                   ("Indicator", "Breakdowns"))
               # Organisations engaged by sector: organisations, not people.
               if text and "organisations" not in indicator.lower()]
    for text in results:
        assert not [n for n in re.findall(r"\b(\d+)\b", text) if 0 < int(n) < 5], text
    assert results
