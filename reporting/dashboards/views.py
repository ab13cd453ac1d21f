"""The programme dashboard: the pipeline, awards, money, events and participants at a glance,
each as a server-drawn SVG chart with the table of its numbers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from flask import Blueprint, abort, render_template, request
from flask_babel import format_decimal, format_number, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core import navigation
from core.access import policy_required
from core.params import parse_day, parse_id
from core.timeutil import programme_today
from grants.ledger import money
from reporting import disclosure
from reporting.dashboards import charts, queries, stored
from reporting.indicators.queries import programme_span
from reporting.indicators.views import AGE_TITLES, SEX_TITLES
from reporting.policies import can_view_reports
from reporting.results.queries import results_against_targets

bp = Blueprint("dashboards", __name__, url_prefix="/reports")

navigation.register(
    bp, navigation.NavEntry(_l("Programme dashboard"), "dashboards.overview", can_view_reports,
                            order=6, group=navigation.REPORTS))

#: The period's fields in the query string, as on the indicators page.
DAY_FIELDS = ("from", "to")

#: Segments of the money bars, in order from the axis.
MONEY_KEYS = ("spent", "unspent", "undisbursed")
MONEY_TITLES = {"spent": _l("Spent (accepted reports)"),
                "unspent": _l("Disbursed, not yet spent"),
                "undisbursed": money.AMOUNTS["undisbursed"][0]}
TIME_TITLES = {"events": _l("Events held"), "participations": _l("Participations"),
               "participants": _l("Unique participants")}


# Reading the filters -----------------------------------------------------------------------

def _day(raw: str) -> date:
    day = parse_day(raw)
    if day is None:
        raise ValueError(raw)
    return day


def _read_filters(args) -> tuple[queries.Filters | None, dict[str, str], str | None]:
    """The filters from the query string (and the fund's name), or None and a message per
    bad field. A fund id that names no fund is a 404."""
    errors: dict[str, str] = {}
    days: dict[str, date | None] = {}
    for name in DAY_FIELDS:
        raw = args.get(name, "").strip()
        days[name] = None
        if raw:
            try:
                days[name] = _day(raw)
            except ValueError:
                errors[name] = gettext("Enter a date as YYYY-MM-DD, for example 2019-12-31.")
    start, end = days["from"], days["to"]
    if start and end and end < start:
        errors["to"] = gettext("The end of the period must not be before its start.")
    fund_id = fund_name = None
    raw_fund = args.get("fund_id", "").strip()
    if raw_fund:
        if parse_id(raw_fund) is None:
            errors["fund_id"] = gettext("Choose a fund from the list.")
        else:
            fund_id = parse_id(raw_fund)
            fund_name = queries.fund_name(fund_id)
            if fund_name is None:
                abort(404)
    if errors:
        return None, errors, None
    return queries.Filters(start=start, end=end, fund_id=fund_id), {}, fund_name


# Numbers on the charts ---------------------------------------------------------------------

def count_label(value) -> str:
    return format_number(int(value))


def money_label(value) -> str:
    """An amount for a chart: whole units when it is whole, else with the cents (the tables
    always show the cents and the currency)."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return format_decimal(value, format="#,##0")
    return format_decimal(value, format="#,##0.00")


def _quarter_label(quarter: queries.Quarter) -> str:
    return gettext("Q%(quarter)d %(year)d", quarter=quarter.quarter, year=quarter.year)


def _area_title(group: queries.Group) -> str:
    return group.title or group.key or gettext("No thematic area")


def _district_title(group: queries.Group) -> str:
    return group.key or gettext("No district given")


def _money_segments(row) -> list[Decimal]:
    """Spent, disbursed but not spent, committed but not disbursed: laid end to end they
    reach the committed amount. Parts that would be negative (spending reported beyond
    what was paid) are shown as zero on the chart; the table has the real figures."""
    zero = Decimal("0.00")
    return [row.spent, max(row.disbursed - row.spent, zero),
            max(row.committed - max(row.disbursed, row.spent), zero)]


def _charts(board: queries.Dashboard, k: int | None) -> dict:
    by_area, by_district = board.by_area, board.by_district
    withheld = str(disclosure.Fewer(k)) if k is not None else ""
    return {
        "pipeline": charts.bar_chart(
            [(state.title, n) for state, n in board.pipeline], fmt=count_label, integer=True),
        "area_count": charts.bar_chart(
            [(_area_title(g), g.awards) for g in by_area], fmt=count_label, integer=True),
        "area_amount": {currency: charts.bar_chart(
            [(_area_title(g), g.amount(currency)) for g in by_area], fmt=money_label)
            for currency in board.currencies},
        "district_count": charts.bar_chart(
            [(_district_title(g), g.awards) for g in by_district], fmt=count_label,
            integer=True),
        "district_amount": {currency: charts.bar_chart(
            [(_district_title(g), g.amount(currency)) for g in by_district],
            fmt=money_label) for currency in board.currencies},
        "money_totals": {total.currency: charts.bar_chart(
            [(money.label("awarded"), total.awarded), (money.label("committed"), total.committed),
             (money.label("disbursed"), total.disbursed), (gettext("Spent"), total.spent)],
            fmt=money_label) for total in board.money},
        "money_awards": {currency: charts.stacked_bar_chart(
            MONEY_KEYS,
            [(f"{row.award.reference} · {row.award.application.organisation.name}",
              _money_segments(row)) for row in board.awards if row.currency == currency],
            fmt=money_label) for currency in board.currencies},
        "events": charts.column_chart(
            ["events"], [(_quarter_label(q), [q.events]) for q in board.quarters],
            fmt=count_label, integer=True),
        "participants": charts.column_chart(
            ["participations", "participants"],
            [(_quarter_label(q), [q.participations, q.participants]) for q in board.quarters],
            fmt=count_label, integer=True),
        "sex": charts.bar_chart(
            [(str(SEX_TITLES[key]), disclosure.plotted(n))
             for key, n in board.people.by_sex.items()],
            fmt=count_label, integer=True, withheld=withheld),
        "age": charts.bar_chart(
            [(str(AGE_TITLES[key]), disclosure.plotted(n))
             for key, n in board.people.by_age.items()],
            fmt=count_label, integer=True, withheld=withheld),
    }


# Results against targets (the results framework's own section) -----------------------------

def percent_label(value) -> str:
    return f"{format_decimal(Decimal(value), format='#,##0.#')}%"


def _results(filters: queries.Filters, k: int | None) -> tuple[list, charts.BarChart]:
    """The results framework's indicators against their targets for the dashboard's period
    (open ends: the programme's span), and the chart of the percentage of target reached by
    those that have one."""
    first, last = programme_span(programme_today())
    rows = results_against_targets(filters.start or first, filters.end or last, k=k)
    chart = charts.bar_chart(
        [(f"{row.indicator.code} {row.indicator.title}".strip(), row.percent)
         for row in rows if row.percent is not None], fmt=percent_label)
    return rows, chart


def _released(board: queries.Dashboard, k: int | None) -> queries.Dashboard:
    """The board with its breakdowns of people as the reader may see them: small cells
    withheld for everyone but programme staff (``reporting.disclosure``)."""
    if k is None:
        return board
    people = replace(board.people, by_sex=disclosure.breakdown(board.people.by_sex, k),
                     by_age=disclosure.breakdown(board.people.by_age, k))
    return replace(board, people=people)


# The page ----------------------------------------------------------------------------------

def _page(**context):
    return render_template(
        "reporting/dashboards/overview.html", funds=queries.funds(),
        values={name: request.args.get(name, "").strip()[:40]
                for name in (*DAY_FIELDS, "fund_id")},
        sex_titles=SEX_TITLES, age_titles=AGE_TITLES, money_titles=MONEY_TITLES,
        time_titles=TIME_TITLES, area_title=_area_title, district_title=_district_title,
        quarter_label=_quarter_label, **context)


@bp.route("/dashboard")
@policy_required(can_view_reports)
def overview():
    filters, errors, fund_name = _read_filters(request.args)
    if filters is None:
        # As on the indicators page, bad filters are a 400; here with the form again and
        # the message next to the field.
        return _page(errors=errors, board=None, filters=None, fund_name=None), 400
    k = disclosure.min_group_for(current_user)
    board = _released(stored.dashboard(filters), k)
    results, results_chart = _results(filters, k)
    return _page(errors={}, board=board, filters=filters, fund_name=fund_name, k=k,
                 charts={**_charts(board, k), "results": results_chart}, results=results)
