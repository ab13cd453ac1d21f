"""Read helpers for awards and the disbursement ledger.

Balances come from one aggregate query over the ledger (per award, or grouped for the list
of awards), never from loops over rows loaded one by one:

committed
    what counts against the award: requests awaiting approval, approved requests awaiting
    payment, and payments, net of reversals (reversal entries carry negative amounts);
paid
    payments made (gross); ``reversed`` is the total of the reversals (a positive number) and
    ``paid_net`` the difference;
remaining
    what can still be requested: the award amount less what was de-obligated and what is
    committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import joinedload, selectinload

from accounts.models import Role, User, UserRole
from core.extensions import db
from grants.applications.models import Application
from grants.applications.states import ApplicationState
from grants.awards.models import Award, Disbursement
from grants.awards.states import (COUNTING_STATES, AwardState, DisbursementKind,
                                  DisbursementState, TrancheCondition)
from grants.calls.models import Call
from grants.monitoring.models import ProgressReport
from grants.monitoring.states import ReportKind, ReportState
from grants.ranking.queries import decided_amount
from grants.reviews.models import Decision
from grants.reviews.states import Outcome

ZERO = Decimal("0.00")

#: The report whose acceptance releases each report-conditioned tranche.
CONDITION_REPORTS = {
    TrancheCondition.midterm_report: ReportKind.midterm,
    TrancheCondition.final_report: ReportKind.final,
}

OPEN_STATES = (DisbursementState.requested, DisbursementState.approved)


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


# Balances ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Totals:
    amount: Decimal
    deobligated: Decimal = ZERO
    #: Requests awaiting approval.
    requested: Decimal = ZERO
    #: Approved requests awaiting payment.
    approved: Decimal = ZERO
    #: Payments made, gross.
    paid: Decimal = ZERO
    #: Reversals of payments, as a positive number.
    reversed: Decimal = ZERO

    @property
    def pending(self) -> Decimal:
        return self.requested + self.approved

    @property
    def paid_net(self) -> Decimal:
        return self.paid - self.reversed

    @property
    def committed(self) -> Decimal:
        return self.pending + self.paid_net

    @property
    def available(self) -> Decimal:
        """What the award allows after de-obligation."""
        return self.amount - self.deobligated

    @property
    def remaining(self) -> Decimal:
        """What can still be requested."""
        return self.available - self.committed

    @property
    def undisbursed(self) -> Decimal:
        """What has not been paid (net of reversals)."""
        return self.amount - self.paid_net


def _sum_when(*conditions):
    return func.coalesce(func.sum(case((and_(*conditions), Disbursement.amount),
                                       else_=0)), 0)


def ledger_columns():
    payment = Disbursement.kind == DisbursementKind.payment
    return (
        _sum_when(payment, Disbursement.state == DisbursementState.requested),
        _sum_when(payment, Disbursement.state == DisbursementState.approved),
        _sum_when(payment, Disbursement.state == DisbursementState.paid),
        _sum_when(Disbursement.kind == DisbursementKind.reversal,
                  Disbursement.state == DisbursementState.paid),
    )


def totals_from_sums(amount, deobligated, requested, approved, paid, reversed_) -> Totals:
    return Totals(amount=_money(amount), deobligated=_money(deobligated),
                  requested=_money(requested), approved=_money(approved), paid=_money(paid),
                  reversed=-_money(reversed_))


def award_totals(award: Award) -> Totals:
    """The award's balances, from one aggregate query over its ledger."""
    row = db.session.execute(select(*ledger_columns())
                             .where(Disbursement.award_id == award.id)).one()
    return totals_from_sums(award.amount, award.deobligated_amount, *row)


def tranche_committed(award: Award) -> dict[int, Decimal]:
    """Per tranche: what counts against it (open requests and payments net of reversals)."""
    rows = db.session.execute(
        select(Disbursement.tranche_id, func.coalesce(func.sum(Disbursement.amount), 0))
        .where(Disbursement.award_id == award.id, Disbursement.state.in_(COUNTING_STATES))
        .group_by(Disbursement.tranche_id))
    return {tranche_id: _money(total) for tranche_id, total in rows if tranche_id is not None}


def tranche_paid(award: Award) -> dict[int, Decimal]:
    """Per tranche: what was paid, net of reversals."""
    rows = db.session.execute(
        select(Disbursement.tranche_id, func.coalesce(func.sum(Disbursement.amount), 0))
        .where(Disbursement.award_id == award.id,
               Disbursement.state == DisbursementState.paid)
        .group_by(Disbursement.tranche_id))
    return {tranche_id: _money(total) for tranche_id, total in rows if tranche_id is not None}


# Conditions --------------------------------------------------------------------------------

def accepted_report_kinds(award: Award) -> set[ReportKind]:
    return set(db.session.scalars(select(ProgressReport.kind).where(
        ProgressReport.award_id == award.id, ProgressReport.state == ReportState.accepted)))


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


