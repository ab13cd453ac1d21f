"""Grant agreements for every awarded application, with tranches, the disbursement ledger,
progress reports (versions and expenditure lines) and publication settings.

Awards go through ten stages in turn (``STAGES``), from unsigned to closed, with rejected,
cancelled and reversed entries: four ledger entries per award on average.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from bench.data.context import ApplicationInfo, Context, at
from bench.data.grants import AWARD_AMOUNT, BUDGET
from core.money import split_by_shares
from grants.applications.states import ApplicationState as A
from grants.awards.states import DEFAULT_SCHEDULE, AwardState, DisbursementKind, DisbursementState
from grants.monitoring.states import ReportKind, ReportState

PAID, REVERSED, REJECTED = "paid", "reversed", "rejected"
CANCELLED, REQUESTED, APPROVED = "cancelled", "requested", "approved"
#: Ledger entries each step writes: a reversed payment is paid, reversed and paid again.
ENTRIES = {PAID: 1, REVERSED: 3, REJECTED: 1, CANCELLED: 1, REQUESTED: 1, APPROVED: 1}
RATES = {"USD": ("BZD", Decimal("2.000000"), Decimal("1.00")),
         "EUR": ("EUR", Decimal("1.000000"), Decimal("1.10"))}
SHARES = [Decimal(share) for share, _condition in DEFAULT_SCHEDULE]
RS = ReportState


@dataclass(frozen=True)
class Stage:
    state: AwardState
    #: Per tranche, the steps of its ledger in order.
    tranches: tuple[tuple[str, ...], ...]
    midterm: ReportState | None
    final: ReportState | None

    @property
    def entries(self) -> int:
        return sum(ENTRIES[step] for steps in self.tranches for step in steps)


STAGES = (
    Stage(AwardState.pending_signature, (), None, None),
    Stage(AwardState.active, ((REJECTED, PAID), (REQUESTED,)), RS.accepted, RS.due),
    Stage(AwardState.active, ((PAID,), (CANCELLED, APPROVED)), RS.accepted, RS.due),
    Stage(AwardState.active, ((REVERSED,), (PAID,)), RS.accepted, RS.submitted),
    Stage(AwardState.active, ((PAID,), (REJECTED, PAID), (REQUESTED,)), RS.accepted,
          RS.accepted),
    Stage(AwardState.closed, ((PAID,), (PAID,), (PAID,)), RS.accepted, RS.accepted),
    Stage(AwardState.closed, ((REVERSED,), (PAID,), (PAID,)), RS.accepted, RS.accepted),
    Stage(AwardState.active, ((REVERSED,), (REVERSED,)), RS.accepted, RS.returned),
    Stage(AwardState.closed, ((PAID,), (REVERSED,), (PAID,)), RS.accepted, RS.accepted),
    Stage(AwardState.suspended, ((REVERSED,), (REJECTED, PAID), (CANCELLED, REQUESTED)),
          RS.accepted, RS.submitted),
)
#: The stage of the award whose ledger page is measured: active, six entries.
LEDGER_STAGE = 7


@dataclass
class AwardInfo:
    id: int
    application: ApplicationInfo
    stage: Stage
    reference: str
    starts_on: date
    ends_on: date
    tranche_ids: list[int]
    parts: list[Decimal]

    @property
    def currency(self) -> str:
        return self.application.call.currency

    @property
    def is_signed(self) -> bool:
        return self.stage.state != AwardState.pending_signature


def build(context: Context) -> None:
    awarded = [a for a in context.applications if a.state == A.awarded]
    awards = [_award_info(context, index, a) for index, a in enumerate(awarded)]
    context.award_ids = [award.id for award in awards]
    context.ledger_award_id = next(award.id for index, award in enumerate(awards)
                                   if index % len(STAGES) == LEDGER_STAGE)
    writer = context.writer
    writer.insert("stored_files", _agreement_files(context, awards))
    writer.insert("awards", (_award_row(context, award) for award in awards))
    writer.insert("tranches", _tranches(awards))
    writer.insert("disbursements", _ledger(context, awards))
    _reports(context, awards)
    writer.insert("project_publications", _publications(context, awards))


def _award_info(context: Context, index: int, application: ApplicationInfo) -> AwardInfo:
    year = application.decided_at.year
    series = f"OGB-G-{year}"
    context.reference_counters[series] += 1
    starts_on = application.decided_at.date() + timedelta(days=30)
    return AwardInfo(id=index + 1, application=application, stage=STAGES[index % len(STAGES)],
                     reference=f"{series}-{context.reference_counters[series]:03d}",
                     starts_on=starts_on, ends_on=starts_on + timedelta(days=364),
                     tranche_ids=[index * len(SHARES) + n + 1 for n in range(len(SHARES))],
                     parts=split_by_shares(AWARD_AMOUNT, SHARES))


def _agreement_files(context: Context, awards: list[AwardInfo]):
    for award in awards:
        if not award.is_signed:
            continue
        key = hashlib.sha256(f"bench-agreement-{award.id}".encode()).hexdigest()
        yield {"id": award.id, "storage_key": key,
               "original_name": f"Grant agreement {award.reference}.pdf",
               "content_type": "application/pdf", "kind": "pdf", "size_bytes": 312,
               "sha256": hashlib.sha256(key.encode()).hexdigest(),
               "uploaded_by_id": context.staff_id, "created_at": at(award.starts_on)}


def _award_row(context: Context, award: AwardInfo) -> dict:
    stage = award.stage
    created_at = award.application.decided_at + timedelta(days=10)
    closed_at = at(award.ends_on + timedelta(days=60)) if stage.state == AwardState.closed \
        else None
    return {
        "id": award.id, "application_id": award.application.id, "reference": award.reference,
        "amount": AWARD_AMOUNT, "currency": award.currency, "starts_on": award.starts_on,
        "ends_on": award.ends_on,
        "conditions": "Reports on time; acknowledge the donor in publications.",
        "agreement_file_id": award.id if award.is_signed else None,
        "signed_on": award.starts_on - timedelta(days=5) if award.is_signed else None,
        "state": stage.state, "deobligated_amount": Decimal("0.00"),
        "deobligation_reason": "",
        "termination_reason": "", "closed_at": closed_at, "created_by_id": context.staff_id,
        "created_at": created_at, "updated_at": closed_at or created_at,
    }


def _planned_on(award: AwardInfo, sequence: int) -> date:
    """Signature, then a month after the mid-term report, then after the final report."""
    return [award.starts_on, award.starts_on + timedelta(days=150),
            award.ends_on + timedelta(days=45)][sequence - 1]


def _tranches(awards: list[AwardInfo]):
    for award in awards:
        for sequence, ((share, condition), part, id_) in enumerate(
                zip(DEFAULT_SCHEDULE, award.parts, award.tranche_ids, strict=True), start=1):
            yield {"id": id_, "award_id": award.id, "sequence": sequence,
                   "percentage": Decimal(share), "planned_amount": part,
                   "planned_on": _planned_on(award, sequence), "condition": condition}


class _Ledger:
    """Writes one award's entries with consecutive ids, in the order they happened."""

    def __init__(self, context: Context):
        self.context = context
        self.next_id = 1

    def entry(self, award: AwardInfo, sequence: int, state, day: date, **fields) -> dict:
        id_ = self.next_id
        self.next_id += 1
        row = {
            "id": id_, "award_id": award.id, "tranche_id": award.tranche_ids[sequence - 1],
            "kind": DisbursementKind.payment, "state": state,
            "amount": award.parts[sequence - 1],
            "idempotency_key": f"bench-disbursement-{id_}", "planned_on": day,
            "payment_method": "bank transfer", "payee_reference": "Account held at Belize Bank",
            "override_reason": "", "requested_by_id": self.context.staff_id,
            "requested_at": at(day - timedelta(days=5)), "approved_by_id": None,
            "approved_at": None, "rejected_by_id": None, "rejected_at": None,
            "cancelled_by_id": None, "cancelled_at": None, "decision_reason": "",
            "paid_by_id": None, "paid_on": None, "recorded_at": None, "bank_reference": "",
            "paid_currency": None, "paid_amount": None, "exchange_rate": None,
            "usd_equivalent": None, "reverses_id": None, "reversal_reason": "",
        }
        row.update(fields)
        return row

    def paid(self, award: AwardInfo, sequence: int, day: date) -> dict:
        finance = self.context.finance_id
        paid_currency, rate, usd_rate = RATES[award.currency]
        amount = award.parts[sequence - 1]
        return self.entry(
            award, sequence, DisbursementState.paid, day, approved_by_id=finance,
            approved_at=at(day - timedelta(days=3)), paid_by_id=finance, paid_on=day,
            recorded_at=at(day, 17), bank_reference=f"BB-{award.id}-{sequence}-{day:%m%d}",
            paid_currency=paid_currency, exchange_rate=rate, paid_amount=amount * rate,
            usd_equivalent=(amount * usd_rate).quantize(Decimal("0.01")))

    def reversal(self, award: AwardInfo, original: dict) -> dict:
        day = original["paid_on"] + timedelta(days=4)
        finance = self.context.finance_id
        return self.entry(
            award, award.tranche_ids.index(original["tranche_id"]) + 1,
            DisbursementState.paid, day, kind=DisbursementKind.reversal,
            amount=-original["amount"], requested_by_id=finance, requested_at=at(day),
            paid_by_id=finance, paid_on=day, recorded_at=at(day, 17),
            paid_currency=original["paid_currency"], exchange_rate=original["exchange_rate"],
            paid_amount=-original["paid_amount"], usd_equivalent=-original["usd_equivalent"],
            reverses_id=original["id"],
            reversal_reason="Paid to the wrong account; the bank returned the funds.")

    def steps(self, award: AwardInfo, sequence: int, steps: tuple[str, ...]):
        day = _planned_on(award, sequence)
        finance, staff = self.context.finance_id, self.context.staff_id
        # Closed requests come first, a few weeks before the one that went through.
        for offset, step in enumerate(steps, start=-len(steps) + 1):
            when = day + timedelta(days=14 * offset)
            if step == PAID:
                yield self.paid(award, sequence, when)
            elif step == REVERSED:
                original = self.paid(award, sequence, when)
                yield original
                yield self.reversal(award, original)
                yield self.paid(award, sequence, when + timedelta(days=6))
            elif step == REJECTED:
                yield self.entry(award, sequence, DisbursementState.rejected, when,
                                 rejected_by_id=finance, rejected_at=at(when - timedelta(days=2)),
                                 decision_reason="The bank details did not match the grantee.")
            elif step == CANCELLED:
                yield self.entry(award, sequence, DisbursementState.cancelled, when,
                                 cancelled_by_id=staff, cancelled_at=at(when - timedelta(days=2)),
                                 decision_reason="Requested twice by mistake.")
            elif step == APPROVED:
                yield self.entry(award, sequence, DisbursementState.approved, when,
                                 approved_by_id=finance,
                                 approved_at=at(when - timedelta(days=1)))
            else:
                yield self.entry(award, sequence, DisbursementState.requested, when,
                                 override_reason=_override(award, sequence))


