"""What a fund, a call and a rubric criterion may hold: the limits, and the checks that turn
submitted values into clean ones (raising ``OperationError`` next to the field at fault).

The forms check the same rules with friendlier wording; these keep other callers (imports,
the demo loader, the command line) honest.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from accounts.organisations.models import Organisation
from core.database import MAX_ID
from core.errors import OperationError
from core.extensions import db
from core.money import currency_codes
from core.timeutil import to_programme_time
from core.translations import other_languages
from core.validation import (
    CONTROL_CHARACTERS_MESSAGE,
    MAX_AMOUNT,
    clean_amount,
    clean_date,
    clean_text,
    has_control_characters,
)
from grants.calls.models import Call, Fund

MAX_WEIGHT = Decimal("9999.99")
MAX_SCORE = 100
MAX_AWARDS = 1000
MAX_LIST_ITEMS = 50
#: Column limits of the texts a call holds.
TEXT_LIMITS = {"title": 200, "summary": 2000, "body_markdown": 50000,
               "thematic_areas": 120, "eligibility_statements": 1000,
               "required_documents": 200}
_REFERENCE_PREFIX = re.compile(r"^[A-Z0-9]{2,10}$")

CALL_FIELDS = ("fund_id", "title", "summary", "body_markdown", "award_amount", "max_awards",
               "opens_at", "closes_at", "screening_by", "review_by", "decisions_by",
               "is_counterpart_required",
               "is_one_application_per_organisation", "reference_prefix")
LIST_FIELDS = ("thematic_areas", "eligibility_statements", "required_documents")


# Values ------------------------------------------------------------------------------------

#: The texts typed in a text area, where line breaks belong.
_MULTILINE_FIELDS = frozenset({"summary", "body_markdown", "guidance"})


def _text(value, field: str, *, required: bool = False, message=None,
          field_name: str | None = None) -> str:
    if required and message is None:
        message = _l("This field is required.")
    return clean_text(value, field=field_name or field,
                      max_length=TEXT_LIMITS.get(field, 200),
                      required=message if required else None,
                      multiline=field in _MULTILINE_FIELDS)


def _amount(value, field: str) -> Decimal:
    """A positive amount with at most two decimals."""
    return clean_amount(value, field=field, maximum=MAX_AMOUNT, invalid=_l(
        "Enter the amount in figures, for example 5000.00."))


def _whole_number(value, field: str, minimum: int, maximum: int, message) -> int:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise OperationError(message, field=field)
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        raise OperationError(message, field=field) from None
    if not number.is_finite() or number != number.to_integral_value() or not (
            minimum <= number <= maximum):
        raise OperationError(message, field=field)
    return int(number)


def _time(value, field: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise TypeError(f"{field} must be an aware datetime")
    return value


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def _organisation_id(value, field: str) -> int | None:
    if value in (None, ""):
        return None
    if not _is_id(value) or db.session.get(Organisation, value) is None:
        raise OperationError(_l("Choose an organisation from the list."), field=field)
    return value


def _items(values, field: str) -> list[str]:
    """The lines of an editable list: stripped, blanks dropped, no duplicates."""
    items = [str(v).strip() for v in (values or []) if str(v).strip()]
    if len(items) > MAX_LIST_ITEMS:
        raise OperationError(_l("Use at most %(count)s lines.", count=MAX_LIST_ITEMS),
                             field=field)
    limit = TEXT_LIMITS[field]
    seen = set()
    for item in items:
        if len(item) > limit:
            raise OperationError(_l("Each line can have at most %(count)s characters: "
                                    "shorten “%(item)s”.", count=limit, item=item[:40]),
                                 field=field)
        if has_control_characters(item):
            raise OperationError(CONTROL_CHARACTERS_MESSAGE, field=field)
        if item.casefold() in seen:
            raise OperationError(_l("“%(item)s” is listed twice.", item=item[:80]),
                                 field=field)
        seen.add(item.casefold())
    return items


# Funds, calls and criteria ------------------------------------------------------------------------

def clean_fund(fields: dict) -> dict:
    unknown = set(fields) - {"name", "donor_organisation_id", "managing_organisation_id",
                             "currency", "total_budget"}
    if unknown:
        raise TypeError(f"unknown fund fields: {', '.join(sorted(unknown))}")
    cleaned = {}
    if "name" in fields:
        cleaned["name"] = _text(fields["name"], "name", required=True,
                                message=_l("Enter the fund's name."))
    for name in ("donor_organisation_id", "managing_organisation_id"):
        if name in fields:
            cleaned[name] = _organisation_id(fields[name], name)
    if "currency" in fields:
        currency = (fields["currency"] or "").strip().upper()
        if currency not in currency_codes():
            raise OperationError(_l("Choose a currency from the list."), field="currency")
        cleaned["currency"] = currency
    if "total_budget" in fields:
        cleaned["total_budget"] = _amount(fields["total_budget"], "total_budget")
    return cleaned


def clean_call(fields: dict, call: Call | None = None) -> dict:
    """The call's fields checked and normalised; ``call`` is the call being changed (its
    opening and closing times are compared with the new ones)."""
    unknown = set(fields) - set(CALL_FIELDS) - set(LIST_FIELDS) - {"translations"}
    if unknown:
        raise TypeError(f"unknown call fields: {', '.join(sorted(unknown))}")
    cleaned = {}
    if "fund_id" in fields:
        cleaned["fund_id"] = _fund_id(fields["fund_id"])
    if "title" in fields:
        cleaned["title"] = _text(fields["title"], "title", required=True,
                                 message=_l("Enter the call's title."))
    for name in ("summary", "body_markdown"):
        if name in fields:
            cleaned[name] = _text(fields[name], name)
    if "award_amount" in fields:
        cleaned["award_amount"] = _amount(fields["award_amount"], "award_amount")
    if "max_awards" in fields:
        cleaned["max_awards"] = _whole_number(
            fields["max_awards"], "max_awards", 1, MAX_AWARDS,
            _l("Enter a whole number from 1 to %(count)s.", count=MAX_AWARDS))
    cleaned.update(_times(fields, call))
    cleaned.update(_timeline(fields, call, cleaned.get("closes_at")))
    for name in ("is_counterpart_required", "is_one_application_per_organisation"):
        if name in fields:
            cleaned[name] = bool(fields[name])
    if "reference_prefix" in fields:
        cleaned["reference_prefix"] = _reference_prefix(fields["reference_prefix"])
    for name in LIST_FIELDS:
        if name in fields:
            cleaned[name] = _items(fields[name], name)
    if "translations" in fields:
        cleaned["translations"] = clean_translations(fields["translations"])
    return cleaned


def clean_translations(value) -> dict[str, dict]:
    """``{language: {field: text, list name: [line per line of the main language]}}`` for
    the programme's other languages; a blank text or line is simply not translated yet."""
    if not isinstance(value, dict) or set(value) - set(other_languages()):
        raise TypeError("translations are keyed by the programme's other languages")
    cleaned = {}
    for language, texts in value.items():
        prefix = f"translations_{language}-"
        own = {name: _text(texts.get(name) or "", name, field_name=prefix + name)
               for name in Call.__translatable__}
        for name in LIST_FIELDS:
            own[name] = [_line(line, name, prefix + name) for line in texts.get(name) or []]
        cleaned[language] = own
    return cleaned


