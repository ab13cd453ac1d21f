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

from accounts.organisations.models import Organisation
from accounts.organisations.states import Sector
from coalitions.events.states import EventType, Sex
from core.extensions import db
from core.spreadsheets import Block, Chart, Column
from core.timeutil import to_programme_time
from grants.applications.models import Application, application_thematic_areas
from grants.awards.models import Award
from grants.calls.models import ThematicArea
from grants.calls.queries import area_titles
from grants.ledger import money
from reporting import disclosure, privacy
from reporting.indicators.queries import Indicators
from reporting.workbook import queries
from reporting.workbook.queries import AwardMoney, Scope, WorkbookPeriod
from reporting.workbook.sheets_coalitions import age_titles, sex_titles

ZERO = Decimal("0.00")
#: The tallest chart, in centimetres: what an A4 landscape page holds at the Summary's scale.
MAX_CHART_HEIGHT = 24.0


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


def grantees(award_ids) -> dict[int, str]:
    """Award id → the name of its grantee (the applicant organisation): one query."""
    if not award_ids:
        return {}
    return dict(db.session.execute(
        select(Award.id, Organisation.name)
        .join(Application, Application.id == Award.application_id)
        .join(Organisation, Organisation.id == Application.organisation_id)
        .where(Award.id.in_(list(award_ids)))).all())


def summary_blocks(scope: Scope, indicators: Indicators,
                   positions: dict[int, AwardMoney], *, k: int | None = None) -> list[Block]:
    """With ``k`` (the anonymised variant), the counts of people below ``k`` are shown as
    "fewer than k" (``reporting.privacy.suppress_cells``); without, every count is exact."""
    currency = _one({award.currency for award in positions.values()})
    names = grantees(positions.keys())
    count = Column(_("Number"), "integer")
    by_sex = _titled(indicators.by_sex, {("not_recorded" if key is None else key.value): title
                                         for key, title in sex_titles().items()})
    by_age = _titled(indicators.by_age, age_titles())
    women, under_30 = indicators.female, indicators.under_30
    experts = indicators.international_experts
    if k is not None:
        female_title = str(sex_titles()[Sex.female])
        by_sex = _small_cells(by_sex, k)
        by_age = _small_cells(by_age, k)
        women = dict(by_sex).get(female_title, women)
        under_30 = dict(by_age).get(str(age_titles()["under_30"]), under_30)
        experts = disclosure.cell(disclosure.share(experts, indicators.participants, k))
    blocks = [
        Block(_("Programme indicators"), [Column(_("Indicator"), width=34, wrap=True), count], [
            (_("Events"), indicators.events),
            (_("Unique participants"), indicators.participants),
            (_("Women"), women),
            (_("Under 30"), under_30),
            (_("International experts"), experts),
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
               for key, number in indicators.organisations_by_sector.items()],
              chart=Chart("bar", _("Organisations engaged by sector"))
              if indicators.organisations else None),
        Block(_("Events by type"), [Column(_("Type"), width=34), Column(_("Events"), "integer")],
              [(EventType(key).title, number)
               for key, number in indicators.events_by_type.items()],
              chart=Chart("column", _("Events by type"))),
        Block(_("Participants by sex"),
              [Column(_("Sex"), width=34), Column(_("Participants"), "integer")],
              by_sex,
              # A pie of zeros shows nothing: no participants, no chart.
              chart=Chart("pie", _("Participants by sex")) if indicators.participants
              else None),
        Block(_("Participants by age group"),
              [Column(_("Age group"), width=34), Column(_("Participants"), "integer")],
              by_age,
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
              [Column(_("Grantee"), width=34, wrap=True),
               Column(money.label("committed"), "money", currency=currency),
               Column(money.label("disbursed"), "money", currency=currency),
               Column(_("Award"), width=18), Column(_("Currency"))],
              [(names.get(award_id) or award.reference, award.committed, award.disbursed,
                award.reference, award.currency)
               for award_id, award in positions.items()],
              # Bars named by grantee, as donors know the projects; the reference is beside
              # them in the table. At most a page high, so the chart prints whole.
              chart=Chart("bar", _("Committed versus disbursed per award"), values=(1, 2),
                          category_title=_("Grantee"),
                          height=min(MAX_CHART_HEIGHT, max(7.5, 0.6 * len(positions) + 3)))),
    ]
    return blocks


def _one(values: set) -> str | None:
    return next(iter(values)) if len(values) == 1 else None


