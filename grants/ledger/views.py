"""The disbursement ledger's pages, on the awards blueprint (their URLs and endpoint names
are the awards' own): staff request disbursements of a tranche; finance approve, reject,
cancel, pay and reverse them, from the award's ledger or the finance queue."""

from __future__ import annotations

from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core import navigation
from core.access import policy_required, require
from core.errors import OperationError, render_error
from core.extensions import db
from core.forms import render_form
from core.money import format_money
from core.spreadsheets import send_workbook
from core.timeutil import programme_today
from grants.awards import checks, queries
from grants.awards.forms import DecisionForm, DisbursementRequestForm, PaymentForm, ReversalForm
from grants.awards.models import Award, Disbursement, Tranche
from grants.awards.policies import (
    can_cancel_disbursement,
    can_decide_disbursement,
    can_record_payment,
    can_request_disbursement,
    can_reverse_disbursement,
    can_view_award,
    can_view_finance_queue,
    is_finance,
    is_finance_nav,
)
from grants.awards.states import AwardState, DisbursementKind, DisbursementState
from grants.awards.views import award_url, bp, load_award
from grants.ledger import money
from grants.ledger import operations as ledger
from grants.ledger import queries as ledger_queries
from grants.ledger.export import ledger_workbook

navigation.register(
    bp, navigation.NavEntry(_l("Payments"), "awards.finance_queue", is_finance_nav, order=46,
                            group=navigation.MONEY))

# Every page (macros imported from other templates too) names the amounts of
# ``grants.ledger.money`` with its own words.
bp.add_app_template_global(money.label, "money_label")
bp.add_app_template_global(money.definition, "money_definition")


def _load_entry(disbursement_id: int) -> Disbursement:
    entry = ledger_queries.load_disbursement(disbursement_id)
    if entry is None:
        abort(404)
    return entry


def _tranche(award: Award, tranche_id: int) -> Tranche:
    tranche = next((t for t in award.tranches if t.id == tranche_id), None)
    if tranche is None:
        abort(404)
    return tranche


@bp.route("/awards/<int:award_id>/ledger.xlsx")
def ledger_export(award_id: int):
    award = load_award(award_id)
    require(can_view_award(current_user, award))
    workbook = ledger_workbook(award, ledger_queries.ledger(award), checks.PAYMENT_METHODS)
    return send_workbook(workbook, f"ledger-{award.reference}.xlsx")


@bp.route("/finance/disbursements")
@policy_required(can_view_finance_queue)
def finance_queue():
    return render_template(
        "grants/awards/finance_queue.html", awaiting_approval=ledger_queries.awaiting_approval(),
        awaiting_payment=ledger_queries.awaiting_payment(), is_finance=is_finance(current_user),
        action_form=DecisionForm())


# Disbursements -----------------------------------------------------------------------------

def _fill_request(form: DisbursementRequestForm, award: Award, tranche: Tranche,
                  award_money: money.Money, tranche_money: money.Money) -> None:
    """The request a new form suggests: what is left of the tranche (within what is left of
    the award), on its planned day at the earliest, to the payee of the last entry."""
    form.idempotency_key.data = checks.new_idempotency_key()
    suggested = min(tranche_money.remaining, award_money.remaining)
    form.amount.data = suggested if suggested > 0 else None
    today = programme_today()
    form.planned_on.data = max(tranche.planned_on or today, today)
    form.payment_method.data = "bank_transfer"
    last = next((row.entry for row in reversed(ledger_queries.ledger(award).rows)
                 if row.entry.payee_reference), None)
    form.payee_reference.data = last.payee_reference if last else ""


def _keep_idempotency_key(form) -> None:
    """A form shown again keeps its key (a resubmission is recognised), or gets a new one."""
    if not checks.is_idempotency_key(form.idempotency_key.data):
        form.idempotency_key.data = checks.new_idempotency_key()


@bp.route("/staff/awards/<int:award_id>/tranches/<int:tranche_id>/request",
          methods=["GET", "POST"])
