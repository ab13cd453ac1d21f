"""A call's rubric page: its rows, saving it, refusing bad or duplicate criteria, and the
lock once applications are in."""

from __future__ import annotations

from decimal import Decimal

import pytest

from grants.calls.models import Criterion
from grants.calls.states import CallState
from tests.grants.calls.conftest import _count, _rubric_form

# The rubric ---------------------------------------------------------------------------------

def test_rubric_form_shows_existing_rows_and_three_empty_ones(client, login_as,
                                                              grant_factories):
    call = grant_factories.call(state=CallState.draft)
    login_as("staff")
    page = client.get(f"/staff/calls/{call.id}/rubric").get_data(as_text=True)
    assert 'name="criteria-5-name"' in page and 'name="criteria-6-name"' not in page
    assert 'value="Relevance"' in page and page.count("New criterion") == 3


def test_saving_the_rubric(client, login_as, grant_factories, db_session):
    call = grant_factories.call(state=CallState.draft)
    relevance_id = call.criteria[0].id
    login_as("staff")
    data = _rubric_form(call, extra=[
        {"criterion_id": "", "name": "Sustainability", "guidance": "After the grant?",
         "weight": "1.5", "max_score": "5", "is_na_allowed": "y"},
        {"criterion_id": "", "name": "", "guidance": "", "weight": "rubbish",
         "max_score": "-3"},
    ])
    data["criteria-1-name"] = ""  # drop Feasibility
    response = client.post(f"/staff/calls/{call.id}/rubric", data=data)
    assert response.status_code == 302
    db_session.expire_all()
    assert [c.name for c in call.criteria] == ["Relevance", "Partnership", "Sustainability"]
    assert call.criteria[0].id == relevance_id
    assert call.criteria[2].weight == Decimal("1.50") and call.criteria[2].is_na_allowed


@pytest.mark.parametrize("key, value, message", [
    ("weight", "0", "The weight must be more than zero"),
    ("weight", "-2", "The weight cannot be negative"),
    ("weight", "1.234", "Use at most two decimal places"),
    ("weight", "heavy", "Enter the weight as a number"),
    ("weight", "", "Enter the weight"),
    ("max_score", "0", "The maximum score must be at least 1"),
    ("max_score", "7.5", "Enter a whole number"),
])
def test_bad_rubric_input_answers_422_and_writes_nothing(client, login_as, grant_factories,
                                                         db_session, key, value, message):
    call = grant_factories.call(state=CallState.draft)
    login_as("staff")
    data = _rubric_form(call)
    data[f"criteria-1-{key}"] = value
    response = client.post(f"/staff/calls/{call.id}/rubric", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db_session.expire_all()
    assert _count(db_session, Criterion, Criterion.call_id == call.id) == 3
    assert call.criteria[1].weight == Decimal("1.00")


def test_duplicate_criteria_names_are_shown_next_to_the_row(client, login_as,
                                                            grant_factories):
    call = grant_factories.call(state=CallState.draft)
    login_as("staff")
    data = _rubric_form(call)
    data["criteria-2-name"] = "Relevance"
    response = client.post(f"/staff/calls/{call.id}/rubric", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="criteria-2-name-error"' in page and "Two criteria are called" in page


def test_the_rubric_is_locked_after_a_submission(client, login_as, grant_factories,
                                                 db_session):
    call = grant_factories.call()
    grant_factories.application(call, state="submitted")
    login_as("staff")
    data = _rubric_form(call)
    data["criteria-0-weight"] = "9"
    response = client.post(f"/staff/calls/{call.id}/rubric", data=data)
    assert response.status_code == 422
    assert "its rubric can no longer be changed" in response.get_data(as_text=True)
    db_session.expire_all()
    assert call.criteria[0].weight == Decimal("2.00")
