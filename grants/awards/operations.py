"""Every change to grant agreements. Operations flush and never commit.

An award is created from an application awarded by a decision: its amount is the amount
decided (``Decision.amount``, which the pool was checked with), its reference and currency
come from the call, its tranches from the default schedule (split so that they sum
exactly to the award), and its mid-term and final reports are created as due. It moves only
through ``AWARD_WORKFLOW``; signing needs the signed agreement and its date; terminating
cancels the open requests and de-obligates what was not paid; closing (the close-out page's
job) needs the final report accepted and the balance paid or de-obligated with a reason.

The disbursement ledger's operations live in ``grants.ledger.operations``; the checks both
share in ``grants.awards.checks``.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core import contributions
from core.audit.operations import record
from core.errors import OperationError
from core.extensions import db
from core.locking import AlreadyDone, lock
from core.money import CENT, split_by_shares
from core.references import next_reference
from core.timeutil import programme_today, utcnow
from core.workflow import Transition
from grants.applications.models import Application
from grants.applications.states import ApplicationState
from grants.awards import queries
from grants.awards.checks import (
    AGREEMENT_KINDS,
    CONDITIONS_MAX,
    FINAL_REPORT_DAYS,
    HUNDRED,
    REASON_MAX,
    ZERO,
    _check_date,
    _check_dates,
    _clean_text,
    _money,
    _notify_grantee,
    _require_staff,
    lock_award,
)
from grants.awards.models import Award, Disbursement, Tranche
from grants.awards.states import (
    AWARD_WORKFLOW,
    DEFAULT_SCHEDULE,
    DISBURSEMENT_WORKFLOW,
    OPEN_STATES,
    AwardState,
    DisbursementState,
    ReportKind,
    TrancheCondition,
)

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
    lock(application)  # the same agreement issued twice at once: the second finds the first
    decision = queries.award_decision(application)
    if application.state != ApplicationState.awarded or decision is None:
        raise OperationError(_l("%(reference)s has no award decision: only awarded "
                                "applications get a grant agreement.",
                                reference=application.display_reference))
    existing = queries.award_for_application(application.id)
    if existing is not None:
        raise AlreadyDone(_l("%(reference)s already has a grant agreement: %(award)s.",
                             reference=application.display_reference,
                             award=existing.reference))
    _check_dates(starts_on, ends_on)
    conditions = _clean_text(conditions, field="conditions", max_length=CONDITIONS_MAX)
    call = application.call
    amount = queries.decided_amount(application, decision)
    if not amount or amount <= 0:
        raise OperationError(_l("The award decision of %(reference)s has no amount: decide "
                                "it again on the ranking page.",
                                reference=application.display_reference))

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
    # The reports belong to monitoring, a later stage (grants.monitoring.award_reports).
    reports = contributions.ask("award.schedule_reports", award, midterm_due, final_due)
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
    after = {"starts_on": starts_on, "ends_on": ends_on, "conditions": conditions,
             "tranches": [(t.sequence, percentage, amount, tranches[t.id][1])
                          for t, percentage, amount in zip(ordered, percentages, amounts,
                                                           strict=True)]}
    if after == before:
        return award  # nothing changes (the same form sent again): nothing to record
    for tranche, percentage, amount in zip(ordered, percentages, amounts, strict=True):
        tranche.percentage = percentage
        tranche.planned_amount = amount
        tranche.planned_on = tranches[tranche.id][1]
    award.starts_on, award.ends_on, award.conditions = starts_on, ends_on, conditions
    due = dict(zip(REPORT_KINDS, report_due_dates(starts_on, ends_on), strict=True))
    contributions.ask("award.reschedule_reports", award, due)
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
    if award.state == AwardState.active and award.agreement_file_id is not None:
        raise AlreadyDone(_l("The agreement %(reference)s is already signed.",
                             reference=award.reference))
    transition = AWARD_WORKFLOW.check(award, "sign", actor)
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
    source, award.state = award.state, transition.target
    db.session.flush()
    record(transition.audit, award, actor=actor,
           summary=f"{award.reference}: agreement signed on {signed_on.isoformat()}",
           data={"from": source.value, "to": award.state.value,
                 "signed_on": signed_on, "file_id": stored.id})
    return award


def _refuse_if_already(award: Award, target: AwardState) -> None:
    """Under the award's lock: the same change sent twice at once is made once."""
    if award.state == target:
        raise AlreadyDone(_l("The award %(reference)s is already “%(state)s”.",
                             reference=award.reference, state=award.state.title))


