"""The disbursement ledger of grant agreements. Operations flush and never commit.

The ledger is append-only. Staff request a tranche (when its condition holds, or with a
written reason); a finance user who did not make the request approves or rejects it; finance
records the payment or cancels an unpaid request. Paid entries never change: a correction is
a reversal entry (negative amount) pointing to the payment it corrects, at most one per
payment.

Never over-disbursed: every operation here first locks the award's row (``lock_award``) and
reloads it, and only then sums the ledger and writes, so two requests never both pass the
balance check on stale sums. What is drawn (requested, approved, or disbursed: paid net of
reversals) never exceeds what is committed (the award amount less what was de-obligated):
``grants.ledger.money``'s remaining never goes below zero; nor does a tranche's share exceed
its planned amount.

Every request carries an idempotency key (a hidden field generated with the form): the same
key sent twice gives back the entry the first one created, also when two submissions race
(the unique constraint decides, inside a savepoint).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from accounts.policies import is_staff
from core.audit.operations import record
from core.errors import OperationError
from core.extensions import db
from core.money import currency_codes, format_money
from core.timeutil import programme_today, to_programme_time, utcnow
from grants.applications.operations import require_disinterested
from grants.awards import queries as award_queries
from grants.awards.checks import (
    BANK_REFERENCE_MAX,
    MAX_AMOUNT,
    MAX_RATE,
    PAYEE_REFERENCE_MAX,
    PAYMENT_METHODS,
    REASON_MAX,
    ZERO,
    _check_amount,
    _check_date,
    _check_key,
    _clean_text,
    _money,
    _notify_finance,
    _notify_grantee,
    _notify_requester,
    _reload,
    _require_active,
    _require_finance,
    lock_award,
)
from grants.awards.models import Award, Disbursement, Tranche
from grants.awards.states import (
    DISBURSEMENT_WORKFLOW,
    AwardState,
    DisbursementKind,
    DisbursementState,
)
from grants.ledger import exchange, queries


def _existing_request(entry: Disbursement, award: Award, tranche: Tranche) -> Disbursement:
    if (entry.award_id != award.id or entry.tranche_id != tranche.id
            or entry.kind != DisbursementKind.payment):
        raise OperationError(_l("This form has expired. Reload the page and submit it "
                                "again."))
    return entry


def _insert(entry: Disbursement) -> Disbursement | None:
    """Insert ``entry`` inside a savepoint; None when its idempotency key is already taken
    (by a request that committed meanwhile)."""
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:
        return None
    return entry


def request_disbursement(award: Award, tranche: Tranche, actor, *, amount, planned_on,
                         payment_method: str, payee_reference: str, idempotency_key: str,
                         override_reason: str = "") -> tuple[Disbursement, bool]:
    """Request a disbursement of ``tranche``. Returns ``(entry, created)``: a request sent
    again with the same idempotency key gives back the first one's entry."""
    if not is_staff(actor):
        raise OperationError(_l("Only programme staff can request a disbursement."))
    require_disinterested(actor, award.application)
    idempotency_key = _check_key(idempotency_key)
    award = lock_award(award)
    existing = queries.entry_by_key(idempotency_key)
    if existing is not None:
        return _existing_request(existing, award, tranche), False
    if tranche.award_id != award.id:
        raise OperationError(_l("This tranche is not part of this award."))
    _require_active(award)
    amount = _check_amount(amount)
    _check_date(planned_on, field="planned_on",
                required=_l("Enter the date the payment is planned for."))
    if payment_method not in PAYMENT_METHODS:
        raise OperationError(_l("Choose a payment method from the list."),
                             field="payment_method")
    payee_reference = _clean_text(payee_reference, field="payee_reference",
                                  max_length=PAYEE_REFERENCE_MAX,
                                  required=_l("Enter the payee's account reference."))
    override_reason = _clean_text(override_reason, field="override_reason",
                                  max_length=REASON_MAX)
    holds = award_queries.conditions_holding(award)[tranche.condition]
    if holds:
        override_reason = ""
    elif not override_reason:
        raise OperationError(_l("The condition of this tranche does not hold yet (%(condition)s)."
                                " To request it anyway, give the reason.",
                                condition=tranche.condition.title), field="override_reason")

    money = queries.money_of(award)
    if amount > money.remaining:
        raise OperationError(_l(
            "This would over-disburse the award: %(remaining)s remains to be requested of "
            "%(committed)s committed (%(drawn)s is already requested, approved or disbursed).",
            remaining=_money(max(money.remaining, ZERO), award),
            committed=_money(money.committed, award),
            drawn=_money(money.drawn, award)), field="amount")
    tranche_left = queries.money_by_tranche([tranche])[tranche.id].remaining
    if amount > tranche_left:
        raise OperationError(_l(
            "This tranche has %(left)s left to request of its planned %(planned)s (the award "
            "has %(remaining)s left).", left=_money(max(tranche_left, ZERO), award),
            planned=_money(tranche.planned_amount, award),
            remaining=_money(money.remaining, award)), field="amount")

    entry = Disbursement(
        award_id=award.id, tranche_id=tranche.id, kind=DisbursementKind.payment,
        state=DisbursementState.requested, amount=amount, idempotency_key=idempotency_key,
        planned_on=planned_on, payment_method=payment_method, payee_reference=payee_reference,
        override_reason=override_reason, requested_by_id=actor.id, requested_at=utcnow(),
        decision_reason="", bank_reference="", reversal_reason="")
    if _insert(entry) is None:
        existing = queries.entry_by_key(idempotency_key)
        if existing is None:
            raise OperationError(_l("This form has expired. Reload the page and submit it "
                                    "again."))
        return _existing_request(existing, award, tranche), False
    record("disbursement.request", entry, actor=actor,
           summary=f"{award.reference}: tranche {tranche.sequence}, {amount} {award.currency} "
                   f"requested" + (" (condition overridden)" if override_reason else ""),
           data={"award_id": award.id, "tranche_id": tranche.id, "amount": amount,
                 "planned_on": planned_on, "payment_method": payment_method,
                 "payee_reference": payee_reference, "condition": tranche.condition.value,
                 "condition_holds": holds, "override_reason": override_reason,
                 "remaining_after": money.remaining - amount})
    _notify_finance(entry, actor)
    return entry, True


