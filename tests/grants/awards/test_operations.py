from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from core.audit.models import AuditEntry
from core.errors import OperationError
from core.money import split_by_shares
from core.outbox.models import OutboxMessage
from grants.applications.states import ApplicationState
from grants.awards import checks, operations, queries
from grants.awards.models import Award, Disbursement, PaidEntryIsFinal
from grants.awards.states import (
    AWARD_TRANSITIONS,
    DISBURSEMENT_TRANSITIONS,
    AwardState,
    DisbursementKind,
    DisbursementState,
    TrancheCondition,
)
from grants.ledger import operations as ledger
from grants.ledger import queries as ledger_queries
from grants.monitoring.models import ProgressReport
from grants.monitoring.states import ReportKind, ReportState
from tests.fixtures.applications import make_submitted_application
from tests.grants.awards.conftest import (
    accept_report,
    create,
    make_awarded,
    pay,
    pdf_upload,
    request,
    sign,
    today,
)

D = Decimal


def audit_actions(session, obj) -> list[str]:
    return list(session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == obj.__tablename__, AuditEntry.object_id == str(obj.id))
        .order_by(AuditEntry.id)))


def entries(session, award) -> list[Disbursement]:
    return list(session.scalars(select(Disbursement).where(Disbursement.award_id == award.id)
                                .order_by(Disbursement.id)))


def outbox(session, recipient: str, kind: str) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == recipient, OutboxMessage.kind == kind)))


# Creating an award -------------------------------------------------------------------------

def test_an_award_follows_the_decision_with_its_schedule_and_reports(db_session, awarded,
                                                                     staff, grantee):
    start = today() - timedelta(days=30)
    award = operations.create_award(awarded, staff, starts_on=start,
                                    ends_on=start + timedelta(days=365),
                                    conditions="Publish the results as open data.")
    assert award.reference == f"TST-G-{today().year}-001"
    assert award.amount == D("5000.00") and award.currency == "USD"
    assert award.state is AwardState.pending_signature
    assert [(t.sequence, t.percentage, t.planned_amount, t.condition) for t in award.tranches] == [
        (1, D("50.00"), D("2500.00"), TrancheCondition.signature),
        (2, D("40.00"), D("2000.00"), TrancheCondition.midterm_report),
        (3, D("10.00"), D("500.00"), TrancheCondition.final_report)]
    reports = {r.kind: r for r in db_session.scalars(
        select(ProgressReport).where(ProgressReport.award_id == award.id))}
    assert set(reports) == {ReportKind.midterm, ReportKind.final}
    assert reports[ReportKind.midterm].due_on == start + timedelta(days=182)
    assert reports[ReportKind.final].due_on == start + timedelta(days=395)
    assert all(r.state is ReportState.due for r in reports.values())
    assert award.tranches[0].planned_on == start
    assert award.tranches[1].planned_on == reports[ReportKind.midterm].due_on
    assert audit_actions(db_session, award) == ["award.create"]
    [message] = outbox(db_session, grantee.email, "grants.awards.created")
    assert award.reference in message.subject and "US$2,500.00" in message.body_text


def test_references_count_up_per_call_prefix_and_year(db_session, factories, awarded, staff):
    first = create(awarded, staff)
    second = create(make_awarded(db_session, factories, call=awarded.call), staff)
    assert first.reference.endswith("-001") and second.reference.endswith("-002")


def test_only_an_award_decision_gives_an_award(db_session, factories, staff):
    in_review = make_submitted_application(db_session, factories,
                                           state=ApplicationState.in_review)
    without_decision = make_submitted_application(db_session, factories,
                                                  state=ApplicationState.awarded)
    for application in (in_review, without_decision):
        with pytest.raises(OperationError, match="no award decision"):
            create(application, staff)
    assert db_session.scalar(select(func.count()).select_from(Award)) == 0


def test_a_second_award_is_refused(awarded, staff, award):
    with pytest.raises(OperationError, match="already has a grant agreement"):
        create(awarded, staff)


def test_creation_checks_dates_and_the_actor(awarded, staff, finance):
    with pytest.raises(OperationError, match="end after it starts") as error:
        create(awarded, staff, ends_on=today() - timedelta(days=30))
    assert error.value.field == "ends_on"
    with pytest.raises(OperationError, match="Enter the start date"):
        create(awarded, staff, starts_on=None)
    with pytest.raises(OperationError, match="Only programme staff"):
        create(awarded, finance)


