"""Award operations: creating an award, splitting and editing its tranches, signing, the
award's states and closing it."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from core.errors import OperationError
from core.money import split_by_shares
from grants.applications.states import ApplicationState
from grants.awards import operations, queries
from grants.awards.models import Award
from grants.awards.states import AWARD_TRANSITIONS, AwardState, DisbursementState, TrancheCondition
from grants.ledger import operations as ledger
from grants.ledger import queries as ledger_queries
from grants.monitoring.models import ProgressReport
from grants.monitoring.states import ReportKind, ReportState
from tests.fixtures.applications import make_submitted_application
from tests.grants.awards.conftest import (
    D,
    accept_report,
    audit_actions,
    create,
    make_awarded,
    outbox,
    pay,
    pdf_upload,
    request,
    sign,
    today,
)

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