def _decided_entry(disbursement: Disbursement, actor) -> tuple[Award, Disbursement]:
    """Lock the award, reload the entry and apply the maker-checker rule."""
    _require_finance(actor, disbursement.award)
    award = lock_award(disbursement.award)
    entry = _reload(disbursement)
    if entry.requested_by_id == actor.id:
        raise OperationError(_l("You requested this disbursement: another finance user must "
                                "approve or reject it."))
    return award, entry


def approve_disbursement(disbursement: Disbursement, actor) -> Disbursement:
    award, entry = _decided_entry(disbursement, actor)
    transition = DISBURSEMENT_WORKFLOW.check(entry, "approve", actor)
    money = queries.money_of(award)
    if money.remaining < 0:  # the request counted already; never expected
        raise OperationError(_l("Approving this would over-disburse the award (%(remaining)s "
                                "left).", remaining=_money(money.remaining, award)))
    entry.state = transition.target
    entry.approved_by_id = actor.id
    entry.approved_at = utcnow()
    db.session.flush()
    record(transition.audit, entry, actor=actor,
           summary=f"{award.reference}: request #{entry.id} of {entry.amount} "
                   f"{award.currency} approved",
           data={"award_id": award.id, "amount": entry.amount,
                 "requested_by_id": entry.requested_by_id})
    _notify_requester(entry, "grants/awards/disbursement_approved", actor)
    return entry


def reject_disbursement(disbursement: Disbursement, actor, *, reason: str) -> Disbursement:
    award, entry = _decided_entry(disbursement, actor)
    transition = DISBURSEMENT_WORKFLOW.check(entry, "reject", actor)
    reason = _clean_text(reason, field="reason", max_length=REASON_MAX,
                         required=_l("Give the reason for rejecting the request."))
    entry.state = transition.target
    entry.rejected_by_id = actor.id
    entry.rejected_at = utcnow()
    entry.decision_reason = reason
    db.session.flush()
    record(transition.audit, entry, actor=actor,
           summary=f"{award.reference}: request #{entry.id} of {entry.amount} "
                   f"{award.currency} rejected",
           data={"award_id": award.id, "amount": entry.amount, "reason": reason})
    _notify_requester(entry, "grants/awards/disbursement_rejected", actor)
    return entry


def cancel_disbursement(disbursement: Disbursement, actor, *, reason: str) -> Disbursement:
    """Cancel a request that was not paid (awaiting approval, or approved)."""
    _require_finance(actor, disbursement.award)
    award = lock_award(disbursement.award)
    entry = _reload(disbursement)
    transition = DISBURSEMENT_WORKFLOW.check(entry, "cancel", actor)
    reason = _clean_text(reason, field="reason", max_length=REASON_MAX,
                         required=_l("Give the reason for cancelling the request."))
    entry.state = transition.target
    entry.cancelled_by_id = actor.id
    entry.cancelled_at = utcnow()
    entry.decision_reason = reason
    db.session.flush()
    record(transition.audit, entry, actor=actor,
           summary=f"{award.reference}: request #{entry.id} of {entry.amount} "
                   f"{award.currency} cancelled",
           data={"award_id": award.id, "amount": entry.amount, "reason": reason})
    return entry