def _override(award: AwardInfo, sequence: int) -> str:
    """A request made before its condition holds needs a reason."""
    report = award.stage.midterm if sequence == 2 else award.stage.final
    if sequence > 1 and report != RS.accepted:
        return "Early release agreed with the donor."
    return ""


def _ledger(context: Context, awards: list[AwardInfo]):
    ledger = _Ledger(context)
    for award in awards:
        for sequence, steps in enumerate(award.stage.tranches, start=1):
            yield from ledger.steps(award, sequence, steps)


def _reports(context: Context, awards: list[AwardInfo]) -> None:
    reports, versions, lines = [], [], []
    for award in awards:
        if not award.is_signed:
            continue
        for kind, due_on, state in (
                (ReportKind.midterm, award.starts_on + timedelta(days=120), award.stage.midterm),
                (ReportKind.final, award.ends_on + timedelta(days=30), award.stage.final)):
            report_id = len(reports) + 1
            accepted_at = at(due_on + timedelta(days=7)) if state == RS.accepted else None
            reports.append({
                "id": report_id, "award_id": award.id, "kind": kind, "title": kind.title,
                "due_on": due_on, "state": state, "accepted_at": accepted_at,
                "last_reminded_on": None, "created_at": at(award.starts_on),
                "updated_at": accepted_at or at(award.starts_on)})
            if state != RS.due:
                versions.append(_version(context, len(versions) + 1, report_id, due_on, state))
                lines.extend(_expenditures(len(lines), len(versions), due_on))
    writer = context.writer
    writer.insert("progress_reports", reports)
    writer.insert("report_versions", versions)
    writer.insert("expenditures", lines)


