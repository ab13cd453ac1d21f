"""The grant agreement is issued for the amount decided, not the call's award amount: in a
US$5,000 call an application requesting US$3,000 gets a US$3,000 agreement, whose tranches,
ledger cap and money position all use that one number."""

from __future__ import annotations

from decimal import Decimal

import pytest

from grants.ledger import queries as ledger_queries
from grants.reviews.models import Decision
from tests.grants.awards.conftest import create, make_awarded


def _awarded(db_session, factories, staff, *, amount=None, reason=""):
    application = make_awarded(db_session, factories, decided_by=staff,
                               requested_amount=Decimal("3000.00"),
                               budget=[Decimal("3000.00")])
    decision = db_session.query(Decision).filter_by(application_id=application.id).one()
    decision.amount, decision.amount_reason = amount, reason
    db_session.flush()
    return application


@pytest.mark.parametrize("decided", [None, Decimal("3000.00")])
def test_the_agreement_is_for_the_requested_amount(db_session, factories, staff, decided):
    application = _awarded(db_session, factories, staff, amount=decided)
    assert application.call.award_amount == Decimal("5000.00")
    award = create(application, staff)
    assert award.amount == Decimal("3000.00")
    assert sum(t.planned_amount for t in award.tranches) == Decimal("3000.00")
    assert [t.planned_amount for t in award.tranches] == [
        Decimal("1500.00"), Decimal("1200.00"), Decimal("300.00")]
    totals = ledger_queries.money_of(award)
    assert totals.committed == Decimal("3000.00") and totals.remaining == Decimal("3000.00")


def test_the_agreement_is_for_another_amount_decided(db_session, factories, staff):
    application = _awarded(db_session, factories, staff, amount=Decimal("2500.00"),
                           reason="One district fewer.")
    award = create(application, staff)
    assert award.amount == Decimal("2500.00")
    assert sum(t.planned_amount for t in award.tranches) == Decimal("2500.00")


def test_the_pages_show_the_amount_decided(client, login_as, db_session, factories, staff):
    application = _awarded(db_session, factories, staff, amount=Decimal("2750.00"),
                           reason="One workshop fewer.")
    login_as(staff)
    listing = client.get("/staff/awards").get_data(as_text=True)
    assert "$2,750.00" in listing and "$5,000.00" not in listing
    page = client.get(f"/staff/applications/{application.id}/award")
    assert page.status_code == 200
    assert "$2,750.00" in page.get_data(as_text=True)
