"""Money helpers. Amounts are ``Decimal`` with two places, never floats."""

from __future__ import annotations

import csv
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from babel import Locale
from babel.numbers import format_decimal, parse_pattern
from flask_babel import get_locale
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


#: Symbols that name their currency on their own. A bare "$" is the local dollar to a reader
#: in Belize and the US dollar to a donor: every other currency is shown by its ISO code.
UNAMBIGUOUS_SYMBOLS = {"USD": "US$", "BZD": "BZ$", "EUR": "€", "GBP": "£", "CAD": "CA$",
                       "MXN": "MX$", "AUD": "A$", "NZD": "NZ$", "JPY": "JP¥"}

#: The number conventions a language is read with, where the language alone would pick
#: another region's: the programme's Spanish readers are in Latin America, where 5,000.00 is
#: written as in English (Spain writes 5.000,00).
NUMBER_LOCALES = {"es": "es_419"}


def number_locale() -> Locale:
    """The locale whose digit grouping the reader expects."""
    locale = get_locale()
    language = locale.language if locale is not None else "en"
    return _parsed_locale(NUMBER_LOCALES.get(language, str(locale) if locale is not None
                                             else "en"))


@cache
def _parsed_locale(identifier: str) -> Locale:
    # Babel parses a locale given by its name on every call: a page of hundreds of amounts
    # spent most of its formatting time there.
    return Locale.parse(identifier)


@cache
def _pattern(places: int):
    return parse_pattern("#,##0." + "0" * places if places else "#,##0")


@cache
def _symbols(locale: Locale) -> dict[int, str]:
    """What Python's "," and "." and "-" become in ``locale`` (a ``str.translate`` table)."""
    symbols = locale.number_symbols.get(locale.default_numbering_system) or {}
    return str.maketrans({",": symbols.get("group", ","), ".": symbols.get("decimal", "."),
                          "-": symbols.get("minusSign", "-")})


def format_fixed(value: Decimal | float | int, places: int) -> str:
    """``value`` rounded half to even to ``places`` decimals and grouped in thousands, in the
    reader's number locale: exactly what Babel's ``format_decimal`` writes with the pattern
    ``#,##0.0…`` (tested against it), at a fraction of its cost, which pages of hundreds of
    amounts and scores felt. Values that are not finite are left to Babel."""
    return fixed_formatter()(value, places)


def fixed_formatter() -> Callable[[Decimal | float | int, int], str]:
    """:func:`format_fixed` with the reader's locale looked up once: a page writing
    thousands of numbers asks for it once rather than for each."""
    locale = number_locale()
    table = _symbols(locale)

    def fixed(value: Decimal | float | int, places: int) -> str:
        number = value if value.__class__ is Decimal else Decimal(str(value))
        if not number.is_finite():
            return format_decimal(number, format=_pattern(places), locale=locale)
        return format(number, f",.{places}f").translate(table)
    return fixed


def format_money(amount: Decimal | None, currency: str) -> str:
    """``amount`` with an unambiguous currency: "US$5,000.00", "BZ$1,250.50" or, for a
    currency without such a symbol, its code ("GTQ 300.00"); grouped as the reader writes
    numbers."""
    if amount is None:
        return ""
    number = format_fixed(abs(amount), 2)
    symbol = UNAMBIGUOUS_SYMBOLS.get(currency)
    text = f"{symbol}{number}" if symbol else f"{currency}\u00a0{number}"
    return f"-{text}" if amount < 0 else text


@cache
def currency_codes() -> frozenset[str]:
    """Active ISO 4217 codes from the 360Giving code list shipped in core/data."""
    path = Path(__file__).parent / "data" / "currency.csv"
    with path.open(encoding="utf-8") as handle:
        return frozenset(row["Code"] for row in csv.DictReader(handle) if not row["Deprecated"])
