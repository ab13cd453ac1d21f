"""Separation of duties by interest: nobody acts on an agreement or its money for an
organisation they belong to (the grantee or the counterpart), whatever their roles. The
operations refuse it; the pages hide the buttons and say why; the routes answer 403."""

from __future__ import annotations

import pytest

from core.errors import OperationError
from grants.awards import checks, operations
from grants.awards.states import DisbursementState
from grants.ledger import operations as ledger
from tests.grants.awards.conftest import create, pay, request, sign


def _join(factories, user, organisation):
    factories.member(organisation, user, "member")
    return user


@pytest.fixture(params=["grantee", "counterpart"])
def side(request, awarded):
    """The organisation the interested user belongs to."""
    return awarded.organisation if request.param == "grantee" else awarded.counterpart


def test_staff_of_the_grantee_or_counterpart_cannot_issue_or_sign(awarded, side, factories):
    member = _join(factories, factories.user(roles=("staff",)), side)
    with pytest.raises(OperationError, match="belong to the"):
        create(awarded, member)
    admin = _join(factories, factories.user(roles=("admin",)), side)
    with pytest.raises(OperationError, match="belong to the"):
        create(awarded, admin)


def test_staff_member_cannot_sign_suspend_or_request(award, side, staff, factories):
    member = _join(factories, factories.user(roles=("staff", "finance")), side)
    with pytest.raises(OperationError, match="belong to the"):
        sign(award, member)
    active = sign(award, staff)
    with pytest.raises(OperationError, match="belong to the"):
        operations.suspend_award(active, member, reason="Audit.")
    with pytest.raises(OperationError, match="belong to the"):
        request(active, member)


def test_finance_member_cannot_approve_pay_cancel_or_reverse(requested, side, finance,
                                                             other_finance, staff, factories):
    member = _join(factories, factories.user(roles=("finance",)), side)
    for refused in (lambda: ledger.approve_disbursement(requested, member),
                    lambda: ledger.reject_disbursement(requested, member, reason="No."),
                    lambda: ledger.cancel_disbursement(requested, member, reason="No.")):
        with pytest.raises(OperationError, match="belong to the"):
            refused()
    assert requested.state == DisbursementState.requested
    approved = ledger.approve_disbursement(requested, finance)
    with pytest.raises(OperationError, match="belong to the"):
        pay(approved, member)
    paid = pay(approved, other_finance)
    with pytest.raises(OperationError, match="belong to the"):
        ledger.reverse_disbursement(paid, member, reason="Wrong account.",
                                        reversed_on=paid.paid_on, bank_reference="R-1",
                                        idempotency_key=checks.new_idempotency_key())


def test_the_payments_queue_says_why_a_member_cannot_approve(requested, client, login_as,
                                                             factories):
    member = login_as("finance")
    _join(factories, member, requested.award.application.organisation)
    page = client.get("/finance/disbursements").get_data(as_text=True)
    assert f"/finance/disbursements/{requested.id}/approve" not in page
    assert "You belong to the applicant organisation" in page
    response = client.post(f"/finance/disbursements/{requested.id}/approve")
    assert response.status_code == 403
    assert requested.state == DisbursementState.requested


def test_an_unrelated_finance_user_still_sees_the_buttons(requested, client, login_as):
    login_as("finance")
    page = client.get("/finance/disbursements").get_data(as_text=True)
    assert f"/finance/disbursements/{requested.id}/approve" in page


def test_the_award_page_hides_staff_actions_from_a_member(active_award, client, login_as,
                                                          factories):
    member = login_as("staff")
    _join(factories, member, active_award.application.counterpart)
    page = client.get(f"/awards/{active_award.id}").get_data(as_text=True)
    assert "You belong to the counterpart organisation" in page
    assert f"/staff/awards/{active_award.id}/transition" not in page
    assert "/request" not in page


def test_close_out_is_refused_to_a_member(active_award, factories):
    member = _join(factories, factories.user(roles=("staff",)),
                   active_award.application.organisation)
    with pytest.raises(OperationError, match="belong to the"):
        operations.close_award(active_award, member)