def _line(value, name: str, field: str) -> str:
    line = str(value or "").strip()
    limit = TEXT_LIMITS[name]
    if len(line) > limit:
        raise OperationError(_l("Each line can have at most %(count)s characters: "
                                "shorten “%(item)s”.", count=limit, item=line[:40]), field=field)
    if has_control_characters(line):
        raise OperationError(CONTROL_CHARACTERS_MESSAGE, field=field)
    return line


def _fund_id(fund_id) -> int:
    if not _is_id(fund_id) or db.session.get(Fund, fund_id) is None:
        raise OperationError(_l("Choose a fund from the list."), field="fund_id")
    return fund_id


def _times(fields: dict, call: Call | None) -> dict:
    """The opening and closing times given, checked against each other (or against the
    call's, when only one is given)."""
    times = {name: _time(fields[name], name) for name in ("opens_at", "closes_at")
             if name in fields}
    opens = times.get("opens_at", call.opens_at if call else None)
    closes = times.get("closes_at", call.closes_at if call else None)
    if opens is not None and closes is not None and closes <= opens:
        raise OperationError(_l("The closing time must be after the opening time."),
                             field="closes_at")
    return times


#: The timeline's days, in the order they must come after the closing day.
TIMELINE = ("screening_by", "review_by", "decisions_by")


