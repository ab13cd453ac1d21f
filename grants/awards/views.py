"""Grant agreements (awards), their tranches and the disbursement ledger: staff issue, sign,
suspend and terminate awards and request disbursements; finance approve, pay, cancel and
reverse; the grantee's members read their award."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from accounts.policies import is_staff
from core import navigation
from core.access import policy_required, require
from core.errors import OperationError, render_error
from core.extensions import db
from core.forms import render_form
from core.locking import AlreadyDone
from core.money import format_money, split_by_shares
from core.params import arg_choice
from core.timeutil import programme_today
from grants.applications.models import Application
from grants.applications.policies import check_disinterested
from grants.applications.states import ApplicationState
from grants.awards import checks, operations, queries
from grants.awards.forms import (
    RESUME,
    SUSPEND,
    TERMINATE,
    AwardForm,
    DecisionForm,
    DisbursementRequestForm,
    EditAwardForm,
    PaymentForm,
    ReversalForm,
    SignForm,
    TransitionForm,
)
from grants.awards.models import Award, Disbursement, Tranche
from grants.awards.policies import (
    can_cancel_disbursement,
    can_decide_disbursement,
    can_download_agreement,
    can_issue_award,
    can_list_awards,
    can_manage_awards,
    can_record_payment,
    can_request_disbursement,
    can_reverse_disbursement,
    can_view_award,
    can_view_finance_queue,
    is_finance,
    is_finance_nav,
)
from grants.awards.states import (
    AWARD_TRANSITIONS,
    DEFAULT_SCHEDULE,
    AwardState,
    DisbursementKind,
    DisbursementState,
)
from grants.calls.forms import parse_id
from grants.ledger import money
from grants.ledger import operations as ledger
from grants.ledger import queries as ledger_queries

bp = Blueprint("awards", __name__)

navigation.register(
    bp,
    navigation.NavEntry(_l("Awards"), "awards.list_awards", can_list_awards, order=45,
                        group=navigation.GRANTS),
    navigation.NavEntry(_l("Payments"), "awards.finance_queue", is_finance_nav, order=46,
                        group=navigation.MONEY),
)

#: Award actions offered on the award's page (signing has its own page; closing is done by
#: the close-out page of monitoring).
PAGE_ACTIONS = {SUSPEND: AwardState.suspended, RESUME: AwardState.active,
                TERMINATE: AwardState.terminated}
ACTION_OPERATIONS = {SUSPEND: operations.suspend_award, RESUME: operations.resume_award,
                     TERMINATE: operations.terminate_award}


def percent(value) -> str:
    """A tranche's share for display, in the reader's number format, e.g. "50 %"."""
    return format_decimal(Decimal(value) / 100, format="#,##0.##%")


def rate(value) -> str:
    """An exchange rate for display, with up to six decimals."""
    return "" if value is None else format_decimal(value, format="#,##0.######")


# Every page (macros imported from other templates too) names the amounts of
# ``grants.ledger.money`` with its own words.
bp.add_app_template_global(money.label, "money_label")
bp.add_app_template_global(money.definition, "money_definition")


@bp.context_processor
def _award_helpers():
    return {"AwardState": AwardState, "DisbursementState": DisbursementState,
            "DisbursementKind": DisbursementKind, "payment_methods": checks.PAYMENT_METHODS,
            "percent": percent, "rate": rate, "check_disinterested": check_disinterested}


# Loading -----------------------------------------------------------------------------------

def _load(award_id: int) -> Award:
    award = queries.load_award(award_id)
    if award is None:
        abort(404)
    return award


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


def _award_url(award_or_id, anchor: str | None = None) -> str:
    award_id = getattr(award_or_id, "id", award_or_id)
    return url_for("awards.detail", award_id=award_id, _anchor=anchor)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# Lists -------------------------------------------------------------------------------------

@bp.route("/staff/awards")
@policy_required(can_list_awards)
def list_awards():
    state = arg_choice("state", AwardState.__members__)
    state = AwardState(state) if state else None
    rows = queries.awards_for_staff(state)
    totals_by_currency: dict[str, money.Money] = {}
    for row in rows:
        currency = row.award.currency
        totals_by_currency[currency] = totals_by_currency.get(currency, money.Money()) \
            + row.money
    totals_by_currency = dict(sorted(totals_by_currency.items()))
    can_manage = can_manage_awards(current_user)[0]
    waiting = queries.awarded_without_agreement() if can_manage else []
    return render_template(
        "grants/awards/list.html", rows=rows, state=state, counts=queries.state_counts(),
        totals_by_currency=totals_by_currency, can_manage=can_manage,
        waiting=waiting, waiting_amounts=queries.decided_amounts(waiting))


@bp.route("/finance/disbursements")
@policy_required(can_view_finance_queue)
def finance_queue():
    return render_template(
        "grants/awards/finance_queue.html", awaiting_approval=ledger_queries.awaiting_approval(),
        awaiting_payment=ledger_queries.awaiting_payment(), is_finance=is_finance(current_user),
        action_form=DecisionForm())


# Awards ------------------------------------------------------------------------------------

def _schedule_preview(amount: Decimal) -> list[tuple]:
    shares = [Decimal(share) for share, _condition in DEFAULT_SCHEDULE]
    return [(share, part, condition) for share, part, (_share, condition)
            in zip(shares, split_by_shares(amount, shares), DEFAULT_SCHEDULE, strict=True)]


@bp.route("/staff/applications/<int:application_id>/award", methods=["GET", "POST"])
def create(application_id: int):
    application = db.get_or_404(Application, application_id)
    require(can_issue_award(current_user, application))
    existing = queries.award_for_application(application.id)
    if existing is not None and request.method == "GET":
        flash(_("%(reference)s already has a grant agreement: %(award)s.",
                reference=application.display_reference, award=existing.reference), "error")
        return redirect(_award_url(existing)), 303
    if (application.state != ApplicationState.awarded
            or queries.award_decision(application) is None):
        return render_error(409, _("%(reference)s has no award decision: only awarded "
                                   "applications get a grant agreement.",
                                   reference=application.display_reference))
    form = AwardForm()
    if request.method == "GET":
        starts_on = programme_today()
        form.starts_on.data = starts_on
        form.ends_on.data = _add_months(starts_on, application.duration_months or 12) \
            - timedelta(days=1)
    elif form.validate_on_submit():
        try:
            award = operations.create_award(application, current_user,
                                            starts_on=form.starts_on.data,
                                            ends_on=form.ends_on.data,
                                            conditions=form.conditions.data)
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(_award_url(queries.award_for_application(application.id)))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("Grant agreement %(reference)s issued; it now waits for signature. The "
                    "grantee has been told.", reference=award.reference), "success")
            return redirect(_award_url(award))
    amount = queries.decided_amounts([application]).get(application.id)
    return render_form("grants/awards/create.html", form, application=application,
                       currency=application.call.currency, amount=amount,
                       schedule=_schedule_preview(amount) if amount else [])


@bp.route("/awards/<int:award_id>")
def detail(award_id: int):
    award = _load(award_id)
    require(can_view_award(current_user, award))
    manager = can_manage_awards(current_user, award)[0]
    actions = [action for action, target in PAGE_ACTIONS.items()
               if AWARD_TRANSITIONS.get((award.state, target)) == action] if manager else []
    return render_template(
        "grants/awards/detail.html", award=award, application=award.application,
        ledger=ledger_queries.ledger(award), holding=queries.conditions_holding(award),
        tranche_money=ledger_queries.money_by_tranche(award.tranches),
        reports=queries.reports_of(award),
        can_manage=manager, can_request=can_request_disbursement(current_user, award)[0],
        is_finance=is_finance(current_user), actions=actions,
        # Staff and finance who belong to the grantee or counterpart are told why they
        # cannot act; the grantee's own members just read.
        separation=check_disinterested(current_user, award.application)
        if is_staff(current_user) or is_finance(current_user) else (True, ""),
        transition_form=TransitionForm(), action_form=DecisionForm())


def _not_pending(award: Award):
    return render_error(409, _("The award is “%(state)s”: only an agreement waiting for "
                               "signature can be changed or signed.",
                               state=award.state.title))


@bp.route("/staff/awards/<int:award_id>/edit", methods=["GET", "POST"])
def edit(award_id: int):
    award = _load(award_id)
    require(can_manage_awards(current_user, award))
    if award.state != AwardState.pending_signature:
        return _not_pending(award)
    if request.method == "GET":
        form = EditAwardForm(data={
            "starts_on": award.starts_on, "ends_on": award.ends_on,
            "conditions": award.conditions,
            "tranches": [{"tranche_id": str(t.id), "percentage": t.percentage,
                          "planned_on": t.planned_on} for t in award.tranches]})
    else:
        form = EditAwardForm()
        if form.validate_on_submit():
            rows = {}
            for row in form.tranches:
                tranche_id = parse_id(row.form.tranche_id.data)
                rows[tranche_id] = (row.form.percentage.data, row.form.planned_on.data)
            try:
                operations.update_award(award, current_user, starts_on=form.starts_on.data,
                                        ends_on=form.ends_on.data,
                                        conditions=form.conditions.data, tranches=rows)
            except OperationError as error:
                form.add_operation_error(error)
            else:
                flash(_("The agreement %(reference)s is saved.", reference=award.reference),
                      "success")
                return redirect(_award_url(award))
    tranches = {str(t.id): t for t in award.tranches}
    return render_form("grants/awards/edit.html", form, award=award, tranches=tranches)


@bp.route("/staff/awards/<int:award_id>/sign", methods=["GET", "POST"])
def sign(award_id: int):
    award = _load(award_id)
    require(can_manage_awards(current_user, award))
    if request.method == "POST" and award.state == AwardState.active \
            and award.agreement_file_id is not None:
        # Signed by a click that came first (a double click): answered as that one was.
        flash(_("The agreement %(reference)s is already signed.", reference=award.reference),
              "info")
        return redirect(_award_url(award))
    if award.state != AwardState.pending_signature:
        return _not_pending(award)
    form = SignForm()
    if form.validate_on_submit():
        try:
            operations.sign_award(award, current_user, file_storage=form.agreement.data,
                                  signed_on=form.signed_on.data)
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(_award_url(award))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The agreement %(reference)s is signed: the award is active.",
                    reference=award.reference), "success")
            return redirect(_award_url(award))
    return render_form("grants/awards/sign.html", form, award=award)


@bp.route("/staff/awards/<int:award_id>/transition", methods=["POST"])
def transition(award_id: int):
    award = _load(award_id)
    require(can_manage_awards(current_user, award))
    form = TransitionForm()
    if form.action.data not in ACTION_OPERATIONS:
        abort(400)
    try:
        if not form.validate_on_submit():
            raise OperationError(next(iter(form.reason.errors), _("Check the reason.")))
        ACTION_OPERATIONS[form.action.data](award, current_user, reason=form.reason.data)
    except AlreadyDone as done:
        flash(str(done.message), "info")
        return redirect(_award_url(award))
    except OperationError as error:
        flash(str(error.message), "error")
        return redirect(_award_url(award)), 303
    flash(_("The award %(reference)s is now “%(state)s”.", reference=award.reference,
            state=award.state.title), "success")
    return redirect(_award_url(award))


@bp.route("/awards/<int:award_id>/agreement")
def agreement(award_id: int):
    from core.uploads.responses import send_stored_file

    award = _load(award_id)
    require(can_download_agreement(current_user, award))
    if award.agreement_file is None:
        abort(404)
    return send_stored_file(award.agreement_file)


# Disbursements -----------------------------------------------------------------------------

@bp.route("/staff/awards/<int:award_id>/tranches/<int:tranche_id>/request",
          methods=["GET", "POST"])
def request_disbursement(award_id: int, tranche_id: int):
    award = _load(award_id)
    tranche = _tranche(award, tranche_id)
    require(can_request_disbursement(current_user, award))
    if award.state != AwardState.active and request.method == "GET":
        return render_error(409, _("The award is “%(state)s”: disbursements can be requested "
                                   "only while it is active.", state=award.state.title))
    form = DisbursementRequestForm()
    award_money = ledger_queries.money_of(award)
    tranche_money = ledger_queries.money_by_tranche([tranche])[tranche.id]
    tranche_left = tranche_money.remaining
    if request.method == "GET":
        form.idempotency_key.data = checks.new_idempotency_key()
        suggested = min(tranche_left, award_money.remaining)
        form.amount.data = suggested if suggested > 0 else None
        today = programme_today()
        form.planned_on.data = max(tranche.planned_on or today, today)
        form.payment_method.data = "bank_transfer"
        last = next((row.entry for row in reversed(ledger_queries.ledger(award).rows)
                     if row.entry.payee_reference), None)
        form.payee_reference.data = last.payee_reference if last else ""
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
            if created:
                flash(_("Disbursement of %(amount)s requested; finance has been told.",
                        amount=format_money(entry.amount, award.currency)),
                      "success")
            else:
                flash(_("This request had already been sent: nothing new was added."),
                      "success")
            return redirect(_award_url(award, "ledger"))
    if not checks.is_idempotency_key(form.idempotency_key.data):
        form.idempotency_key.data = checks.new_idempotency_key()
    return render_form(
        "grants/awards/request.html", form, award=award, tranche=tranche,
        holds=queries.conditions_holding(award)[tranche.condition], money=award_money,
        tranche_money=tranche_money, tranche_left=tranche_left)


def _back(entry: Disbursement, form: DecisionForm | None = None) -> str:
    if form is not None and form.next_page() == "queue":
        return url_for("awards.finance_queue")
    return _award_url(entry.award_id, "ledger")


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
            ledger.record_payment(
                entry, current_user, paid_on=form.paid_on.data,
                bank_reference=form.bank_reference.data,
                paid_currency=form.paid_currency.data, exchange_rate=form.exchange_rate.data,
                paid_amount=form.paid_amount.data, usd_equivalent=form.usd_equivalent.data)
        except OperationError as error:
            if _already_in(entry, DisbursementState.paid,
                           bank_reference=(form.bank_reference.data or "").strip()):
                flash(_("Request #%(id)s is already “%(state)s”.", id=entry.id,
                        state=DisbursementState.paid.title), "info")
                return redirect(url_for("awards.finance_queue"))
            form.add_operation_error(error)
        else:
            flash(_("Payment of %(amount)s recorded; the grantee has been told.",
                    amount=_amount(entry)), "success")
            return redirect(url_for("awards.finance_queue"))
    return render_form("grants/awards/pay.html", form, entry=entry, award=award)


@bp.route("/finance/disbursements/<int:disbursement_id>/reverse", methods=["GET", "POST"])
def reverse(disbursement_id: int):
    entry = _load_entry(disbursement_id)
    require(can_reverse_disbursement(current_user, entry))
    award = entry.award
    if request.method == "GET":
        if entry.kind != DisbursementKind.payment or entry.state != DisbursementState.paid:
            return render_error(409, _("Only a payment that was made can be reversed."))
        already = ledger_queries.reversal_of(entry)
        if already is not None:
            return render_error(409, _("This payment has already been reversed (entry "
                                       "#%(id)s).", id=already.id))
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
            return redirect(_award_url(award, "ledger"))
    if not checks.is_idempotency_key(form.idempotency_key.data):
        form.idempotency_key.data = checks.new_idempotency_key()
    return render_form("grants/awards/reverse.html", form, entry=entry, award=award)
