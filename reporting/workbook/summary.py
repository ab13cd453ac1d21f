"""The first two sheets of the donor workbook: About (what the workbook covers and how every
number is defined) and Summary (the programme's indicators, with native charts).

The indicators are ``reporting.indicators.queries.compute``'s, never recomputed here, so the
workbook and the indicators page always agree. Each chart is drawn from a small block of
numbers written beside it on the sheet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from accounts.organisations.states import Sector
from coalitions.events.states import EventType
from core.extensions import db
from core.spreadsheets import Block, Chart, Column
from core.timeutil import to_programme_time
from grants.applications.models import application_thematic_areas
from grants.awards.models import Award
from grants.calls.models import ThematicArea
from grants.calls.queries import area_titles
from grants.ledger import money
from reporting.indicators.queries import Indicators
from reporting.workbook import queries
from reporting.workbook.queries import AwardMoney, Scope, WorkbookPeriod
from reporting.workbook.sheets_coalitions import age_titles, sex_titles

ZERO = Decimal("0.00")


def period_text(period: WorkbookPeriod) -> str:
    if period.start and period.end:
        return _("%(start)s to %(end)s", start=period.start.isoformat(),
                 end=period.end.isoformat())
    if period.start:
        return _("From %(start)s", start=period.start.isoformat())
    if period.end:
        return _("Until %(end)s", end=period.end.isoformat())
    return _("Whole programme (no dates given)")


def generated_text(moment: datetime) -> str:
    """"2026-03-31 17:00 CST (America/Belize)": the time in the programme's zone, named."""
    local = to_programme_time(moment)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} ({current_app.config['PROGRAMME_TIMEZONE']})"


# Summary ---------------------------------------------------------------------------------------

def awards_by_area(scope: Scope) -> list[tuple[str | None, int, Decimal]]:
    """(thematic area, awards, amount) for the awards of the period: one grouped query. An
    award with several areas counts in each; one without any under None."""
    rows = db.session.execute(
        select(ThematicArea.name, func.count(func.distinct(Award.id)), func.sum(Award.amount))
        .select_from(Award)
        .outerjoin(application_thematic_areas,
                   application_thematic_areas.c.application_id == Award.application_id)
        .outerjoin(ThematicArea,
                   ThematicArea.id == application_thematic_areas.c.thematic_area_id)
        .where(Award.id.in_(queries.awards_in_scope(scope)))
        .group_by(ThematicArea.name)).all()
    titles = area_titles(name for name, _count, _total in rows)
    return sorted(((titles.get(name, name), count, queries.money(total))
                   for name, count, total in rows),
                  key=lambda row: (-row[1], row[0] is None, row[0] or ""))


def summary_blocks(scope: Scope, indicators: Indicators,
                   positions: dict[int, AwardMoney]) -> list[Block]:
    currency = _one({award.currency for award in positions.values()})
    count = Column(_("Number"), "integer")
    blocks = [
        Block(_("Programme indicators"), [Column(_("Indicator"), width=34), count], [
            (_("Events"), indicators.events),
            (_("Unique participants"), indicators.participants),
            (_("Women"), indicators.female),
            (_("Under 30"), indicators.under_30),
            (_("International experts"), indicators.international_experts),
            (_("Organisations engaged"), indicators.organisations),
            (_("Grants awarded"), indicators.grants_awarded),
        ], note=_("As defined on the About sheet.")),
        Block(_("Grants awarded by currency"),
              [Column(_("Currency"), width=34), Column(_("Grants"), "integer"),
               Column(money.label("awarded"), "money"), Column(money.label("committed"), "money"),
               Column(money.label("disbursed"), "money")],
              _by_currency(indicators, positions)),
        Block(_("Organisations engaged by sector"),
              [Column(_("Sector"), width=34), Column(_("Organisations"), "integer")],
              [(Sector(key).title, number)
               for key, number in indicators.organisations_by_sector.items()]),
        Block(_("Events by type"), [Column(_("Type"), width=34), Column(_("Events"), "integer")],
              [(EventType(key).title, number)
               for key, number in indicators.events_by_type.items()],
              chart=Chart("column", _("Events by type"))),
        Block(_("Participants by sex"),
              [Column(_("Sex"), width=34), Column(_("Participants"), "integer")],
              _titled(indicators.by_sex, {("not_recorded" if key is None else key.value): title
                                          for key, title in sex_titles().items()}),
              # A pie of zeros shows nothing: no participants, no chart.
              chart=Chart("pie", _("Participants by sex")) if indicators.participants
              else None),
        Block(_("Participants by age group"),
              [Column(_("Age group"), width=34), Column(_("Participants"), "integer")],
              _titled(indicators.by_age, age_titles()),
              chart=Chart("pie", _("Participants by age group")) if indicators.participants
              else None),
        Block(_("Awards by thematic area"),
              [Column(_("Thematic area"), width=34), Column(_("Awards"), "integer"),
               Column(money.label("awarded"), "money", currency=currency)],
              [(name if name is not None else _("No thematic area"), number,
                amount if currency else None)
               for name, number, amount in awards_by_area(scope)],
              chart=Chart("bar", _("Awards by thematic area")),
              note=None if currency or not positions else _(
                  "Awards in several currencies: amounts are on the Awards sheet.")),
        Block(_("Committed versus disbursed per award"),
              [Column(_("Award"), width=34),
               Column(money.label("committed"), "money", currency=currency),
               Column(money.label("disbursed"), "money", currency=currency),
               Column(_("Currency"))],
              [(award.reference, award.committed, award.disbursed, award.currency)
               for award in positions.values()],
              chart=Chart("bar", _("Committed versus disbursed per award"), values=(1, 2),
                          height=min(40.0, max(7.5, 0.6 * len(positions) + 3)))),
    ]
    return blocks