def _timeline(fields: dict, call: Call | None, closes_at: datetime | None) -> dict:
    """The planned days after closing: each on or after the closing day and the one before
    it (the call's own values stand in for those not given)."""
    days = {name: clean_date(fields[name], field=name) for name in TIMELINE if name in fields}
    closes = closes_at or (call.closes_at if call else None)
    previous = to_programme_time(closes).date() if closes is not None else None
    for name in TIMELINE:
        day = days.get(name, getattr(call, name) if call else None)
        if day is None:
            continue
        if previous is not None and day < previous:
            raise OperationError(_l("Choose a day on or after the call closes and the step "
                                    "before."), field=name)
        previous = day
    return days


def _reference_prefix(value) -> str:
    prefix = (value or "").strip().upper()
    if not _REFERENCE_PREFIX.match(prefix):
        raise OperationError(_l("Use 2 to 10 capital letters or digits, without spaces."),
                             field="reference_prefix")
    return prefix


def check_still_publishable(call: Call, cleaned: dict, lists: dict) -> None:
    for field in ("opens_at", "closes_at"):
        if field in cleaned and cleaned[field] is None:
            raise OperationError(_l("A published call needs its opening and closing times."),
                                 field=field)
    if "summary" in cleaned and not cleaned["summary"]:
        raise OperationError(_l("A published call needs a summary."), field="summary")
    if "thematic_areas" in lists and not lists["thematic_areas"]:
        raise OperationError(_l("A published call needs at least one thematic area."),
                             field="thematic_areas")


def criterion_translations(row: dict) -> dict[str, dict]:
    """A rubric row's name and guidance in the programme's other languages."""
    value = row.get("translations") or {}
    if not isinstance(value, dict) or set(value) - set(other_languages()):
        raise TypeError("translations are keyed by the programme's other languages")
    index = row.get("index", 0)
    return {language: {
        "name": clean_text(texts.get("name"), max_length=200,
                           field=f"criteria-{index}-translations_{language}-name"),
        "guidance": clean_text(texts.get("guidance"), max_length=4000, multiline=True,
                               field=f"criteria-{index}-translations_{language}-guidance")}
        for language, texts in value.items()}


def criterion_values(row: dict) -> dict:
    index = row.get("index", 0)
    name = clean_text(row.get("name"), field=f"criteria-{index}-name", max_length=200)
    guidance = clean_text(row.get("guidance"), field=f"criteria-{index}-guidance",
                          max_length=4000, multiline=True)
    weight = row.get("weight")
    if isinstance(weight, float | bool) or weight is None:
        raise OperationError(_l("Enter the weight."), field=f"criteria-{index}-weight")
    try:
        weight = Decimal(str(weight))
    except ArithmeticError:
        raise OperationError(_l("Enter the weight as a number, for example 1 or 1.5."),
                             field=f"criteria-{index}-weight") from None
    if not weight.is_finite() or weight.as_tuple().exponent < -2:
        raise OperationError(_l("Use at most two decimal places."),
                             field=f"criteria-{index}-weight")
    if weight <= 0:
        raise OperationError(_l("The weight must be more than zero."),
                             field=f"criteria-{index}-weight")
    if weight > MAX_WEIGHT:
        raise OperationError(_l("The weight is too large."), field=f"criteria-{index}-weight")
    max_score = _whole_number(
        row.get("max_score"), f"criteria-{index}-max_score", 1, MAX_SCORE,
        _l("The maximum score must be a whole number from 1 to %(count)s.", count=MAX_SCORE))
    return {"name": name, "guidance": guidance, "weight": weight.quantize(Decimal("0.01")),
            "max_score": max_score, "is_na_allowed": bool(row.get("is_na_allowed"))}