# Tranche splitting -------------------------------------------------------------------------

AMOUNTS = st.integers(min_value=1, max_value=100_000_000).map(lambda cents: D(cents) / 100)


@st.composite
def percentages(draw, max_parts: int = 8):
    """Positive percentages with two decimals that add up to exactly 100."""
    parts = draw(st.integers(min_value=1, max_value=max_parts))
    cuts = sorted(draw(st.sets(st.integers(min_value=1, max_value=9999),
                               min_size=parts - 1, max_size=parts - 1)))
    bounds = [0, *cuts, 10000]
    return [D(b - a) / 100 for a, b in pairwise(bounds)]


@settings(max_examples=500, deadline=None)
@given(amount=AMOUNTS, shares=percentages())
def test_tranches_always_sum_exactly_to_the_award(amount, shares):
    assert sum(shares) == 100
    parts = split_by_shares(amount, shares)
    assert len(parts) == len(shares)
    assert sum(parts, D("0")) == amount
    assert all(part == part.quantize(D("0.01")) for part in parts)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(amount=AMOUNTS, shares=percentages(max_parts=3).filter(lambda s: len(s) == 3))
def test_editing_the_schedule_keeps_the_tranches_summing_to_the_award(db_session, award, staff,
                                                                       amount, shares):
    award.amount = amount
    db_session.flush()
    schedule = {t.id: (share, t.planned_on)
                for t, share in zip(award.tranches, shares, strict=True)}
    try:
        operations.update_award(award, staff, starts_on=award.starts_on,
                                ends_on=award.ends_on, conditions="", tranches=schedule)
    except OperationError as error:  # a tranche would get no money: said, nothing changed
        assert "at least" in str(error.message)
    else:
        planned = [t.planned_amount for t in award.tranches]
        assert sum(planned, D("0")) == amount
        assert all(part > 0 for part in planned)
        assert [t.percentage for t in award.tranches] == shares


def test_the_schedule_must_add_up_to_exactly_100(db_session, award, staff):
    t1, t2, t3 = award.tranches

    def update(*shares):
        return operations.update_award(
            award, staff, starts_on=award.starts_on, ends_on=award.ends_on, conditions="",
            tranches={t.id: (share, t.planned_on)
                      for t, share in zip((t1, t2, t3), shares, strict=True)})

    with pytest.raises(OperationError, match=r"add up to 99\.99"):
        update(D("33.33"), D("33.33"), D("33.33"))
    with pytest.raises(OperationError, match="two decimal places"):
        update(D("33.333"), D("33.333"), D("33.334"))
    with pytest.raises(OperationError, match="more than 0"):
        update(D("0"), D("50"), D("50"))
    with pytest.raises(OperationError, match="more than 0"):
        update(D("-10"), D("60"), D("50"))
    assert [t.planned_amount for t in award.tranches] == [D("2500.00"), D("2000.00"),
                                                          D("500.00")]
    update(D("33.33"), D("33.33"), D("33.34"))
    assert [t.planned_amount for t in award.tranches] == [D("1666.50"), D("1666.50"),
                                                          D("1667.00")]
    assert "award.update" in audit_actions(db_session, award)


def test_editing_moves_the_reports_still_due(db_session, award, staff):
    start = award.starts_on + timedelta(days=10)
    operations.update_award(award, staff, starts_on=start, ends_on=start + timedelta(days=100),
                            conditions="New condition.",
                            tranches={t.id: (t.percentage, t.planned_on)
                                      for t in award.tranches})
    due = {r.kind: r.due_on for r in queries.reports_of(award)}
    assert due == {ReportKind.midterm: start + timedelta(days=50),
                   ReportKind.final: start + timedelta(days=130)}
    assert award.conditions == "New condition."


def test_a_signed_agreement_cannot_be_edited(active_award, staff):
    with pytest.raises(OperationError, match="signed agreement can no longer be changed"):
        operations.update_award(active_award, staff, starts_on=active_award.starts_on,
                                ends_on=active_award.ends_on, conditions="",
                                tranches={t.id: (t.percentage, t.planned_on)
                                          for t in active_award.tranches})


# Signing and the award's states ------------------------------------------------------------

