"""Read helpers for the disbursement ledger: balances (``grants.ledger.money``'s
definitions, from one aggregate query per page, never from loops over rows), the ledger with
running totals, and the finance queues."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Row, func, select
from sqlalchemy.orm import joinedload

from core import contributions, work
from core.extensions import db
from core.money import format_money
from grants.applications.models import Application
from grants.awards.models import Award, Disbursement, Tranche
from grants.awards.policies import is_finance_user
from grants.awards.states import COUNTING_STATES, OPEN_STATES, DisbursementKind, DisbursementState
from grants.ledger.money import ENTRY_SUMS, ZERO, Money, cents, entry_columns, select_money

# Balances ----------------------------------------------------------------------------------

@contributions.provide("award.money")
def money_of(award: Award) -> Money:
    """The award's money, from one aggregate query over its ledger."""
    return money_by_award([award])[award.id]


@contributions.provide("awards.money")
def money_by_award(awards: Iterable[Award]) -> dict[int, Money]:
    """The money of several awards, by award id, from one aggregate query."""
    ids = [award.id for award in awards]
    if not ids:
        return {}
    rows = db.session.execute(select_money(Award.id.label("award_id"), grouped=False,
                                           where=[Award.id.in_(ids)]))
    return {row.award_id: Money.of(row._mapping) for row in rows}


@contributions.provide("tranches.money")
def money_by_tranche(tranches: Iterable[Tranche]) -> dict[int, Money]:
    """Per tranche, by id: its money, the planned amount standing for the amount awarded
    (so ``remaining`` is what can still be requested of the tranche)."""
    tranches = list(tranches)
    sums = {}
    if tranches:
        columns = entry_columns()
        rows = db.session.execute(
            select(Disbursement.tranche_id, *(columns[name].label(name) for name in ENTRY_SUMS))
            .where(Disbursement.tranche_id.in_([tranche.id for tranche in tranches]))
            .group_by(Disbursement.tranche_id))
        sums = {row.tranche_id: row._mapping for row in rows}
    return {tranche.id: Money.of({**sums.get(tranche.id, {}),
                                  "awarded": tranche.planned_amount})
            for tranche in tranches}


# The ledger --------------------------------------------------------------------------------

@dataclass(frozen=True)
class LedgerRow:
    entry: Disbursement
    #: Running totals after this entry, in ledger order (``money``'s definitions).
    drawn: Decimal
    paid: Decimal
    reversed: Decimal
    #: The award amount less what is drawn so far (before any de-obligation).
    remaining: Decimal

    @property
    def counts(self) -> bool:
        return self.entry.state in COUNTING_STATES


@dataclass(frozen=True)
class Ledger:
    rows: list[LedgerRow]
    money: Money
    #: Ids of paid entries that have been reversed.
    reversed_ids: frozenset[int]

    @property
    def balances(self) -> bool:
        """The running totals end where the aggregate query does."""
        if not self.rows:
            return self.money.drawn == ZERO
        return self.rows[-1].drawn == self.money.drawn


@contributions.provide("award.ledger")
def ledger(award: Award) -> Ledger:
    """Every entry of the award's ledger, oldest first, with running totals (drawn, paid,
    reversed, remaining before any de-obligation)."""
    entries = list(db.session.scalars(
        select(Disbursement).where(Disbursement.award_id == award.id)
        .options(joinedload(Disbursement.tranche), joinedload(Disbursement.requested_by),
                 joinedload(Disbursement.approved_by), joinedload(Disbursement.paid_by))
        .order_by(Disbursement.id)))
    drawn = paid = reversed_ = ZERO
    rows = []
    for entry in entries:
        if entry.state in COUNTING_STATES:
            drawn += entry.amount
        if entry.state == DisbursementState.paid:
            if entry.kind == DisbursementKind.reversal:
                reversed_ -= entry.amount
            else:
                paid += entry.amount
        rows.append(LedgerRow(entry=entry, drawn=cents(drawn), paid=cents(paid),
                              reversed=cents(reversed_), remaining=award.amount - drawn))
    reversed_ids = frozenset(entry.reverses_id for entry in entries
                             if entry.reverses_id is not None)
    return Ledger(rows=rows, money=money_of(award), reversed_ids=reversed_ids)


def paid_entries_by_award(award_ids: Iterable[int]) -> dict[int, list[Row]]:
    """The paid entries (payments, and reversals with their negative amounts) of several
    awards, by award id, in the order they were paid, from one statement: what was actually
    disbursed, entry by entry, for exports that list transactions. They add up to each award's
    ``Money.disbursed``. Each is a row of its ``amount``, ``kind``, ``paid_on`` and
    ``recorded_at`` only: an export lists tens of thousands of them, and building each as an
    entity cost more than the rest of its work."""
    ids = list(award_ids)
    if not ids:
        return {}
    entries = db.session.execute(
        select(Disbursement.award_id, Disbursement.amount, Disbursement.kind,
               Disbursement.paid_on, Disbursement.recorded_at)
        .where(Disbursement.award_id.in_(ids), Disbursement.state == DisbursementState.paid)
        .order_by(Disbursement.award_id, Disbursement.paid_on, Disbursement.id))
    found: dict[int, list[Row]] = {award_id: [] for award_id in ids}
    for entry in entries:
        found[entry.award_id].append(entry)
    return found


# Entries -----------------------------------------------------------------------------------

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


def pending_requests(award: Award) -> int:
    """How many requests of the award are open (awaiting approval or payment)."""
    return db.session.scalar(select(func.count()).select_from(Disbursement).where(
        Disbursement.award_id == award.id, Disbursement.state.in_(OPEN_STATES))) or 0


# The finance queues ------------------------------------------------------------------------

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


# My work -----------------------------------------------------------------------------------

def _queue_item(entries: list[Disbursement], label: str) -> work.WorkItem:
    totals: dict[str, Decimal] = {}
    for entry in entries:
        totals[entry.award.currency] = totals.get(entry.award.currency, ZERO) + entry.amount
    return work.WorkItem(
        label=label, count=len(entries),
        url=url_for("awards.finance_queue"),
        detail=" · ".join(format_money(total, currency)
                          for currency, total in sorted(totals.items())),
        due=min((entry.planned_on for entry in entries if entry.planned_on), default=None))


@work.provide("ledger.payments", _l("Payments"), is_finance_user, order=45,
              see_all="awards.finance_queue")
def payments_work(user, today) -> list[work.WorkItem]:
    """Requests to approve and approved payments to record, each with its total."""
    items = []
    if requested := awaiting_approval():
        items.append(_queue_item(requested, _("Requests to approve")))
    if approved := awaiting_payment():
        items.append(_queue_item(approved, _("Approved payments to record")))
    return items
