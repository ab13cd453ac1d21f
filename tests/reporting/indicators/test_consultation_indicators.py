"""The consultations' numbers on the indicators page: counted for the period, people
withheld below k for readers other than staff."""

from __future__ import annotations

from datetime import date

import pytest

from coalitions.consultations import operations, queries
from coalitions.plans import operations as plan_operations
from core.timeutil import programme_today
from tests.coalitions.consultations.conftest import PROPOSAL, open_consultation


@pytest.fixture
def people(factories):
    staff = factories.user(roles=("staff",))
    plan = plan_operations.create_plan(staff, title="Plan", country="BZ",
                                       starts_on=date(2027, 1, 1), ends_on=date(2028, 1, 1))
    return staff, plan, factories.user()


def test_period_numbers_count_people_once_across_consultations(people):
    staff, plan, citizen = people
    first = open_consultation(staff, plan)
    second = open_consultation(staff, plan, title="Second round")
    operations.propose(first, citizen, sex="female", **PROPOSAL)
    operations.propose(second, citizen, **PROPOSAL)
    today = programme_today()
    numbers = queries.period_numbers(date(today.year - 1, 1, 1), today)
    assert (numbers.consultations, numbers.proposals, numbers.participants,
            numbers.women) == (2, 2, 1, 1)
    assert queries.period_numbers(date(2001, 1, 1), date(2001, 12, 31)).consultations == 0


def test_the_indicators_page_shows_them(client, login_as, people):
    staff, plan, citizen = people
    operations.propose(open_consultation(staff, plan), citizen, **PROPOSAL)
    login_as(staff)
    page = client.get("/indicators").get_data(as_text=True)
    assert "Consultations on action plans" in page and 'id="consultation-indicators"' in page
