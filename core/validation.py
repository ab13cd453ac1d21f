"""Checks shared by every operation and form: clean text, amounts of money and typed dates.

Pure functions. Each raises ``OperationError`` naming the field it belongs to, so forms and
operations show the same message next to the same field.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from core.errors import OperationError
from core.money import CENT

#: Typed dates outside these years are refused as typos. 1950 leaves room for the history
#: recorded with coalitions (when a coalition formed, when a member joined) and for report
#: periods reaching back before the programme; 2100 is far beyond any grant, and within it
#: adding or subtracting days and time zone arithmetic never leave the calendar.
EARLIEST_YEAR = 1950
LATEST_YEAR = 2100

#: The largest amount a Numeric(12, 2) column holds.
MAX_AMOUNT = Decimal("9999999999.99")

# Control characters cannot be stored by PostgreSQL (NUL) or shown; carriage returns, line
# feeds and tabs belong to multi-line texts only.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAKS = re.compile(r"[\r\n\t]")

CONTROL_CHARACTERS_MESSAGE = _l("Remove the invisible control characters from this text.")
AMOUNT_IN_FIGURES_MESSAGE = _l("Enter the amount in figures, for example 2500.00.")


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    """Whether ``text`` holds control characters (line breaks and tabs count unless the
    text may have several lines)."""
    return bool(_CONTROL_CHARACTERS.search(text)
                or (not multiline and _LINE_BREAKS.search(text)))


def clean_text(value, *, field: str, max_length: int, required=None,
               multiline: bool = False) -> str:
    """``value`` stripped, as text of at most ``max_length`` characters.

    ``required`` is the message shown when the text is blank (``None``: blank is allowed).
    """
    text = "" if value is None else str(value).strip()
    if required is not None and not text:
        raise OperationError(required, field=field)
    if len(text) > max_length:
        raise OperationError(_l("Use at most %(count)s characters.", count=max_length),
                             field=field)
    if has_control_characters(text, multiline=multiline):
        raise OperationError(CONTROL_CHARACTERS_MESSAGE, field=field)
    return text


def clean_amount(value, *, field: str = "amount", maximum: Decimal = MAX_AMOUNT,
                 allow_zero: bool = False,
                 invalid=AMOUNT_IN_FIGURES_MESSAGE) -> Decimal:
    """An amount of money with at most two decimals, as a two-place Decimal.

    Floats are refused as inexact; the amount must be more than zero unless ``allow_zero``.
    ``invalid`` is the message for text that is not a number.
    """
    if value is None or value == "":
        raise OperationError(_l("Enter the amount."), field=field)
    if isinstance(value, float | bool):
        raise OperationError(invalid, field=field)
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise OperationError(invalid, field=field) from None
    if not amount.is_finite():
        raise OperationError(invalid, field=field)
    if amount < 0:
        raise OperationError(_l("The amount cannot be negative."), field=field)
    if amount == 0 and not allow_zero:
        raise OperationError(_l("Enter an amount of more than zero."), field=field)
    if amount.as_tuple().exponent < -2:
        raise OperationError(_l("Use at most two decimal places (cents)."), field=field)
    if amount > maximum:
        raise OperationError(_l("This amount is too large."), field=field)
    return amount.quantize(CENT)


def is_plausible_year(year: int) -> bool:
    return EARLIEST_YEAR <= year <= LATEST_YEAR


def year_range_message():
    return _l("Enter a year between %(first)s and %(last)s.",
              first=EARLIEST_YEAR, last=LATEST_YEAR)


def clean_date(value, *, field: str, required=None) -> date | None:
    """A date (or datetime) within the programme's years; ``None`` when blank and
    ``required`` (the message for a blank date) is ``None``."""
    if value is None:
        if required is not None:
            raise OperationError(required, field=field)
        return None
    if not isinstance(value, date):
        raise OperationError(_l("Enter a date, for example 2026-03-31."), field=field)
    if not is_plausible_year(value.year):
        raise OperationError(year_range_message(), field=field)
    return value
