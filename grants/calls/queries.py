"""Read helpers for funds and calls (each list in a fixed number of queries)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from accounts.policies import may_apply
from core import contributions, freshness, work
from core.extensions import db
from core.money import format_money
from core.timeutil import utcnow
from core.translations import stored_text, tr
from grants.calls.models import (
    Call,
    Criterion,
    EligibilityStatement,
    Fund,
    RequiredDocument,
    ThematicArea,
)
from grants.calls.states import CallState

# What the public call pages show: a change to any of it moves their validator on.
for _model in (Call, Fund, ThematicArea, EligibilityStatement, RequiredDocument, Criterion):
    freshness.watch(freshness.CALLS, _model)

#: States of a call after its deadline that the public still sees.
PAST_PUBLIC_STATES = (CallState.closed, CallState.in_review, CallState.decided)


def public_calls(now: datetime) -> list[Call]:
    """Open and upcoming calls: published, closing after ``now``; soonest deadline first."""
    return list(db.session.scalars(
        select(Call)
        .where(Call.state == CallState.published, Call.closes_at > now)
        .options(joinedload(Call.fund), selectinload(Call.thematic_areas))
        .order_by(Call.closes_at, Call.id)))


def closed_public_calls(now: datetime) -> list[Call]:
    """Past calls the public may still read: published but past the deadline, or closed,
    in review or decided; latest deadline first."""
    return list(db.session.scalars(
        select(Call)
        .where(or_(and_(Call.state == CallState.published, Call.closes_at <= now),
                   Call.state.in_(PAST_PUBLIC_STATES)))
        .options(joinedload(Call.fund))
        .order_by(Call.closes_at.desc(), Call.id.desc())))


def staff_calls(state: CallState | None = None, fund_id: int | None = None) -> list[Call]:
    """Every call (or those in ``state``, under ``fund_id``), newest first, with its fund."""
    query = select(Call).options(joinedload(Call.fund)).order_by(Call.id.desc())
    if state is not None:
        query = query.where(Call.state == state)
    if fund_id is not None:
        query = query.where(Call.fund_id == fund_id)
    return list(db.session.scalars(query))


def application_counts(call_ids: list[int] | None = None) -> dict[int, dict]:
    """``{call_id: {ApplicationState: count}}``, states in the workflow's order (calls
    without applications are absent); applications count them
    (``grants.applications.queries``)."""
    return contributions.ask("call.application_counts", call_ids)


def funds_with_totals() -> list[tuple[Fund, int, Decimal]]:
    """Every fund by name, with its number of calls and the amount its calls plan to award
    (award amount × maximum awards), in two queries."""
    funds = list(db.session.scalars(
        select(Fund).options(joinedload(Fund.donor), joinedload(Fund.manager))
        .order_by(func.lower(Fund.name), Fund.id)))
    # Summed in Python from the Decimal columns, so the money is exact on every database.
    totals: dict[int, list] = defaultdict(lambda: [0, Decimal("0.00")])
    for fund_id, award_amount, max_awards in db.session.execute(
            select(Call.fund_id, Call.award_amount, Call.max_awards)):
        totals[fund_id][0] += 1
        totals[fund_id][1] += Decimal(award_amount) * max_awards
    return [(fund, *totals[fund.id]) for fund in funds]


def all_funds() -> list[Fund]:
    return list(db.session.scalars(select(Fund).order_by(func.lower(Fund.name), Fund.id)))


# Titles in the reader's language ---------------------------------------------------------

def call_titles() -> dict[int, str]:
    """Call id → its title in the reader's language, for pages and exports that read rows
    rather than calls (calls are few: all of them, in one query)."""
    return {call_id: stored_text(title, translations, "title")
            for call_id, title, translations in db.session.execute(
                select(Call.id, Call.title, Call.translations))}


def area_titles(names) -> dict[str, str]:
    """Thematic area name (as stored, in the main language) → its name in the reader's
    language, for reports that group areas of several calls by name: one query. Calls that
    share a name may translate it differently; the first translation found is taken."""
    titles: dict[str, str] = {}
    names = [name for name in names if name]
    if not names:
        return titles
    for name, translations in db.session.execute(
            select(ThematicArea.name, ThematicArea.translations)
            .where(ThematicArea.name.in_(names)).order_by(ThematicArea.id)):
        title = stored_text(name, translations, "name")
        if titles.get(name, name) == name:
            titles[name] = title
    return titles


# My work -----------------------------------------------------------------------------------

@work.provide("calls.open", _l("Open calls"), may_apply, order=10, see_all="calls.public_list")
def open_calls_work(user, today) -> list[work.WorkItem]:
    """Calls open for applications now, the soonest deadline first."""
    now = utcnow()
    return [work.WorkItem(label=tr(call, "title"),
                          url=url_for("calls.public_detail", call_id=call.id),
                          due=call.closes_at,
                          detail=_("Grants of up to %(amount)s",
                                   amount=format_money(call.award_amount, call.fund.currency)))
            for call in public_calls(now) if call.opens_at is None or call.opens_at <= now]