def test_signing_needs_the_agreement_and_its_date(db_session, award, staff):
    with pytest.raises(OperationError, match="Upload the signed agreement") as error:
        sign(award, staff, file_storage=None)
    assert error.value.field == "agreement"
    with pytest.raises(OperationError, match="Enter the date"):
        sign(award, staff, signed_on=None)
    with pytest.raises(OperationError, match="future"):
        sign(award, staff, signed_on=today() + timedelta(days=1))
    with pytest.raises(OperationError, match="not"):
        sign(award, staff, file_storage=pdf_upload("agreement.pdf", b"not a pdf"))
    assert award.state is AwardState.pending_signature and award.agreement_file_id is None
    sign(award, staff)
    assert award.state is AwardState.active and award.signed_on == today()
    assert award.agreement_file.original_name == "agreement.pdf"
    assert "award.sign" in audit_actions(db_session, award)


def _try(operation, award, actor):
    try:
        operation(award, actor)
    except OperationError:
        return False
    return True


def _prepare_close(session, award):
    accept_report(session, award, ReportKind.final)


AWARD_OPERATIONS = {
    AwardState.active: lambda award, actor: sign(award, actor),
    AwardState.suspended: lambda award, actor: operations.suspend_award(award, actor,
                                                                        reason="Audit."),
    AwardState.terminated: lambda award, actor: operations.terminate_award(
        award, actor, reason="The project stopped."),
    AwardState.closed: lambda award, actor: operations.close_award(
        award, actor, deobligation_reason="Not spent."),
}


@pytest.mark.parametrize("source", list(AwardState))
@pytest.mark.parametrize("target", list(AWARD_OPERATIONS))
def test_awards_move_only_through_their_transition_table(db_session, award, staff, source,
                                                         target):
    accept_report(db_session, award, ReportKind.final)
    award.state = source
    db_session.flush()
    expected = (source, target) in AWARD_TRANSITIONS
    if target is AwardState.active and source is AwardState.suspended:
        operation = operations.resume_award  # resuming, not signing
    else:
        operation = AWARD_OPERATIONS[target]
    assert _try(operation, award, staff) is expected, (source, target)
    assert award.state is (target if expected else source)


def test_suspending_needs_a_reason_and_stops_everything(db_session, requested, staff,
                                                        other_finance):
    award = requested.award
    with pytest.raises(OperationError, match="reason"):
        operations.suspend_award(award, staff, reason="  ")
    operations.suspend_award(award, staff, reason="Financial irregularities under review.")
    with pytest.raises(OperationError, match="Suspended"):
        request(award, staff, amount="100.00")
    with pytest.raises(OperationError, match="Suspended"):
        ledger.approve_disbursement(requested, other_finance)
    operations.resume_award(award, staff)
    ledger.approve_disbursement(requested, other_finance)
    assert [a for a in audit_actions(db_session, award) if a in ("award.suspend",
                                                                 "award.resume")] == [
        "award.suspend", "award.resume"]


def test_only_staff_manage_awards(award, finance, active_award):
    for operation in (lambda: operations.suspend_award(active_award, finance, reason="x"),
                      lambda: operations.terminate_award(active_award, finance, reason="x"),
                      lambda: operations.close_award(active_award, finance)):
        with pytest.raises(OperationError, match="Only programme staff"):
            operation()


def test_termination_cancels_open_requests_and_deobligates_the_rest(
        db_session, paid, staff, other_finance, finance):
    award = paid.award
    open_request = request(award, staff, amount="500.00")
    approved = request(award, staff, tranche=award.tranches[1], amount="300.00",
                       override_reason="Urgent activity.")
    ledger.approve_disbursement(approved, finance)
    with pytest.raises(OperationError, match="reason"):
        operations.terminate_award(award, staff, reason="")
    operations.terminate_award(award, staff, reason="The grantee dissolved.")
    assert award.state is AwardState.terminated
    assert award.termination_reason == "The grantee dissolved."
    assert award.deobligated_amount == D("4000.00")  # 5,000 less the 1,000 paid
    assert open_request.state is DisbursementState.cancelled
    assert approved.state is DisbursementState.cancelled
    assert paid.state is DisbursementState.paid
    totals = ledger_queries.money_of(award)
    assert totals.remaining == 0 and totals.drawn == D("1000.00")
    with pytest.raises(OperationError, match="Terminated"):
        request(award, staff, amount="10.00")


# Closing -----------------------------------------------------------------------------------