def _version(context: Context, id_: int, report_id: int, due_on: date, state) -> dict:
    reviewed = state in (RS.accepted, RS.returned)
    return {
        "id": id_, "report_id": report_id, "number": 1,
        "submitted_at": at(due_on - timedelta(days=2)), "submitted_by_id": None,
        "activities": "Workshops with the counterpart's staff and community sessions.",
        "results": "Data sets published on the counterpart's website; officials trained.",
        "challenges": "Rainy season delays in the south; venue costs rose.",
        "women_under_30": 14, "women_30_and_over": 22, "men_under_30": 11,
        "men_30_and_over": 17, "other_under_30": 1, "other_30_and_over": 0,
        "reviewed_by_id": context.staff_id if reviewed else None,
        "reviewed_at": at(due_on + timedelta(days=5)) if reviewed else None,
        "staff_comment": "Please attach the missing receipts." if state == RS.returned else "",
    }


def _expenditures(first: int, version_id: int, due_on: date) -> list[dict]:
    # Each report accounts for half of the budget.
    return [{"id": first + position + 1, "version_id": version_id, "position": position,
             "category": category, "spent_on": due_on - timedelta(days=20 - position),
             "description": description, "amount": (amount / 2).quantize(Decimal("0.01")),
             "receipt_file_id": None}
            for position, (category, description, amount) in enumerate(BUDGET)]


def _publications(context: Context, awards: list[AwardInfo]):
    """Staff's departures from the defaults: a part held back on one signed award in ten,
    a withdrawn page on one in fifty."""
    for index, award in enumerate(awards):
        if not award.is_signed or index % 10 != 3:
            continue
        withdrawn = index % 50 == 13
        yield {"id": award.id, "award_id": award.id, "is_published": not withdrawn,
               "public_title": f"Open information project {award.reference}",
               "public_summary": "", "is_summary_public": True,
               "is_organisation_public": True, "is_partner_public": True,
               "is_amount_public": True, "is_dates_public": True, "is_area_public": True,
               "is_district_public": False, "is_progress_public": True,
               "updated_by_id": context.staff_id, "created_at": at(award.starts_on),
               "updated_at": at(award.starts_on)}
