"""An award's disbursement ledger as a workbook: every entry with its running totals and
every detail the ledger page folds away, for finance to file and reconcile."""

from __future__ import annotations

from flask_babel import gettext as _

from core.spreadsheets import Column, Workbook
from grants.awards.models import Award
from grants.awards.states import DisbursementKind
from grants.ledger import money
from grants.ledger.queries import Ledger


def _columns(currency: str) -> list[Column]:
    amount = {"kind": "money", "currency": currency}
    return [
        Column(_("Entry"), "integer"), Column(_("Kind")), Column(_("Status")),
        Column(_("Tranche"), "integer"),
        Column(_("Requested (programme time)"), "datetime"), Column(_("Requested by")),
        Column(_("Amount"), **amount), Column(str(money.label("drawn")), **amount),
        Column(str(money.label("paid")), **amount),
        Column(str(money.label("reversed")), **amount),
        Column(str(money.label("remaining")), **amount),
        Column(_("Payment method")), Column(_("Payee reference")),
        Column(_("Planned for"), "date"),
        Column(_("Approved by")), Column(_("Approved (programme time)"), "datetime"),
        Column(_("Paid on"), "date"), Column(_("Amount paid"), "decimal"),
        Column(_("Currency paid")), Column(_("Exchange rate"), "decimal"),
        Column(_("Equivalent"), **amount), Column(_("Bank reference")),
        Column(_("Reverses entry"), "integer"), Column(_("Reason")),
    ]


def _kind(entry) -> str:
    return _("Reversal") if entry.kind == DisbursementKind.reversal else _("Payment")


def _name(user) -> str | None:
    return user.name if user is not None else None


def _rows(ledger: Ledger, payment_methods: dict):
    for row in ledger.rows:
        entry = row.entry
        reason = entry.reversal_reason if entry.kind == DisbursementKind.reversal else (
            entry.decision_reason or entry.override_reason)
        yield [
            entry.id, _kind(entry), entry.state.title,
            entry.tranche.sequence if entry.tranche else None,
            entry.requested_at, _name(entry.requested_by),
            entry.amount, row.drawn, row.paid, row.reversed, row.remaining,
            str(payment_methods.get(entry.payment_method, entry.payment_method or "")) or None,
            entry.payee_reference or None, entry.planned_on,
            _name(entry.approved_by), entry.approved_at,
            entry.paid_on, entry.paid_amount, entry.paid_currency, entry.exchange_rate,
            entry.usd_equivalent, entry.bank_reference or None, entry.reverses_id,
            reason or None,
        ]


def ledger_workbook(award: Award, ledger: Ledger, payment_methods: dict) -> Workbook:
    workbook = Workbook()
    workbook.add_sheet(_("Ledger %(reference)s", reference=award.reference),
                       _columns(award.currency), _rows(ledger, payment_methods), table=True)
    return workbook
