"""Disbursement pages: requesting a tranche, finance's approval, payment and reversal,
and hostile request and payment forms."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from core.audit.models import AuditEntry
from grants.awards import checks, operations
from grants.awards.models import Disbursement
from grants.awards.states import DisbursementKind, DisbursementState
from grants.ledger import queries as ledger_queries
from grants.monitoring.states import ReportKind
from tests.grants.awards.conftest import (
    D,
    accept_report,
    count,
    create,
    hidden_key,
    make_awarded,
    page,
    request,
    today,
)

# Requesting --------------------------------------------------------------------------------

def _request_url(award, tranche=None):
    tranche = tranche or award.tranches[0]
    return f"/staff/awards/{award.id}/tranches/{tranche.id}/request"


def _request_data(key, **fields):
    data = {"amount": "1000.00", "planned_on": today().isoformat(),
            "payment_method": "bank_transfer", "payee_reference": "Belize Bank 123-456",
            "idempotency_key": key}
    data.update(fields)
    return data


def test_a_double_submitted_request_creates_one_entry(client, login_as, db_session,
                                                      active_award, staff):
    login_as(staff)
    response = client.get(_request_url(active_award))
    assert response.status_code == 200
    key = hidden_key(page(response))
    assert len(key) >= 40
    first = client.post(_request_url(active_award), data=_request_data(key))
    second = client.post(_request_url(active_award), data=_request_data(key))
    assert first.status_code == 302 and second.status_code == 302
    assert count(db_session, Disbursement, Disbursement.award_id == active_award.id) == 1
    html = page(client.get(f"/awards/{active_award.id}"))
    assert "already been sent" in html
    # A fresh form page gets a fresh key.
    assert hidden_key(page(client.get(_request_url(active_award)))) != key


@pytest.mark.parametrize("fields, message", [
    ({"amount": "-5.00"}, "digits only"),
    ({"amount": "0"}, "more than zero"),
    ({"amount": "0.00"}, "more than zero"),
    ({"amount": "10.005"}, "at most two decimals"),
    ({"amount": "2500.01"}, "This tranche has US$2,500.00 left"),
    ({"amount": ""}, "Enter the amount"),
    ({"payee_reference": ""}, "account reference"),
    ({"payment_method": "gold"}, "payment method"),
    ({"planned_on": "31/12/2026"}, "Enter a date"),
    ({"idempotency_key": ""}, "expired"),
])
def test_bad_requests_are_refused_and_write_nothing(client, login_as, db_session, active_award,
                                                    staff, fields, message):
    login_as(staff)
    audit = count(db_session, AuditEntry)
    response = client.post(_request_url(active_award),
                           data=_request_data(checks.new_idempotency_key(), **fields))
    assert response.status_code == 422
    html = page(response)
    assert message in html.replace("&#39;", "'")
    assert count(db_session, Disbursement) == 0 and count(db_session, AuditEntry) == audit
    # The form comes back with a usable key.
    assert checks.is_idempotency_key(hidden_key(html))


def test_an_unmet_condition_needs_the_override_reason(client, login_as, db_session,
                                                      active_award, staff):
    login_as(staff)
    midterm = active_award.tranches[1]
    html = page(client.get(_request_url(active_award, midterm)))
    assert "does not hold yet" in html and 'name="override_reason"' in html
    response = client.post(_request_url(active_award, midterm),
                           data=_request_data(checks.new_idempotency_key()))
    assert response.status_code == 422 and "give the reason" in page(response)
    assert count(db_session, Disbursement) == 0
    response = client.post(_request_url(active_award, midterm), data=_request_data(
        checks.new_idempotency_key(), override_reason="Training starts early."))
    assert response.status_code == 302
    html = page(client.get(f"/awards/{active_award.id}"))
    assert "Requested before its condition held:" in html and "Training starts early." in html


def test_requests_on_inactive_awards_or_other_awards_tranches(client, login_as, db_session,
                                                              factories, award, staff):
    login_as(staff)
    assert client.get(_request_url(award)).status_code == 409
    response = client.post(_request_url(award),
                           data=_request_data(checks.new_idempotency_key()))
    assert response.status_code == 422 and "only while it is active" in page(response)
    other = create(make_awarded(db_session, factories), staff)
    assert client.get(_request_url(award, other.tranches[0])).status_code == 404


# Finance -----------------------------------------------------------------------------------

def test_the_requester_cannot_approve_through_the_page(client, login_as, db_session, factories,
                                                       active_award):
    both = factories.user(roles=("staff", "finance"))
    entry = request(active_award, both)
    login_as(both)
    assert client.post(f"/finance/disbursements/{entry.id}/approve").status_code == 403
    assert client.post(f"/finance/disbursements/{entry.id}/reject",
                       data={"reason": "x"}).status_code == 403
    assert entry.state is DisbursementState.requested
    html = page(client.get("/finance/disbursements"))
    assert "You requested this: another finance user approves it." in html


def test_finance_approves_pays_in_belize_dollars_and_reverses(client, login_as, db_session,
                                                              requested, finance, grantee):
    login_as(finance)
    html = page(client.get("/finance/disbursements"))
    assert f"/finance/disbursements/{requested.id}/approve" in html
    response = client.post(f"/finance/disbursements/{requested.id}/approve",
                           data={"next": "queue"})
    assert response.status_code == 302 and response.location == "/finance/disbursements"
    assert requested.state is DisbursementState.approved

    url = f"/finance/disbursements/{requested.id}/pay"
    assert client.get(url).status_code == 200
    base = {"paid_on": today().isoformat(), "bank_reference": "BB-2026-17",
            "paid_currency": "BZD", "exchange_rate": "2.00"}
    for fields, message in (({"exchange_rate": "0"}, "more than zero"),
                            ({"exchange_rate": "-2"}, "more than zero"),
                            ({"paid_amount": "1999.99"}, "Check the exchange rate"),
                            ({"paid_on": (today() - timedelta(days=1)).isoformat()},
                             "before the approval"),
                            ({"paid_currency": "USD"}, "the exchange rate is 1")):
        response = client.post(url, data={**base, **fields})
        assert response.status_code == 422, fields
        assert message in page(response), fields
        assert requested.state is DisbursementState.approved
    response = client.post(url, data={**base, "paid_amount": "2000.00",
                                      "usd_equivalent": "1000.00"})
    assert response.status_code == 302
    assert (requested.state, requested.paid_amount, requested.usd_equivalent) == (
        DisbursementState.paid, D("2000.00"), D("1000.00"))
    assert client.get(url).status_code == 409

    reverse_url = f"/finance/disbursements/{requested.id}/reverse"
    key = hidden_key(page(client.get(reverse_url)))
    data = {"reason": "Sent to the wrong account.", "reversed_on": today().isoformat(),
            "idempotency_key": key}
    assert client.post(reverse_url, data=data).status_code == 302
    assert client.post(reverse_url, data=data).status_code == 302  # double submission
    reversals = list(db_session.scalars(select(Disbursement).where(
        Disbursement.reverses_id == requested.id)))
    assert len(reversals) == 1 and reversals[0].amount == D("-1000.00")
    assert reversals[0].kind is DisbursementKind.reversal
    assert client.get(reverse_url).status_code == 409
    login_as(grantee)
    html = page(client.get(f"/awards/{requested.award_id}"))
    assert "Reverses payment #" in html and "Sent to the wrong account." in html


def test_paid_entries_cannot_be_changed_through_any_route(client, login_as, db_session, paid,
                                                          finance, other_finance):
    before = (paid.state, paid.amount, paid.paid_on, paid.bank_reference, paid.decision_reason)
    login_as(finance)
    for action, data in (("approve", {}), ("reject", {"reason": "x"}),
                         ("cancel", {"reason": "x"})):
        response = client.post(f"/finance/disbursements/{paid.id}/{action}", data=data)
        assert response.status_code == 303, action
    response = client.post(f"/finance/disbursements/{paid.id}/pay", data={
        "paid_on": today().isoformat(), "bank_reference": "NEW", "paid_currency": "USD",
        "exchange_rate": "1"})
    assert response.status_code == 422 and "Paid" in page(response)
    db_session.refresh(paid)
    assert (paid.state, paid.amount, paid.paid_on, paid.bank_reference,
            paid.decision_reason) == before
    # There is no route that edits or deletes a ledger entry.
    rules = [rule for rule in client.application.url_map.iter_rules()
             if rule.endpoint.startswith("awards.")]
    assert not [r for r in rules if {"PUT", "PATCH", "DELETE"} & set(r.methods)]
    assert not [r.rule for r in rules if "edit" in r.rule and "disbursement" in r.rule]


def test_approvals_and_payments_wait_while_suspended(client, login_as, requested, staff,
                                                     other_finance):
    operations.suspend_award(requested.award, staff, reason="Audit.")
    login_as(other_finance)
    response = client.post(f"/finance/disbursements/{requested.id}/approve")
    assert response.status_code == 303
    assert requested.state is DisbursementState.requested
    assert "only while it is active" in page(client.get(f"/awards/{requested.award_id}"))


def test_rejecting_and_cancelling_need_a_reason(client, login_as, requested, other_finance):
    login_as(other_finance)
    response = client.post(f"/finance/disbursements/{requested.id}/reject",
                           data={"reason": " "})
    assert response.status_code == 303 and requested.state is DisbursementState.requested
    response = client.post(f"/finance/disbursements/{requested.id}/cancel",
                           data={"reason": "Duplicate.", "next": "https://evil.example"})
    assert response.status_code == 302
    assert response.location == f"/awards/{requested.award_id}#ledger"
    assert requested.state is DisbursementState.cancelled


def test_rejecting_and_cancelling_ask_first(client, login_as, requested, other_finance):
    login_as(other_finance)
    for url in ("/finance/disbursements", f"/awards/{requested.award_id}"):
        html = page(client.get(url))
        for action, question in (("reject", f"Reject request #{requested.id}?"),
                                 ("cancel", f"Cancel request #{requested.id}?")):
            form = html.index(f'action="/finance/disbursements/{requested.id}/{action}"')
            step = html.rindex('<details class="confirm-step">', 0, form)
            assert question in html[step:form] and "</details>" not in html[step:form]


def test_a_finished_award_shows_its_deobligation(client, login_as, db_session, paid, staff):
    award = paid.award
    accept_report(db_session, award, ReportKind.final)
    operations.close_award(award, staff, deobligation_reason="Activities cost less.")
    login_as(staff)
    html = page(client.get(f"/awards/{award.id}"))
    assert "De-obligated" in html and "Activities cost less." in html
    assert "Suspend the award" not in html and "Terminate the award" not in html


# Hostile input -----------------------------------------------------------------------------

HOSTILE = st.sampled_from([
    "", " ", "\x00", "a\x00b", "\r\n", "<script>alert(1)</script>", "' OR 1=1 --",
    "=HYPERLINK(\"http://x\")", "\u202e", "😀" * 50, "x" * 5000, "-1", "9" * 40, "1e5",
    "NaN", "Infinity", "0x10", "1,000.00", "2500.00", "0.001", "2026-02-30", "99999-01-01",
])


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(fields=st.fixed_dictionaries({
    "amount": HOSTILE, "planned_on": HOSTILE, "payment_method": HOSTILE,
    "payee_reference": HOSTILE, "override_reason": HOSTILE, "idempotency_key": HOSTILE}))
def test_hostile_request_forms_never_fail_nor_over_disburse(client, login_as, db_session,
                                                            active_award, staff, fields):
    login_as(staff)
    before = count(db_session, Disbursement)
    response = client.post(_request_url(active_award), data=fields)
    assert response.status_code in (302, 400, 422)
    if response.status_code in (400, 422):
        assert count(db_session, Disbursement) == before
    assert ledger_queries.money_of(active_award).remaining >= 0


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(fields=st.fixed_dictionaries({
    "paid_on": HOSTILE, "bank_reference": HOSTILE, "paid_currency": HOSTILE,
    "exchange_rate": HOSTILE, "paid_amount": HOSTILE, "usd_equivalent": HOSTILE}))
def test_hostile_payment_forms_never_fail(client, login_as, approved, other_finance, fields):
    login_as(other_finance)
    response = client.post(f"/finance/disbursements/{approved.id}/pay", data=fields)
    assert response.status_code in (302, 400, 422)
    if response.status_code in (400, 422):
        assert approved.state is DisbursementState.approved