def test_closing_needs_the_final_report_accepted(db_session, active_award, staff):
    with pytest.raises(OperationError, match="final report must be accepted"):
        operations.close_award(active_award, staff, deobligation_reason="Unspent.")
    accept_report(db_session, active_award, ReportKind.midterm)
    with pytest.raises(OperationError, match="final report must be accepted"):
        operations.close_award(active_award, staff, deobligation_reason="Unspent.")


def test_closing_needs_open_requests_settled_and_a_reason_for_the_balance(
        db_session, paid, staff, other_finance):
    award = paid.award
    accept_report(db_session, award, ReportKind.final)
    pending = request(award, staff, amount="100.00")
    with pytest.raises(OperationError, match="open disbursement requests"):
        operations.close_award(award, staff, deobligation_reason="Unspent.")
    ledger.cancel_disbursement(pending, other_finance, reason="Not needed.")
    with pytest.raises(OperationError, match=r"US\$4,000.00 was not disbursed") as error:
        operations.close_award(award, staff)
    assert error.value.field == "deobligation_reason"
    operations.close_award(award, staff, deobligation_reason="The grantee spent less.")
    assert award.state is AwardState.closed and award.closed_at is not None
    assert award.deobligated_amount == D("4000.00")
    assert award.deobligation_reason == "The grantee spent less."
    assert ledger_queries.money_of(award).remaining == 0
    assert "award.close" in audit_actions(db_session, award)


def test_a_fully_paid_award_closes_without_a_reason(db_session, active_award, staff, finance,
                                                    other_finance):
    for tranche in active_award.tranches:
        entry = request(active_award, staff, tranche=tranche, amount=tranche.planned_amount,
                        override_reason="" if tranche.sequence == 1 else "Agreed early.")
        ledger.approve_disbursement(entry, finance)
        pay(entry, other_finance)
    accept_report(db_session, active_award, ReportKind.final)
    operations.close_award(active_award, staff)
    assert active_award.state is AwardState.closed
    assert active_award.deobligated_amount == 0


# Requests ----------------------------------------------------------------------------------

def test_a_request_counts_against_the_award_and_tells_finance(db_session, active_award, staff,
                                                             finance, other_finance):
    entry = request(active_award, staff, amount="1000.00")
    assert entry.state is DisbursementState.requested and entry.kind is DisbursementKind.payment
    assert entry.requested_by_id == staff.id and entry.override_reason == ""
    totals = ledger_queries.money_of(active_award)
    assert (totals.requested, totals.drawn, totals.remaining) == (
        D("1000.00"), D("1000.00"), D("4000.00"))
    assert audit_actions(db_session, entry) == ["disbursement.request"]
    assert outbox(db_session, finance.email, "grants.awards.disbursement_requested")
    assert outbox(db_session, other_finance.email, "grants.awards.disbursement_requested")


def test_a_tranche_whose_condition_does_not_hold_needs_a_written_reason(
        db_session, active_award, staff):
    midterm = active_award.tranches[1]
    with pytest.raises(OperationError, match="does not hold yet") as error:
        request(active_award, staff, tranche=midterm, amount="100.00")
    assert error.value.field == "override_reason"
    entry = request(active_award, staff, tranche=midterm, amount="100.00",
                    override_reason="The ministry asked to start the training early.")
    assert entry.override_reason == "The ministry asked to start the training early."
    [audit] = db_session.scalars(select(AuditEntry).where(
        AuditEntry.action == "disbursement.request", AuditEntry.object_id == str(entry.id)))
    assert audit.data["override_reason"] == entry.override_reason
    assert audit.data["condition_holds"] is False


def test_an_accepted_report_releases_its_tranche(db_session, active_award, staff):
    accept_report(db_session, active_award, ReportKind.midterm)
    holding = queries.conditions_holding(active_award)
    assert holding == {TrancheCondition.signature: True,
                       TrancheCondition.midterm_report: True,
                       TrancheCondition.final_report: False}
    entry = request(active_award, staff, tranche=active_award.tranches[1], amount="2000.00",
                    override_reason="ignored when the condition holds")
    assert entry.override_reason == ""


@pytest.mark.parametrize("amount, message", [
    (D("-5.00"), "cannot be negative"),
    (D("0"), "more than zero"),
    (D("0.00"), "more than zero"),
    (D("10.005"), "two decimal places"),
    (None, "Enter the amount"),
    ("abc", "in figures"),
    (D("NaN"), "in figures"),
    (D("2500.01"), r"This tranche has US\$2,500.00 left"),
])
def test_bad_amounts_are_refused_with_a_clear_message(db_session, active_award, staff, amount,
                                                      message):
    with pytest.raises(OperationError, match=message) as error:
        request(active_award, staff, amount=amount)
    assert error.value.field == "amount"
    assert entries(db_session, active_award) == []


