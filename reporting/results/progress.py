"""Results against targets: pure arithmetic over plain values, no database.

For a reporting period [start, end] (days, inclusive) and each indicator:

- **Target.** Of the indicator's targets whose period overlaps the reporting period, the
  one ending last (yearly targets: the last year reached; one target for the whole
  programme: that one). No overlapping target: no target, and no percentage.
- **Measurement window.** From the target's first day to the earlier of its last day and
  the reporting period's last day: the actual is cumulative from the start of the target's
  period, up to the end of the reporting period. Without a target, the reporting period.
- **Actual.** Computed indicators: the measure over the window (``measures.py``). Manual
  indicators: of the values entered for periods lying wholly inside the window, their sum
  (``sums_actuals``) or the value of the latest period (a level or a score); none entered:
  no actual.
- **Percentage of target.** ``actual / target × 100``, rounded half up to one decimal;
  none when there is no target, no actual, or the target is zero. The baseline is shown
  beside it, not subtracted: targets are set on the same footing as the actuals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Span:
    """A period of days, both ends included, with a value (a target or an entered actual)."""

    starts_on: date
    ends_on: date
    value: Decimal


@dataclass(frozen=True)
class IndicatorFacts:
    id: int
    code: str
    title: str
    unit: str
    kind: str
    baseline: Decimal
    targets: tuple[Span, ...] = ()
    #: Manual indicators: the values entered.
    entries: tuple[Span, ...] = ()
    sums_actuals: bool = True
    result_code: str = ""
    result_title: str = ""
    level: str = ""


@dataclass
class ResultRow:
    indicator: IndicatorFacts
    baseline: Decimal
    target: Decimal | None
    actual: Decimal | None
    percent: Decimal | None
    #: The measurement window (see the module's docstring).
    window_start: date
    window_end: date
    target_starts_on: date | None = None
    target_ends_on: date | None = None
    #: dimension ("sex", "age", "sector") → {category: count}, as far as shown.
    breakdown: dict[str, dict[str, int]] = field(default_factory=dict)


def target_for(targets: Sequence[Span], start: date, end: date) -> Span | None:
    """The target of the reporting period: of those overlapping it, the one ending last
    (then the one starting last)."""
    overlapping = [t for t in targets if t.starts_on <= end and t.ends_on >= start]
    if not overlapping:
        return None
    return max(overlapping, key=lambda t: (t.ends_on, t.starts_on))


def window(indicator: IndicatorFacts, start: date, end: date) -> tuple[date, date]:
    """The days the actual is measured over: the target's start to the earlier of its end
    and the reporting period's end; the reporting period when there is no target."""
    target = target_for(indicator.targets, start, end)
    if target is None:
        return start, end
    return target.starts_on, min(target.ends_on, end)


def manual_actual(entries: Sequence[Span], start: date, end: date, *,
                  sums: bool = True) -> Decimal | None:
    """The entered values lying wholly inside [start, end]: their sum, or the latest's."""
    inside = [e for e in entries if e.starts_on >= start and e.ends_on <= end]
    if not inside:
        return None
    if sums:
        return sum((e.value for e in inside), Decimal(0))
    return max(inside, key=lambda e: (e.ends_on, e.starts_on)).value


def percent_of_target(target: Decimal | None, actual: Decimal | None) -> Decimal | None:
    """``actual / target × 100`` to one decimal, rounded half up; None without a target,
    an actual, or with a zero target."""
    if target is None or actual is None or target == 0:
        return None
    return (Decimal(actual) * HUNDRED / Decimal(target)).quantize(TENTH, rounding=ROUND_HALF_UP)


def against_targets(indicators: Sequence[IndicatorFacts], start: date, end: date,
                    computed: Mapping[int, Decimal | None],
                    breakdowns: Mapping[int, dict] | None = None) -> list[ResultRow]:
    """One row per indicator, in the order given. ``computed`` holds the actual of each
    computed indicator over its ``window``; manual ones are worked out from their entries."""
    rows = []
    for indicator in indicators:
        target = target_for(indicator.targets, start, end)
        first, last = window(indicator, start, end)
        if indicator.kind == "manual":
            actual = manual_actual(indicator.entries, first, last, sums=indicator.sums_actuals)
        else:
            actual = computed.get(indicator.id)
        rows.append(ResultRow(
            indicator=indicator, baseline=indicator.baseline,
            target=target.value if target else None, actual=actual,
            percent=percent_of_target(target.value if target else None, actual),
            window_start=first, window_end=last,
            target_starts_on=target.starts_on if target else None,
            target_ends_on=target.ends_on if target else None,
            breakdown=(breakdowns or {}).get(indicator.id, {})))
    return rows
