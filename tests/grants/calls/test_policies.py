from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from grants.calls import policies
from grants.calls.states import CallState

ANONYMOUS = AnonymousUserMixin()


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_staff_and_admins_manage_calls(factories, role):
    assert policies.can_manage_calls(factories.user(roles=(role,))) == (True, "")


@pytest.mark.parametrize("role", ["applicant", "reviewer", "finance", "donor"])
def test_other_roles_do_not_manage_calls(factories, role):
    allowed, reason = policies.can_manage_calls(factories.user(roles=(role,)))
    assert not allowed and reason


def test_anonymous_visitors_do_not_manage_calls():
    assert policies.can_manage_calls(ANONYMOUS)[0] is False


@pytest.mark.parametrize("role", [None, "applicant", "staff", "donor"])
def test_everyone_may_browse_the_calls(factories, role):
    user = ANONYMOUS if role is None else factories.user(roles=(role,))
    assert policies.can_browse_calls(user) == (True, "")


@pytest.mark.parametrize("state", [s for s in CallState if s != CallState.draft])
@pytest.mark.parametrize("role", [None, "applicant", "reviewer", "donor", "staff"])
def test_published_and_later_calls_are_visible_to_everyone(grant_factories, factories,
                                                           state, role):
    call = grant_factories.call(state=state)
    user = ANONYMOUS if role is None else factories.user(roles=(role,))
    assert policies.can_view_call(user, call) == (True, "")


@pytest.mark.parametrize("role", [None, "applicant", "reviewer", "finance", "donor"])
def test_drafts_are_hidden_from_everyone_but_staff(grant_factories, factories, role):
    call = grant_factories.call(state=CallState.draft)
    user = ANONYMOUS if role is None else factories.user(roles=(role,))
    allowed, reason = policies.can_view_call(user, call)
    assert not allowed and reason


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_staff_see_drafts(grant_factories, factories, role):
    call = grant_factories.call(state=CallState.draft)
    assert policies.can_view_call(factories.user(roles=(role,)), call) == (True, "")
