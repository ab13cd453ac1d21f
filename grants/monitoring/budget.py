"""Budget versus actual, and the money position of awards: pure arithmetic on Decimals.

The queries (``grants.monitoring.queries``) sum the database into plain numbers; these
functions only compute, so they are tested without a database.

Budget versus actual, per budget category
    budgeted   the application's budget lines in the category
    spent      expenditure of the award's accepted report versions in the category
    variance   spent − budgeted (positive: over budget; negative: under budget)
    percent    variance ÷ budgeted × 100, to one decimal; none when nothing was budgeted
    flagged    spending in a category with no budget; or spent > budgeted + 10 % of budgeted
               (over budget) at any time; or spent < budgeted − 10 % of budgeted (under
               budget) once the report covering the budget's period is due: the award's
               final report, whose due day has passed or which is accepted. Before that,
               spending below the budget only means the grantee has not reported it yet.

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


def is_flagged(budgeted: Decimal, spent: Decimal, reporting_due: bool = True) -> bool:
    """Any spending where nothing was budgeted; else |spent − budgeted| > 10 % of budgeted
    (exactly 10 % is not flagged), an under-spend only when ``reporting_due`` (the report
    covering the budget's period is due or accepted): over-spending can only grow, while
    under-spending before then is spending not reported yet."""
    if budgeted == 0:
        return spent != 0
    if spent < budgeted and not reporting_due:
        return False
    return abs(spent - budgeted) > abs(budgeted) * FLAG_SHARE


@dataclass(frozen=True)
class BudgetRow:
    #: The budget category key ("" for the total row).
    category: str
    budgeted: Decimal
    spent: Decimal
    #: Whether the report covering the budget's period is due (see :func:`is_flagged`).
    reporting_due: bool = True

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
        return is_flagged(self.budgeted, self.spent, self.reporting_due)


@dataclass(frozen=True)
class BudgetVsActual:
    rows: list[BudgetRow]
    total: BudgetRow

    @property
    def flagged(self) -> list[BudgetRow]:
        return [row for row in self.rows if row.is_flagged]


def budget_vs_actual(budgeted: Mapping[str, Decimal], spent: Mapping[str, Decimal],
                     order: Sequence[str] = (), *, reporting_due: bool = True
                     ) -> BudgetVsActual:
    """One row per category that has a budget or spending. Categories listed in ``order``
    come first, in that order; the others follow alphabetically. ``reporting_due``: whether
    the report covering the budget's period is due (under-spending is flagged only then)."""
    categories = set(budgeted) | set(spent)
    rank = {key: index for index, key in enumerate(order)}
    ordered = sorted(categories, key=lambda key: (rank.get(key, len(rank)), key))
    rows = [BudgetRow(key, _amount(budgeted.get(key)), _amount(spent.get(key)),
                      reporting_due) for key in ordered]
    total = BudgetRow("", sum((row.budgeted for row in rows), ZERO),
                      sum((row.spent for row in rows), ZERO), reporting_due)
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
