"""The Results sheet of the donor workbook: the results framework's indicators against their
targets for the workbook's period (``reporting.results.queries.results_against_targets``,
the same figures as the results page and the dashboard)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from flask_babel import gettext as _

from core.spreadsheets import Column
from core.timeutil import programme_today
from reporting.indicators.queries import programme_span
from reporting.results.measures import breakdown_titles
from reporting.results.queries import results_against_targets
from reporting.results.states import IndicatorKind, ResultLevel
from reporting.workbook.queries import Scope
from reporting.workbook.sheet import SheetSpec


def results_sheet(scope: Scope, k: int | None = None) -> SheetSpec:
    """The logframe against its targets; with ``k`` (the anonymised workbook), the
    breakdowns of people have their small cells withheld."""
    columns = [
        Column(_("Level"), width=10), Column(_("Result"), width=40, wrap=True),
        Column(_("Code"), width=8), Column(_("Indicator"), width=40, wrap=True),
        Column(_("Unit"), width=12, wrap=True), Column(_("Measured"), width=22, wrap=True),
        Column(_("Baseline"), "decimal"), Column(_("Target"), "decimal"),
        Column(_("Target from"), "date"), Column(_("Target to"), "date"),
        Column(_("Actual"), "decimal"), Column(_("Percentage of target"), "percent"),
        Column(_("Actual counted from"), "date"), Column(_("Actual counted to"), "date"),
        Column(_("Breakdowns"), width=60, wrap=True),
    ]
    return SheetSpec(_("Results"), columns, _rows(scope, k))


def _breakdowns(row) -> str | None:
    dimension_titles, category_titles = breakdown_titles()
    parts = []
    for dimension, counts in row.breakdown.items():
        shown = ", ".join(f"{category_titles[dimension][key]} {n}"
                          for key, n in counts.items() if n)
        parts.append(f"{dimension_titles[dimension]}: {shown}")
    return "; ".join(parts) or None


def _rows(scope: Scope, k: int | None) -> Iterator[list]:
    first, last = programme_span(programme_today())
    for row in results_against_targets(scope.period.start or first, scope.period.end or last,
                                       k=k):
        facts = row.indicator
        yield [ResultLevel(facts.level).title, f"{facts.result_code} {facts.result_title}".strip(),
               facts.code or None, facts.title, facts.unit or None,
               IndicatorKind(facts.kind).title, row.baseline, row.target,
               row.target_starts_on, row.target_ends_on, row.actual,
               None if row.percent is None else row.percent / Decimal(100),
               row.window_start, row.window_end, _breakdowns(row)]