def test_the_award_balance_is_never_exceeded(db_session, active_award, staff):
    request(active_award, staff, amount="2500.00")
    with pytest.raises(OperationError, match=r"This tranche has US\$0.00 left to request of its "
                                             r"planned US\$2,500.00 \(the award has US\$2,500.00"):
        request(active_award, staff, amount="0.01")
    # De-obligated money is gone too (as after a termination; set directly here).
    active_award.deobligated_amount = D("2400.00")
    db_session.flush()
    with pytest.raises(OperationError, match=r"over-disburse the award: US\$100.00 remains to "
                                             r"be requested of US\$2,600.00"):
        request(active_award, staff, tranche=active_award.tranches[1], amount="100.01",
                override_reason="Early.")
    request(active_award, staff, tranche=active_award.tranches[1], amount="100.00",
            override_reason="Early.")
    assert ledger_queries.money_of(active_award).remaining == 0


def test_requests_check_every_field(active_award, staff):
    cases = [({"planned_on": None}, "planned_on"), ({"payment_method": "gold"}, "payment_method"),
             ({"payee_reference": " "}, "payee_reference"),
             ({"payee_reference": "x" * 121}, "payee_reference"),
             ({"payee_reference": "a\x00b"}, "payee_reference")]
    for fields, field in cases:
        with pytest.raises(OperationError) as error:
            request(active_award, staff, **fields)
        assert error.value.field == field


@pytest.mark.parametrize("state", [AwardState.pending_signature, AwardState.suspended,
                                   AwardState.closed, AwardState.terminated])
def test_only_active_awards_accept_requests(db_session, active_award, staff, state):
    active_award.state = state
    db_session.flush()
    with pytest.raises(OperationError, match="only while it is active"):
        request(active_award, staff)


def test_only_staff_request_and_only_tranches_of_the_award(db_session, factories, active_award,
                                                           staff, finance):
    with pytest.raises(OperationError, match="Only programme staff"):
        request(active_award, finance)
    other = sign(create(make_awarded(db_session, factories), staff), staff)
    with pytest.raises(OperationError, match="not part of this award"):
        request(active_award, staff, tranche=other.tranches[0])


def test_the_same_idempotency_key_creates_one_entry(db_session, active_award, staff):
    key = checks.new_idempotency_key()
    first, created = ledger.request_disbursement(
        active_award, active_award.tranches[0], staff, amount=D("700.00"), planned_on=today(),
        payment_method="bank_transfer", payee_reference="BB 1", idempotency_key=key)
    again, created_again = ledger.request_disbursement(
        active_award, active_award.tranches[0], staff, amount=D("700.00"), planned_on=today(),
        payment_method="bank_transfer", payee_reference="BB 1", idempotency_key=key)
    assert created and not created_again and again.id == first.id
    assert len(entries(db_session, active_award)) == 1
    with pytest.raises(OperationError, match="expired"):
        request(active_award, staff, tranche=active_award.tranches[1], idempotency_key=key,
                override_reason="x")
    for bad in ("", "short", "x" * 65, "spaces are not allowed here!", None):
        with pytest.raises(OperationError, match="expired"):
            request(active_award, staff, idempotency_key=bad)


def test_a_racing_duplicate_is_caught_by_the_unique_key(db_session, active_award, staff,
                                                        monkeypatch):
    """The second submission does not see the first one's row when it looks (as when both
    look before either commits): the unique constraint refuses the insert and the existing
    entry is returned."""
    key = checks.new_idempotency_key()
    first = request(active_award, staff, amount="300.00", idempotency_key=key)
    real = ledger_queries.entry_by_key
    calls = []

    def not_yet_visible(value):
        calls.append(value)
        return None if len(calls) == 1 else real(value)

    monkeypatch.setattr(ledger_queries, "entry_by_key", not_yet_visible)
    again, created = ledger.request_disbursement(
        active_award, active_award.tranches[0], staff, amount=D("300.00"), planned_on=today(),
        payment_method="bank_transfer", payee_reference="BB 1", idempotency_key=key)
    assert not created and again.id == first.id and len(calls) == 2
    assert len(entries(db_session, active_award)) == 1
    # The session is still usable after the refused insert.
    request(active_award, staff, amount="10.00")


