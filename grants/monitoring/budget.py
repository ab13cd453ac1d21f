"""Budget versus actual, and the money position of awards: pure arithmetic on Decimals.

The queries (``grants.monitoring.queries``) sum the database into plain numbers; these
functions only compute, so they are tested without a database.

Budget versus actual, per budget category
    budgeted   the application's budget lines in the category
    spent      expenditure of the award's accepted report versions in the category
    variance   spent − budgeted (positive: over budget; negative: under budget)
    percent    variance ÷ budgeted × 100, to one decimal; none when nothing was budgeted
    flagged    |variance| > 10 % of budgeted, or spending in a category with no budget

Money position of an award
    committed    award amount − de-obligated amount
    disbursed    paid ledger entries, reversals (negative) included
    undisbursed  committed − disbursed (still to be paid to the grantee)
    unspent      disbursed − spent (paid but not yet accounted for by accepted reports)
    remaining    committed − spent
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

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
class FundsPosition:
    """An award's money: what is committed, paid, spent and left (see the module's text)."""

    amount: Decimal
    deobligated: Decimal
    disbursed: Decimal
    spent: Decimal

    @property
    def committed(self) -> Decimal:
        return self.amount - self.deobligated

    @property
    def undisbursed(self) -> Decimal:
        return self.committed - self.disbursed

    @property
    def unspent(self) -> Decimal:
        return self.disbursed - self.spent

    @property
    def remaining(self) -> Decimal:
        return self.committed - self.spent

    @property
    def is_fully_disbursed(self) -> bool:
        return self.undisbursed == 0


def funds_position(*, amount, deobligated, disbursed, spent) -> FundsPosition:
    return FundsPosition(amount=_amount(amount), deobligated=_amount(deobligated),
                         disbursed=_amount(disbursed), spent=_amount(spent))


@dataclass(frozen=True)
class Commitment:
    """Awards of one call (or a total), in one currency, for the finance dashboard."""

    currency: str
    awards: int
    amount: Decimal
    deobligated: Decimal
    disbursed: Decimal

    @property
    def committed(self) -> Decimal:
        return self.amount - self.deobligated

    @property
    def outstanding(self) -> Decimal:
        return self.committed - self.disbursed


def total_commitments(rows: Iterable[Commitment]) -> list[Commitment]:
    """One total per currency (amounts in different currencies are never added), sorted by
    currency code."""
    totals: dict[str, Commitment] = {}
    for row in rows:
        previous = totals.get(row.currency)
        if previous is None:
            totals[row.currency] = Commitment(row.currency, row.awards, row.amount,
                                              row.deobligated, row.disbursed)
        else:
            totals[row.currency] = Commitment(
                row.currency, previous.awards + row.awards, previous.amount + row.amount,
                previous.deobligated + row.deobligated, previous.disbursed + row.disbursed)
    return [totals[code] for code in sorted(totals)]
