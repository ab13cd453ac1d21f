"""Budget versus actual, and the money position of awards: pure arithmetic on Decimals.

The queries (``grants.monitoring.queries``) sum the database into plain numbers; these
functions only compute, so they are tested without a database.

Budget versus actual, per budget category
    budgeted   the application's budget lines in the category
    spent      expenditure of the award's accepted report versions in the category
    variance   spent − budgeted (positive: over budget; negative: under budget)
    percent    variance ÷ budgeted × 100, to one decimal; none when nothing was budgeted
    flagged    |variance| > 10 % of budgeted, or spending in a category with no budget

Spending against the award's money (``grants.ledger.money``'s definitions)
    unspent      disbursed − spent (disbursed but not yet reported as spent)
    to spend     committed − spent (remaining to spend)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from grants.ledger.money import Money

ZERO = Decimal("0.00")
#: A variance larger than this share of the budgeted amount is flagged.
FLAG_SHARE = Decimal("0.10")
_PERCENT_PLACES = Decimal("0.1")


def _amount(value) -> Decimal:
    if value is None:
        return ZERO
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    return Decimal(value)


def variance_percent(budgeted: Decimal, spent: Decimal) -> Decimal | None:
    """(spent − budgeted) ÷ budgeted × 100 to one decimal; None when nothing was budgeted."""
    if budgeted == 0:
        return None
    return ((spent - budgeted) * 100 / budgeted).quantize(_PERCENT_PLACES,
                                                          rounding=ROUND_HALF_UP)


def is_flagged(budgeted: Decimal, spent: Decimal) -> bool:
    """|spent − budgeted| > 10 % of budgeted (exactly 10 % is not flagged), or any spending
    where nothing was budgeted."""
    if budgeted == 0:
        return spent != 0
    return abs(spent - budgeted) > abs(budgeted) * FLAG_SHARE


@dataclass(frozen=True)
class BudgetRow:
    #: The budget category key ("" for the total row).
    category: str
    budgeted: Decimal
    spent: Decimal

    @property
    def variance(self) -> Decimal:
        return self.spent - self.budgeted

    @property
    def variance_percent(self) -> Decimal | None:
        return variance_percent(self.budgeted, self.spent)

    @property
    def is_unbudgeted(self) -> bool:
        return self.budgeted == 0 and self.spent != 0

    @property
    def is_flagged(self) -> bool:
        return is_flagged(self.budgeted, self.spent)


@dataclass(frozen=True)
class BudgetVsActual:
    rows: list[BudgetRow]
    total: BudgetRow

    @property
    def flagged(self) -> list[BudgetRow]:
        return [row for row in self.rows if row.is_flagged]


def budget_vs_actual(budgeted: Mapping[str, Decimal], spent: Mapping[str, Decimal],
                     order: Sequence[str] = ()) -> BudgetVsActual:
    """One row per category that has a budget or spending. Categories listed in ``order``
    come first, in that order; the others follow alphabetically."""
    categories = set(budgeted) | set(spent)
    rank = {key: index for index, key in enumerate(order)}
    ordered = sorted(categories, key=lambda key: (rank.get(key, len(rank)), key))
    rows = [BudgetRow(key, _amount(budgeted.get(key)), _amount(spent.get(key)))
            for key in ordered]
    total = BudgetRow("", sum((row.budgeted for row in rows), ZERO),
                      sum((row.spent for row in rows), ZERO))
    return BudgetVsActual(rows=rows, total=total)


@dataclass(frozen=True)
class Spending:
    """An award's money and what its accepted reports spent (see the module's text)."""

    money: Money
    spent: Decimal

    @property
    def unspent(self) -> Decimal:
        return self.money.disbursed - self.spent

    @property
    def to_spend(self) -> Decimal:
        return self.money.committed - self.spent


def spending(money: Money, spent) -> Spending:
    return Spending(money=money, spent=_amount(spent))
