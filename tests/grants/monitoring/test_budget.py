"""Budget versus actual and the money position: pure arithmetic, no database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grants.ledger.money import Money
from grants.monitoring.budget import (
    BudgetRow,
    budget_vs_actual,
    is_flagged,
    spending,
    variance_percent,
)
from grants.monitoring.queries import CallMoney, FundMoney

D = Decimal


def test_rows_variance_and_percent():
    table = budget_vs_actual({"personnel": D("2000.00"), "activities": D("2500.00")},
                             {"personnel": D("1500.00"), "activities": D("2600.00")},
                             order=["personnel", "activities"])
    personnel, activities = table.rows
    assert personnel.category == "personnel"
    assert personnel.variance == D("-500.00")
    assert personnel.variance_percent == D("-25.0")
    assert personnel.is_flagged  # 25 % under budget
    assert activities.variance == D("100.00")
    assert activities.variance_percent == D("4.0")
    assert not activities.is_flagged
    assert table.total == BudgetRow("", D("4500.00"), D("4100.00"))
    assert table.total.variance == D("-400.00")
    assert table.total.variance_percent == D("-8.9")
    assert table.flagged == [personnel]


@pytest.mark.parametrize(("budgeted", "spent", "flagged"), [
    ("1000.00", "1100.00", False),  # exactly 10 % over: not flagged
    ("1000.00", "900.00", False),  # exactly 10 % under: not flagged
    ("1000.00", "1100.01", True),
    ("1000.00", "899.99", True),
    ("1000.00", "0.00", True),  # nothing spent yet: 100 % under
    ("0.00", "0.01", True),  # spending without a budget
    ("0.00", "0.00", False),
])
def test_the_ten_percent_flag(budgeted, spent, flagged):
    assert is_flagged(D(budgeted), D(spent)) is flagged
    row = BudgetRow("x", D(budgeted), D(spent))
    assert row.is_flagged is flagged


def test_spending_in_a_category_without_budget_is_flagged_without_percent():
    table = budget_vs_actual({"personnel": D("1000.00")},
                             {"personnel": D("1000.00"), "travel": D("120.50")})
    travel = next(row for row in table.rows if row.category == "travel")
    assert travel.budgeted == D("0.00") and travel.spent == D("120.50")
    assert travel.is_unbudgeted and travel.is_flagged
    assert travel.variance == D("120.50") and travel.variance_percent is None
    personnel = table.rows[0]
    assert not personnel.is_flagged and not personnel.is_unbudgeted
    assert table.total.spent == D("1120.50")


def test_order_puts_known_categories_first_then_the_rest_alphabetically():
    table = budget_vs_actual({"zeta": D("1"), "travel": D("1"), "personnel": D("1")},
                             {"alpha": D("1")}, order=["personnel", "travel"])
    assert [row.category for row in table.rows] == ["personnel", "travel", "alpha", "zeta"]


def test_an_empty_budget_and_no_spending():
    table = budget_vs_actual({}, {})
    assert table.rows == []
    assert table.total.budgeted == table.total.spent == D("0.00")
    assert table.total.variance_percent is None and not table.total.is_flagged


def test_percent_rounds_half_up_to_one_decimal():
    assert variance_percent(D("3.00"), D("3.50")) == D("16.7")
    assert variance_percent(D("8.00"), D("8.01")) == D("0.1")  # 0.125 → 0.1
    assert variance_percent(D("200.00"), D("200.10")) == D("0.1")  # 0.05 → 0.1 (half up)
    assert variance_percent(D("200.00"), D("199.90")) == D("-0.1")  # −0.05 → −0.1
    assert variance_percent(D("200.00"), D("200.35")) == D("0.2")  # 0.175
    assert variance_percent(D("0.00"), D("5.00")) is None


def test_floats_are_refused():
    with pytest.raises(TypeError):
        budget_vs_actual({"personnel": 1000.0}, {})
    with pytest.raises(TypeError):
        spending(Money(D("5000.00")), 10.0)


def test_spending_against_the_award_money():
    money = Money(awarded=D("5000.00"), deobligated=D("500.00"), paid=D("4100.00"),
                  reversed=D("100.00"))
    position = spending(money, D("3200.00"))
    assert position.money.committed == D("4500.00")
    assert position.money.undisbursed == D("500.00")
    assert position.unspent == D("800.00")
    assert position.to_spend == D("1300.00")
    assert spending(money, None).spent == 0


def _call(currency, awards, awarded, deobligated, paid):
    return CallMoney(0, "", currency, awards, Money(awarded, deobligated, paid=paid))


def test_fund_totals_never_add_currencies():
    fund = FundMoney(1, "Fund", [_call("USD", 2, D("10000.00"), D("500.00"), D("6000.00")),
                                 _call("BZD", 1, D("10000.00"), D("0.00"), D("2000.00")),
                                 _call("USD", 1, D("5000.00"), D("0.00"), D("2500.00"))])
    (bzd, bzd_awards, bzd_money), (usd, usd_awards, usd_money) = fund.totals
    assert (usd, usd_awards) == ("USD", 3)
    assert usd_money == Money(D("15000.00"), D("500.00"), paid=D("8500.00"))
    assert usd_money.committed == D("14500.00") and usd_money.undisbursed == D("6000.00")
    assert (bzd, bzd_awards, bzd_money.undisbursed) == ("BZD", 1, D("8000.00"))
    assert FundMoney(1, "Fund", []).totals == []


# Properties --------------------------------------------------------------------------------

amounts = st.decimals(min_value=D("0.00"), max_value=D("1000000.00"), places=2,
                      allow_nan=False, allow_infinity=False)
categories = st.sampled_from(["personnel", "activities", "materials", "travel", "other"])


@given(st.dictionaries(categories, amounts), st.dictionaries(categories, amounts))
def test_every_row_is_consistent_and_the_total_adds_up(budgeted, spent):
    table = budget_vs_actual(budgeted, spent, order=["personnel", "activities"])
    assert {row.category for row in table.rows} == set(budgeted) | set(spent)
    for row in table.rows:
        b, s = budgeted.get(row.category, D("0")), spent.get(row.category, D("0"))
        assert row.budgeted == b and row.spent == s
        assert row.variance == s - b
        assert row.is_flagged == ((abs(s - b) * 10 > b) if b else s > 0)
        if b:
            assert abs(row.variance_percent - (s - b) * 100 / b) <= D("0.05")
        else:
            assert row.variance_percent is None
    assert table.total.budgeted == sum(budgeted.values(), D("0"))
    assert table.total.spent == sum(spent.values(), D("0"))
    assert table.total.variance == sum((row.variance for row in table.rows), D("0"))


@given(st.lists(st.tuples(st.sampled_from(["USD", "BZD", "EUR"]), st.integers(0, 20),
                          amounts, amounts, amounts), max_size=12))
def test_committed_minus_disbursed_is_undisbursed_in_every_total(rows):
    calls = [_call(*row) for row in rows]
    totals = FundMoney(1, "Fund", calls).totals
    assert [currency for currency, _n, _m in totals] == sorted({c.currency for c in calls})
    for currency, awards, total in totals:
        same = [c.money for c in calls if c.currency == currency]
        assert total.committed == sum((m.committed for m in same), D("0"))
        assert total.disbursed == sum((m.disbursed for m in same), D("0"))
        assert total.undisbursed == total.committed - total.disbursed
        assert total.undisbursed == sum((m.undisbursed for m in same), D("0"))
        assert awards == sum(c.awards for c in calls if c.currency == currency)


@pytest.mark.parametrize(("budgeted", "spent", "due", "flagged"), [
    ("1000.00", "0.00", False, False),  # nothing reported yet: not off budget
    ("1000.00", "0.00", True, True),  # the final report is due: off budget
    ("1000.00", "850.00", False, False),
    ("1000.00", "850.00", True, True),
    ("1000.00", "1200.00", False, True),  # over budget: flagged whenever it is reported
    ("1000.00", "1200.00", True, True),
    ("0.00", "50.00", False, True),  # spending without a budget: always
    ("1000.00", "1050.00", True, False),
])
def test_under_spending_is_flagged_only_once_the_report_covering_the_budget_is_due(
        budgeted, spent, due, flagged):
    assert is_flagged(D(budgeted), D(spent), due) is flagged
    table = budget_vs_actual({"personnel": D(budgeted)}, {"personnel": D(spent)},
                             reporting_due=due)
    assert table.rows[0].is_flagged is flagged
    assert table.total.is_flagged is flagged
    assert (table.flagged == table.rows) is flagged
