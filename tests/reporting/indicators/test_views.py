"""The indicators pages: who sees what, the period in the query string, the links."""

from __future__ import annotations

from datetime import date

import pytest

from accounts.organisations.models import Sector
from coalitions.events.models import Attendance, Event, EventType, Person, Sex

PERIOD = "from=2021-01-01&to=2021-12-31"


@pytest.fixture
def data(db_session, factories):
    ministry = factories.organisation(name="Ministry of Open Data", sector=Sector.government)
    event = Event(title="Open data training", type=EventType.training,
                  starts_on=date(2021, 3, 10), ends_on=date(2021, 3, 11))
    person = Person(full_name="Rosa Castillo", sex=Sex.female, birth_year=1995,
                    organisation=ministry)
    db_session.add_all([event, person, Attendance(event=event, person=person)])
    db_session.flush()
    return {"ministry": ministry, "person": person}


@pytest.mark.parametrize("role", ["staff", "admin", "donor"])
def test_staff_and_donors_see_the_indicators(client, login_as, data, role):
    login_as(role)
    response = client.get(f"/indicators?{PERIOD}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Training seminar" in page
    assert "/indicators/organisations?from=2021-01-01&amp;to=2021-12-31&amp;sector=government" \
        in page
    assert "How the numbers are counted" in page
    people_link = "/indicators/participants?from=2021-01-01&amp;to=2021-12-31&amp;sex=female"
    assert (people_link in page) == (role != "donor")


@pytest.mark.parametrize("role", ["applicant", "reviewer", "finance"])
def test_others_may_not_see_the_indicators(client, login_as, role):
    login_as(role)
    assert client.get("/indicators").status_code == 403
    assert client.get("/indicators/organisations").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/indicators")
    assert response.status_code == 302
    assert response.location.startswith("/login")


def test_the_whole_programme_by_default(client, login_as):
    login_as("staff")
    page = client.get("/indicators").get_data(as_text=True)
    assert "The whole programme, from" in page
    assert 'name="from" type="date" value=""' in page


def test_the_default_span_reaches_from_the_first_record_to_today(db_session):
    from reporting.indicators.queries import programme_span
    today = date(2026, 12, 6)
    assert programme_span(today) == (date(2026, 1, 1), today)
    for day in (date(2018, 3, 5), date(2027, 2, 1)):
        db_session.add(Event(title="Forum", type=EventType.training, starts_on=day, ends_on=day))
    db_session.flush()
    assert programme_span(today) == (date(2018, 3, 5), date(2027, 2, 1))


def test_indicators_and_dashboard_open_on_the_same_numbers(client, login_as, data,
                                                           db_session):
    from reporting.dashboards import queries as dashboard
    from reporting.indicators import queries as indicators
    from reporting.indicators.views import _period

    # An event of another year: the current year alone would leave it out.
    old = Event(title="Forum", type=EventType.forum, starts_on=date(2019, 5, 2),
                ends_on=date(2019, 5, 2))
    db_session.add_all([old, Attendance(event=old, person=data["person"])])
    db_session.flush()
    login_as("staff")
    with client.application.test_request_context("/indicators"):
        counted = indicators.compute(_period())
    board = dashboard.dashboard(dashboard.Filters())
    assert (counted.participants, counted.by_sex, counted.by_age) == \
        (board.people.total, board.people.by_sex, board.people.by_age) == \
        (1, {**board.people.by_sex, "female": 1}, board.people.by_age)
    assert counted.events == sum(quarter.events for quarter in board.quarters) == 2
    assert "The whole programme" in client.get("/indicators").get_data(as_text=True)
    assert "The whole programme" in client.get("/reports/dashboard").get_data(as_text=True)


@pytest.mark.parametrize("query", [
    "from=2021-13-01", "from=yesterday", "to=2021-02-30", "from=20210101",
    "from=2021-12-31&to=2021-01-01", "fund_id=abc", "fund_id=999999",
])
def test_bad_periods_are_refused(client, login_as, query):
    login_as("staff")
    assert client.get(f"/indicators?{query}").status_code == 400
    assert client.get(f"/indicators/events?{query}").status_code == 400


@pytest.mark.parametrize("query", ["type=party", "sector=aliens", "sex=robot", "age=old",
                                   "reason=luck", "currency=dollars", "expert=yes"])
def test_bad_filters_are_refused(client, login_as, query):
    login_as("staff")
    metric = {"type": "events", "sector": "organisations", "reason": "organisations",
              "currency": "grants"}.get(query.split("=")[0], "participants")
    assert client.get(f"/indicators/{metric}?{PERIOD}&{query}").status_code == 400


def test_an_unknown_metric_is_not_found(client, login_as):
    login_as("staff")
    assert client.get("/indicators/unicorns").status_code == 404


def test_staff_see_the_people_behind_a_number(client, login_as, data):
    login_as("staff")
    response = client.get(f"/indicators/participants?{PERIOD}&sex=female&age=under_30")
    assert response.status_code == 200
    assert "Rosa Castillo" in response.get_data(as_text=True)
    empty = client.get(f"/indicators/participants?{PERIOD}&sex=male")
    assert "Rosa Castillo" not in empty.get_data(as_text=True)


def test_donors_see_organisations_but_not_people(client, login_as, data):
    login_as("donor")
    assert client.get(f"/indicators/participants?{PERIOD}").status_code == 403
    response = client.get(f"/indicators/organisations?{PERIOD}&sector=government")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Ministry of Open Data" in page and "Rosa Castillo" not in page
    for metric in ("events", "grants"):
        assert client.get(f"/indicators/{metric}?{PERIOD}").status_code == 200


def test_the_menu_shows_indicators_to_staff_and_donors(client, login_as):
    login_as("donor")
    assert 'href="/indicators"' in client.get("/indicators").get_data(as_text=True)
