"""Every change to the results framework. Operations check the rules, lock the row they
change, write the audit entry and flush; they never commit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.audit.operations import record
from core.errors import OperationError
from core.extensions import db
from core.locking import AlreadyDone, lock, lock_key
from core.money import currency_codes
from core.translations import apply_translations, clean_translations
from core.validation import MAX_AMOUNT, clean_amount, clean_date, clean_text
from reporting.results.measures import DIMENSIONS, MEASURES
from reporting.results.models import Indicator, IndicatorActual, IndicatorTarget, Result
from reporting.results.states import IndicatorKind, ResultLevel

CODE_MAX = 20
TITLE_MAX = 300
UNIT_MAX = 60
SOURCE_MAX = 2000
#: The largest value a Numeric(14, 2) column holds.
MAX_VALUE = Decimal("999999999999.99")

RESULT_FIELDS = ("code", "title", "translations")
INDICATOR_FIELDS = ("code", "title", "unit", "kind", "measure", "disaggregation",
                    "sums_actuals", "baseline", "translations")
RESULT_TEXTS = {"title": TITLE_MAX}
INDICATOR_TEXTS = {"title": TITLE_MAX, "unit": UNIT_MAX}
VALUE_MESSAGE = _l("Enter a number, for example 200 or 40000.00.")


def _value(value, field: str) -> Decimal:
    """A baseline, target or actual: zero or more, at most two decimals."""
    return clean_amount(value, field=field, allow_zero=True, maximum=min(MAX_VALUE, MAX_AMOUNT),
                        invalid=VALUE_MESSAGE)


def _fields(fields: dict, allowed: tuple[str, ...], what: str) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown {what} fields: {', '.join(sorted(unknown))}")


def _apply(obj, cleaned: dict) -> dict:
    """Set the cleaned values; returns the changes for the audit entry."""
    changes = {}
    for name, value in cleaned.items():
        if name == "translations":
            changes.update({f"translations.{language}": change for language, change
                            in apply_translations(obj, value).items()})
        elif getattr(obj, name) != value:
            old = getattr(obj, name)
            changes[name] = [str(old) if isinstance(old, Decimal) else old,
                             str(value) if isinstance(value, Decimal) else value]
            setattr(obj, name, value)
    return changes


# Outcomes and outputs ----------------------------------------------------------------------

def _clean_result(fields: dict) -> dict:
    _fields(fields, RESULT_FIELDS, "result")
    cleaned = {}
    if "code" in fields:
        cleaned["code"] = clean_text(fields["code"], field="code", max_length=CODE_MAX)
    if "title" in fields:
        cleaned["title"] = clean_text(fields["title"], field="title", max_length=TITLE_MAX,
                                      required=_l("Enter the result's title."))
    if "translations" in fields:
        cleaned["translations"] = clean_translations(fields["translations"], RESULT_TEXTS)
    return cleaned


def create_result(actor, *, level: ResultLevel, parent: Result | None = None,
                  **fields) -> Result:
    """An outcome (no parent), or an output under an outcome."""
    level = ResultLevel(level)
    if level == ResultLevel.output and (parent is None or parent.level != ResultLevel.outcome):
        raise OperationError(_l("An output belongs to an outcome."))
    if level == ResultLevel.outcome and parent is not None:
        raise OperationError(_l("An outcome belongs to no other result."))
    cleaned = _clean_result({"title": None, **fields})
    translations = cleaned.pop("translations", {})
    lock_key(f"results:{level.value}:{parent.id if parent else ''}:{cleaned['title']}")
    existing = db.session.scalar(select(Result).where(
        Result.level == level, Result.parent_id == (parent.id if parent else None),
        Result.title == cleaned["title"], Result.code == cleaned.get("code", "")))
    if existing is not None:
        raise AlreadyDone(_l("%(title)s is already in the results framework.",
                             title=existing.title), existing=existing)
    siblings = db.session.scalars(select(Result.position).where(
        Result.level == level, Result.parent_id == (parent.id if parent else None))).all()
    result = Result(level=level, parent=parent, position=max(siblings, default=0) + 1,
                    **cleaned)
    apply_translations(result, translations)
    db.session.add(result)
    db.session.flush()
    record(f"results.{level.value}.create", result, actor=actor,
           summary=f"{level.value.capitalize()} {result.code} {result.title} added",
           data={**cleaned, "parent_id": result.parent_id,
                 "translations": result.translations})
    return result


def update_result(result: Result, actor, **fields) -> dict:
    result = lock(result)
    changes = _apply(result, _clean_result(fields))
    if changes:
        db.session.flush()
        record(f"results.{result.level.value}.update", result, actor=actor,
               summary=f"{result.code} {result.title}: {', '.join(sorted(changes))} changed",
               data={"changes": changes})
    return changes


# Indicators --------------------------------------------------------------------------------

def _clean_indicator(fields: dict, indicator: Indicator | None = None) -> dict:
    _fields(fields, INDICATOR_FIELDS, "indicator")
    cleaned = {}
    if "code" in fields:
        cleaned["code"] = clean_text(fields["code"], field="code", max_length=CODE_MAX)
    if "title" in fields:
        cleaned["title"] = clean_text(fields["title"], field="title", max_length=TITLE_MAX,
                                      required=_l("Enter what the indicator measures."))
    if "unit" in fields:
        cleaned["unit"] = clean_text(fields["unit"], field="unit", max_length=UNIT_MAX)
    if "kind" in fields:
        if fields["kind"] not in IndicatorKind.__members__:
            raise OperationError(_l("Choose how the indicator is measured."), field="kind")
        cleaned["kind"] = IndicatorKind(fields["kind"])
    kind = cleaned.get("kind", indicator.kind if indicator else None)
    if "measure" in fields or "kind" in fields:
        measure = fields.get("measure", indicator.measure if indicator else None) or None
        if kind == IndicatorKind.computed:
            if measure not in MEASURES:
                raise OperationError(_l("Choose what the indicator counts."), field="measure")
        else:
            measure = None
        cleaned["measure"] = measure
    _clean_measured(fields, cleaned, indicator)
    if "sums_actuals" in fields:
        cleaned["sums_actuals"] = bool(fields["sums_actuals"])
    if "baseline" in fields:
        cleaned["baseline"] = _value(fields["baseline"] if fields["baseline"] not in (None, "")
                                     else "0", "baseline")
    if "translations" in fields:
        cleaned["translations"] = clean_translations(fields["translations"], INDICATOR_TEXTS)
    return cleaned


def _clean_measured(fields: dict, cleaned: dict, indicator: Indicator | None) -> None:
    """The breakdowns and, for an amount of money, the currency the unit must be."""
    measure = cleaned.get("measure", indicator.measure if indicator else None)
    if "disaggregation" in fields or "measure" in cleaned:
        wanted = list(fields.get("disaggregation",
                                 indicator.disaggregation if indicator else []) or [])
        if set(wanted) - set(DIMENSIONS):
            raise OperationError(_l("Choose the breakdowns from the list."),
                                 field="disaggregation")
        available = MEASURES[measure].dimensions if measure else ()
        # A breakdown the measure does not have is dropped, not refused: changing the
        # measure keeps the form valid.
        cleaned["disaggregation"] = [d for d in DIMENSIONS if d in wanted and d in available]
    if measure and MEASURES[measure].is_money:
        unit = cleaned.get("unit", indicator.unit if indicator else "").upper()
        if unit not in currency_codes():
            raise OperationError(_l("An amount of money takes a currency code as its unit, "
                                    "for example USD."), field="unit")
        cleaned["unit"] = unit


def create_indicator(result: Result, actor, **fields) -> Indicator:
    cleaned = _clean_indicator({"title": None, "kind": None, **fields})
    translations = cleaned.pop("translations", {})
    lock_key(f"result_indicators:{result.id}:{cleaned['title']}")
    existing = db.session.scalar(select(Indicator).where(
        Indicator.result_id == result.id, Indicator.title == cleaned["title"]))
    if existing is not None:
        raise AlreadyDone(_l("The indicator %(title)s is already there.",
                             title=existing.title), existing=existing)
    positions = db.session.scalars(select(Indicator.position)
                                   .where(Indicator.result_id == result.id)).all()
    indicator = Indicator(result=result, position=max(positions, default=0) + 1, **cleaned)
    apply_translations(indicator, translations)
    db.session.add(indicator)
    db.session.flush()
    record("results.indicator.create", indicator, actor=actor,
           summary=f"Indicator {indicator.code} {indicator.title} added",
           data={**{k: str(v) if isinstance(v, Decimal) else v for k, v in cleaned.items()},
                 "result_id": result.id, "translations": indicator.translations})
    return indicator


def update_indicator(indicator: Indicator, actor, **fields) -> dict:
    indicator = lock(indicator)
    changes = _apply(indicator, _clean_indicator(fields, indicator))
    if changes:
        db.session.flush()
        record("results.indicator.update", indicator, actor=actor,
               summary=f"Indicator {indicator.code} {indicator.title}: "
                       f"{', '.join(sorted(changes))} changed",
               data={"changes": changes})
    return changes


# Targets and actuals -----------------------------------------------------------------------

def _period(starts_on, ends_on) -> tuple[date, date]:
    starts_on = clean_date(starts_on, field="starts_on",
                           required=_l("Enter the first day of the period."))
    ends_on = clean_date(ends_on, field="ends_on",
                         required=_l("Enter the last day of the period."))
    if ends_on < starts_on:
        raise OperationError(_l("The period cannot end before it starts."), field="ends_on")
    return starts_on, ends_on


def _set_value(model, indicator: Indicator, actor, action: str, starts_on, ends_on, value,
               **extra):
    """Add the value for the period, or change the one already there (one per period)."""
    starts_on, ends_on = _period(starts_on, ends_on)
    value = _value(value, "value")
    indicator = lock(indicator)
    row = db.session.scalar(select(model).where(
        model.indicator_id == indicator.id, model.starts_on == starts_on,
        model.ends_on == ends_on))
    if row is not None and row.value == value and all(
            getattr(row, name) == extra_value for name, extra_value in extra.items()):
        return row, False
    old = None if row is None else str(row.value)
    if row is None:
        row = model(indicator=indicator, starts_on=starts_on, ends_on=ends_on, value=value,
                    **extra)
        db.session.add(row)
    else:
        row.value = value
        for name, extra_value in extra.items():
            setattr(row, name, extra_value)
    db.session.flush()
    record(action, indicator, actor=actor,
           summary=f"Indicator {indicator.code} {indicator.title}: {starts_on} to {ends_on} "
                   f"set to {value}",
           data={"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(),
                 "value": [old, str(value)], **extra})
    return row, True


def set_target(indicator: Indicator, actor, *, starts_on, ends_on, value):
    """The indicator's target for the period; returns (target, whether anything changed)."""
    return _set_value(IndicatorTarget, indicator, actor, "results.target.set", starts_on,
                      ends_on, value)