def request_disbursement(award_id: int, tranche_id: int):
    award = load_award(award_id)
    tranche = _tranche(award, tranche_id)
    require(can_request_disbursement(current_user, award))
    if award.state != AwardState.active and request.method == "GET":
        return render_error(409, _("The award is “%(state)s”: disbursements can be requested "
                                   "only while it is active.", state=award.state.title))
    form = DisbursementRequestForm()
    award_money = ledger_queries.money_of(award)
    tranche_money = ledger_queries.money_by_tranche([tranche])[tranche.id]
    if request.method == "GET":
        _fill_request(form, award, tranche, award_money, tranche_money)
    elif form.validate_on_submit():
        try:
            entry, created = ledger.request_disbursement(
                award, tranche, current_user, amount=form.amount.data,
                planned_on=form.planned_on.data, payment_method=form.payment_method.data,
                payee_reference=form.payee_reference.data,
                override_reason=form.override_reason.data,
                idempotency_key=form.idempotency_key.data)
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("Disbursement of %(amount)s requested; finance has been told.",
                    amount=_amount(entry)) if created
                  else _("This request had already been sent: nothing new was added."),
                  "success")
            return redirect(award_url(award, "ledger"))
    return _render_request(form, award, tranche, award_money, tranche_money)


def _render_request(form: DisbursementRequestForm, award: Award, tranche: Tranche,
                    award_money: money.Money, tranche_money: money.Money):
    _keep_idempotency_key(form)
    return render_form(
        "grants/awards/request.html", form, award=award, tranche=tranche,
        holds=queries.conditions_holding(award)[tranche.condition], money=award_money,
        tranche_money=tranche_money, tranche_left=tranche_money.remaining)


def _back(entry: Disbursement, form: DecisionForm | None = None) -> str:
    if form is not None and form.next_page() == "queue":
        return url_for("awards.finance_queue")
    return award_url(entry.award_id, "ledger")


def _already_in(entry: Disbursement, state: DisbursementState, **values) -> bool:
    """After a refusal: whether the entry is (as committed now) in the state the refused
    action leads to, with the ``values`` it would have written, i.e. the same action won the
    race just before (a double click)."""
    db.session.rollback()
    current = db.session.get(Disbursement, entry.id, populate_existing=True)
    return (current is not None and current.state == state
            and all(getattr(current, name) == value for name, value in values.items()))


#: Who made each decision on a disbursement request.
DECIDED_BY = {DisbursementState.approved: "approved_by_id",
              DisbursementState.rejected: "rejected_by_id",
              DisbursementState.cancelled: "cancelled_by_id"}


def _entry_action(disbursement_id: int, policy, run, message, done_state=None):
    entry = _load_entry(disbursement_id)
    require(policy(current_user, entry))
    actor_id = current_user.id
    form = DecisionForm()
    back = _back(entry, form)
    try:
        if not form.validate_on_submit():
            raise OperationError(next(iter(form.reason.errors), _("Check the reason.")))
        run(entry, form)
    except OperationError as error:
        # The same action by the same person (a double click), not a colleague's decision.
        same = {DECIDED_BY[done_state]: actor_id} if done_state is not None else {}
        if done_state != DisbursementState.approved:
            same["decision_reason"] = (form.reason.data or "").strip()
        if done_state is not None and _already_in(entry, done_state, **same):
            flash(_("Request #%(id)s is already “%(state)s”.", id=entry.id,
                    state=done_state.title), "info")
            return redirect(back)
        flash(str(error.message), "error")
        return redirect(back), 303
    flash(message(entry), "success")
    return redirect(back)


def _amount(entry: Disbursement) -> str:
    return format_money(entry.amount, entry.award.currency)


@bp.route("/finance/disbursements/<int:disbursement_id>/approve", methods=["POST"])
def approve(disbursement_id: int):
    return _entry_action(
        disbursement_id, can_decide_disbursement,
        lambda entry, form: ledger.approve_disbursement(entry, current_user),
        lambda entry: _("Request #%(id)s of %(amount)s approved; it can now be paid.",
                        id=entry.id, amount=_amount(entry)), DisbursementState.approved)


@bp.route("/finance/disbursements/<int:disbursement_id>/reject", methods=["POST"])
def reject(disbursement_id: int):
    return _entry_action(
        disbursement_id, can_decide_disbursement,
        lambda entry, form: ledger.reject_disbursement(entry, current_user,
                                                           reason=form.reason.data),
        lambda entry: _("Request #%(id)s of %(amount)s rejected; the requester has been "
                        "told.", id=entry.id, amount=_amount(entry)), DisbursementState.rejected)


