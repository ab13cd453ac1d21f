"""The indicators page: the programme's numbers for a period, each linked to the list
behind it."""

from __future__ import annotations

import re
from dataclasses import replace

from flask import Blueprint, abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from accounts.organisations.models import SECTOR_TITLES, Sector
from coalitions.consultations import queries as consultation_queries
from coalitions.events.models import EventType, Sex
from core import navigation
from core.access import policy_required, require
from core.params import arg_day, arg_id
from core.timeutil import to_programme_time, utcnow
from reporting import disclosure
from reporting.indicators import figures, queries
from reporting.indicators.policies import (
    can_view_detail,
    can_view_indicators,
    can_view_people,
)

bp = Blueprint("indicators", __name__, url_prefix="/indicators")

navigation.register(
    bp, navigation.NavEntry(_l("Indicators"), "indicators.overview", can_view_indicators,
                            order=8, group=navigation.REPORTS))

METRICS = ("events", "participants", "organisations", "grants")

# Lazy titles: a title read at import (``Sex.female.title``) would stay in English.
SEX_TITLES = {**{sex.value: title for sex, title in Sex.titles().items()},
              "not_recorded": _l("Not recorded")}
AGE_TITLES = {"under_30": _l("Under 30"), "30_and_over": _l("30 and over"),
              "not_recorded": _l("Age not recorded")}
REASON_TITLES = {"attended": _l("Attended an event"), "member": _l("Coalition member"),
                 "applied": _l("Applied for a grant"),
                 "counterpart": _l("Government counterpart")}


def _period() -> queries.Period:
    """The period and fund from the query string. A date left out is the start or end of
    the programme's whole span, the programme dashboard's default too, so the two pages
    open on the same numbers. Bad input is a 400."""
    start, end = arg_day("from"), arg_day("to")
    whole = start is None and end is None
    if start is None or end is None:
        first, last = queries.programme_span(to_programme_time(utcnow()).date())
        start, end = start or first, end or last
    if end < start:
        abort(400)
    fund_id = arg_id("fund_id")
    if fund_id is not None and not queries.fund_exists(fund_id):
        abort(400)
    return queries.Period(start=start, end=end, fund_id=fund_id, whole_programme=whole)


def _period_args(period: queries.Period) -> dict:
    args = {"from": period.start.isoformat(), "to": period.end.isoformat()}
    if period.fund_id is not None:
        args["fund_id"] = period.fund_id
    return args


def _choice(name: str, allowed) -> str | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if raw not in allowed:
        abort(400)
    return raw


def _context(period: queries.Period, **context) -> dict:
    return {"period": period, "period_args": _period_args(period),
            "funds": queries.funds(), "sex_titles": SEX_TITLES, "age_titles": AGE_TITLES,
            "reason_titles": REASON_TITLES, "sector_titles": SECTOR_TITLES,
            "event_types": {kind.value: kind.title for kind in EventType},
            "can_view_people": can_view_people(current_user)[0], **context}


def _released(indicators: queries.Indicators, k: int | None) -> queries.Indicators:
    """The indicators with their breakdowns of people as the reader may see them: small
    cells withheld for everyone but programme staff (``reporting.disclosure``)."""
    if k is None:
        return indicators
    return replace(indicators, by_sex=disclosure.breakdown(indicators.by_sex, k),
                   by_age=disclosure.breakdown(indicators.by_age, k),
                   international_experts=disclosure.share(
                       indicators.international_experts, indicators.participants, k))


@bp.route("")
@policy_required(can_view_indicators)
def overview():
    period = _period()
    k = disclosure.min_group_for(current_user)
    indicators = _released(figures.indicators(period), k)
    return render_template("reporting/indicators/overview.html",
                           **_context(period, indicators=indicators, k=k,
                                      consultations=_consultations(period, k)))


def _consultations(period: queries.Period, k: int | None) -> dict:
    """The consultations on action plans opened in the period, their counts of people
    withheld below ``k`` as the indicators' are."""
    numbers = consultation_queries.period_numbers(period.start, period.end)
    return {"consultations": numbers.consultations, "proposals": numbers.proposals,
            "comments": numbers.comments,
            "participants": disclosure.count(numbers.participants, k),
            "women": disclosure.count(numbers.women, k)}


@bp.route("/<metric>")
def detail(metric: str):
    if metric not in METRICS:
        abort(404)
    require(can_view_detail(current_user, metric))
    period = _period()
    filters: dict = {}
    if metric == "events":
        filters["type"] = _choice("type", {kind.value for kind in EventType})
        rows = queries.events(period, **filters)
    elif metric == "participants":
        filters["sex"] = _choice("sex", SEX_TITLES)
        filters["age"] = _choice("age", AGE_TITLES)
        expert = _choice("expert", {"1"})
        filters["expert"] = True if expert else None
        rows = queries.participants(period, **filters)
    elif metric == "organisations":
        filters["sector"] = _choice("sector", {sector.value for sector in Sector})
        filters["reason"] = _choice("reason", REASON_TITLES)
        rows = queries.organisations(period, **filters)
    else:
        filters["currency"] = _choice("currency", _currencies())
        rows = queries.grants(period, **filters)
    return render_template("reporting/indicators/detail.html",
                           **_context(period, metric=metric, rows=rows,
                                      filters={k: v for k, v in filters.items()
                                               if v is not None}))


def _currencies() -> set[str]:
    raw = request.args.get("currency", "").strip()
    return {raw} if re.fullmatch(r"[A-Z]{3}", raw) else set()