def _one(values: set) -> str | None:
    return next(iter(values)) if len(values) == 1 else None


def _titled(numbers: dict[str, int], titles: dict) -> list[tuple[str, int]]:
    return [(str(titles.get(key, key)), number) for key, number in numbers.items()]


def _by_currency(indicators: Indicators, positions: dict[int, AwardMoney]) -> list[tuple]:
    committed: dict[str, Decimal] = defaultdict(lambda: ZERO)
    disbursed: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for award in positions.values():
        committed[award.currency] += award.committed
        disbursed[award.currency] += award.disbursed
    return [(code, number, total, committed[code], disbursed[code])
            for code, (number, total) in sorted(indicators.grants_by_currency.items())]


# About -----------------------------------------------------------------------------------------

def indicator_definitions() -> list[tuple[str, str]]:
    return [
        (_("Period"), _("From the first day to the last day, both included, in the "
                        "programme's time zone. Without dates: the whole programme.")),
        (_("Events"), _("Events whose first day falls in the period, by type.")),
        (_("Unique participants"), _(
            "People marked as attended at an event of the period, whatever their role "
            "(participant, trainer, expert, organiser). A person counts once however many "
            "events they attended.")),
        (_("Women"), _("Participants recorded as female. \"Prefer not to say\" and \"not "
                       "recorded\" are counted apart, never dropped.")),
        (_("Under 30"), _(
            "Participants under 30 at the first event they attended in the period: the year "
            "of that event's first day minus the year of birth is less than 30. Without a "
            "year of birth: \"age not recorded\".")),
        (_("International experts"), _("Participants flagged as international experts.")),
        (_("Organisations engaged"), _(
            "Each organisation once, of: the organisations of people who attended an event of "
            "the period; members of a coalition during the period; applicants of applications "
            "submitted in the period (drafts never count) and their government "
            "counterparts.")),
        (_("Grants awarded"), _(
            "Awards whose application was decided in the period (the day the award was "
            "created when the application has no decision time), whatever their state since; "
            "amounts per currency.")),
        *((money.label(name), money.definition(name)) for name in money.AMOUNTS),
        (_("Spent"), _("Expenditure in the award's accepted progress reports.")),
        (_("Budget variance"), _(
            "Spent minus budget, per budget category. Flagged when it is more than a tenth of "
            "the budget, or when money was spent in a category with no budget.")),
        (_("Review scores"), _(
            "Per application: the number of submitted reviews, the mean of their weighted "
            "totals on a 0–100 scale and the rank in the call's ranking. Reviewers are never "
            "named.")),
    ]


def sheet_descriptions() -> dict[str, str]:
    """Sheet key → which records the sheet lists (its natural date)."""
    return {
        "calls": _("Published calls open during the period (from opening to closing)."),
        "applications": _("Applications submitted in the period; drafts never."),
        "awards": _("Awards decided in the period, with their money to date."),
        "disbursements": _("Ledger entries requested or paid in the period, in any state."),
        "budget": _("Budget versus actual for each award of the Awards sheet, per budget "
                    "category, to date."),
        "reports": _("Progress reports due in the period, with their latest submitted "
                     "version."),
        "coalitions": _("Coalitions formed in the period or with a member during it."),
        "memberships": _("Membership periods sharing a day with the period."),
        "commitments": _("Commitments of published action plans running during the period, "
                         "with their milestones' progress to date."),
        "events": _("Events whose first day falls in the period."),
        "participants": _("People who attended an event of the period."),
        "organisations": _("Organisations engaged in the period."),
        "results": _("The results framework's indicators against their targets for the "
                     "period, with the baseline, the actual and the percentage of the target "
                     "reached."),
    }


def about_blocks(*, scope: Scope, fund: str | None, with_names: bool, generated_at: datetime,
                 sheets: Iterable[tuple[str, str, int]], is_empty: bool) -> list[Block]:
    """``sheets`` is (title, key, rows) for each data sheet, in the workbook's order."""
    variant = (_("With names: participants' names and emails are included. Personal data: "
                 "programme staff only; do not forward.") if with_names else
               _("Anonymised: participants are identified by a number only."))
    facts = [
        (_("Programme"), current_app.config["PROGRAMME_NAME"]),
        (_("Fund"), fund if fund is not None else _("All funds")),
        (_("Period"), period_text(scope.period)),
        (_("Generated at"), generated_text(generated_at)),
        (_("Variant"), variant),
        (_("Filters"), _(
            "Each sheet lists its records by their own date (see the sheets below). The fund "
            "filter applies to calls, applications, awards, disbursements, budgets, reports "
            "and the grant reasons an organisation counts as engaged; events, participants "
            "and coalitions belong to no fund and are not filtered by it.")),
        (_("Times"), _("Times are in %(zone)s; dates are days in that time zone.",
                       zone=current_app.config["PROGRAMME_TIMEZONE"])),
        (_("Amounts"), _(
            "Amounts are in each record's currency and are never added up across "
            "currencies. Totals rows add up the rows left visible by the filters.")),
    ]
    if is_empty:
        facts.append((_("Note"), _("No records match this period: every sheet is empty and "
                                   "every indicator is zero.")))
    descriptions = sheet_descriptions()
    item, value = Column(_("Item"), width=24), Column(_("Value"), width=100)
    return [
        Block(_("This workbook"), [item, value], facts),
        Block(_("Sheets"), [Column(_("Sheet"), width=24), Column(_("What it lists"), width=100),
                            Column(_("Rows"), "integer")],
              [(title, descriptions[key], rows) for title, key, rows in sheets]),
        Block(_("Definitions"), [Column(_("Indicator"), width=24),
                                 Column(_("Definition"), width=100)],
              indicator_definitions()),
    ]
