"""Disbursement operations: requests, approval by finance (maker-checker), payments, paid
entries that never change, reversals and the ledger's running totals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.audit.models import AuditEntry
from core.errors import OperationError
from grants.awards import checks, operations, queries
from grants.awards.models import Disbursement, PaidEntryIsFinal
from grants.awards.states import (
    DISBURSEMENT_TRANSITIONS,
    AwardState,
    DisbursementKind,
    DisbursementState,
    TrancheCondition,
)
from grants.ledger import operations as ledger
from grants.ledger import queries as ledger_queries
from grants.monitoring.states import ReportKind
from tests.grants.awards.conftest import (
    D,
    accept_report,
    audit_actions,
    create,
    entries,
    make_awarded,
    outbox,
    pay,
    request,
    sign,
    today,
)

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
