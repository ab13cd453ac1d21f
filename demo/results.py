"""The reference programme's results framework: one outcome, three outputs, their
indicators with targets for 2018–2019, in English and Spanish, and one indicator measured by
hand with its entered values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from core.extensions import db
from reporting.results.models import Indicator, IndicatorActual, IndicatorTarget, Result
from reporting.results.states import IndicatorKind, ResultLevel

START, END = date(2018, 1, 1), date(2019, 12, 31)

OUTCOME = ("1", "Civil society and government co-create open government reforms",
           "La sociedad civil y el gobierno co-crean reformas de gobierno abierto")

#: code, title, Spanish title, indicators:
#: (code, title, Spanish title, unit, Spanish unit, measure or None, breakdowns, target)
OUTPUTS = [
    ("1.1", "CSOs trained", "Organizaciones de la sociedad civil capacitadas", [
        ("1.1a", "People trained in open government", "Personas capacitadas en gobierno abierto",
         "people", "personas", "people_trained", ["sex", "age", "sector"], 200),
        ("1.1b", "Women trained", "Mujeres capacitadas", "people", "personas",
         "women_trained", ["age"], 100),
        ("1.1c", "Organisations engaged", "Organizaciones involucradas", "organisations",
         "organizaciones", "organisations_engaged", ["sector"], 100),
    ]),
    ("1.2", "Partnership projects funded", "Proyectos en alianza financiados", [
        ("1.2a", "Projects funded", "Proyectos financiados", "projects", "proyectos",
         "projects_funded", [], 8),
        ("1.2b", "Amount disbursed to the projects", "Monto desembolsado a los proyectos",
         "USD", "USD", "amount_disbursed", [], Decimal("40000.00")),
    ]),
    ("1.3", "Coalitions formed", "Coaliciones conformadas", [
        ("1.3a", "Coalitions active", "Coaliciones activas", "coalitions", "coaliciones",
         "coalitions_active", [], 3),
    ]),
]

#: Measured by hand: the outcome's own indicator, a level (the latest value counts).
MANUAL = ("1a", "Information requests answered within the legal deadline",
          "Solicitudes de información respondidas dentro del plazo legal", "%", "%",
          Decimal("35"), Decimal("60"),
          [(date(2018, 1, 1), date(2018, 12, 31), Decimal("42"),
            "Information commissioner's annual report 2018",
            ), (date(2019, 1, 1), date(2019, 12, 31), Decimal("55"),
                "Information commissioner's annual report 2019")])


def _result(level, code, title, title_es, parent=None, position=1) -> Result:
    result = Result(level=level, code=code, title=title, parent=parent, position=position)
    result.set_translation("es", {"title": title_es})
    db.session.add(result)
    return result


def _indicator(result, position, code, title, title_es, unit, unit_es, *, kind, measure=None,
               disaggregation=(), target, baseline=Decimal("0"), sums_actuals=True):
    indicator = Indicator(result=result, position=position, code=code, title=title, unit=unit,
                          kind=kind, measure=measure, disaggregation=list(disaggregation),
                          baseline=baseline, sums_actuals=sums_actuals)
    indicator.set_translation("es", {"title": title_es, "unit": unit_es})
    indicator.targets.append(IndicatorTarget(starts_on=START, ends_on=END,
                                             value=Decimal(target)))
    db.session.add(indicator)
    return indicator


def load() -> None:
    if db.session.scalar(select(Result.id).where(Result.title == OUTCOME[1]).limit(1)):
        return
    outcome = _result(ResultLevel.outcome, *OUTCOME)
    code, title, title_es, unit, unit_es, baseline, target, entries = MANUAL
    manual = _indicator(outcome, 1, code, title, title_es, unit, unit_es,
                        kind=IndicatorKind.manual, target=target, baseline=baseline,
                        sums_actuals=False)
    for starts_on, ends_on, value, source in entries:
        manual.actuals.append(IndicatorActual(starts_on=starts_on, ends_on=ends_on,
                                              value=value, source=source))
    for position, (code, title, title_es, indicators) in enumerate(OUTPUTS, start=1):
        output = _result(ResultLevel.output, code, title, title_es, parent=outcome,
                         position=position)
        for number, (i_code, i_title, i_title_es, unit, unit_es, measure, breakdowns,
                     target) in enumerate(indicators, start=1):
            _indicator(output, number, i_code, i_title, i_title_es, unit, unit_es,
                       kind=IndicatorKind.computed, measure=measure,
                       disaggregation=breakdowns, target=target)
    db.session.flush()
