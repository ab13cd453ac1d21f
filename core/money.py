"""Money helpers. Amounts are ``Decimal`` with two places, never floats."""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from flask_babel import format_currency
from sqlalchemy import Numeric

CENT = Decimal("0.01")

#: Column type for every money amount.
MoneyAmount = Numeric(12, 2, asdecimal=True)


class MoneyError(ValueError):
    pass


def to_money(value) -> Decimal:
    """Parse ``value`` into a two-place Decimal; floats are refused as inexact."""
    if isinstance(value, float):
        raise MoneyError("money must not be a float")
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError) as exc:
        raise MoneyError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise MoneyError(f"not an amount: {value!r}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def cents(value) -> Decimal:
    """A database sum (None, int, Decimal; never a float) as a two-place Decimal."""
    if isinstance(value, float):
        raise TypeError("money is never a float")
    return Decimal(value or 0).quantize(CENT)


def split_by_shares(total: Decimal, shares: list[Decimal]) -> list[Decimal]:
    """Split ``total`` by percentage shares; the last part takes the remainder so parts sum
    exactly to ``total``."""
    if not shares:
        raise MoneyError("at least one share is needed")
    total = to_money(total)
    parts = [(total * Decimal(share) / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)
             for share in shares[:-1]]
    parts.append(total - sum(parts, Decimal("0")))
    return parts


def format_money(amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return ""
    return format_currency(amount, currency)


@cache
def currency_codes() -> frozenset[str]:
    """Active ISO 4217 codes from the 360Giving code list shipped in core/data."""
    path = Path(__file__).parent / "data" / "currency.csv"
    with path.open(encoding="utf-8") as handle:
        return frozenset(row["Code"] for row in csv.DictReader(handle) if not row["Deprecated"])