def _check_rate(rate) -> Decimal:
    field = "exchange_rate"
    if rate is None or rate == "":
        raise OperationError(_l("Enter the exchange rate."), field=field)
    try:
        value = Decimal(str(rate).strip()) if not isinstance(rate, float | bool) else None
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite():
        raise OperationError(_l("Enter the exchange rate in figures, for example 2.00."),
                             field=field)
    if value <= 0:
        raise OperationError(_l("The exchange rate must be more than zero."), field=field)
    if value.as_tuple().exponent < -6:
        raise OperationError(_l("Use at most six decimal places in the exchange rate."),
                             field=field)
    if value > MAX_RATE:
        raise OperationError(_l("This exchange rate is too large."), field=field)
    return value


def payment_amounts(amount: Decimal, rate: Decimal) -> tuple[Decimal, Decimal]:
    """(paid amount, equivalent in the award's currency) for ``amount`` paid at ``rate``
    units of the paid currency per unit of the award's currency: ``amount × rate`` rounded
    half-even to the cent, and ``amount`` itself (see ``grants.ledger.exchange``)."""
    settlement = exchange.settle(amount, rate)
    return settlement.paid_amount, settlement.equivalent


def record_payment(disbursement: Disbursement, actor, *, paid_on: date, bank_reference: str,
                   paid_currency: str, exchange_rate, paid_amount=None,
                   usd_equivalent=None) -> Disbursement:
    """Record that an approved request was paid. What is settled against the award is the
    approved amount, exactly; the paid amount is the approved amount times the exchange rate
    (paid currency per unit of the award's currency) rounded half-even to the cent, and the
    equivalent in the award's currency is the approved amount (``grants.ledger.exchange``).
    Amounts typed on the form must agree with them."""
    _require_finance(actor, disbursement.award)
    award = lock_award(disbursement.award)
    entry = _reload(disbursement)
    transition = DISBURSEMENT_WORKFLOW.check(entry, "pay", actor)
    _check_date(paid_on, field="paid_on", required=_l("Enter the date of the payment."))
    if paid_on > programme_today():
        raise OperationError(_l("The payment date cannot be in the future."), field="paid_on")
    approved_on = to_programme_time(entry.approved_at).date() if entry.approved_at else None
    if approved_on is not None and paid_on < approved_on:
        raise OperationError(_l("The payment date cannot be before the approval (%(date)s).",
                                date=approved_on.isoformat()), field="paid_on")
    bank_reference = _clean_text(bank_reference, field="bank_reference",
                                 max_length=BANK_REFERENCE_MAX,
                                 required=_l("Enter the bank reference of the payment."))
    paid_currency = (paid_currency or "").strip().upper()
    if paid_currency not in currency_codes():
        raise OperationError(_l("Choose a currency from the list."), field="paid_currency")
    rate = _check_rate(exchange_rate)
    if paid_currency == award.currency and rate != 1:
        raise OperationError(_l("Paid in %(currency)s, the award's currency: the exchange rate "
                                "is 1.", currency=award.currency), field="exchange_rate")
    expected_paid, equivalent = payment_amounts(entry.amount, rate)
    if expected_paid <= 0 or expected_paid > MAX_AMOUNT:
        raise OperationError(_l("At this exchange rate the amount paid cannot be recorded: "
                                "check the rate."), field="exchange_rate")
    if paid_amount not in (None, ""):
        typed = _check_amount(paid_amount, field="paid_amount")
        if typed != expected_paid:
            raise OperationError(_l(
                "At %(rate)s %(paid_currency)s per %(currency)s, %(amount)s is %(expected)s. "
                "Check the exchange rate and the amount paid.", rate=f"{rate.normalize():f}",
                paid_currency=paid_currency, currency=award.currency,
                amount=_money(entry.amount, award),
                expected=format_money(expected_paid, paid_currency)), field="paid_amount")
    if usd_equivalent not in (None, ""):
        typed = _check_amount(usd_equivalent, field="usd_equivalent")
        if typed != equivalent:
            raise OperationError(_l(
                "The equivalent of this payment is the amount approved, %(expected)s (paid as "
                "%(paid)s at %(rate)s). Check the equivalent.",
                expected=_money(equivalent, award),
                paid=format_money(expected_paid, paid_currency),
                rate=f"{rate.normalize():f}"), field="usd_equivalent")
    entry.state = transition.target
    entry.paid_by_id = actor.id
    entry.paid_on = paid_on
    entry.recorded_at = utcnow()
    entry.bank_reference = bank_reference
    entry.paid_currency = paid_currency
    entry.paid_amount = expected_paid
    entry.exchange_rate = rate
    entry.usd_equivalent = equivalent
    db.session.flush()
    record(transition.audit, entry, actor=actor,
           summary=f"{award.reference}: #{entry.id} paid, {expected_paid} {paid_currency} "
                   f"({entry.amount} {award.currency}), {bank_reference}",
           data={"award_id": award.id, "amount": entry.amount, "paid_on": paid_on,
                 "bank_reference": bank_reference, "paid_currency": paid_currency,
                 "paid_amount": expected_paid, "exchange_rate": rate,
                 "usd_equivalent": equivalent})
    _notify_grantee(award, "grants/awards/paid", entry=entry)
    return entry


