"""Award and disbursement workflows, as data."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class AwardState(enum.StrEnum):
    pending_signature = "pending_signature"
    active = "active"
    suspended = "suspended"
    closed = "closed"
    terminated = "terminated"

    @property
    def title(self) -> str:
        return str({AwardState.pending_signature: _l("Pending signature"),
                    AwardState.active: _l("Active"), AwardState.suspended: _l("Suspended"),
                    AwardState.closed: _l("Closed"),
                    AwardState.terminated: _l("Terminated")}[self])


#: (from, to): action. Guards live in the operations (they need the ledger and reports).
AWARD_TRANSITIONS = {
    (AwardState.pending_signature, AwardState.active): "sign",
    (AwardState.active, AwardState.suspended): "suspend",
    (AwardState.suspended, AwardState.active): "resume",
    (AwardState.active, AwardState.closed): "close",
    (AwardState.pending_signature, AwardState.terminated): "terminate",
    (AwardState.active, AwardState.terminated): "terminate",
    (AwardState.suspended, AwardState.terminated): "terminate",
}


class TrancheCondition(enum.StrEnum):
    """What must hold before a tranche may be requested."""

    signature = "signature"
    midterm_report = "midterm_report"
    final_report = "final_report"

    @property
    def title(self) -> str:
        return str({TrancheCondition.signature: _l("On signature of the agreement"),
                    TrancheCondition.midterm_report: _l("On acceptance of the mid-term report"),
                    TrancheCondition.final_report: _l("On acceptance of the final report")}[self])


class DisbursementState(enum.StrEnum):
    requested = "requested"
    approved = "approved"
    rejected = "rejected"
    paid = "paid"
    cancelled = "cancelled"

    @property
    def title(self) -> str:
        return str({DisbursementState.requested: _l("Requested"),
                    DisbursementState.approved: _l("Approved"),
                    DisbursementState.rejected: _l("Rejected"),
                    DisbursementState.paid: _l("Paid"),
                    DisbursementState.cancelled: _l("Cancelled")}[self])


#: Requests not yet paid, rejected or cancelled.
OPEN_STATES = (DisbursementState.requested, DisbursementState.approved)


class DisbursementKind(enum.StrEnum):
    payment = "payment"
    reversal = "reversal"


#: (from, to): action. A paid entry never changes again; corrections are reversal entries.
DISBURSEMENT_TRANSITIONS = {
    (DisbursementState.requested, DisbursementState.approved): "approve",
    (DisbursementState.requested, DisbursementState.rejected): "reject",
    (DisbursementState.requested, DisbursementState.cancelled): "cancel",
    (DisbursementState.approved, DisbursementState.cancelled): "cancel",
    (DisbursementState.approved, DisbursementState.paid): "pay",
}
#: States whose amounts count against the award (drawn: requested, approved or disbursed).
COUNTING_STATES = frozenset({DisbursementState.requested, DisbursementState.approved,
                             DisbursementState.paid})

#: The default schedule: 50% on signature, 40% on the mid-term report, 10% on the final.
DEFAULT_SCHEDULE = [
    (50, TrancheCondition.signature),
    (40, TrancheCondition.midterm_report),
    (10, TrancheCondition.final_report),
]


class ReportKind(enum.StrEnum):
    midterm = "midterm"
    final = "final"
    other = "other"

    @property
    def title(self) -> str:
        return str({ReportKind.midterm: _l("Mid-term report"),
                    ReportKind.final: _l("Final report"),
                    ReportKind.other: _l("Report")}[self])
