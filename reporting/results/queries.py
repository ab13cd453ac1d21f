"""Reads of the results framework: the tree with everything loaded in a fixed number of
statements, and the results against targets for a period (``results_against_targets``, the
one function the dashboard, the donor workbook and other exports take them from)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core import contributions
from core.extensions import db
from core.translations import localized
from reporting import disclosure
from reporting.results import progress
from reporting.results.measures import MEASURES, Measurer
from reporting.results.models import Indicator, Result
from reporting.results.states import IndicatorKind, ResultLevel


def framework() -> list[Result]:
    """The outcomes in order, each with its outputs, and every level with its indicators,
    their targets and their entered actuals (five statements whatever the size)."""
    indicator_options = selectinload(Result.indicators).options(
        selectinload(Indicator.targets), selectinload(Indicator.actuals))
    return list(db.session.scalars(
        select(Result).where(Result.level == ResultLevel.outcome)
        .options(indicator_options,
                 selectinload(Result.outputs).options(indicator_options))
        .order_by(Result.position, Result.id)))


def outcome_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(select(Result.id, Result.code, Result.title)
                              .where(Result.level == ResultLevel.outcome)
                              .order_by(Result.position, Result.id))
    return [(row.id, f"{row.code} {row.title}".strip()) for row in rows]


def indicators_in_order(outcomes: list[Result]) -> list[tuple[Result, Indicator]]:
    """(level, indicator) pairs in the logframe's order: each outcome's indicators, then its
    outputs' indicators."""
    pairs = []
    for outcome in outcomes:
        pairs += [(outcome, indicator) for indicator in outcome.indicators]
        for output in outcome.outputs:
            pairs += [(output, indicator) for indicator in output.indicators]
    return pairs


def facts_of(result: Result, indicator: Indicator, language: str | None = None
             ) -> progress.IndicatorFacts:
    """The plain values of an indicator, its texts in ``language`` (the reader's when None)."""
    def text(obj, name):
        return localized(obj, name, language).text

    return progress.IndicatorFacts(
        id=indicator.id, code=indicator.code, title=text(indicator, "title"),
        unit=text(indicator, "unit") or indicator.unit, kind=indicator.kind.value,
        baseline=indicator.baseline,
        targets=tuple(progress.Span(t.starts_on, t.ends_on, t.value) for t in indicator.targets),
        entries=tuple(progress.Span(a.starts_on, a.ends_on, a.value) for a in indicator.actuals),
        sums_actuals=indicator.sums_actuals, result_code=result.code,
        result_title=text(result, "title"), level=result.level.value)


@contributions.provide("results.against_targets")
def results_against_targets(start: date, end: date, *, language: str | None = None,
                            k: int | None = None) -> list[progress.ResultRow]:
    """Per indicator of the logframe, in its order: baseline, target, actual and percentage
    of target for the period [start, end] (``progress.py`` has the rules), with the
    breakdowns each computed indicator shows. Texts in ``language`` (the reader's when
    None). With ``k``, the breakdowns of people have their small cells withheld
    (``reporting.disclosure``). Statements: the tree's five, plus the indicators' queries
    once per distinct measurement window."""
    pairs = indicators_in_order(framework())
    facts = [facts_of(result, indicator, language) for result, indicator in pairs]
    measurer = Measurer()
    computed, breakdowns = {}, {}
    for (_result, indicator), fact in zip(pairs, facts, strict=True):
        if indicator.kind != IndicatorKind.computed or not indicator.measure:
            continue
        first, last = progress.window(fact, start, end)
        computed[indicator.id], breakdowns[indicator.id] = measurer.measure(
            indicator.measure, first, last, unit=indicator.unit,
            dimensions=tuple(indicator.disaggregation or ()))
        if k is not None and MEASURES[indicator.measure].of_people:
            breakdowns[indicator.id] = {dimension: disclosure.breakdown(counts, k) for
                                        dimension, counts in breakdowns[indicator.id].items()}
    return progress.against_targets(facts, start, end, computed, breakdowns)
