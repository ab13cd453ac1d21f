"""The amount decided: by default what the application requested, or another amount within the
call's maximum with a reason; the pool counts the amounts decided, and the grant agreement is
issued for exactly that amount (see the scored panel in ``conftest``: a pool of 16,000)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.audit.models import AuditEntry
from core.errors import OperationError
from grants.applications.states import ApplicationState
from grants.ranking import operations, queries
from grants.reviews.models import Decision
from grants.reviews.states import Outcome


def _decide(scored, keys, actor, outcome=Outcome.award, **kwargs):
    kwargs.setdefault("rationale", "Ranked by the panel.")
    return operations.decide(scored.panel, [scored.apps[key] for key in keys], outcome, actor,
                             **kwargs)


def _decision(session, scored, key) -> Decision:
    return session.scalar(select(Decision).where(
        Decision.application_id == scored.apps[key].id))


# Operations --------------------------------------------------------------------------------

def test_an_award_decides_the_requested_amount_by_default(db_session, scored, staff):
    _decide(scored, ["D"], staff)  # D requests 3,000 of a 5,000 call
    decision = _decision(db_session, scored, "D")
    assert decision.amount == Decimal("3000.00")
    assert decision.amount_reason == ""
    ranking = queries.build_ranking(scored.panel, staff)
    assert ranking.awarded_total == Decimal("3000.00")
    assert ranking.pool_left == Decimal("13000.00")


def test_staff_may_decide_another_amount_with_a_reason(db_session, scored, staff):
    _decide(scored, ["D"], staff, amount=Decimal("2500.00"),
            amount_reason="The training budget line is covered by another donor.")
    decision = _decision(db_session, scored, "D")
    assert decision.amount == Decimal("2500.00")
    assert decision.amount_reason.startswith("The training budget line")
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "decision.award")
                              .order_by(AuditEntry.id.desc()))
    assert entry.data["amount"] == "2500.00" and entry.data["amount_reason"]
    assert queries.build_ranking(scored.panel, staff).awarded_total == Decimal("2500.00")


@pytest.mark.parametrize(("amount", "reason", "message"), [
    ("2500.00", "", "reason"),
    ("5000.01", "More than the call allows.", "at most"),
    ("0", "Nothing.", "more than zero"),
    ("-1", "Negative.", "more than zero"),
    ("12.345", "Too precise.", "two decimal"),
])
def test_a_decided_amount_is_checked(db_session, scored, staff, amount, reason, message):
    before = db_session.scalar(select(func.count()).select_from(Decision))
    with pytest.raises(OperationError) as raised:
        _decide(scored, ["D"], staff, amount=amount, amount_reason=reason)
    assert message in str(raised.value.message)
    assert db_session.scalar(select(func.count()).select_from(Decision)) == before
    assert scored.apps["D"].state == ApplicationState.in_review


def test_the_same_amount_as_requested_needs_no_reason(db_session, scored, staff):
    _decide(scored, ["D"], staff, amount="3000.00", amount_reason="")
    assert _decision(db_session, scored, "D").amount == Decimal("3000.00")


def test_a_bulk_award_takes_the_requested_amounts(db_session, scored, staff):
    with pytest.raises(OperationError) as raised:
        _decide(scored, ["D", "E"], staff, amount="1000.00", amount_reason="Halve them.")
    assert raised.value.field == "amount"
    _decide(scored, ["D", "E"], staff)
    assert _decision(db_session, scored, "D").amount == Decimal("3000.00")
    assert _decision(db_session, scored, "E").amount == Decimal("2000.00")


def test_other_outcomes_decide_no_amount(db_session, scored, staff):
    _decide(scored, ["D"], staff, outcome=Outcome.waitlist)
    assert _decision(db_session, scored, "D").amount is None
    with pytest.raises(OperationError):
        _decide(scored, ["E"], staff, outcome=Outcome.decline, amount="1000.00",
                amount_reason="Declined anyway.")


def test_the_pool_counts_the_amounts_decided(db_session, scored, staff):
    _decide(scored, ["A", "B", "C"], staff)  # 14,000 of 16,000
    # E requested 2,000 (it would fit) but 2,500 is decided: 16,500 is over the pool.
    with pytest.raises(OperationError) as raised:
        _decide(scored, ["E"], staff, amount="2500.00", amount_reason="A larger survey.")
    assert "16,500.00" in str(raised.value.message)
    # D requested 3,000 (17,000 would be over) but 2,000 is decided: exactly the pool.
    _decide(scored, ["D"], staff, amount="2000.00", amount_reason="Two districts, not three.")
    ranking = queries.build_ranking(scored.panel, staff)
    assert ranking.awarded_total == Decimal("16000.00") and ranking.pool_left == 0


def test_the_pool_of_another_call_counts_the_amounts_decided(db_session, factories, scored,
                                                            staff):
    before = queries.pool_for(scored.call).awarded_elsewhere
    _decide(scored, ["D"], staff, amount="1000.00", amount_reason="A pilot first.")
    from tests.fixtures.grants import GrantFactories
    other = GrantFactories(db_session, factories).call(fund=scored.fund, documents=[],
                                                       statements=[])
    assert queries.pool_for(other).awarded_elsewhere == before + Decimal("1000.00")


# The ranking page --------------------------------------------------------------------------

def _post(client, scored, keys, **extra):
    return client.post(f"/staff/panels/{scored.panel.id}/decisions", data={
        "application_ids": [str(scored.apps[key].id) for key in keys], "outcome": "award",
        "rationale": "Ranked by the panel.", **extra})


def test_the_ranking_page_awards_and_shows_the_requested_amount(client, login_as, scored):
    login_as("staff")
    assert _post(client, scored, ["D"]).status_code == 302
    page = client.get(f"/staff/panels/{scored.panel.id}/ranking").get_data(as_text=True)
    assert "1 of 4 awards, US$3,000.00; US$13,000.00 left in the pool" in page
    assert 'name="amount"' in page and 'name="amount_reason"' in page


def test_the_decision_form_sets_another_amount_with_its_reason(client, login_as, scored,
                                                              db_session):
    login_as("staff")
    response = _post(client, scored, ["D"], amount="2,750.00",
                     amount_reason="One workshop fewer.")
    assert response.status_code == 302
    decision = _decision(db_session, scored, "D")
    assert decision.amount == Decimal("2750.00")
    assert decision.amount_reason == "One workshop fewer."
    page = client.get(f"/staff/panels/{scored.panel.id}/ranking").get_data(as_text=True)
    assert "US$2,750.00" in page and "One workshop fewer." in page


@pytest.mark.parametrize(("extra", "message"), [
    ({"amount": "2500", "amount_reason": ""}, "reason"),
    ({"amount": "9000", "amount_reason": "More."}, "at most"),
    ({"amount": "lots", "amount_reason": "More."}, "digits only"),
])
def test_a_bad_amount_is_shown_next_to_the_field(client, login_as, scored, db_session, extra,
                                                 message):
    login_as("staff")
    response = _post(client, scored, ["D"], **extra)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _decision(db_session, scored, "D") is None


def test_a_bulk_decision_with_an_amount_is_refused_on_the_page(client, login_as, scored,
                                                               db_session):
    login_as("staff")
    response = _post(client, scored, ["D", "E"], amount="1000", amount_reason="Halve them.")
    assert response.status_code == 422
    assert "requested amounts" in response.get_data(as_text=True)
    assert _decision(db_session, scored, "D") is None
