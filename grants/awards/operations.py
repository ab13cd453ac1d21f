"""Every change to grant agreements and their disbursement ledger. Operations flush and never
commit.

An award is created from an application awarded by a decision: its reference, amount and
currency come from the call, its tranches from the default schedule (split so that they sum
exactly to the award), and its mid-term and final reports are created as due. It moves only
through ``AWARD_TRANSITIONS``; signing needs the signed agreement and its date; terminating
cancels the open requests and de-obligates what was not paid; closing (the close-out page's
job) needs the final report accepted and the balance paid or de-obligated with a reason.

The ledger is append-only. Staff request a tranche (when its condition holds, or with a
written reason); a finance user who did not make the request approves or rejects it; finance
records the payment or cancels an unpaid request. Paid entries never change: a correction is
a reversal entry (negative amount) pointing to the payment it corrects, at most one per
payment.

Never over-disbursed: every operation that changes the ledger or an award's state first locks
the award's row (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the write transaction that
``BEGIN IMMEDIATE`` opened already serialises writers) and reloads it, and only then sums the
ledger and writes, so two requests never both pass the balance check on stale sums. What is
requested or approved plus what is paid, net of reversals, never exceeds the award amount less
what was de-obligated; nor does a tranche's share exceed its planned amount.

Every request carries an idempotency key (a hidden field generated with the form): the same
key sent twice gives back the entry the first one created, also when two submissions race
(the unique constraint decides, inside a savepoint).
"""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accounts.policies import is_staff
from core.audit.operations import record
from core.errors import OperationError
from core.extensions import db
from core.money import CENT, currency_codes, format_money, split_by_shares
from core.outbox.operations import queue_email
from core.references import next_reference
from core.timeutil import to_programme_time, utcnow
from core.urls import external_url
from grants.applications.models import Application
from grants.applications.operations import require_disinterested
from grants.applications.states import ApplicationState
from grants.awards import queries
from grants.awards.models import Award, Disbursement, Tranche
from grants.awards.policies import is_finance
from grants.awards.states import (AWARD_TRANSITIONS, DEFAULT_SCHEDULE,
                                  DISBURSEMENT_TRANSITIONS, AwardState, DisbursementKind,
                                  DisbursementState, TrancheCondition)
from grants.monitoring.models import ProgressReport
from grants.monitoring.states import ReportKind, ReportState

#: Signed agreements are scans or signed PDFs.
AGREEMENT_KINDS = ("pdf", "jpg", "png")
CONDITIONS_MAX = 10_000
REASON_MAX = 2000
PAYEE_REFERENCE_MAX = 120
BANK_REFERENCE_MAX = 120
#: The final report is due this many days after the award ends.
FINAL_REPORT_DAYS = 30
#: Typed dates outside these years are refused (a typo).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
#: The largest amount a Numeric(12, 2) column holds, and the largest Numeric(14, 6) rate.
MAX_AMOUNT = Decimal("9999999999.99")
MAX_RATE = Decimal("99999999.999999")
HUNDRED = Decimal(100)
ZERO = Decimal("0.00")

PAYMENT_METHODS = {
    "bank_transfer": _l("Bank transfer"),
    "cheque": _l("Cheque"),
    "mobile_money": _l("Mobile money"),
    "other": _l("Other"),
}

_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_idempotency_key() -> str:
    """A key for a new request form (43 URL-safe characters)."""
    return secrets.token_urlsafe(32)


def is_idempotency_key(value) -> bool:
    return isinstance(value, str) and bool(_KEY.match(value))


def programme_today() -> date:
    return to_programme_time(utcnow()).date()


# Checks ------------------------------------------------------------------------------------

def _require_staff(actor, application: Application) -> None:
    if not is_staff(actor):
        raise OperationError(_l("Only programme staff can manage grant agreements."))
    require_disinterested(actor, application)


def _require_finance(actor, award: Award) -> None:
    if not is_finance(actor):
        raise OperationError(_l("Only finance can do this."))
    require_disinterested(actor, award.application)


def _clean_text(value, *, field: str, max_length: int, required=None) -> str:
    text = "" if value is None else str(value).strip()
    if required is not None and not text:
        raise OperationError(required, field=field)
    if len(text) > max_length:
        raise OperationError(_l("Use at most %(count)s characters.", count=max_length),
                             field=field)
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in text) or "\x7f" in text:
        raise OperationError(_l("Remove the invisible control characters from this text."),
                             field=field)
    return text