def set_actual(indicator: Indicator, actor, *, starts_on, ends_on, value, source=""):
    """A value measured by staff for a manual indicator; returns (actual, changed)."""
    if indicator.kind != IndicatorKind.manual:
        raise OperationError(_l("This indicator is computed from the records; its actual "
                                "values cannot be typed in."))
    source = clean_text(source, field="source", max_length=SOURCE_MAX, multiline=True)
    return _set_value(IndicatorActual, indicator, actor, "results.actual.set", starts_on,
                      ends_on, value, source=source)


ALREADY_REMOVED = _l("This value was already removed.")


def _remove(row, actor, action: str) -> None:
    # The same removal sent twice at once: the second waits for the first's lock, then finds
    # the row gone.
    model = type(row)
    row = db.session.execute(
        select(model).where(model.id == row.id).with_for_update()
        .execution_options(populate_existing=True)).scalar_one_or_none()
    if row is None:
        raise AlreadyDone(ALREADY_REMOVED)
    indicator = row.indicator
    record(action, indicator, actor=actor,
           summary=f"Indicator {indicator.code} {indicator.title}: {row.starts_on} to "
                   f"{row.ends_on} removed",
           data={"starts_on": row.starts_on.isoformat(), "ends_on": row.ends_on.isoformat(),
                 "value": str(row.value)})
    db.session.delete(row)
    db.session.flush()


def remove_target(target: IndicatorTarget, actor) -> None:
    _remove(target, actor, "results.target.remove")


def remove_actual(actual: IndicatorActual, actor) -> None:
    _remove(actual, actor, "results.actual.remove")
