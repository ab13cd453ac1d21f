"""The results framework in the IATI file: one ``result`` per outcome and output of the
logframe on the programme's activity, each indicator with its baseline and, for the period
of its target, the target and the actual counted from the records (IATI 2.03: result type 1
output, 2 outcome; indicator measure 1, a unit; values as decimals, without grouping).

Registered with ``reporting.iati.results`` when the package loads; projects' activities get
none (the logframe is the programme's)."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from core.timeutil import programme_today
from core.translations import main_language
from reporting.iati import results as iati_results
from reporting.indicators.queries import programme_span
from reporting.results.queries import results_against_targets

#: IATI ResultType codes by logframe level.
RESULT_TYPES = {"output": "1", "outcome": "2"}


def _value(number: Decimal) -> str:
    return format(number.normalize(), "f")


def _title(parent, tag: str, text: str) -> None:
    element = etree.SubElement(parent, tag)
    etree.SubElement(element, "narrative").text = text


@iati_results.provide
def programme_results(activity: iati_results.Activity) -> list:
    if activity.award_id is not None:
        return []
    # The whole programme: each indicator reports the period of its latest target.
    first, last = programme_span(programme_today())
    rows = results_against_targets(first, last, language=main_language())
    elements: dict[str, etree._Element] = {}
    for row in rows:
        facts = row.indicator
        key = facts.result_code or facts.result_title
        result = elements.get(key)
        if result is None:
            result = etree.Element("result", type=RESULT_TYPES.get(facts.level, "1"),
                                   attrib={"aggregation-status": "0"})
            _title(result, "title", facts.result_title or facts.result_code)
            elements[key] = result
        indicator = etree.SubElement(result, "indicator", measure="1", ascending="1")
        _title(indicator, "title", facts.title)
        etree.SubElement(indicator, "baseline", year=str(row.window_start.year),
                         value=_value(row.baseline))
        period = etree.SubElement(indicator, "period")
        etree.SubElement(period, "period-start",
                         attrib={"iso-date": row.window_start.isoformat()})
        etree.SubElement(period, "period-end", attrib={"iso-date": row.window_end.isoformat()})
        if row.target is not None:
            etree.SubElement(period, "target", value=_value(row.target))
        if row.actual is not None:
            etree.SubElement(period, "actual", value=_value(row.actual))
    return list(elements.values())