def reverse_disbursement(disbursement: Disbursement, actor, *, reason: str,
                         reversed_on: date, idempotency_key: str,
                         bank_reference: str = "") -> tuple[Disbursement, bool]:
    """Correct a payment with a reversal entry: a new paid entry of the opposite amount
    pointing to it (at most one per payment). The payment itself never changes. On a
    terminated or closed award, the reversed amount joins what was de-obligated.
    Returns ``(reversal, created)``."""
    _require_finance(actor, disbursement.award)
    idempotency_key = _check_key(idempotency_key)
    award = lock_award(disbursement.award)
    original = _reload(disbursement)
    existing = queries.entry_by_key(idempotency_key)
    if existing is not None:
        if existing.reverses_id != original.id:
            raise OperationError(_l("This form has expired. Reload the page and submit it "
                                    "again."))
        return existing, False
    if original.kind != DisbursementKind.payment or original.state != DisbursementState.paid:
        raise OperationError(_l("Only a payment that was made can be reversed."))
    already = queries.reversal_of(original)
    if already is not None:
        raise OperationError(_l("This payment has already been reversed (entry #%(id)s).",
                                id=already.id))
    reason = _clean_text(reason, field="reason", max_length=REASON_MAX,
                         required=_l("Give the reason for the reversal."))
    _check_date(reversed_on, field="reversed_on",
                required=_l("Enter the date of the correction."))
    if reversed_on > programme_today():
        raise OperationError(_l("The date of the correction cannot be in the future."),
                             field="reversed_on")
    if original.paid_on and reversed_on < original.paid_on:
        raise OperationError(_l("The correction cannot be dated before the payment "
                                "(%(date)s).", date=original.paid_on.isoformat()),
                             field="reversed_on")
    bank_reference = _clean_text(bank_reference, field="bank_reference",
                                 max_length=BANK_REFERENCE_MAX)
    now = utcnow()
    reversal = Disbursement(
        award_id=award.id, tranche_id=original.tranche_id, kind=DisbursementKind.reversal,
        state=DisbursementState.paid, amount=-original.amount, idempotency_key=idempotency_key,
        planned_on=reversed_on, payment_method=original.payment_method,
        payee_reference=original.payee_reference, override_reason="",
        requested_by_id=actor.id, requested_at=now, paid_by_id=actor.id, paid_on=reversed_on,
        recorded_at=now, bank_reference=bank_reference,
        paid_currency=original.paid_currency,
        paid_amount=None if original.paid_amount is None else -original.paid_amount,
        exchange_rate=original.exchange_rate,
        usd_equivalent=None if original.usd_equivalent is None else -original.usd_equivalent,
        reverses_id=original.id, reversal_reason=reason, decision_reason="")
    if _insert(reversal) is None:
        existing = queries.entry_by_key(idempotency_key)
        if existing is None or existing.reverses_id != original.id:
            raise OperationError(_l("This form has expired. Reload the page and submit it "
                                    "again."))
        return existing, False
    deobligated = None
    if award.state in (AwardState.terminated, AwardState.closed):
        award.deobligated_amount = award.deobligated_amount + original.amount
        deobligated = award.deobligated_amount
        db.session.flush()
    record("disbursement.reverse", reversal, actor=actor,
           summary=f"{award.reference}: payment #{original.id} of {original.amount} "
                   f"{award.currency} reversed",
           data={"award_id": award.id, "reverses_id": original.id,
                 "amount": reversal.amount, "reason": reason, "reversed_on": reversed_on,
                 "deobligated_amount": deobligated})
    return reversal, True