def _check_date(value, *, field: str, required) -> date | None:
    if value is None:
        if required is not None:
            raise OperationError(required, field=field)
        return None
    if not isinstance(value, date):
        raise OperationError(_l("Enter a date, for example 2026-03-31."), field=field)
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise OperationError(_l("Enter a year between %(first)s and %(last)s.",
                                first=EARLIEST_YEAR, last=LATEST_YEAR), field=field)
    return value


def _check_dates(starts_on, ends_on) -> None:
    _check_date(starts_on, field="starts_on", required=_l("Enter the start date."))
    _check_date(ends_on, field="ends_on", required=_l("Enter the end date."))
    if ends_on <= starts_on:
        raise OperationError(_l("The award must end after it starts."), field="ends_on")


def _check_amount(amount, *, field: str = "amount", maximum: Decimal = MAX_AMOUNT) -> Decimal:
    """A positive amount with at most two decimals, as a two-place Decimal."""
    if amount is None or amount == "":
        raise OperationError(_l("Enter the amount."), field=field)
    if isinstance(amount, float | bool):
        raise OperationError(_l("Enter the amount in figures, for example 2500.00."),
                             field=field)
    try:
        value = Decimal(str(amount).strip())
    except (InvalidOperation, ValueError):
        raise OperationError(_l("Enter the amount in figures, for example 2500.00."),
                             field=field) from None
    if not value.is_finite():
        raise OperationError(_l("Enter the amount in figures, for example 2500.00."),
                             field=field)
    if value < 0:
        raise OperationError(_l("The amount cannot be negative."), field=field)
    if value == 0:
        raise OperationError(_l("Enter an amount of more than zero."), field=field)
    if value.as_tuple().exponent < -2:
        raise OperationError(_l("Use at most two decimal places (cents)."), field=field)
    if value > maximum:
        raise OperationError(_l("This amount is too large."), field=field)
    return value.quantize(CENT)


def _check_key(idempotency_key) -> str:
    if not is_idempotency_key(idempotency_key):
        raise OperationError(_l("This form has expired. Reload the page and submit it "
                                "again."))
    return idempotency_key


def lock_award(award: Award) -> Award:
    """Lock ``award``'s row until the transaction ends and reload it, so that what follows
    sees its current state and no other transaction changes the award or its ledger
    meanwhile. Called before the ledger is summed."""
    return db.session.execute(
        select(Award).where(Award.id == award.id).with_for_update()
        .execution_options(populate_existing=True)).scalar_one()


def _reload(disbursement: Disbursement) -> Disbursement:
    """The entry as committed now (another request may have decided it meanwhile)."""
    return db.session.execute(
        select(Disbursement).where(Disbursement.id == disbursement.id)
        .execution_options(populate_existing=True)).scalar_one()


def _award_transition(award: Award, target: AwardState) -> str:
    action = AWARD_TRANSITIONS.get((award.state, target))
    if action is None:
        raise OperationError(_l("This cannot be done while the award is “%(state)s”.",
                                state=award.state.title))
    return action


def _entry_transition(entry: Disbursement, target: DisbursementState) -> str:
    action = DISBURSEMENT_TRANSITIONS.get((entry.state, target))
    if action is None or entry.kind != DisbursementKind.payment:
        raise OperationError(_l("This cannot be done: the disbursement is “%(state)s”.",
                                state=entry.state.title))
    return action


def _require_active(award: Award) -> None:
    if award.state != AwardState.active:
        raise OperationError(_l("The award is “%(state)s”: disbursements can be requested, "
                                "approved and paid only while it is active.",
                                state=award.state.title))


def _money(amount: Decimal, award: Award) -> str:
    return format_money(amount, award.currency)


# Notifications -----------------------------------------------------------------------------

def _award_url(award: Award) -> str:
    return external_url("awards.detail", award_id=award.id)


def _notify_grantee(award: Award, template: str, **context) -> None:
    url = _award_url(award)
    for membership in award.application.organisation.members:
        user = membership.user
        if user.is_enabled:
            queue_email(user.email, template, locale=user.locale, user=user, award=award,
                        application=award.application, award_url=url, **context)


def _notify_finance(entry: Disbursement, actor) -> None:
    url = external_url("awards.finance_queue")
    for user in queries.finance_users():
        if user.id != actor.id:
            queue_email(user.email, "grants/awards/disbursement_requested", locale=user.locale,
                        user=user, entry=entry, award=entry.award, requester=actor,
                        queue_url=url)


