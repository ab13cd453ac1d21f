"""The definitions of the award's money, as the pure data class computes them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grants.ledger.money import AMOUNTS, SUMS, Money, cents, total

D = Decimal


def test_every_amount_of_a_ledger_with_every_kind_of_entry():
    money = Money(awarded=D("5000.00"), deobligated=D("300.00"), requested=D("400.00"),
                  approved=D("600.00"), paid=D("2500.00"), reversed=D("500.00"))
    assert money.committed == D("4700.00")  # awarded − de-obligated
    assert money.disbursed == D("2000.00")  # paid − reversed
    assert money.open == D("1000.00")  # requested + approved
    assert money.drawn == D("3000.00")  # requested + approved + disbursed
    assert money.remaining == D("1700.00")  # 5000 − 300 − 400 − 600 − 2000
    assert money.undisbursed == D("2700.00")  # committed − disbursed


def test_an_award_without_entries_can_all_be_requested():
    money = Money(awarded=D("5000.00"))
    assert money.remaining == money.committed == money.undisbursed == D("5000.00")
    assert money.disbursed == money.drawn == 0


def test_positions_add_up_field_by_field():
    one = Money(D("100.00"), D("1.00"), D("2.00"), D("3.00"), D("4.00"), D("1.00"))
    two = Money(D("200.00"), D("0.00"), D("5.00"), D("0.00"), D("50.00"), D("0.00"))
    assert one + two == Money(D("300.00"), D("1.00"), D("7.00"), D("3.00"), D("54.00"),
                              D("1.00"))
    assert total([one, two]) == one + two and total([]) == Money()


def test_built_from_database_sums():
    money = Money.of({"awarded": D("5000"), "deobligated": None, "requested": 0,
                      "approved": D("12.5"), "paid": D("100.001"), "reversed": D("0")})
    assert money == Money(D("5000.00"), D("0.00"), D("0.00"), D("12.50"), D("100.00"),
                          D("0.00"))
    assert Money.of({"awarded": D("10.00")}).remaining == D("10.00")
    with pytest.raises(TypeError):
        cents(1.5)


def test_it_is_frozen():
    with pytest.raises(AttributeError):
        Money().paid = D("1.00")


def test_every_amount_has_a_label_and_a_definition():
    properties = {name for name in dir(Money) if isinstance(getattr(Money, name), property)}
    assert set(AMOUNTS) == set(SUMS) | (properties - {"open"})
    assert all(str(label) and str(definition) for label, definition in AMOUNTS.values())


cents_st = st.decimals(min_value=D("0.00"), max_value=D("1000000.00"), places=2,
                       allow_nan=False, allow_infinity=False)


@given(st.lists(cents_st, min_size=6, max_size=6))
def test_the_formulas_hold_for_any_sums(values):
    money = Money(*values)
    awarded, deobligated, requested, approved, paid, reversed_ = values
    assert money.remaining == awarded - deobligated - requested - approved - (paid - reversed_)
    assert money.remaining == money.committed - money.drawn
    assert money.undisbursed == money.remaining + money.open
