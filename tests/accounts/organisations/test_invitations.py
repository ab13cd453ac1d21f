"""Nobody joins an organisation without accepting: an owner's invitation waits until the
invited person, signed in as the account with the invited address, accepts it (or declines
it). Inviting tells the inviter nothing about accounts, and is limited per day."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accounts.models import InvitationState
from accounts.organisations import operations, queries
from accounts.organisations.models import MemberRole, OrganisationInvitation, OrganisationMember
from core.audit.models import AuditEntry
from core.errors import OperationError
from core.outbox.models import OutboxMessage
from core.timeutil import utcnow
from tests.fixtures.factories import DEFAULT_PASSWORD


@pytest.fixture
def org(factories):
    return factories.organisation(name="Toledo Youth Voices", acronym="TYV")


@pytest.fixture
def owner(factories, org):
    owner = factories.user(email="owner@example.org")
    factories.member(org, owner, "owner")
    return owner


def _members(db_session, org) -> int:
    return db_session.scalar(select(func.count(OrganisationMember.id)).where(
        OrganisationMember.organisation_id == org.id))


def _link(db_session, email) -> str:
    message = db_session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == email,
        OutboxMessage.kind == "accounts.organisations.invitation")
        .order_by(OutboxMessage.id.desc())).first()
    return re.search(r"http://[^\s]+(/organisations/invitations/\d+)", message.body_text).group(1)


def _sign_in(client, user):
    client.post("/logout")
    response = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302


def _invite(client, org, email, name="Invited Person", role="member"):
    return client.post(f"/organisations/{org.id}/members/invite",
                       data={"name": name, "email": email, "role": role})


def _flashes(client) -> list[str]:
    with client.session_transaction() as session:
        return [message for _category, message in session.pop("_flashes", [])]


# The attack: a reviewer conflicted out without being asked --------------------------------

def test_inviting_a_reviewer_does_not_make_them_a_member(client, factories, org, owner,
                                                         db_session):
    reviewer = factories.user(email="reviewer@example.org", roles=("reviewer",))
    _sign_in(client, owner)
    assert _invite(client, org, "Reviewer@Example.org").status_code == 302
    assert org.member_role(reviewer) is None
    assert _members(db_session, org) == 1
    [invitation] = queries.invitations_for(reviewer)
    assert invitation.state is InvitationState.pending and invitation.organisation_id == org.id


def test_the_invitee_accepts_signed_in_and_joins(client, factories, org, owner, db_session):
    person = factories.user(email="colleague@example.org")
    _sign_in(client, owner)
    _invite(client, org, person.email, role="owner")
    link = _link(db_session, person.email)
    client.post("/logout")
    # Following the link without signing in leads to the sign-in page, back to the link.
    response = client.get(link)
    assert response.status_code == 302 and "/login" in response.location
    _sign_in(client, person)
    page = client.get(link)
    assert page.status_code == 200 and b"Toledo Youth Voices" in page.data
    assert b"/my-organisations" not in page.data
    assert client.post(f"{link}/accept").status_code == 302
    assert org.member_role(person) is MemberRole.owner
    actions = set(db_session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "organisations", AuditEntry.object_id == str(org.id))))
    assert {"organisation.invite", "organisation.accept_invitation",
            "organisation.add_member"} <= actions
    # Answered: the link no longer works; accepting again (a double click) is answered as
    # the first acceptance was, and records nothing more.
    assert client.get(link).status_code == 410
    entries = len(list(db_session.scalars(select(AuditEntry.id))))
    assert client.post(f"{link}/accept").status_code == 302
    assert len(list(db_session.scalars(select(AuditEntry.id)))) == entries


def test_the_invitee_can_decline(client, factories, org, owner, db_session):
    person = factories.user(email="colleague@example.org")
    _sign_in(client, owner)
    _invite(client, org, person.email)
    link = _link(db_session, person.email)
    _sign_in(client, person)
    mine = client.get("/organisations/mine")
    assert b"Toledo Youth Voices" in mine.data  # the pending invitation is listed
    assert client.post(f"{link}/decline").status_code == 302
    assert org.member_role(person) is None
    assert b"Toledo Youth Voices" not in client.get("/organisations/mine").data
    assert client.post(f"{link}/accept").status_code == 409
    assert org.member_role(person) is None


@pytest.mark.parametrize("who", ["owner", "staff", "other", "unconfirmed"])
def test_only_the_invited_account_can_answer(client, factories, login_as, org, owner,
                                             db_session, who):
    _sign_in(client, owner)
    _invite(client, org, "invited@example.org")
    link = _link(db_session, "invited@example.org")
    if who == "owner":
        pass
    elif who == "staff":
        login_as("staff")
    elif who == "unconfirmed":
        # Someone registered the invited address without confirming it.
        login_as("applicant", email="invited@example.org", confirmed=False)
    else:
        login_as("applicant")
    assert client.get(link).status_code == 403
    assert client.post(f"{link}/accept").status_code == 403
    assert client.post(f"{link}/decline").status_code == 403
    assert _members(db_session, org) == 1
    [invitation] = queries.open_invitations(org)
    assert invitation.state is InvitationState.pending


def test_an_expired_invitation_cannot_be_accepted(client, factories, org, owner, db_session,
                                                  app):
    person = factories.user(email="late@example.org")
    invitation = operations.invite_member(org, owner, email=person.email, name="Late")
    invitation.created_at = utcnow() - timedelta(seconds=app.config["INVITE_TOKEN_MAX_AGE"] + 1)
    db_session.flush()
    _sign_in(client, person)
    assert client.post(f"/organisations/invitations/{invitation.id}/accept").status_code == 409
    assert org.member_role(person) is None


# One message whatever the account ---------------------------------------------------------

def test_the_inviter_sees_one_message_whatever_the_account(client, factories, org, owner,
                                                           db_session):
    factories.user(email="existing@example.org")
    factories.user(email="unconfirmed@example.org", confirmed=False)
    disabled = factories.user(email="disabled@example.org")
    disabled.is_enabled = False
    member = factories.user(email="member@example.org")
    factories.member(org, member, "member")
    _sign_in(client, owner)
    _flashes(client)
    answers = []
    for email in ("nobody@example.org", "unconfirmed@example.org", "existing@example.org",
                  "member@example.org", "owner@example.org", "disabled@example.org"):
        response = _invite(client, org, email)
        answers.append((response.status_code,
                        [text.replace(email, "EMAIL") for text in _flashes(client)]))
    assert all(answer == answers[0] for answer in answers), answers
    assert answers[0][0] == 302
    # Every address got the same invitation email; no account was created or changed.
    assert db_session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.kind == "accounts.organisations.invitation")) == 6
    assert _members(db_session, org) == 2


# Limits ------------------------------------------------------------------------------------

def test_invitations_are_limited_per_organisation(client, factories, org, owner, app,
                                                  monkeypatch, db_session):
    monkeypatch.setitem(app.config, "ORGANISATION_INVITES_PER_DAY", 3)
    co_owner = factories.user()
    factories.member(org, co_owner, "owner")
    for n in range(2):
        operations.invite_member(org, owner, email=f"p{n}@example.org", name="P")
    operations.invite_member(org, co_owner, email="p2@example.org", name="P")
    _sign_in(client, co_owner)
    response = _invite(client, org, "one-too-many@example.org")
    assert response.status_code == 422
    assert "the most allowed" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count(OrganisationInvitation.id))) == 3
    # Older than a day no longer counts.
    for invitation in db_session.scalars(select(OrganisationInvitation)):
        invitation.created_at = utcnow() - timedelta(days=1, minutes=1)
    db_session.flush()
    assert _invite(client, org, "one-too-many@example.org").status_code == 302


def test_invitations_are_limited_per_inviter(factories, owner, app, monkeypatch, db_session):
    monkeypatch.setitem(app.config, "INVITES_PER_INVITER_PER_DAY", 2)
    orgs = [factories.organisation() for _ in range(3)]
    for org in orgs:
        factories.member(org, owner, "owner")
    operations.invite_member(orgs[0], owner, email="a@example.org", name="A")
    operations.invite_member(orgs[1], owner, email="b@example.org", name="B")
    with pytest.raises(OperationError) as error:
        operations.invite_member(orgs[2], owner, email="c@example.org", name="C")
    assert error.value.field == "email" and "You have sent 2" in str(error.value.message)


def test_the_default_limits_are_set():
    from config import Config

    assert 0 < Config.ORGANISATION_INVITES_PER_DAY <= Config.INVITES_PER_INVITER_PER_DAY


# Owners see and withdraw what waits --------------------------------------------------------

def test_owners_see_and_withdraw_pending_invitations(client, factories, org, owner,
                                                     db_session):
    person = factories.user(email="colleague@example.org")
    _sign_in(client, owner)
    _invite(client, org, person.email, name="Colleague Person")
    page = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert "colleague@example.org" in page and "Withdraw" in page
    [invitation] = queries.open_invitations(org)
    response = client.post(f"/organisations/{org.id}/invitations/{invitation.id}/revoke")
    assert response.status_code == 302
    assert invitation.state is InvitationState.revoked
    assert "colleague@example.org" not in client.get(f"/organisations/{org.id}").get_data(
        as_text=True)
    _sign_in(client, person)
    assert client.post(f"/organisations/invitations/{invitation.id}/accept").status_code == 409
    assert org.member_role(person) is None


def test_a_plain_member_cannot_withdraw_or_see_invitations(client, factories, org, owner,
                                                           db_session):
    invitation = operations.invite_member(org, owner, email="x@example.org", name="X")
    member = factories.user()
    factories.member(org, member, "member")
    _sign_in(client, member)
    assert "x@example.org" not in client.get(f"/organisations/{org.id}").get_data(
        as_text=True)
    response = client.post(f"/organisations/{org.id}/invitations/{invitation.id}/revoke")
    assert response.status_code == 403
    assert invitation.state is InvitationState.pending


def test_another_organisations_invitation_cannot_be_withdrawn(client, factories, org, owner,
                                                              db_session):
    other = factories.organisation()
    other_owner = factories.user()
    factories.member(other, other_owner, "owner")
    foreign = operations.invite_member(other, other_owner, email="y@example.org", name="Y")
    _sign_in(client, owner)
    response = client.post(f"/organisations/{org.id}/invitations/{foreign.id}/revoke")
    assert response.status_code == 404
    assert foreign.state is InvitationState.pending