def load_disbursement(disbursement_id: int) -> Disbursement | None:
    return db.session.scalar(
        select(Disbursement).where(Disbursement.id == disbursement_id)
        .options(joinedload(Disbursement.award).joinedload(Award.application)
                 .joinedload(Application.organisation),
                 joinedload(Disbursement.tranche), joinedload(Disbursement.requested_by)))


def entry_by_key(idempotency_key: str) -> Disbursement | None:
    return db.session.scalar(select(Disbursement).where(
        Disbursement.idempotency_key == idempotency_key))


def reversal_of(disbursement: Disbursement) -> Disbursement | None:
    return db.session.scalar(select(Disbursement).where(
        Disbursement.reverses_id == disbursement.id))


def reports_of(award: Award) -> list[ProgressReport]:
    return list(db.session.scalars(select(ProgressReport)
                                   .where(ProgressReport.award_id == award.id)
                                   .order_by(ProgressReport.due_on, ProgressReport.id)))


def finance_users() -> list[User]:
    return list(db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.finance, User.is_enabled.is_(True))
        .order_by(User.id)))


# The ledger --------------------------------------------------------------------------------

@dataclass(frozen=True)
class LedgerRow:
    entry: Disbursement
    #: Running totals after this entry, in ledger order.
    committed: Decimal
    paid: Decimal
    reversed: Decimal
    remaining: Decimal

    @property
    def counts(self) -> bool:
        return self.entry.state in COUNTING_STATES


@dataclass(frozen=True)
class Ledger:
    rows: list[LedgerRow]
    totals: Totals
    #: Ids of paid entries that have been reversed.
    reversed_ids: frozenset[int]

    @property
    def balances(self) -> bool:
        """The running totals end where the aggregate query does."""
        if not self.rows:
            return self.totals.committed == ZERO
        return self.rows[-1].committed == self.totals.committed


def ledger(award: Award) -> Ledger:
    """Every entry of the award's ledger, oldest first, with running totals (committed, paid,
    reversed, remaining before any de-obligation)."""
    entries = list(db.session.scalars(
        select(Disbursement).where(Disbursement.award_id == award.id)
        .options(joinedload(Disbursement.tranche), joinedload(Disbursement.requested_by),
                 joinedload(Disbursement.approved_by), joinedload(Disbursement.paid_by))
        .order_by(Disbursement.id)))
    committed = paid = reversed_ = ZERO
    rows = []
    for entry in entries:
        if entry.state in COUNTING_STATES:
            committed += entry.amount
        if entry.state == DisbursementState.paid:
            if entry.kind == DisbursementKind.reversal:
                reversed_ -= entry.amount
            else:
                paid += entry.amount
        rows.append(LedgerRow(entry=entry, committed=committed, paid=paid, reversed=reversed_,
                              remaining=award.amount - committed))
    reversed_ids = frozenset(entry.reverses_id for entry in entries
                             if entry.reverses_id is not None)
    return Ledger(rows=rows, totals=award_totals(award), reversed_ids=reversed_ids)


# Lists -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AwardListRow:
    award: Award
    totals: Totals


def awards_for_staff(state: AwardState | None = None) -> list[AwardListRow]:
    """Every award (or those in ``state``) with its balances: one query for the awards and
    their applicants, one aggregate query for every ledger."""
    query = (select(Award)
             .options(joinedload(Award.application).joinedload(Application.organisation))
             .order_by(Award.created_at.desc(), Award.id.desc()))
    if state is not None:
        query = query.where(Award.state == state)
    awards = list(db.session.scalars(query))
    totals = totals_by_award(awards)
    return [AwardListRow(award=award, totals=totals[award.id]) for award in awards]


def totals_by_award(awards: Iterable[Award]) -> dict[int, Totals]:
    """The balances of several awards, by award id, from one aggregate query."""
    awards = list(awards)
    sums = {}
    if awards:
        rows = db.session.execute(
            select(Disbursement.award_id, *ledger_columns())
            .where(Disbursement.award_id.in_([award.id for award in awards]))
            .group_by(Disbursement.award_id))
        sums = {award_id: values for award_id, *values in rows}
    return {award.id: totals_from_sums(award.amount, award.deobligated_amount,
                              *sums.get(award.id, (0, 0, 0, 0)))
            for award in awards}


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


def _queue_query(states: Iterable[DisbursementState]):
    return (select(Disbursement)
            .where(Disbursement.kind == DisbursementKind.payment,
                   Disbursement.state.in_(list(states)))
            .options(joinedload(Disbursement.award).joinedload(Award.application)
                     .joinedload(Application.organisation),
                     joinedload(Disbursement.tranche), joinedload(Disbursement.requested_by),
                     joinedload(Disbursement.approved_by))
            .order_by(Disbursement.requested_at, Disbursement.id))


def awaiting_approval() -> list[Disbursement]:
    return list(db.session.scalars(_queue_query([DisbursementState.requested])))


def awaiting_payment() -> list[Disbursement]:
    return list(db.session.scalars(_queue_query([DisbursementState.approved])))
