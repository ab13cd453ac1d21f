"""Totals rows computed in Python as the rows stream past, with the same rules as Excel's
SUM, AVERAGE, COUNTA, MIN and MAX: numbers are aggregated, text and empty cells are not (a
count counts every non-empty cell). Money stays Decimal, so a total is exact to the cent and
equals the sum of the amounts shown above it."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from .columns import Column

CENT = Decimal("0.01")


class Tally:
    """The running aggregates of one totalled column."""

    __slots__ = ("count", "filled", "floats", "exact", "low", "high", "money")

    def __init__(self, column: Column):
        self.money = column.kind == "money"
        self.filled = 0     # non-empty cells, text included (COUNTA)
        self.count = 0      # numbers
        self.exact = Decimal(0)  # ints and Decimals, added exactly
        self.floats: list[float] = []
        self.low: Any = None
        self.high: Any = None

    def add(self, value: Any) -> None:
        if value is None:
            return
        self.filled += 1
        cls = value.__class__
        if cls is Decimal:
            if not value.is_finite():
                return  # written as an empty cell
            self.exact += value
        elif cls is int:
            self.exact += value
        elif cls is float:
            if not math.isfinite(value):
                return
            self.floats.append(value)
        else:  # text (a placeholder such as "n/a") and anything else: not a number
            return
        self.count += 1
        if self.low is None or value < self.low:
            self.low = value
        if self.high is None or value > self.high:
            self.high = value

    def result(self, function: str) -> Any:
        if function == "count":
            return self.filled
        if function == "min":
            return self._typed(self.low if self.low is not None else 0)
        if function == "max":
            return self._typed(self.high if self.high is not None else 0)
        total = self._sum()
        if function == "sum":
            return total
        if not self.count:  # Excel's AVERAGE of nothing is an error: leave the cell empty
            return None
        if self.money:
            return (self.exact / self.count).quantize(CENT)
        return float(total) / self.count

    def _sum(self) -> Any:
        if self.floats:
            return math.fsum([*self.floats, float(self.exact)])
        return self._typed(self.exact)

    def _typed(self, value: Any) -> Any:
        """Money as Decimal to the cent; a whole Decimal sum of integers as an int."""
        if self.money:
            return Decimal(value).quantize(CENT)
        if isinstance(value, Decimal) and value == value.to_integral_value():
            return int(value)
        return value
