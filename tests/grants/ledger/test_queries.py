"""The SQL expressions of ``grants.ledger.money`` against a ledger built with factories: every
kind of entry in every state, a reversal and a de-obligation. Per award, per tranche and
grouped across awards, the database gives what the data class computes from the entries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from core.extensions import db
from grants.applications.models import Application
from grants.awards.models import Award, Disbursement
from grants.awards.states import DisbursementKind, DisbursementState
from grants.ledger import queries
from grants.ledger.money import AMOUNTS, Money, select_money, total
from grants.monitoring.queries import money_by_fund
from tests.grants.monitoring.conftest import make_grant, pay

D = Decimal
S = DisbursementState


@pytest.fixture
def ledgers(db_session, factories):
    """Two US$ awards and one BZ$ award. The first has an entry in every state, a reversal
    and a de-obligation."""
    one = make_grant(db_session, factories)
    first, second, third = one.tranches
    paid = pay(db_session, one.award, "2500.00", tranche=first)
    pay(db_session, one.award, "-500.00", tranche=first, kind=DisbursementKind.reversal,
        reverses=paid)
    pay(db_session, one.award, "300.00", tranche=first, state=S.approved)
    pay(db_session, one.award, "400.00", tranche=second, state=S.requested)
    pay(db_session, one.award, "700.00", tranche=second, state=S.rejected)
    pay(db_session, one.award, "900.00", tranche=second, state=S.cancelled)
    one.award.deobligated_amount = D("250.00")
    two = make_grant(db_session, factories, amount=D("3000.00"), call=one.application.call)
    pay(db_session, two.award, "1500.00", tranche=two.tranches[0])
    bzd = make_grant(db_session, factories, amount=D("8000.00"), currency="BZD")
    db_session.flush()
    return one, two, bzd


def _by_hand(award: Award) -> Money:
    """The definitions applied to the entries one by one, in Python."""
    entries = list(db.session.scalars(select(Disbursement)
                                      .where(Disbursement.award_id == award.id)))

    def summed(kind, state):
        return sum((e.amount for e in entries if e.kind == kind and e.state == state), D("0"))

    return Money(award.amount, award.deobligated_amount,
                 summed(DisbursementKind.payment, S.requested),
                 summed(DisbursementKind.payment, S.approved),
                 summed(DisbursementKind.payment, S.paid),
                 -summed(DisbursementKind.reversal, S.paid))


def test_one_award_with_every_kind_of_entry(ledgers):
    one, _two, _bzd = ledgers
    money = queries.money_of(one.award)
    assert money == Money(awarded=D("5000.00"), deobligated=D("250.00"), requested=D("400.00"),
                          approved=D("300.00"), paid=D("2500.00"), reversed=D("500.00"))
    assert money == _by_hand(one.award)
    assert (money.committed, money.disbursed, money.drawn, money.remaining,
            money.undisbursed) == (D("4750.00"), D("2000.00"), D("2700.00"), D("2050.00"),
                                   D("2750.00"))


def test_the_sql_computes_every_amount_as_the_data_class_does(ledgers):
    awards = [grant.award for grant in ledgers]
    rows = db.session.execute(select_money(Award.id.label("award_id"), grouped=False,
                                           where=[Award.id.in_([a.id for a in awards])]))
    seen = 0
    for row in rows:
        money = Money.of(row._mapping)
        assert money == _by_hand(db.session.get(Award, row.award_id))
        for name in AMOUNTS:
            assert D(row._mapping[name]).quantize(D("0.01")) == getattr(money, name), name
        seen += 1
    assert seen == 3


def test_an_award_without_entries_has_zero_sums(ledgers):
    _one, _two, bzd = ledgers
    assert queries.money_of(bzd.award) == Money(awarded=D("8000.00"))
    assert queries.money_by_award([]) == {}


def test_grouped_across_awards_is_the_sum_of_the_awards(ledgers):
    one, two, bzd = ledgers
    ids = [grant.award.id for grant in ledgers]
    rows = {row.currency: row for row in db.session.execute(
        select_money(Award.currency.label("currency"), where=[Award.id.in_(ids)]))}
    assert set(rows) == {"USD", "BZD"}
    usd = Money.of(rows["USD"]._mapping)
    assert usd == queries.money_of(one.award) + queries.money_of(two.award)
    for name in AMOUNTS:
        assert D(rows["USD"]._mapping[name]).quantize(D("0.01")) == getattr(usd, name), name
    assert Money.of(rows["BZD"]._mapping) == queries.money_of(bzd.award)


def test_by_fund_and_call(ledgers):
    one, two, _bzd = ledgers
    funds = {fund.fund_id: fund for fund in money_by_fund()}
    [call] = [row for row in funds[one.application.call.fund_id].calls
              if row.call_id == one.application.call_id]
    assert call.awards == 2 and call.currency == "USD"
    assert call.money == total([queries.money_of(one.award), queries.money_of(two.award)])
    by_call = db.session.execute(
        select_money(Application.call_id.label("call_id"))
        .join(Application, Award.application_id == Application.id)
        .where(Application.call_id == one.application.call_id)).one()
    assert Money.of(by_call._mapping) == call.money


def test_per_tranche(ledgers):
    one, _two, _bzd = ledgers
    first, second, third = one.tranches
    money = queries.money_by_tranche(one.tranches)
    assert money[first.id] == Money(awarded=first.planned_amount, approved=D("300.00"),
                                    paid=D("2500.00"), reversed=D("500.00"))
    assert money[first.id].remaining == D("200.00")
    assert money[second.id] == Money(awarded=second.planned_amount, requested=D("400.00"))
    assert money[third.id] == Money(awarded=third.planned_amount)


def test_the_running_ledger_ends_where_the_sums_do(ledgers):
    one, _two, _bzd = ledgers
    book = queries.ledger(one.award)
    assert book.balances and book.money == queries.money_of(one.award)
    last = book.rows[-1]
    assert (last.drawn, last.paid, last.reversed) == (book.money.drawn, book.money.paid,
                                                       book.money.reversed)