# Approval (maker-checker) ------------------------------------------------------------------

def test_the_requester_cannot_approve_their_own_request(db_session, factories, active_award):
    both = factories.user(roles=("staff", "finance"), name="Maker Checker")
    entry = request(active_award, both)
    for operation in (lambda: ledger.approve_disbursement(entry, both),
                      lambda: ledger.reject_disbursement(entry, both, reason="No.")):
        with pytest.raises(OperationError, match="another finance user"):
            operation()
    assert entry.state is DisbursementState.requested and entry.approved_by_id is None


def test_finance_approves_and_the_requester_hears(db_session, requested, staff, finance):
    ledger.approve_disbursement(requested, finance)
    assert requested.state is DisbursementState.approved
    assert requested.approved_by_id == finance.id and requested.approved_at is not None
    assert outbox(db_session, staff.email, "grants.awards.disbursement_approved")
    assert "disbursement.approve" in audit_actions(db_session, requested)
    with pytest.raises(OperationError, match="Approved"):
        ledger.approve_disbursement(requested, finance)


def test_only_finance_decides(requested, other_staff):
    with pytest.raises(OperationError, match="Only finance"):
        ledger.approve_disbursement(requested, other_staff)


def test_rejecting_needs_a_reason_and_frees_the_money(db_session, requested, staff, finance):
    with pytest.raises(OperationError, match="reason") as error:
        ledger.reject_disbursement(requested, finance, reason="")
    assert error.value.field == "reason"
    ledger.reject_disbursement(requested, finance, reason="Wrong account.")
    assert requested.state is DisbursementState.rejected
    assert requested.decision_reason == "Wrong account."
    assert ledger_queries.money_of(requested.award).remaining == D("5000.00")
    [message] = outbox(db_session, staff.email, "grants.awards.disbursement_rejected")
    assert "Wrong account." in message.body_text


def test_cancelling_an_unpaid_request(db_session, approved, other_finance):
    with pytest.raises(OperationError, match="reason"):
        ledger.cancel_disbursement(approved, other_finance, reason=" ")
    ledger.cancel_disbursement(approved, other_finance, reason="Paid by another route.")
    assert approved.state is DisbursementState.cancelled
    assert approved.cancelled_by_id == other_finance.id


@pytest.mark.parametrize("source", list(DisbursementState))
@pytest.mark.parametrize("target", [DisbursementState.approved, DisbursementState.rejected,
                                    DisbursementState.cancelled, DisbursementState.paid])
def test_disbursements_move_only_through_their_transition_table(
        db_session, requested, other_finance, source, target):
    db_session.execute(Disbursement.__table__.update().where(
        Disbursement.id == requested.id).values(state=source.value))
    db_session.expire(requested)
    run = {
        DisbursementState.approved: lambda: ledger.approve_disbursement(requested,
                                                                            other_finance),
        DisbursementState.rejected: lambda: ledger.reject_disbursement(
            requested, other_finance, reason="No."),
        DisbursementState.cancelled: lambda: ledger.cancel_disbursement(
            requested, other_finance, reason="No."),
        DisbursementState.paid: lambda: pay(requested, other_finance),
    }[target]
    expected = (source, target) in DISBURSEMENT_TRANSITIONS
    try:
        run()
    except OperationError:
        assert not expected, (source, target)
        assert requested.state is source
    else:
        assert expected, (source, target)
        assert requested.state is target


# Payments ----------------------------------------------------------------------------------

def test_a_payment_in_belize_dollars_at_two_per_us_dollar(db_session, approved, other_finance,
                                                          grantee):
    pay(approved, other_finance, paid_currency="BZD", exchange_rate=D("2.00"),
        paid_amount=D("2000.00"), usd_equivalent=D("1000.00"), bank_reference="BB-7781")
    assert approved.state is DisbursementState.paid
    assert (approved.paid_currency, approved.paid_amount, approved.exchange_rate,
            approved.usd_equivalent) == ("BZD", D("2000.00"), D("2.000000"), D("1000.00"))
    assert approved.paid_by_id == other_finance.id and approved.recorded_at is not None
    totals = ledger_queries.money_of(approved.award)
    assert (totals.paid, totals.disbursed, totals.open) == (D("1000.00"), D("1000.00"), 0)
    [message] = outbox(db_session, grantee.email, "grants.awards.paid")
    assert "BB-7781" in message.body_text and "BZ$2,000.00 (US$1,000.00)" in message.body_text


