"""The access policy of every route, and a check that the app enforces it.

Every endpoint in ``app.url_map`` must have an entry in ``POLICY`` (``access_policy.py``),
saying which roles may use it and what they get; a new route without an entry fails
``test_every_endpoint_has_a_policy``. Each (endpoint, role) pair is then requested: allowed
roles get the entry's status, a signed-in user without permission gets 403, and an anonymous
visitor is sent to sign in.

The conflicted personas hold a role (staff, finance, reviewer) and belong to the counterpart
organisation of every application of the context: they get what their role gets, except where
an entry's ``conflicted`` status says otherwise (nobody acts for an organisation they belong
to), and no page or export shows them the scores or reviews of those applications.
"""

from __future__ import annotations

import pytest

from tests.access_contexts import (
    REVIEW_MARKER,
    _application_of,
    _awards_context,
    _calls_context,
    _coalitions_context,
    _consultations_context,
    _events_context,
    _jobs_context,
    _monitoring_context,
    _ranking_context,
    _results_context,
    _reviews_context,
)
from tests.access_policy import PERSONAS, POLICY, ROLES, Access


@pytest.fixture
def context(factories):
    from accounts.organisations.operations import invite_member
    from core.outbox.operations import queue_email
    from core.outbox.states import MessageState

    owner = factories.user(name="Owner")
    org = factories.organisation(name="Somebody Else's Organisation")
    factories.member(org, owner, "owner")
    member = factories.member(org, factories.user(name="Member"), "member")
    invitation = invite_member(org, owner, email="invited@example.org", name="Invited")
    other_user = factories.user(name="Other")
    message = queue_email(other_user.email, "accounts/confirm", user=other_user,
                          confirm_url="http://127.0.0.1:5000/confirm/x")
    dead = queue_email(other_user.email, "accounts/confirm", user=other_user,
                       confirm_url="http://127.0.0.1:5000/confirm/y")
    dead.state = MessageState.dead
    application, attachment = _application_of(org, owner)
    return {"org": org, "member": member, "invitation": invitation,
            "other_user": other_user, "message": message,
            "dead_message": dead, "application": application, "attachment": attachment,
            **_calls_context(factories), **_ranking_context(factories),
            **_reviews_context(factories), **_monitoring_context(factories),
            **_awards_context(factories), **_coalitions_context(factories),
            **_events_context(factories), **_results_context(factories),
            **_consultations_context(factories),
            **_jobs_context(factories, other_user)}


def test_every_endpoint_has_a_policy(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - POLICY.keys())
    assert not missing, f"endpoints without an access policy entry: {missing}"
    stale = sorted(POLICY.keys() - endpoints)
    assert not stale, f"policy entries for endpoints that no longer exist: {stale}"


def _conflict_with_every_application(factories):
    """An organisation made the counterpart of every application there is."""
    from sqlalchemy import select

    from accounts.organisations.models import Sector
    from grants.applications.models import Application

    ministry = factories.organisation(name="Ministry of Conflicts", sector=Sector.government)
    for application in factories.session.scalars(select(Application)):
        application.counterpart_organisation_id = ministry.id
    factories.session.flush()
    factories.session.expire_all()
    return ministry


def sign_in_as(role, login_as, factories, ministry=None):
    """Sign in as ``role``; a conflicted persona belongs to ``ministry``, the counterpart of
    every application."""
    if role not in PERSONAS:
        return login_as(role)
    user = login_as(PERSONAS[role], name=role.replace("_", " ").title())
    factories.member(ministry or _conflict_with_every_application(factories), user, "member")
    return user


def expected_status(access: Access, role: str) -> int | None:
    """The status ``role`` gets from an entry, or None when it is refused."""
    base = PERSONAS.get(role, role)
    if role not in access.allowed and base not in access.allowed:
        return None
    if role in PERSONAS and access.conflicted is not None:
        return access.conflicted
    return access.ok_for.get(role, access.ok_for.get(base, access.ok))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(POLICY))
def test_access(endpoint, role, client, login_as, factories, context):
    access = POLICY[endpoint]
    if role != "anonymous":
        sign_in_as(role, login_as, factories)
    url = access.url(context)
    response = client.open(url, method=access.method, data=access.data)
    expected = expected_status(access, role)
    if expected is not None:
        assert response.status_code == expected, f"{role} on {endpoint}"
    elif role == "anonymous":
        assert response.status_code == 302, f"{role} on {endpoint}"
        assert response.location.startswith("/login"), f"{role} on {endpoint}"
    else:
        assert response.status_code == 403, f"{role} on {endpoint}"


def _readable_text(response) -> str:
    """What a reader gets: the page, or every sheet's XML of a workbook."""
    import zipfile
    from io import BytesIO

    data = response.get_data()
    if data[:2] == b"PK":
        with zipfile.ZipFile(BytesIO(data)) as archive:
            return "".join(archive.read(name).decode("utf-8", "replace")
                           for name in archive.namelist() if name.endswith(".xml"))
    return data.decode("utf-8", "replace")


#: Pages the walk adds to the policy's addresses: the audit log filtered on reviews.
EXTRA_SCORE_URLS = ("/admin/audit?object_type=reviews", "/admin/audit?action=review.")


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_no_page_or_export_shows_a_conflicted_persona_the_reviews(
        persona, client, login_as, factories, context):
    """Every page and export the persona's role may open, the audit log included: neither
    the reviews nor the scores of the applications the persona is conflicted with."""
    sign_in_as(persona, login_as, factories)
    urls = [access.url(context) for _endpoint, access in sorted(POLICY.items())
            if access.method == "GET" and expected_status(access, persona) is not None]
    if PERSONAS[persona] == "staff":
        urls += EXTRA_SCORE_URLS
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        text = _readable_text(response)
        assert REVIEW_MARKER not in text, url
        assert '"scores"' not in text, url


def test_the_walk_would_see_the_reviews_of_an_unconflicted_reader(client, login_as, context):
    """The marker the walk looks for is there for staff without a conflict."""
    login_as("staff")
    for url in (f"/reviews/applications/{context['review_application'].id}",
                f"/staff/panels/{context['ranking_panel'].id}/applications/"
                f"{context['ranking_application'].id}/feedback",
                f"/staff/panels/{context['ranking_panel'].id}/scores.xlsx",
                *EXTRA_SCORE_URLS):
        text = _readable_text(client.get(url))
        assert REVIEW_MARKER in text, url
    assert '"scores"' in _readable_text(client.get(EXTRA_SCORE_URLS[0]))
