"""The measures a computed indicator can take, each read from the records through the
queries of the package that owns them (``reporting.indicators`` first), never recounted
here.

Each measure gives, for a window of days, its value and, where it has them, its breakdowns
by sex, age group and sector. ``Measurer`` reads each window's indicators once however many
indicators share it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from coalitions.coalitions.queries import active_coalition_count
from coalitions.plans.queries import complete_commitment_count
from core.extensions import db
from grants.awards.models import Award
from grants.ledger.queries import money_by_award
from reporting.indicators import figures
from reporting.indicators import queries as indicators
from reporting.indicators.queries import AGE_KEYS, SECTOR_KEYS, SEX_KEYS

#: The breakdowns an indicator may show, in display order.
DIMENSIONS = ("sex", "age", "sector")
DIMENSION_TITLES = {"sex": _l("Sex"), "age": _l("Age group"), "sector": _l("Sector")}
CATEGORY_KEYS = {"sex": SEX_KEYS, "age": AGE_KEYS, "sector": (*SECTOR_KEYS, "not_recorded")}


@dataclass(frozen=True)
class Measure:
    key: str
    title: object
    #: The unit proposed on the form; money measures take a currency code.
    unit: str
    dimensions: tuple[str, ...] = ()
    is_money: bool = False
    #: Whether it counts people, whose breakdowns are released with small cells withheld.
    of_people: bool = False


MEASURES: dict[str, Measure] = {m.key: m for m in (
    Measure("people_trained", _l("People trained (distinct participants attending events)"),
            "people", ("sex", "age", "sector"), of_people=True),
    Measure("women_trained", _l("Women trained"), "people", ("age", "sector"), of_people=True),
    Measure("organisations_engaged", _l("Organisations engaged"), "organisations",
            ("sector",)),
    Measure("events_held", _l("Events held"), "events"),
    Measure("projects_funded", _l("Projects funded (grants awarded)"), "projects"),
    Measure("amount_disbursed", _l("Amount disbursed to the projects funded"), "USD",
            is_money=True),
    Measure("coalitions_active", _l("Coalitions active"), "coalitions"),
    Measure("commitments_complete",
            _l("Action plan commitments with every milestone complete"), "commitments"),
)}


def breakdown_titles() -> tuple[dict, dict]:
    """The breakdowns' titles, and their categories' titles by breakdown."""
    from accounts.organisations.states import Sector
    from reporting.indicators.views import AGE_TITLES, SEX_TITLES

    sectors = {sector.value: sector.title for sector in Sector}
    return DIMENSION_TITLES, {"sex": SEX_TITLES, "age": AGE_TITLES,
                              "sector": {**sectors, "not_recorded": _l("Not recorded")}}


def measure_choices() -> list[tuple[str, str]]:
    return [(m.key, str(m.title)) for m in MEASURES.values()]


def _people_breakdown(rows, wanted: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """Counts by dimension from ``indicators.participants`` rows (person, day, age band)."""
    counts = {dimension: Counter() for dimension in wanted}
    for person, _day, band in rows:
        if "sex" in counts:
            counts["sex"][indicators.sex_value(person.sex)] += 1
        if "age" in counts:
            counts["age"][band] += 1
        if "sector" in counts:
            sector = person.organisation.sector.value if person.organisation else "not_recorded"
            counts["sector"][sector] += 1
    return {dimension: {key: counts[dimension].get(key, 0) for key in CATEGORY_KEYS[dimension]}
            for dimension in wanted}


class Measurer:
    """Reads the measures for windows of days, each window's indicators computed once."""

    def __init__(self):
        self._computed: dict[tuple[date, date], indicators.Indicators] = {}

    def indicators(self, start: date, end: date) -> indicators.Indicators:
        key = (start, end)
        if key not in self._computed:
            self._computed[key] = figures.indicators(indicators.Period(start=start, end=end))
        return self._computed[key]

    def measure(self, key: str, start: date, end: date, *, unit: str = "",
                dimensions: tuple[str, ...] = ()) -> tuple[Decimal, dict[str, dict[str, int]]]:
        """The measure's value over [start, end] and its breakdowns among ``dimensions``."""
        measure = MEASURES[key]
        wanted = tuple(d for d in DIMENSIONS if d in dimensions and d in measure.dimensions)
        value, breakdown = _READERS[key](self, start, end, unit, wanted)
        return Decimal(value), breakdown


def _people_trained(m: Measurer, start, end, unit, wanted):
    numbers = m.indicators(start, end)
    breakdown = {}
    if "sector" in wanted:
        period = indicators.Period(start=start, end=end)
        breakdown = _people_breakdown(indicators.participants(period), ("sector",))
    if "sex" in wanted:
        breakdown["sex"] = dict(numbers.by_sex)
    if "age" in wanted:
        breakdown["age"] = dict(numbers.by_age)
    return numbers.participants, {d: breakdown[d] for d in wanted}


def _women_trained(m: Measurer, start, end, unit, wanted):
    numbers = m.indicators(start, end)
    breakdown = {}
    if wanted:
        period = indicators.Period(start=start, end=end)
        breakdown = _people_breakdown(indicators.participants(period, sex="female"), wanted)
    return numbers.female, breakdown


def _organisations(m: Measurer, start, end, unit, wanted):
    numbers = m.indicators(start, end)
    breakdown = {"sector": dict(numbers.organisations_by_sector)} if "sector" in wanted else {}
    return numbers.organisations, breakdown


def _disbursed(m: Measurer, start, end, unit, wanted):
    """Disbursed to date (the ledger's definition) for the awards of the window, in the
    indicator's currency: the dashboard's "Disbursed" for the same period."""
    ids = indicators.award_ids(indicators.Period(start=start, end=end))
    awards = list(db.session.scalars(select(Award).where(Award.id.in_(ids)))) if ids else []
    money = money_by_award(awards)
    return sum((money[a.id].disbursed for a in awards if a.currency == unit), Decimal("0.00")), {}


_READERS: dict[str, Callable] = {
    "people_trained": _people_trained,
    "women_trained": _women_trained,
    "organisations_engaged": _organisations,
    "events_held": lambda m, start, end, unit, wanted: (m.indicators(start, end).events, {}),
    "projects_funded": lambda m, start, end, unit, wanted: (
        m.indicators(start, end).grants_awarded, {}),
    "amount_disbursed": _disbursed,
    "coalitions_active": lambda m, start, end, unit, wanted: (
        active_coalition_count(start, end), {}),
    "commitments_complete": lambda m, start, end, unit, wanted: (
        complete_commitment_count(start, end), {}),
}
