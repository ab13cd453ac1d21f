"""The dashboard's money, stored per version of the records it sums.

Summing every award's ledger and accepted spending over thousands of awards takes a large
part of the page's time, while the ledgers change a few times a day. Every model those sums
read is watched (``core.freshness``) on the ``money`` channel: the awards, their ledger
entries (requests, approvals, payments, reversals), the progress reports with their versions
and expenditure, and what places an award in a period, a fund, a thematic area or a district
(its application's decision time, call, districts and areas; the calls' funds; the areas'
names and order). The figures of a period and fund are computed once per version and stored
with it (``reporting.indicators.figures.stored``); a transaction that changed them computes
them afresh. Amounts are stored as strings, so they come back as the same ``Decimal``.

What is only shown, not summed, is read live: the largest awards themselves (reference, state,
grantee) by their stored ids, and the thematic areas' names in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core import freshness
from core.extensions import db
from grants.applications.models import Application
from grants.awards.models import Award, Disbursement
from grants.calls.models import Call, ThematicArea
from grants.calls.queries import area_titles
from grants.ledger.money import SUMS, Money
from grants.monitoring.models import Expenditure, ProgressReport, ReportVersion
from reporting.dashboards import queries
from reporting.indicators import figures

#: The data version of everything the dashboard's money sums.
MONEY = figures.MONEY

for _model, _attributes, _options in (
        (Award, (), {}), (Disbursement, (), {}),
        (ProgressReport, (), {}), (ReportVersion, (), {}), (Expenditure, (), {}),
        # A new application has no award yet (the award's row counts when it comes). A
        # relationship set before the flush has not yet set its foreign key: both are watched.
        (Application, ("decided_at", "call_id", "call", "districts", "thematic_areas"),
         {"rows": False}),
        (Call, ("fund_id", "fund"), {"rows": False}),
        (ThematicArea, ("name", "position"), {"rows": False})):
    freshness.watch(MONEY, _model, *_attributes, **_options)


@dataclass(frozen=True)
class Figures:
    """The money part of the dashboard, as stored: the largest awards by id."""

    by_area: list[queries.Group]
    by_district: list[queries.Group]
    money: list[queries.MoneyTotal]
    #: (award id, its money, its accepted spending) of the ``TOP_AWARDS`` largest, in order.
    top: list[tuple[int, Money, Decimal]]


def compute(filters: queries.Filters) -> Figures:
    return Figures(
        by_area=queries.by_thematic_area(filters, titled=False),
        by_district=queries.by_district(filters), money=queries.money_totals(filters),
        top=[(row.award.id, row.money, row.spent) for row in queries.top_awards(filters)])


def _sums(money: Money) -> list[str]:
    return [str(getattr(money, name)) for name in SUMS]


def _group(group: queries.Group) -> list:
    return [group.key, group.awards, {currency: str(amount)
                                      for currency, amount in group.amounts.items()}]


def encode(found: Figures) -> dict:
    return {"by_area": [_group(group) for group in found.by_area],
            "by_district": [_group(group) for group in found.by_district],
            "money": [[total.currency, total.awards, _sums(total.money), str(total.spent)]
                      for total in found.money],
            "top": [[award_id, _sums(money), str(spent)] for award_id, money, spent
                    in found.top]}


def _money(sums: list[str]) -> Money:
    return Money(*(Decimal(amount) for amount in sums))


def _groups(rows: list) -> list[queries.Group]:
    return [queries.Group(key, awards, {currency: Decimal(amount)
                                        for currency, amount in amounts.items()})
            for key, awards, amounts in rows]


def decode(stored: dict) -> Figures:
    return Figures(
        by_area=_groups(stored["by_area"]), by_district=_groups(stored["by_district"]),
        money=[queries.MoneyTotal(currency, awards, _money(sums), Decimal(spent))
               for currency, awards, sums, spent in stored["money"]],
        top=[(award_id, _money(sums), Decimal(spent)) for award_id, sums, spent
             in stored["top"]])


def money(filters: queries.Filters) -> Figures:
    """``compute(filters)``, stored per version of the money and per period and fund."""
    period = replace(filters.indicator_period(), fund_id=filters.fund_id)
    return figures.stored("dashboard-money", period, lambda: compute(filters), encode, decode,
                          channel=MONEY)


def _top_awards(top: list[tuple[int, Money, Decimal]]) -> list[queries.AwardMoney]:
    """The stored largest awards with the awards themselves and their grantees, read now."""
    if not top:
        return []
    awards = {award.id: award for award in db.session.scalars(
        select(Award).where(Award.id.in_([award_id for award_id, _m, _s in top]))
        .options(joinedload(Award.application).joinedload(Application.organisation)))}
    return [queries.AwardMoney(awards[award_id], found, spent)
            for award_id, found, spent in top]


def dashboard(filters: queries.Filters) -> queries.Dashboard:
    """``queries.dashboard(filters)`` with its money read from the stored figures."""
    found = money(filters)
    titles = area_titles(group.key for group in found.by_area if group.key != queries.NONE_KEY)
    by_area = [replace(group, title=titles.get(group.key)) for group in found.by_area]
    return queries.dashboard(filters, money=(by_area, found.by_district, found.money,
                                             _top_awards(found.top)))
