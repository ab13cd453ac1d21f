from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from grants.awards.policies import (
    can_cancel_disbursement,
    can_decide_disbursement,
    can_download_agreement,
    can_list_awards,
    can_manage_awards,
    can_record_payment,
    can_request_disbursement,
    can_reverse_disbursement,
    can_view_award,
    can_view_finance_queue,
    is_finance_nav,
)
from tests.grants.awards.conftest import make_awarded, request


def allowed(decision) -> bool:
    return decision[0]


ROLES = ("admin", "staff", "finance", "reviewer", "applicant", "donor")


@pytest.fixture
def users(factories):
    return {role: factories.user(roles=(role,)) for role in ROLES}


@pytest.mark.parametrize("policy, roles", [
    (can_list_awards, {"admin", "staff", "finance"}),
    (can_manage_awards, {"admin", "staff"}),
    (can_request_disbursement, {"admin", "staff"}),
    (can_view_finance_queue, {"admin", "staff", "finance"}),
    (is_finance_nav, {"finance"}),
    (can_decide_disbursement, {"finance"}),
    (can_record_payment, {"finance"}),
    (can_cancel_disbursement, {"finance"}),
    (can_reverse_disbursement, {"finance"}),
])
def test_roles(users, policy, roles):
    for role, user in users.items():
        assert allowed(policy(user)) is (role in roles), role
    assert not allowed(policy(AnonymousUserMixin()))


def test_staff_finance_and_the_grantee_see_the_award(users, award, grantee, factories):
    for role, user in users.items():
        assert allowed(can_view_award(user, award)) is (role in ("admin", "staff",
                                                                 "finance")), role
    assert allowed(can_view_award(grantee, award))
    assert allowed(can_download_agreement(grantee, award))
    assert not allowed(can_view_award(AnonymousUserMixin(), award))
    # Grantee members manage nothing.
    assert not allowed(can_manage_awards(grantee, award))
    assert not allowed(can_request_disbursement(grantee, award))


def test_a_grantee_never_sees_another_organisations_award(db_session, factories, award,
                                                          staff):
    other = make_awarded(db_session, factories)
    other_member = other.organisation.members[0].user
    decision = can_view_award(other_member, award)
    assert not allowed(decision) and "cannot see this award" in decision[1]
    assert not allowed(can_download_agreement(other_member, award))
    # Membership of the government counterpart gives no access either.
    counterpart_member = factories.user()
    factories.member(award.application.counterpart, counterpart_member)
    assert not allowed(can_view_award(counterpart_member, award))


def test_nobody_decides_on_their_own_request(factories, active_award, finance):
    both = factories.user(roles=("staff", "finance"))
    entry = request(active_award, both)
    decision = can_decide_disbursement(both, entry)
    assert not allowed(decision) and "another finance user" in decision[1]
    assert allowed(can_decide_disbursement(finance, entry))
    # Recording the payment and cancelling are not decisions on the request.
    assert allowed(can_record_payment(both, entry))
    assert allowed(can_cancel_disbursement(both, entry))
