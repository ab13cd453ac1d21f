from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from accounts.organisations import policies

ANONYMOUS = AnonymousUserMixin()


@pytest.fixture
def org(factories):
    return factories.organisation(name="Citizens for Transparency")


@pytest.fixture
def owner(factories, org):
    user = factories.user()
    factories.member(org, user, "owner")
    return user


@pytest.fixture
def member(factories, org):
    user = factories.user()
    factories.member(org, user, "member")
    return user


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_staff_and_admins_may_do_everything(factories, org, role):
    user = factories.user(roles=(role,))
    for decision in (policies.can_list_directory(user), policies.can_create(user),
                     policies.can_view(user, org), policies.can_edit(user, org),
                     policies.can_verify(user), policies.can_manage_members(user, org),
                     policies.can_merge(user)):
        assert decision == (True, "")


@pytest.mark.parametrize("role", ["applicant", "reviewer", "finance", "donor"])
def test_other_roles_may_not_use_the_staff_pages(factories, role):
    user = factories.user(roles=(role,))
    for decision in (policies.can_list_directory(user), policies.can_verify(user),
                     policies.can_merge(user)):
        allowed, reason = decision
        assert allowed is False
        assert reason


def test_any_signed_in_user_may_create_but_not_anonymous(factories):
    assert policies.can_create(factories.user(roles=()))[0] is True
    allowed, reason = policies.can_create(ANONYMOUS)
    assert allowed is False and reason


def test_anonymous_may_do_nothing(org):
    assert not policies.can_list_directory(ANONYMOUS)[0]
    assert not policies.can_view(ANONYMOUS, org)[0]
    assert not policies.can_edit(ANONYMOUS, org)[0]
    assert not policies.can_verify(ANONYMOUS)[0]
    assert not policies.can_manage_members(ANONYMOUS, org)[0]
    assert not policies.can_merge(ANONYMOUS)[0]


def test_owner_may_view_edit_and_manage_members_but_not_verify_or_merge(org, owner):
    assert policies.can_view(owner, org)[0]
    assert policies.can_edit(owner, org)[0]
    assert policies.can_manage_members(owner, org)[0]
    assert not policies.can_verify(owner)[0]
    assert not policies.can_merge(owner)[0]
    assert not policies.can_list_directory(owner)[0]


def test_member_may_view_only(org, member):
    assert policies.can_view(member, org)[0]
    assert not policies.can_edit(member, org)[0]
    assert not policies.can_manage_members(member, org)[0]


def test_outsider_may_not_view_or_change(factories, org, owner):
    outsider = factories.user()
    other = factories.organisation(name="Other")
    assert not policies.can_view(outsider, org)[0]
    assert not policies.can_edit(outsider, org)[0]
    assert not policies.can_manage_members(outsider, org)[0]
    # Owning one organisation gives no rights over another.
    assert not policies.can_view(owner, other)[0]
    assert not policies.can_edit(owner, other)[0]
