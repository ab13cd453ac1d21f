"""Breakdowns of people shown to donors and finance officers have their small cells withheld
(``reporting.disclosure``); programme staff see the exact numbers. The walk covers every page
that shows such a breakdown, for the whole programme and for each of the demo's event days,
where groups are small."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from reporting import disclosure
from reporting.indicators.queries import Period, compute

K = 5
#: The pages that break people down by sex, age group or sector, and who reads them.
PAGES = ("/reports/dashboard", "/indicators", "/reports/results")
READERS = {"donor": PAGES, "finance": ("/reports/dashboard", "/reports/results")}


# The rule -----------------------------------------------------------------------------------

def test_a_breakdown_withholds_small_cells_and_one_more_when_alone(app):
    with app.test_request_context():
        assert disclosure.breakdown({"a": 10, "b": 3, "c": 0}, K) == {
            "a": 10, "b": disclosure.Fewer(K), "c": disclosure.Fewer(K)}
        assert disclosure.breakdown({"a": 10, "b": 3, "c": 2}, K) == {
            "a": 10, "b": disclosure.Fewer(K), "c": disclosure.Fewer(K)}
        assert disclosure.breakdown({"a": 10, "b": 3}, None) == {"a": 10, "b": 3}
        assert str(disclosure.Fewer(K)) == "fewer than 5"


def test_a_share_is_withheld_when_the_rest_is_small(app):
    with app.test_request_context():
        assert disclosure.share(3, 20, K) == disclosure.Fewer(K)
        assert disclosure.share(18, 20, K) == disclosure.Fewer(K)  # 2 would be the rest
        assert disclosure.share(10, 20, K) == 10
        assert disclosure.share(0, 20, K) == 0
        assert disclosure.count(3, K) == disclosure.Fewer(K)
        assert disclosure.count(0, K) == 0
        assert disclosure.count(7, K) == 7


def test_staff_see_exact_numbers_and_others_a_k(app, factories):
    with app.test_request_context():
        assert disclosure.min_group_for(factories.user(roles=("staff",))) is None
        assert disclosure.min_group_for(factories.user(roles=("donor",))) == K
        assert disclosure.min_group_for(factories.user(roles=("finance",))) == K


# The pages ----------------------------------------------------------------------------------

def _event_days(session) -> list[str]:
    from coalitions.events.models import Event

    days = sorted({day.isoformat() for day in session.scalars(select(Event.starts_on))})
    return [f"from={day}&to={day}" for day in days]


def _small_numbers(page: str) -> list[str]:
    """Counts from 1 to k - 1 in the page's breakdowns of people: the cells of the tables
    of participants by sex or age, their key figures, and the results' breakdowns."""
    found = []
    for caption in ("Participants by sex", "Participants by age"):
        for table in re.findall(r"<caption>" + caption + r".*?</table>", page, re.S):
            found += [n for n in re.findall(r'<td class="number">(?:<a [^>]*>)?(\d+)<', table)
                      if 0 < int(n) < K]
    for term in ("Women", "Under 30", "International experts"):
        for value in re.findall(r"<dt>" + term + r"</dt>\s*<dd>(\d+)</dd>", page):
            found += [value] if 0 < int(value) < K else []
    for row in re.findall(r'<th scope="row">(.*?)</th>', page, re.S):
        if "Organisations" in row:  # organisations by sector: not people
            continue
        for hint in re.findall(r'<p class="hint">(?:Sex|Age group|Sector): (.*?)</p>', row):
            found += [n for n in re.findall(r"(\d+)", hint) if 0 < int(n) < K]
    return found


@pytest.mark.parametrize("reader", READERS)
def test_no_page_shows_a_small_count_of_people_to_donors(client, login_as, demo_programme,
                                                        db_session, reader):
    login_as(demo_programme.get(reader) or reader)
    withheld = 0
    for query in ["", "from=2018-01-01&to=2019-12-31", *_event_days(db_session)]:
        for url in READERS[reader]:
            response = client.get(f"{url}?{query}")
            assert response.status_code == 200, (url, query)
            page = response.get_data(as_text=True)
            assert not _small_numbers(page), (url, query, _small_numbers(page))
            withheld += page.count("fewer than 5")
    assert withheld  # the demo's single days do have small groups


def test_staff_see_the_small_counts(client, login_as, demo_programme, db_session):
    """The walk above can fail: on the same pages, staff see the counts it looks for."""
    login_as("staff")
    shown = []
    for query in _event_days(db_session):
        for url in PAGES[:2]:
            shown += _small_numbers(client.get(f"{url}?{query}").get_data(as_text=True))
    assert shown


def test_the_donor_sees_the_same_withheld_cells_on_both_pages(client, login_as,
                                                              demo_programme, db_session):
    login_as(demo_programme["donor"])
    for query in _event_days(db_session):
        start = query.split("&")[0].removeprefix("from=")
        from datetime import date
        day = date.fromisoformat(start)
        numbers = compute(Period(start=day, end=day))
        expected = disclosure.breakdown(numbers.by_sex, K)
        board = client.get(f"/reports/dashboard?{query}").get_data(as_text=True)
        indicators = client.get(f"/indicators?{query}").get_data(as_text=True)
        for page in (board, indicators):
            assert page.count("fewer than 5") >= sum(
                isinstance(value, disclosure.Fewer) for value in expected.values())