def test_payment_amounts_are_worked_out_to_the_cent():
    assert ledger.payment_amounts(D("1000.00"), D("2")) == (D("2000.00"), D("1000.00"))
    assert ledger.payment_amounts(D("333.33"), D("1.333333")) == (D("444.44"), D("333.33"))
    # The equivalent is the amount approved, never the paid amount converted back.
    assert ledger.payment_amounts(D("100.06"), D("0.92")) == (D("92.06"), D("100.06"))
    paid, equivalent = ledger.payment_amounts(D("0.03"), D("0.5"))
    assert (paid, equivalent) == (D("0.02"), D("0.03"))  # 0.015, half-even


@pytest.mark.parametrize("fields, field, message", [
    ({"exchange_rate": D("0")}, "exchange_rate", "more than zero"),
    ({"exchange_rate": D("-2")}, "exchange_rate", "more than zero"),
    ({"exchange_rate": None}, "exchange_rate", "Enter the exchange rate"),
    ({"exchange_rate": D("2.1234567"), "paid_currency": "BZD"}, "exchange_rate",
     "six decimal places"),
    ({"exchange_rate": D("2")}, "exchange_rate", "the exchange rate is 1"),
    ({"paid_currency": "XYZ"}, "paid_currency", "currency"),
    ({"paid_currency": "BZD", "exchange_rate": D("2"), "paid_amount": D("2000.01")},
     "paid_amount", r"At 2 BZD per USD, US\$1,000.00 is BZ\$2,000.00"),
    ({"paid_currency": "BZD", "exchange_rate": D("2"), "usd_equivalent": D("999.99")},
     "usd_equivalent", "Check the equivalent"),
    ({"paid_on": None}, "paid_on", "Enter the date"),
    ({"bank_reference": ""}, "bank_reference", "bank reference"),
])
def test_bad_payments_are_refused(approved, other_finance, fields, field, message):
    with pytest.raises(OperationError, match=message) as error:
        pay(approved, other_finance, **fields)
    assert error.value.field == field
    assert approved.state is DisbursementState.approved and approved.paid_on is None


def test_a_payment_cannot_be_dated_before_its_approval_or_in_the_future(approved,
                                                                        other_finance):
    with pytest.raises(OperationError, match="before the approval"):
        pay(approved, other_finance, paid_on=today() - timedelta(days=1))
    with pytest.raises(OperationError, match="future"):
        pay(approved, other_finance, paid_on=today() + timedelta(days=1))
    assert approved.state is DisbursementState.approved


def test_only_approved_requests_of_active_awards_are_paid(db_session, requested, staff,
                                                          other_finance, finance):
    with pytest.raises(OperationError, match="Requested"):
        pay(requested, other_finance)
    ledger.approve_disbursement(requested, finance)
    operations.suspend_award(requested.award, staff, reason="Audit.")
    with pytest.raises(OperationError, match="Suspended"):
        pay(requested, other_finance)
    with pytest.raises(OperationError, match="Only finance"):
        pay(requested, staff)


# Paid entries never change -----------------------------------------------------------------

def test_a_paid_entry_refuses_every_change(db_session, paid, finance, other_finance):
    before = (paid.state, paid.amount, paid.bank_reference, paid.paid_on)
    for operation in (lambda: ledger.approve_disbursement(paid, finance),
                      lambda: ledger.reject_disbursement(paid, finance, reason="x"),
                      lambda: ledger.cancel_disbursement(paid, other_finance, reason="x"),
                      lambda: pay(paid, other_finance)):
        with pytest.raises(OperationError, match="Paid"):
            operation()
    assert (paid.state, paid.amount, paid.bank_reference, paid.paid_on) == before


def test_the_model_refuses_to_update_or_delete_a_paid_entry(db_session, paid):
    paid.amount = D("1.00")
    with pytest.raises(PaidEntryIsFinal):
        db_session.flush()
    db_session.rollback()


def test_the_model_refuses_to_delete_a_paid_entry(db_session, paid):
    db_session.delete(paid)
    with pytest.raises(PaidEntryIsFinal):
        db_session.flush()
    db_session.rollback()


# Reversals ---------------------------------------------------------------------------------