def _move(award: Award, transition: Transition, actor, *, reason: str, **data) -> None:
    source, target = award.state, transition.target
    award.state = target
    db.session.flush()
    record(transition.audit, award, actor=actor,
           summary=f"{award.reference}: {source.value} → {target.value}",
           data={"from": source.value, "to": target.value, "reason": reason, **data})


def suspend_award(award: Award, actor, *, reason: str) -> Award:
    """Suspend an active award: no requests, approvals or payments until it is resumed."""
    _require_staff(actor, award.application)
    award = lock_award(award)
    _refuse_if_already(award, AwardState.suspended)
    transition = AWARD_WORKFLOW.check(award, "suspend", actor)
    reason = _clean_text(reason, field="reason", max_length=REASON_MAX,
                         required=_l("Give the reason for suspending the award."))
    _move(award, transition, actor, reason=reason)
    return award


def resume_award(award: Award, actor, *, reason: str = "") -> Award:
    _require_staff(actor, award.application)
    award = lock_award(award)
    _refuse_if_already(award, AwardState.active)
    transition = AWARD_WORKFLOW.check(award, "resume", actor)
    reason = _clean_text(reason, field="reason", max_length=REASON_MAX)
    _move(award, transition, actor, reason=reason)
    return award


def terminate_award(award: Award, actor, *, reason: str) -> Award:
    """End the award early: open requests are cancelled and what was not paid (net of
    reversals) is de-obligated, with the reason."""
    _require_staff(actor, award.application)
    award = lock_award(award)
    _refuse_if_already(award, AwardState.terminated)
    transition = AWARD_WORKFLOW.check(award, "terminate", actor)
    reason = _clean_text(reason, field="reason", max_length=REASON_MAX,
                         required=_l("Give the reason for terminating the award."))
    now = utcnow()
    open_entries = list(db.session.scalars(
        select(Disbursement).where(Disbursement.award_id == award.id,
                                   Disbursement.state.in_(OPEN_STATES))
        .order_by(Disbursement.id).execution_options(populate_existing=True)))
    for entry in open_entries:
        entry.state = DisbursementState.cancelled
        entry.cancelled_by_id = actor.id
        entry.cancelled_at = now
        entry.decision_reason = reason
    db.session.flush()
    for entry in open_entries:
        record(DISBURSEMENT_WORKFLOW["cancel"].audit, entry, actor=actor,
               summary=f"{award.reference}: request #{entry.id} cancelled (award terminated)",
               data={"award_id": award.id, "amount": entry.amount, "reason": reason})
    # What was not disbursed joins what was de-obligated: committed becomes disbursed.
    award.deobligated_amount += contributions.ask("award.money", award).undisbursed
    award.deobligation_reason = reason
    award.termination_reason = reason
    _move(award, transition, actor, reason=reason,
          deobligated=award.deobligated_amount,
          cancelled=[entry.id for entry in open_entries])
    return award


def close_award(award: Award, actor, *, deobligation_reason: str = "") -> Award:
    """Close an active award once its final report is accepted and its balance is either
    paid or de-obligated (then with a reason). For the close-out page."""
    _require_staff(actor, award.application)
    award = lock_award(award)
    _refuse_if_already(award, AwardState.closed)
    transition = AWARD_WORKFLOW.check(award, "close", actor)
    money = contributions.ask("award.money", award)
    if money.open:
        raise OperationError(_l("Pay or cancel the open disbursement requests (%(amount)s) "
                                "before closing the award.",
                                amount=_money(money.open, award)))
    balance = money.undisbursed
    if balance < 0:  # cannot happen: the ledger never exceeds the award
        raise OperationError(_l("The award's ledger does not balance: more was paid than "
                                "awarded."))
    deobligation_reason = _clean_text(
        deobligation_reason, field="deobligation_reason", max_length=REASON_MAX,
        required=_l("%(balance)s was not disbursed: give the reason for de-obligating it.",
                    balance=_money(balance, award)) if balance else None)
    award.deobligated_amount += balance
    award.deobligation_reason = deobligation_reason
    award.closed_at = utcnow()
    _move(award, transition, actor, reason=deobligation_reason,
          deobligated=balance, disbursed=money.disbursed)
    return award