def _notify_requester(entry: Disbursement, template: str, actor) -> None:
    requester = entry.requested_by
    if requester is not None and requester.is_enabled:
        queue_email(requester.email, template, locale=requester.locale, user=requester,
                    entry=entry, award=entry.award, decided_by=actor,
                    award_url=_award_url(entry.award))


# Awards ------------------------------------------------------------------------------------

def report_due_dates(starts_on: date, ends_on: date) -> tuple[date, date]:
    """(mid-term, final): the mid-term report is due halfway through the award, the final
    report 30 days after it ends."""
    midpoint = starts_on + timedelta(days=(ends_on - starts_on).days // 2)
    return midpoint, ends_on + timedelta(days=FINAL_REPORT_DAYS)


def _planned_dates(starts_on: date, ends_on: date) -> dict[TrancheCondition, date]:
    midterm, final = report_due_dates(starts_on, ends_on)
    return {TrancheCondition.signature: starts_on, TrancheCondition.midterm_report: midterm,
            TrancheCondition.final_report: final}


REPORT_KINDS = (ReportKind.midterm, ReportKind.final)


def create_award(application: Application, actor, *, starts_on: date, ends_on: date,
                 conditions: str = "") -> Award:
    """Issue the grant agreement of an application awarded by a decision (pending
    signature), with its tranche schedule and its mid-term and final reports."""
    _require_staff(actor, application)
    if (application.state != ApplicationState.awarded
            or queries.award_decision(application) is None):
        raise OperationError(_l("%(reference)s has no award decision: only awarded "
                                "applications get a grant agreement.",
                                reference=application.display_reference))
    existing = queries.award_for_application(application.id)
    if existing is not None:
        raise OperationError(_l("%(reference)s already has a grant agreement: %(award)s.",
                                reference=application.display_reference,
                                award=existing.reference))
    _check_dates(starts_on, ends_on)
    conditions = _clean_text(conditions, field="conditions", max_length=CONDITIONS_MAX)
    call = application.call
    amount = call.award_amount
    if not amount or amount <= 0:
        raise OperationError(_l("The call has no award amount. Set it on the call first."))

    reference = next_reference(f"{call.reference_prefix}-G", programme_today().year, width=3)
    award = Award(application=application, reference=reference, amount=amount,
                  currency=call.currency, starts_on=starts_on, ends_on=ends_on,
                  conditions=conditions, state=AwardState.pending_signature,
                  deobligated_amount=ZERO, deobligation_reason="", termination_reason="",
                  created_by_id=actor.id)
    shares = [Decimal(share) for share, _condition in DEFAULT_SCHEDULE]
    planned = _planned_dates(starts_on, ends_on)
    award.tranches = [
        Tranche(sequence=number, percentage=share, planned_amount=part,
                planned_on=planned[condition], condition=condition)
        for number, (share, part, (_share, condition)) in enumerate(
            zip(shares, split_by_shares(amount, shares), DEFAULT_SCHEDULE, strict=True),
            start=1)]
    try:
        with db.session.begin_nested():
            db.session.add(award)
    except IntegrityError:
        # Another request issued the agreement of this application at the same moment.
        raise OperationError(_l("%(reference)s already has a grant agreement.",
                                reference=application.display_reference)) from None

    midterm_due, final_due = report_due_dates(starts_on, ends_on)
    reports = [ProgressReport(award_id=award.id, kind=ReportKind.midterm, due_on=midterm_due,
                              state=ReportState.due),
               ProgressReport(award_id=award.id, kind=ReportKind.final, due_on=final_due,
                              state=ReportState.due)]
    db.session.add_all(reports)
    db.session.flush()
    record("award.create", award, actor=actor,
           summary=f"{award.reference}: grant agreement for "
                   f"{application.display_reference}, {amount} {award.currency}",
           data={"application_id": application.id, "amount": amount,
                 "currency": award.currency, "starts_on": starts_on, "ends_on": ends_on,
                 "tranches": [{"sequence": t.sequence, "percentage": t.percentage,
                               "amount": t.planned_amount, "condition": t.condition.value,
                               "planned_on": t.planned_on} for t in award.tranches],
                 "reports": {report.kind.value: report.due_on for report in reports}})
    _notify_grantee(award, "grants/awards/created")
    return award


def _check_percentage(value, field: str) -> Decimal:
    if value is None or value == "":
        raise OperationError(_l("Give a percentage for every tranche."), field=field)
    try:
        percentage = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise OperationError(_l("Enter each percentage in figures, for example 50."),
                             field=field) from None
    if not percentage.is_finite() or percentage <= 0 or percentage > HUNDRED:
        raise OperationError(_l("Each percentage must be more than 0 and at most 100."),
                             field=field)
    if percentage.as_tuple().exponent < -2:
        raise OperationError(_l("Use at most two decimal places in the percentages."),
                             field=field)
    return percentage.quantize(CENT)


def update_award(award: Award, actor, *, starts_on: date, ends_on: date, conditions: str,
                 tranches: dict[int, tuple]) -> Award:
    """Change the dates, conditions and tranche schedule (``{tranche id: (percentage,
    planned date)}``) of an award that is waiting for signature. Percentages must sum to
    exactly 100; the amounts are split again so that they sum exactly to the award. The
    reports still due move with the dates."""
    _require_staff(actor, award.application)
    award = lock_award(award)
    if award.state != AwardState.pending_signature:
        raise OperationError(_l("A signed agreement can no longer be changed."))
    _check_dates(starts_on, ends_on)
    conditions = _clean_text(conditions, field="conditions", max_length=CONDITIONS_MAX)
    ordered = sorted(award.tranches, key=lambda t: t.sequence)
    if set(tranches) != {t.id for t in ordered}:
        raise OperationError(_l("Give a percentage for every tranche."), field="tranches")
    percentages = []
    for tranche in ordered:
        percentage, planned_on = tranches[tranche.id]
        percentages.append(_check_percentage(percentage, "tranches"))
        _check_date(planned_on, field="tranches", required=None)
    total = sum(percentages, Decimal(0))
    if total != HUNDRED:
        raise OperationError(_l("The percentages must add up to exactly 100; they add up to "
                                "%(total)s.", total=f"{total:f}"), field="tranches")

    amounts = split_by_shares(award.amount, percentages)
    if any(amount <= 0 for amount in amounts):
        raise OperationError(_l("Each tranche needs at least %(minimum)s: change the "
                                "percentages.", minimum=_money(CENT, award)),
                             field="tranches")

    before = {"starts_on": award.starts_on, "ends_on": award.ends_on,
              "conditions": award.conditions,
              "tranches": [(t.sequence, t.percentage, t.planned_amount, t.planned_on)
                           for t in ordered]}
    for tranche, percentage, amount in zip(ordered, percentages, amounts, strict=True):
        tranche.percentage = percentage
        tranche.planned_amount = amount
        tranche.planned_on = tranches[tranche.id][1]
    award.starts_on, award.ends_on, award.conditions = starts_on, ends_on, conditions
    due = dict(zip(REPORT_KINDS, report_due_dates(starts_on, ends_on), strict=True))
    for report in queries.reports_of(award):
        if report.kind in due and report.state == ReportState.due:
            report.due_on = due[report.kind]
    db.session.flush()
    record("award.update", award, actor=actor, summary=f"{award.reference}: changed",
           data={"before": before,
                 "after": {"starts_on": starts_on, "ends_on": ends_on,
                           "conditions": conditions,
                           "tranches": [(t.sequence, t.percentage, t.planned_amount,
                                         t.planned_on) for t in ordered]}})
    return award


def sign_award(award: Award, actor, *, file_storage, signed_on: date) -> Award:
    """Record the signed agreement and its date: the award becomes active."""
    from core.uploads.operations import store_upload

    _require_staff(actor, award.application)
    award = lock_award(award)
    action = _award_transition(award, AwardState.active)
    if action != "sign":
        raise OperationError(_l("This cannot be done while the award is “%(state)s”.",
                                state=award.state.title))
    _check_date(signed_on, field="signed_on",
                required=_l("Enter the date the agreement was signed."))
    if signed_on > programme_today():
        raise OperationError(_l("The signature date cannot be in the future."),
                             field="signed_on")
    if file_storage is None or not getattr(file_storage, "filename", ""):
        raise OperationError(_l("Upload the signed agreement."), field="agreement")
    stored = store_upload(file_storage, uploaded_by=actor, allowed_kinds=AGREEMENT_KINDS,
                          field="agreement")
    award.agreement_file = stored
    award.signed_on = signed_on
    award.state = AwardState.active
    db.session.flush()
    record("award.sign", award, actor=actor,
           summary=f"{award.reference}: agreement signed on {signed_on.isoformat()}",
           data={"from": AwardState.pending_signature.value, "to": AwardState.active.value,
                 "signed_on": signed_on, "file_id": stored.id})
    return award


def _move(award: Award, target: AwardState, actor, *, reason: str, **data) -> None:
    source = award.state
    action = _award_transition(award, target)
    award.state = target
    db.session.flush()
    record(f"award.{action}", award, actor=actor,
           summary=f"{award.reference}: {source.value} → {target.value}",
           data={"from": source.value, "to": target.value, "reason": reason, **data})


def suspend_award(award: Award, actor, *, reason: str) -> Award:
    """Suspend an active award: no requests, approvals or payments until it is resumed."""
    _require_staff(actor, award.application)
    award = lock_award(award)
    _award_transition(award, AwardState.suspended)
    reason = _clean_text(reason, field="reason", max_length=REASON_MAX,
                         required=_l("Give the reason for suspending the award."))
    _move(award, AwardState.suspended, actor, reason=reason)
    return award


def resume_award(award: Award, actor, *, reason: str = "") -> Award:
    _require_staff(actor, award.application)
    award = lock_award(award)
    _award_transition(award, AwardState.active)
    if award.state != AwardState.suspended:
        raise OperationError(_l("This cannot be done while the award is “%(state)s”.",
                                state=award.state.title))
    reason = _clean_text(reason, field="reason", max_length=REASON_MAX)
    _move(award, AwardState.active, actor, reason=reason)
    return award


def terminate_award(award: Award, actor, *, reason: str) -> Award:
    """End the award early: open requests are cancelled and what was not paid (net of
    reversals) is de-obligated, with the reason."""
    _require_staff(actor, award.application)
    award = lock_award(award)
    _award_transition(award, AwardState.terminated)
    reason = _clean_text(reason, field="reason", max_length=REASON_MAX,
                         required=_l("Give the reason for terminating the award."))
    now = utcnow()
    open_entries = list(db.session.scalars(
        select(Disbursement).where(Disbursement.award_id == award.id,
                                   Disbursement.state.in_(queries.OPEN_STATES))
        .order_by(Disbursement.id).execution_options(populate_existing=True)))
    for entry in open_entries:
        entry.state = DisbursementState.cancelled
        entry.cancelled_by_id = actor.id
        entry.cancelled_at = now
        entry.decision_reason = reason
    db.session.flush()
    for entry in open_entries:
        record("disbursement.cancel", entry, actor=actor,
               summary=f"{award.reference}: request #{entry.id} cancelled (award terminated)",
               data={"award_id": award.id, "amount": entry.amount, "reason": reason})
    totals = queries.award_totals(award)
    award.deobligated_amount = totals.undisbursed
    award.deobligation_reason = reason
    award.termination_reason = reason
    _move(award, AwardState.terminated, actor, reason=reason,
          deobligated=award.deobligated_amount,
          cancelled=[entry.id for entry in open_entries])
    return award


def close_award(award: Award, actor, *, deobligation_reason: str = "") -> Award:
    """Close an active award once its final report is accepted and its balance is either
    paid or de-obligated (then with a reason). For the close-out page."""
    _require_staff(actor, award.application)
    award = lock_award(award)
    _award_transition(award, AwardState.closed)
    if not queries.is_final_report_accepted(award):
        raise OperationError(_l("The final report must be accepted before the award is "
                                "closed."))
    totals = queries.award_totals(award)
    if totals.pending:
        raise OperationError(_l("Pay or cancel the open disbursement requests (%(amount)s) "
                                "before closing the award.",
                                amount=_money(totals.pending, award)))
    balance = totals.undisbursed
    if balance < 0:  # cannot happen: the ledger never exceeds the award
        raise OperationError(_l("The award's ledger does not balance: more was paid than "
                                "awarded."))
    deobligation_reason = _clean_text(
        deobligation_reason, field="deobligation_reason", max_length=REASON_MAX,
        required=_l("%(balance)s was not disbursed: give the reason for de-obligating it.",
                    balance=_money(balance, award)) if balance else None)
    award.deobligated_amount = balance
    award.deobligation_reason = deobligation_reason
    award.closed_at = utcnow()
    _move(award, AwardState.closed, actor, reason=deobligation_reason,
          deobligated=balance, paid=totals.paid_net)
    return award


# Disbursements -----------------------------------------------------------------------------

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
    holds = queries.conditions_holding(award)[tranche.condition]
    if holds:
        override_reason = ""
    elif not override_reason:
        raise OperationError(_l("The condition of this tranche does not hold yet (%(condition)s)."
                                " To request it anyway, give the reason.",
                                condition=tranche.condition.title), field="override_reason")

    totals = queries.award_totals(award)
    if amount > totals.remaining:
        raise OperationError(_l(
            "This would over-disburse the award: %(remaining)s remains to be requested of "
            "%(amount)s (%(committed)s is already requested or paid).",
            remaining=_money(max(totals.remaining, ZERO), award),
            amount=_money(totals.available, award),
            committed=_money(totals.committed, award)), field="amount")
    tranche_left = tranche.planned_amount - queries.tranche_committed(award).get(tranche.id,
                                                                                 ZERO)
    if amount > tranche_left:
        raise OperationError(_l(
            "This tranche has %(left)s left to request of its planned %(planned)s (the award "
            "has %(remaining)s left).", left=_money(max(tranche_left, ZERO), award),
            planned=_money(tranche.planned_amount, award),
            remaining=_money(totals.remaining, award)), field="amount")

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
                 "remaining_after": totals.remaining - amount})
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
    _entry_transition(entry, DisbursementState.approved)
    _require_active(award)
    totals = queries.award_totals(award)
    if totals.committed > totals.available:  # the request counted already; never expected
        raise OperationError(_l("Approving this would over-disburse the award (%(remaining)s "
                                "left).", remaining=_money(totals.remaining, award)))
    entry.state = DisbursementState.approved
    entry.approved_by_id = actor.id
    entry.approved_at = utcnow()
    db.session.flush()
    record("disbursement.approve", entry, actor=actor,
           summary=f"{award.reference}: request #{entry.id} of {entry.amount} "
                   f"{award.currency} approved",
           data={"award_id": award.id, "amount": entry.amount,
                 "requested_by_id": entry.requested_by_id})
    _notify_requester(entry, "grants/awards/disbursement_approved", actor)
    return entry