@bp.route("/finance/disbursements/<int:disbursement_id>/cancel", methods=["POST"])
def cancel(disbursement_id: int):
    return _entry_action(
        disbursement_id, can_cancel_disbursement,
        lambda entry, form: ledger.cancel_disbursement(entry, current_user,
                                                           reason=form.reason.data),
        lambda entry: _("Request #%(id)s of %(amount)s cancelled.", id=entry.id,
                        amount=_amount(entry)), DisbursementState.cancelled)


def _record_payment(entry: Disbursement, form: PaymentForm) -> None:
    ledger.record_payment(
        entry, current_user, paid_on=form.paid_on.data, bank_reference=form.bank_reference.data,
        paid_currency=form.paid_currency.data, exchange_rate=form.exchange_rate.data,
        paid_amount=form.paid_amount.data, usd_equivalent=form.usd_equivalent.data)


def _already_paid(entry: Disbursement, form: PaymentForm) -> bool:
    """After a refusal: whether the same payment was recorded just before (a double click),
    with the bank reference this form gives."""
    return _already_in(entry, DisbursementState.paid,
                       bank_reference=(form.bank_reference.data or "").strip())


def _render_payment(form: PaymentForm, entry: Disbursement, award: Award):
    return render_form("grants/awards/pay.html", form, entry=entry, award=award)


@bp.route("/finance/disbursements/<int:disbursement_id>/pay", methods=["GET", "POST"])
def pay(disbursement_id: int):
    entry = _load_entry(disbursement_id)
    require(can_record_payment(current_user, entry))
    award = entry.award
    if request.method == "GET" and (entry.kind != DisbursementKind.payment
                                    or entry.state != DisbursementState.approved):
        return render_error(409, _("Only an approved request can be paid; this one is "
                                   "“%(state)s”.", state=entry.state.title))
    form = PaymentForm()
    if request.method == "GET":
        form.paid_on.data = programme_today()
        form.paid_currency.data = award.currency
        form.exchange_rate.data = Decimal(1)
    elif form.validate_on_submit():
        try:
            _record_payment(entry, form)
        except OperationError as error:
            if not _already_paid(entry, form):
                form.add_operation_error(error)
                return _render_payment(form, entry, award)
            flash(_("Request #%(id)s is already “%(state)s”.", id=entry.id,
                    state=DisbursementState.paid.title), "info")
        else:
            flash(_("Payment of %(amount)s recorded; the grantee has been told.",
                    amount=_amount(entry)), "success")
        return redirect(url_for("awards.finance_queue"))
    return _render_payment(form, entry, award)


def _not_reversible(entry: Disbursement):
    """The refusal of a reversal form for an entry that is no payment made, or one that has
    been reversed already; None when it can be reversed."""
    if entry.kind != DisbursementKind.payment or entry.state != DisbursementState.paid:
        return render_error(409, _("Only a payment that was made can be reversed."))
    already = ledger_queries.reversal_of(entry)
    if already is not None:
        return render_error(409, _("This payment has already been reversed (entry "
                                   "#%(id)s).", id=already.id))
    return None


@bp.route("/finance/disbursements/<int:disbursement_id>/reverse", methods=["GET", "POST"])
def reverse(disbursement_id: int):
    entry = _load_entry(disbursement_id)
    require(can_reverse_disbursement(current_user, entry))
    award = entry.award
    if request.method == "GET" and (refusal := _not_reversible(entry)) is not None:
        return refusal
    form = ReversalForm()
    if request.method == "GET":
        form.idempotency_key.data = checks.new_idempotency_key()
        form.reversed_on.data = programme_today()
    elif form.validate_on_submit():
        try:
            _reversal, created = ledger.reverse_disbursement(
                entry, current_user, reason=form.reason.data,
                reversed_on=form.reversed_on.data, bank_reference=form.bank_reference.data,
                idempotency_key=form.idempotency_key.data)
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("Payment #%(id)s of %(amount)s reversed.", id=entry.id,
                    amount=_amount(entry)) if created
                  else _("This reversal had already been recorded: nothing new was added."),
                  "success")
            return redirect(award_url(award, "ledger"))
    _keep_idempotency_key(form)
    return render_form("grants/awards/reverse.html", form, entry=entry, award=award)
