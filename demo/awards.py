"""The reference programme's eight awards, finished: agreements signed, every tranche paid in
BZD at 2.00 per USD (one payment reversed and paid again), reports accepted, awards closed.
The helpers also build the current cycle's awards (``demo.current``)."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from accounts.models import User
from core.extensions import db
from core.money import split_by_shares
from core.references import next_reference
from demo.grants import stored_pdf
from grants.applications.models import Application
from grants.applications.states import ApplicationState
from grants.awards.models import Award, Disbursement, Tranche
from grants.awards.states import DEFAULT_SCHEDULE, AwardState, DisbursementKind, DisbursementState
from grants.calls.models import Call
from grants.monitoring.models import Expenditure, ProgressReport, ReportVersion
from grants.monitoring.states import ReportKind, ReportState
from grants.reviews.states import Outcome
from reporting.portal.models import ProjectPublication

RATE = Decimal("2.00")  # Belize dollars per US dollar
STARTS_ON = date(2019, 1, 15)
ENDS_ON = date(2019, 7, 15)

DONE = (3, None, ReportState.accepted, ReportState.accepted, False)
#: For each award, in ranking order: (paid tranches, an open request's state, mid-term report
#: state, final report state, reversal of the first payment?). All eight were completed in
#: 2019; the sixth's first payment went to the wrong account and was reversed.
STAGES = [DONE] * 5 + [(3, None, ReportState.accepted, ReportState.accepted, True)] + [DONE] * 2


def _at(day: date, hour: int = 15) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def load(call: Call, users: dict[str, User]) -> None:
    staff, finance = users.get("staff"), users.get("finance")
    if staff is None or finance is None:
        return
    awarded = db.session.scalars(select(Application).where(
        Application.call_id == call.id, Application.state == ApplicationState.awarded)
        .order_by(Application.reference)).all()
    if db.session.scalar(select(Award.id).where(
            Award.application_id.in_([a.id for a in awarded])).limit(1)) is not None:
        return
    for application, stage in zip(awarded, STAGES, strict=True):
        award = demo_award(application, stage, staff, finance, year=2018,
                           starts_on=STARTS_ON, ends_on=ENDS_ON)
        award.state = AwardState.closed
        award.closed_at = _at(date(2019, 9, 2))
    db.session.flush()


def awarded_amount(application: Application, outcome: Outcome) -> Decimal | None:
    """The amount an award decision records: what the application requested (the demo's
    applications ask for the call's award amount)."""
    if outcome != Outcome.award:
        return None
    return application.requested_amount or application.call.award_amount


def _public_page_in_spanish(award: Award) -> None:
    """The project's public title and summary in Spanish too, worded as the demo's
    applications are (their area in Spanish, names as they are)."""
    application = award.application
    area = application.thematic_areas[0]
    spanish_area = area.text_in("name", "es") or area.name
    counterpart = application.counterpart.name if application.counterpart else ""
    district = (application.districts or [""])[0]
    # The title and summary in English stay the application's own (no override).
    publication = ProjectPublication(award_id=award.id)
    publication.set_translation("es", {
        "public_title": f"{spanish_area} con {counterpart}",
        "public_summary": f"{application.organisation.name} y {counterpart} trabajarán "
                          f"juntos en {spanish_area.lower()} en el distrito de {district}."})
    db.session.add(publication)


def demo_award(application: Application, stage, staff: User, finance: User, *, year: int,
               starts_on: date, ends_on: date, midterm_on: date | None = None,
               next_tranche_on: date | None = None) -> Award:
    """An award of ``application`` at ``stage`` (see :data:`STAGES`): signed a few days
    before ``starts_on`` unless it has no reports yet, tranches every 75 days (the first
    unpaid one on ``next_tranche_on`` when given)."""
    paid_tranches, open_state, midterm, final, reversed_once = stage
    amount = awarded_amount(application, Outcome.award)
    midterm_on = midterm_on or starts_on + timedelta(days=90)
    award = Award(application=application, amount=amount, currency=application.currency,
                  reference=next_reference(f"{application.call.reference_prefix}-G", year, 3),
                  starts_on=starts_on, ends_on=ends_on, created_by_id=staff.id,
                  conditions="Reports on time; acknowledge the donor in publications.",
                  state=AwardState.pending_signature if midterm is None else AwardState.active)
    if midterm is not None:
        award.signed_on = starts_on - timedelta(days=5)
        award.agreement_file = stored_pdf(f"Grant agreement {award.reference}.pdf")
    shares = [Decimal(share) for share, _condition in DEFAULT_SCHEDULE]
    for sequence, ((share, condition), part) in enumerate(
            zip(DEFAULT_SCHEDULE, split_by_shares(amount, shares), strict=True), start=1):
        award.tranches.append(Tranche(sequence=sequence, percentage=Decimal(share),
                                      planned_amount=part, condition=condition,
                                      planned_on=starts_on + timedelta(days=75 * (sequence - 1))))
    if next_tranche_on is not None and paid_tranches < len(award.tranches):
        award.tranches[paid_tranches].planned_on = next_tranche_on
    db.session.add(award)
    db.session.flush()
    _public_page_in_spanish(award)
    for tranche in award.tranches[:paid_tranches]:
        entry = _paid(award, tranche, staff, finance, tranche.planned_on)
        if reversed_once and tranche.sequence == 1:
            _reverse(award, entry, finance)
            _paid(award, tranche, staff, finance, tranche.planned_on + timedelta(days=6))
    if open_state is not None:
        _open_request(award, award.tranches[paid_tranches], staff, finance, open_state)
    if midterm is not None:
        _report(award, ReportKind.midterm, midterm_on, midterm, staff)
        _report(award, ReportKind.final, ends_on + timedelta(days=30), final, staff)
    return award


def _entry(award, tranche, staff, day: date, amount: Decimal) -> Disbursement:
    return Disbursement(award=award, tranche=tranche, kind=DisbursementKind.payment,
                        amount=amount, idempotency_key=secrets.token_urlsafe(24),
                        planned_on=day, payment_method="bank_transfer",
                        payee_reference="Account held at Belize Bank",
                        requested_by_id=staff.id, requested_at=_at(day - timedelta(days=5)))


def _paid(award, tranche, staff, finance, day: date) -> Disbursement:
    entry = _entry(award, tranche, staff, day, tranche.planned_amount)
    entry.approved_by_id, entry.approved_at = finance.id, _at(day - timedelta(days=3))
    entry.state = DisbursementState.paid
    entry.paid_by_id, entry.paid_on, entry.recorded_at = finance.id, day, _at(day, 17)
    entry.bank_reference = f"BB-{award.reference[-3:]}-{tranche.sequence}-{day:%m%d}"
    entry.paid_currency, entry.exchange_rate = "BZD", RATE
    entry.paid_amount = tranche.planned_amount * RATE
    entry.usd_equivalent = tranche.planned_amount
    db.session.add(entry)
    db.session.flush()
    return entry


def _reverse(award, original: Disbursement, finance) -> None:
    day = original.paid_on + timedelta(days=4)
    db.session.add(Disbursement(
        award=award, tranche=original.tranche, kind=DisbursementKind.reversal,
        state=DisbursementState.paid, amount=-original.amount,
        idempotency_key=secrets.token_urlsafe(24), requested_by_id=finance.id,
        requested_at=_at(day), paid_by_id=finance.id, paid_on=day, recorded_at=_at(day, 17),
        paid_currency="BZD", exchange_rate=RATE, paid_amount=-original.paid_amount,
        usd_equivalent=-original.usd_equivalent, reverses_id=original.id,
        reversal_reason="Paid to the wrong account; the bank returned the funds."))


def _open_request(award, tranche, staff, finance, state: DisbursementState) -> None:
    entry = _entry(award, tranche, staff, tranche.planned_on, tranche.planned_amount)
    entry.state = state
    if state == DisbursementState.approved:
        entry.approved_by_id, entry.approved_at = finance.id, _at(tranche.planned_on)
    db.session.add(entry)


def _report(award, kind, due_on: date, state: ReportState, staff) -> None:
    # No stored title: the kind's title is shown, in the reader's language.
    report = ProgressReport(award=award, kind=kind, due_on=due_on, state=state)
    if state != ReportState.due:
        # Each report accounts for half of the budget.
        report.versions.append(_version(1, due_on, award, Decimal("0.5")))
    if state == ReportState.returned:
        report.versions[0].staff_comment = ("Please attach the receipts for the workshop "
                                            "venue and explain the printing costs.")
        report.versions[0].reviewed_by_id = staff.id
        report.versions[0].reviewed_at = _at(due_on + timedelta(days=5))
    if state == ReportState.accepted:
        report.accepted_at = _at(due_on + timedelta(days=7))
        report.versions[0].reviewed_by_id = staff.id
        report.versions[0].reviewed_at = report.accepted_at
    db.session.add(report)


def _version(number: int, due_on: date, award, share: Decimal) -> ReportVersion:
    lines = award.application.budget_lines
    return ReportVersion(
        number=number, submitted_at=_at(due_on - timedelta(days=2)),
        activities="Workshops with the counterpart's staff and community sessions.",
        results="Data sets published on the counterpart's website; officials trained.",
        challenges="Rainy season delays in the south; venue costs rose.",
        women_under_30=14, women_30_and_over=22, men_under_30=11, men_30_and_over=17,
        expenditures=[Expenditure(position=i, category=line.category,
                                  spent_on=due_on - timedelta(days=20 - i),
                                  description=line.description,
                                  amount=(line.amount * share).quantize(Decimal("0.01")))
                      for i, line in enumerate(lines)])