def reject_disbursement(disbursement: Disbursement, actor, *, reason: str) -> Disbursement:
    award, entry = _decided_entry(disbursement, actor)
    _entry_transition(entry, DisbursementState.rejected)
    reason = _clean_text(reason, field="reason", max_length=REASON_MAX,
                         required=_l("Give the reason for rejecting the request."))
    entry.state = DisbursementState.rejected
    entry.rejected_by_id = actor.id
    entry.rejected_at = utcnow()
    entry.decision_reason = reason
    db.session.flush()
    record("disbursement.reject", entry, actor=actor,
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
    _entry_transition(entry, DisbursementState.cancelled)
    reason = _clean_text(reason, field="reason", max_length=REASON_MAX,
                         required=_l("Give the reason for cancelling the request."))
    entry.state = DisbursementState.cancelled
    entry.cancelled_by_id = actor.id
    entry.cancelled_at = utcnow()
    entry.decision_reason = reason
    db.session.flush()
    record("disbursement.cancel", entry, actor=actor,
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
    units of the paid currency per unit of the award's currency, both in cents."""
    paid = (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)
    return paid, (paid / rate).quantize(CENT, rounding=ROUND_HALF_UP)


def record_payment(disbursement: Disbursement, actor, *, paid_on: date, bank_reference: str,
                   paid_currency: str, exchange_rate, paid_amount=None,
                   usd_equivalent=None) -> Disbursement:
    """Record that an approved request was paid. The paid amount is the request's amount
    times the exchange rate (paid currency per unit of the award's currency) and the
    equivalent is the paid amount divided by the rate, both in cents; amounts typed on the
    form must agree with them."""
    _require_finance(actor, disbursement.award)
    award = lock_award(disbursement.award)
    entry = _reload(disbursement)
    _entry_transition(entry, DisbursementState.paid)
    _require_active(award)
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
                "%(paid)s at %(rate)s is %(expected)s. Check the equivalent.",
                paid=format_money(expected_paid, paid_currency), rate=f"{rate.normalize():f}",
                expected=_money(equivalent, award)), field="usd_equivalent")
    entry.state = DisbursementState.paid
    entry.paid_by_id = actor.id
    entry.paid_on = paid_on
    entry.recorded_at = utcnow()
    entry.bank_reference = bank_reference
    entry.paid_currency = paid_currency
    entry.paid_amount = expected_paid
    entry.exchange_rate = rate
    entry.usd_equivalent = equivalent
    db.session.flush()
    record("disbursement.pay", entry, actor=actor,
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