def _small_cells(rows: list[tuple[str, int]], k: int) -> list[tuple[str, int | str]]:
    """The counts of people below ``k`` (and their complement) as "fewer than k"."""
    return [(title, disclosure.cell(value))
            for title, value in disclosure.suppressed_pairs(rows, k)]


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
        (_("Award date"), _(
            "The day of the decision to award the grant (the day the award was created when "
            "the application has no decision time), in the programme's time zone: the "
            "\"Decided\" column of the Awards sheet, and the award date (awardDate) of the "
            "360Giving open data, which the standard defines as when the decision to award "
            "was made. The day the agreement was signed is the \"Signed\" column.")),
        *((money.label(name), money.definition(name)) for name in money.AMOUNTS),
        (_("Spent"), _("Expenditure in the award's accepted progress reports.")),
        (_("Budget variance"), _(
            "Spent minus budget, per budget category. Flagged when spending is more than a "
            "tenth over the budget, or in a category with no budget; more than a tenth under "
            "the budget only once the award's final report is due or accepted (before that, "
            "spending may not be reported yet).")),
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
        "reconciliation": _("Every award of the Awards sheet that the 360Giving open data "
                            "leaves out, with why, and the counts and amounts of both side "
                            "by side."),
        "results": _("The results framework's indicators against their targets for the "
                     "period, with the baseline, the actual and the percentage of the target "
                     "reached."),
    }


def privacy_text(release: privacy.Release) -> str:
    """How the anonymised Participants sheet was released (``reporting.privacy``)."""
    steps = []
    if release.is_generalised("organisation"):
        steps.append(_("organisations are replaced by their sector"))
    if release.levels.get("country") == 1:
        steps.append(_("countries are replaced by their region (Central America, Caribbean, "
                       "rest of the Americas, Europe, other regions)"))
    elif release.is_generalised("country"):
        steps.append(_("countries are replaced by %(country)s or \"Abroad\"",
                       country=current_app.config["DEFAULT_COUNTRY"]))
    if release.is_generalised("expert"):
        steps.append(_("the international expert flag is left out"))
    generalised = (_("To reach it, %(steps)s.", steps="; ".join(steps)) if steps else
                   _("No field needed to be generalised."))
    return " ".join([
        _("Every combination of sex, age group, sector, organisation, country and "
          "international expert shown on the Participants sheet is shared by at least "
          "%(k)d people (k-anonymity, k = %(k)d), so that no row singles anyone out. "
          "Persons are shown under pseudonyms drawn at random for each export, never "
          "their record numbers: rows of two exports cannot be matched.", k=release.k),
        generalised,
        _("The people still in a group of fewer than %(k)d have those fields shown as "
          "\"Suppressed\": %(count)d of %(total)d. Their number of events attended is kept.",
          k=release.k, count=release.suppressed, total=len(release.rows)),
        _("On the Summary, a count of fewer than %(k)d people is shown as \"fewer than "
          "%(k)d\"; when it is the only one of its breakdown, the next smallest count is "
          "too, so that the totals, kept exact, do not give it back. The same rule applies "
          "to the breakdowns on the Results sheet, to each event's women, under-30s and "
          "international experts on the Events sheet (withheld too when the rest of its "
          "participants are fewer than %(k)d), and to the participants of each "
          "organisation on the Organisations sheet.", k=release.k),
    ])


def about_blocks(*, scope: Scope, fund: str | None, with_names: bool, generated_at: datetime,
                 sheets: Iterable[tuple[str, str, int]], is_empty: bool,
                 release: privacy.Release | None = None) -> list[Block]:
    """``sheets`` is (title, key, rows) for each data sheet, in the workbook's order;
    ``release`` how the anonymised Participants sheet was released."""
    variant = (_("With names: participants' names and emails are included. Personal data: "
                 "programme staff only; do not forward.") if with_names else
               _("Anonymised: participants are identified by a pseudonym drawn afresh for "
                 "each export."))
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
            "currencies. Totals rows add up every row of their sheet, whatever the filters "
            "show.")),
    ]
    if release is not None:
        facts.append((_("Privacy"), privacy_text(release)))
    if is_empty:
        facts.append((_("Note"), _("No records match this period: every sheet is empty and "
                                   "every indicator is zero.")))
    descriptions = sheet_descriptions()
    # The long texts wrap in a column that fits a portrait page beside the first one.
    item, value = Column(_("Item"), width=24, wrap=True), Column(_("Value"), width=78, wrap=True)
    return [
        Block(_("This workbook"), [item, value], facts),
        Block(_("Sheets"), [Column(_("Sheet"), width=24, wrap=True),
                            Column(_("What it lists"), width=78, wrap=True),
                            Column(_("Rows"), "integer")],
              [(title, descriptions[key], rows) for title, key, rows in sheets]),
        Block(_("Definitions"), [Column(_("Indicator"), width=24, wrap=True),
                                 Column(_("Definition"), width=78, wrap=True)],
              indicator_definitions()),
    ]
