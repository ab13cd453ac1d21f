"""The arithmetic of results against targets (reporting/results/progress.py), pure."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from reporting.results.progress import (
    IndicatorFacts,
    Span,
    against_targets,
    manual_actual,
    percent_of_target,
    target_for,
    window,
)

Y2018 = Span(date(2018, 1, 1), date(2018, 12, 31), Decimal("80"))
Y2019 = Span(date(2019, 1, 1), date(2019, 12, 31), Decimal("200"))
WHOLE = Span(date(2018, 1, 1), date(2019, 12, 31), Decimal("200"))


def _facts(**fields):
    defaults = dict(id=1, code="1.1a", title="People trained", unit="people",
                    kind="computed", baseline=Decimal("0"))
    return IndicatorFacts(**{**defaults, **fields})


def test_the_target_is_the_overlapping_one_ending_last():
    assert target_for([Y2018, Y2019], date(2018, 1, 1), date(2019, 12, 31)) == Y2019
    assert target_for([Y2018, Y2019], date(2018, 3, 1), date(2018, 6, 30)) == Y2018
    assert target_for([Y2018, Y2019], date(2020, 1, 1), date(2020, 12, 31)) is None


def test_the_actual_is_cumulative_from_the_targets_start_to_the_periods_end():
    facts = _facts(targets=(WHOLE,))
    assert window(facts, date(2019, 1, 1), date(2019, 6, 30)) == (date(2018, 1, 1),
                                                                  date(2019, 6, 30))
    assert window(facts, date(2017, 1, 1), date(2026, 1, 1)) == (date(2018, 1, 1),
                                                                 date(2019, 12, 31))
    # Without a target: the reporting period itself.
    assert window(_facts(), date(2019, 1, 1), date(2019, 6, 30)) == (date(2019, 1, 1),
                                                                     date(2019, 6, 30))


def test_the_percentage_of_target():
    assert percent_of_target(Decimal("200"), Decimal("212")) == Decimal("106.0")
    assert percent_of_target(Decimal("60"), Decimal("55")) == Decimal("91.7")
    assert percent_of_target(Decimal("3"), Decimal("1")) == Decimal("33.3")
    assert percent_of_target(Decimal("8"), Decimal("0")) == Decimal("0.0")
    assert percent_of_target(None, Decimal("5")) is None
    assert percent_of_target(Decimal("0"), Decimal("5")) is None
    assert percent_of_target(Decimal("5"), None) is None


def test_manual_values_are_summed_or_the_latest_taken():
    entries = (Span(date(2018, 1, 1), date(2018, 12, 31), Decimal("42")),
               Span(date(2019, 1, 1), date(2019, 12, 31), Decimal("55")),
               Span(date(2019, 6, 1), date(2020, 5, 31), Decimal("99")))
    start, end = date(2018, 1, 1), date(2019, 12, 31)
    assert manual_actual(entries, start, end) == Decimal("97")
    assert manual_actual(entries, start, end, sums=False) == Decimal("55")
    assert manual_actual(entries, date(2021, 1, 1), date(2021, 12, 31)) is None


def test_a_row_per_indicator_in_order():
    computed = _facts(targets=(WHOLE,))
    manual = _facts(id=2, kind="manual", baseline=Decimal("35"), sums_actuals=False,
                    targets=(Span(date(2018, 1, 1), date(2019, 12, 31), Decimal("60")),),
                    entries=(Span(date(2019, 1, 1), date(2019, 12, 31), Decimal("55")),))
    untargeted = _facts(id=3)
    rows = against_targets([computed, manual, untargeted], date(2018, 1, 1),
                           date(2019, 12, 31), {1: Decimal("212"), 3: Decimal("4")},
                           {1: {"sex": {"female": 109}}})
    assert [(r.target, r.actual, r.percent) for r in rows] == [
        (Decimal("200"), Decimal("212"), Decimal("106.0")),
        (Decimal("60"), Decimal("55"), Decimal("91.7")),
        (None, Decimal("4"), None)]
    assert rows[0].breakdown == {"sex": {"female": 109}}
    assert rows[1].baseline == Decimal("35")
