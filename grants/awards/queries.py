"""Read helpers for awards: conditions, loading, lists. The money of an award (its ledger's
balances) comes from ``grants.ledger``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from accounts.models import User, UserRole
from accounts.policies import is_staff_reader
from accounts.states import Role
from core import contributions, work
from core.extensions import db
from grants.applications.models import Application
from grants.applications.states import ApplicationState
from grants.awards.models import Award
from grants.awards.states import AwardState, ReportKind, TrancheCondition
from grants.calls.models import Call
from grants.ranking.queries import decided_amount
from grants.reviews.models import Decision
from grants.reviews.states import Outcome

if TYPE_CHECKING:  # exempt from the import layers: annotations only, never run
    from grants.ledger.money import Money
    from grants.monitoring.models import ProgressReport

# An award's reports (grants.monitoring) and its money (grants.ledger) come from later stages
# of the pipeline, asked through core.contributions.

#: The report whose acceptance releases each report-conditioned tranche.
CONDITION_REPORTS = {
    TrancheCondition.midterm_report: ReportKind.midterm,
    TrancheCondition.final_report: ReportKind.final,
}


# Conditions --------------------------------------------------------------------------------

def accepted_report_kinds(award: Award) -> set[ReportKind]:
    return contributions.ask("award.accepted_report_kinds", award)


def conditions_holding(award: Award) -> dict[TrancheCondition, bool]:
    """Whether each release condition holds now: the agreement is signed (the file and the
    date recorded), or the named report has been accepted."""
    accepted = accepted_report_kinds(award)
    return {
        TrancheCondition.signature: (award.signed_on is not None
                                     and award.agreement_file_id is not None),
        **{condition: kind in accepted for condition, kind in CONDITION_REPORTS.items()},
    }


def is_final_report_accepted(award: Award) -> bool:
    return ReportKind.final in accepted_report_kinds(award)


# Loading -----------------------------------------------------------------------------------

def load_award(award_id: int) -> Award | None:
    return db.session.scalar(
        select(Award).where(Award.id == award_id)
        .options(joinedload(Award.application).joinedload(Application.organisation),
                 joinedload(Award.application).joinedload(Application.call)
                 .joinedload(Call.fund),
                 joinedload(Award.agreement_file),
                 selectinload(Award.tranches)))


@contributions.provide("application.award")
def award_for_application(application_id: int) -> Award | None:
    return db.session.scalar(select(Award).where(Award.application_id == application_id))


def award_decision(application: Application) -> Decision | None:
    """The application's award decision, if it has one."""
    return db.session.scalar(select(Decision).where(
        Decision.application_id == application.id, Decision.outcome == Outcome.award))


def decided_amounts(applications: Iterable[Application]) -> dict[int, Decimal]:
    """{application id: the amount its award decision granted} (the amount decided, else the
    amount requested: ``grants.ranking.queries.decided_amount``), for the applications that
    have an award decision."""
    by_id = {application.id: application for application in applications}
    if not by_id:
        return {}
    decisions = db.session.scalars(select(Decision).where(
        Decision.application_id.in_(list(by_id)), Decision.outcome == Outcome.award))
    return {d.application_id: decided_amount(by_id[d.application_id], d) for d in decisions}


def reports_of(award: Award) -> list[ProgressReport]:
    return contributions.ask("award.reports", award)


def finance_users() -> list[User]:
    return list(db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.finance, User.is_enabled.is_(True))
        .order_by(User.id)))


# Lists -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AwardListRow:
    award: Award
    money: Money


def awards_for_staff(state: AwardState | None = None) -> list[AwardListRow]:
    """Every award (or those in ``state``) with its balances: one query for the awards and
    their applicants, one aggregate query for every ledger."""
    query = (select(Award)
             .options(joinedload(Award.application).joinedload(Application.organisation))
             .order_by(Award.created_at.desc(), Award.id.desc()))
    if state is not None:
        query = query.where(Award.state == state)
    awards = list(db.session.scalars(query))
    money = contributions.ask("awards.money", awards)
    return [AwardListRow(award=award, money=money[award.id]) for award in awards]


def state_counts() -> dict[AwardState, int]:
    rows = db.session.execute(select(Award.state, func.count()).group_by(Award.state))
    counts = {state: 0 for state in AwardState}
    counts.update({state: count for state, count in rows})
    return counts


def awarded_without_agreement() -> list[Application]:
    """Applications awarded by a decision that have no grant agreement yet."""
    return list(db.session.scalars(
        select(Application)
        .join(Decision, Decision.application_id == Application.id)
        .outerjoin(Award, Award.application_id == Application.id)
        .where(Application.state == ApplicationState.awarded,
               Decision.outcome == Outcome.award, Award.id.is_(None))
        .options(joinedload(Application.organisation),
                 joinedload(Application.call).joinedload(Call.fund))
        .order_by(Application.decided_at, Application.id)))


# For the packages above grants (coalitions link awards by reference) -----------------------

def award_id_by_reference(reference: str) -> int | None:
    """The id of the award with this reference (surrounding spaces and case ignored)."""
    return db.session.scalar(select(Award.id).where(Award.reference == reference.strip().upper()))


def award_summaries(award_ids) -> list[dict]:
    """``{id, reference, amount, currency}`` of each award whose id is in ``award_ids`` (a
    list or a select of ids), by reference."""
    rows = db.session.execute(
        select(Award.id, Award.reference, Award.amount, Award.currency)
        .where(Award.id.in_(award_ids)).order_by(Award.reference))
    return [dict(row._mapping) for row in rows]


# My work -----------------------------------------------------------------------------------

@work.provide("awards.agreements", _l("Grant agreements"), is_staff_reader, order=50,
              see_all="awards.list_awards")
def agreements_work(user, today) -> list[work.WorkItem]:
    """Awarded applications without an agreement, then agreements waiting for signature."""
    items = [work.WorkItem(label=application.title or application.display_reference,
                           url=url_for("awards.create", application_id=application.id),
                           detail=f"{application.organisation.name} · "
                                  f"{_('Agreement to issue')}")
             for application in awarded_without_agreement()]
    unsigned = db.session.scalars(
        select(Award).where(Award.state == AwardState.pending_signature)
        .options(joinedload(Award.application).joinedload(Application.organisation))
        .order_by(Award.id))
    items += [work.WorkItem(label=award.application.title or award.reference,
                            url=url_for("awards.sign", award_id=award.id),
                            detail=f"{award.application.organisation.name} · "
                                   f"{_('Agreement to sign')}")
              for award in unsigned]
    return items