def test_a_reversal_corrects_a_payment_once(db_session, paid, finance):
    award = paid.award
    key = checks.new_idempotency_key()
    reversal, created = ledger.reverse_disbursement(
        paid, finance, reason="Paid to the wrong account.", reversed_on=today(),
        idempotency_key=key, bank_reference="RECALL-1")
    assert created
    assert (reversal.kind, reversal.state, reversal.amount, reversal.reverses_id) == (
        DisbursementKind.reversal, DisbursementState.paid, D("-1000.00"), paid.id)
    assert reversal.reversal_reason == "Paid to the wrong account."
    assert reversal.tranche_id == paid.tranche_id
    assert reversal.usd_equivalent == -paid.usd_equivalent
    assert paid.state is DisbursementState.paid and paid.amount == D("1000.00")
    totals = ledger_queries.money_of(award)
    assert (totals.paid, totals.reversed, totals.disbursed, totals.remaining) == (
        D("1000.00"), D("1000.00"), 0, D("5000.00"))
    again, created_again = ledger.reverse_disbursement(
        paid, finance, reason="Paid to the wrong account.", reversed_on=today(),
        idempotency_key=key)
    assert again.id == reversal.id and not created_again
    with pytest.raises(OperationError, match="already been reversed"):
        ledger.reverse_disbursement(paid, finance, reason="Again.", reversed_on=today(),
                                        idempotency_key=checks.new_idempotency_key())
    with pytest.raises(OperationError, match="Only a payment that was made"):
        ledger.reverse_disbursement(reversal, finance, reason="Undo.",
                                        reversed_on=today(),
                                        idempotency_key=checks.new_idempotency_key())
    assert "disbursement.reverse" in audit_actions(db_session, reversal)


def test_reversals_check_their_input(requested, paid, finance, staff):
    def reverse(entry=paid, **fields):
        fields.setdefault("reason", "Duplicate payment.")
        fields.setdefault("reversed_on", today())
        fields.setdefault("idempotency_key", checks.new_idempotency_key())
        return ledger.reverse_disbursement(entry, finance, **fields)

    with pytest.raises(OperationError, match="reason"):
        reverse(reason="")
    with pytest.raises(OperationError, match="before the payment"):
        reverse(reversed_on=today() - timedelta(days=1))
    with pytest.raises(OperationError, match="future"):
        reverse(reversed_on=today() + timedelta(days=1))
    with pytest.raises(OperationError, match="Only finance"):
        ledger.reverse_disbursement(paid, staff, reason="x", reversed_on=today(),
                                        idempotency_key=checks.new_idempotency_key())


def test_a_reversal_on_a_terminated_award_is_deobligated(db_session, paid, staff, finance):
    award = paid.award
    operations.terminate_award(award, staff, reason="Stopped.")
    assert award.deobligated_amount == D("4000.00")
    ledger.reverse_disbursement(paid, finance, reason="Refunded by the grantee.",
                                    reversed_on=today(),
                                    idempotency_key=checks.new_idempotency_key())
    assert award.deobligated_amount == D("5000.00")
    assert ledger_queries.money_of(award).remaining == 0


# The ledger --------------------------------------------------------------------------------

def test_the_ledger_has_running_totals_that_balance(db_session, paid, staff, finance):
    award = paid.award
    second = request(award, staff, amount="500.00")
    ledger.reject_disbursement(second, finance, reason="Too early.")
    third = request(award, staff, amount="700.00")
    ledger.reverse_disbursement(paid, finance, reason="Wrong account.",
                                    reversed_on=today(),
                                    idempotency_key=checks.new_idempotency_key())
    book = ledger_queries.ledger(award)
    assert [(row.entry.id, row.drawn, row.paid, row.reversed, row.remaining)
            for row in book.rows] == [
        (paid.id, D("1000.00"), D("1000.00"), 0, D("4000.00")),
        (second.id, D("1000.00"), D("1000.00"), 0, D("4000.00")),
        (third.id, D("1700.00"), D("1000.00"), 0, D("3300.00")),
        (book.rows[3].entry.id, D("700.00"), D("1000.00"), D("1000.00"), D("4300.00"))]
    assert book.balances and book.reversed_ids == {paid.id}
    assert book.money.drawn == sum(
        (e.amount for e in entries(db_session, award)
         if e.state in (DisbursementState.requested, DisbursementState.approved,
                        DisbursementState.paid)), D("0"))
