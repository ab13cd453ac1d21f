"""Award and disbursement workflows, as data."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from core.enums import TitledEnum
from core.workflow import Transition, Workflow


class AwardState(TitledEnum):
    pending_signature = "pending_signature"
    active = "active"
    suspended = "suspended"
    closed = "closed"
    terminated = "terminated"

    __titles__ = {
        pending_signature: _l("Pending signature"),
        active: _l("Active"),
        suspended: _l("Suspended"),
        closed: _l("Closed"),
        terminated: _l("Terminated"),
    }
    #: An award closes when its work is done: a good end, not a refusal.
    __tones__ = {closed: "done"}


def _final_report_accepted(award) -> tuple[bool, str]:
    from grants.awards.queries import is_final_report_accepted
    return (is_final_report_accepted(award),
            str(_l("The final report must be accepted before the award is closed.")))


def _award_refusal(award):
    return _l("This cannot be done while the award is “%(state)s”.", state=award.state.title)


_A = AwardState

#: Signing and resuming both make the award active: they are different transitions. The
#: checks on what is typed (dates, files, reasons) stay in the operations.
AWARD_WORKFLOW = Workflow("award", [
    Transition("sign", _A.pending_signature, _A.active),
    Transition("suspend", _A.active, _A.suspended),
    Transition("resume", _A.suspended, _A.active),
    Transition("close", _A.active, _A.closed, guard=_final_report_accepted),
    Transition("terminate", [_A.pending_signature, _A.active, _A.suspended], _A.terminated),
], refusal=_award_refusal)
#: ``{(from, to): name}``, the award workflow read as moves between states.
AWARD_TRANSITIONS = AWARD_WORKFLOW.pairs()


class TrancheCondition(TitledEnum):
    """What must hold before a tranche may be requested."""

    signature = "signature"
    midterm_report = "midterm_report"
    final_report = "final_report"

    __titles__ = {
        signature: _l("On signature of the agreement"),
        midterm_report: _l("On acceptance of the mid-term report"),
        final_report: _l("On acceptance of the final report"),
    }


class DisbursementState(TitledEnum):
    requested = "requested"
    approved = "approved"
    rejected = "rejected"
    paid = "paid"
    cancelled = "cancelled"

    __titles__ = {
        requested: _l("Requested"),
        approved: _l("Approved"),
        rejected: _l("Rejected"),
        paid: _l("Paid"),
        cancelled: _l("Cancelled"),
    }


#: Requests not yet paid, rejected or cancelled.
OPEN_STATES = (DisbursementState.requested, DisbursementState.approved)


class DisbursementKind(enum.StrEnum):
    payment = "payment"
    reversal = "reversal"


def _payment(entry) -> tuple[bool, str]:
    """Reversal entries never move: only payment requests are decided."""
    return entry.kind == DisbursementKind.payment, str(_disbursement_refusal(entry))


def award_active(award) -> tuple[bool, str]:
    return (award.state == AwardState.active,
            str(_l("The award is “%(state)s”: disbursements can be requested, approved and "
                   "paid only while it is active.", state=award.state.title)))


def _payment_of_active_award(entry) -> tuple[bool, str]:
    ok, reason = _payment(entry)
    return award_active(entry.award) if ok else (ok, reason)


def _disbursement_refusal(entry):
    return _l("This cannot be done: the disbursement is “%(state)s”.", state=entry.state.title)


_D = DisbursementState

#: A paid entry never changes again; corrections are reversal entries.
DISBURSEMENT_WORKFLOW = Workflow("disbursement", [
    Transition("approve", _D.requested, _D.approved, guard=_payment_of_active_award),
    Transition("reject", _D.requested, _D.rejected, guard=_payment),
    Transition("cancel", [_D.requested, _D.approved], _D.cancelled, guard=_payment),
    Transition("pay", _D.approved, _D.paid, guard=_payment_of_active_award),
], refusal=_disbursement_refusal)
#: ``{(from, to): name}``, the disbursement workflow read as moves between states.
DISBURSEMENT_TRANSITIONS = DISBURSEMENT_WORKFLOW.pairs()
#: States whose amounts count against the award (drawn: requested, approved or disbursed).
COUNTING_STATES = frozenset({DisbursementState.requested, DisbursementState.approved,
                             DisbursementState.paid})

#: The default schedule: 50% on signature, 40% on the mid-term report, 10% on the final.
DEFAULT_SCHEDULE = [
    (50, TrancheCondition.signature),
    (40, TrancheCondition.midterm_report),
    (10, TrancheCondition.final_report),
]


class ReportKind(TitledEnum):
    midterm = "midterm"
    final = "final"
    other = "other"

    __titles__ = {
        midterm: _l("Mid-term report"),
        final: _l("Final report"),
        other: _l("Report"),
    }
