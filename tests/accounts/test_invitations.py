"""An administrator's invitation grants roles only when the invited person accepts it through
the emailed link. An address registered by someone else ahead of its owner (never confirmed)
cannot capture the invitation: its password and sessions are discarded."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from accounts import operations
from accounts.models import InvitationState, Role, User, UserInvitation
from core.audit.models import AuditEntry
from core.errors import OperationError
from core.outbox.models import OutboxMessage
from tests.fixtures.factories import DEFAULT_PASSWORD


def _invitation_link(db_session, email) -> str:
    message = db_session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "accounts.invitation", OutboxMessage.recipient == email)
        .order_by(OutboxMessage.id.desc())).first()
    return re.search(r"http://[^\s]+(/invitation/[^\s]+)", message.body_text).group(1)


def _actions(db_session, user) -> list[str]:
    return list(db_session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "users", AuditEntry.object_id == str(user.id))
        .order_by(AuditEntry.id)))


def _sign_in(client, email, password=DEFAULT_PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def test_a_new_person_gets_the_roles_only_on_accepting(factories, db_session):
    admin = factories.user(roles=("admin",))
    invitation = operations.invite_user(email="New@Example.org", name="New Person",
                                        roles=["reviewer"], invited_by=admin)
    user = invitation.user
    assert user.email == "new@example.org" and user.password_hash is None
    assert user.roles == frozenset()
    assert invitation.role_set == {Role.reviewer}
    token = _invitation_link(db_session, user.email).split("/invitation/")[1]
    operations.accept_invitation(token, "my chosen passphrase")
    assert user.is_confirmed and user.roles == {Role.reviewer}
    assert invitation.state is InvitationState.accepted
    with pytest.raises(OperationError):
        operations.accept_invitation(token, "another passphrase!")
    assert _actions(db_session, user) == ["user.invite", "user.accept_invitation",
                                          "user.set_roles"]


def test_a_pre_registered_address_cannot_capture_a_staff_invitation(app, client, factories,
                                                                    db_session):
    # The attacker registers the future staff member's address and keeps a session going.
    attacker_password = "the attacker's passphrase"
    squatted = operations.register(name="Squatter", email="future.staff@example.org",
                                   password=attacker_password, locale="en")
    version = squatted.session_version
    admin = factories.user(roles=("admin",))
    client_admin = app.test_client()
    _sign_in(client_admin, admin.email)
    response = client_admin.post("/admin/users/invite", data={
        "name": "Future Staff", "email": "future.staff@example.org", "roles": ["staff"]})
    assert response.status_code == 302
    db_session.expire_all()
    victim = db_session.get(User, squatted.id)
    # Nothing granted yet; the squatter's password and sessions are gone.
    assert Role.staff not in victim.roles
    assert victim.password_hash is None and victim.session_version > version
    assert victim.name == "Future Staff"
    # Even if the address is confirmed (the owner clicks the old confirmation link), the
    # squatter's password no longer signs in.
    confirm = db_session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "accounts.confirm")).first()
    confirm_path = re.search(r"http://[^\s]+(/confirm/[^\s]+)", confirm.body_text).group(1)
    client.get(confirm_path)
    assert _sign_in(client, "future.staff@example.org", attacker_password).status_code == 200
    db_session.expire_all()
    assert Role.staff not in db_session.get(User, victim.id).roles
    # The owner of the address accepts by choosing a password: now the roles are granted.
    link = _invitation_link(db_session, "future.staff@example.org")
    owner = app.test_client()
    assert owner.get(link).status_code == 200
    response = owner.post(link, data={"password": "the real owner's passphrase"})
    assert response.status_code == 302
    db_session.expire_all()
    victim = db_session.get(User, victim.id)
    assert Role.staff in victim.roles
    actions = _actions(db_session, victim)
    assert {"user.discard_unconfirmed", "user.invite", "user.accept_invitation",
            "user.set_roles"} <= set(actions)


def test_a_confirmed_account_accepts_signed_in(app, client, factories, db_session):
    admin = factories.user(roles=("admin",))
    person = factories.user(email="colleague@example.org", roles=("applicant",))
    invitation = operations.invite_user(email="COLLEAGUE@example.org", name="Whoever",
                                        roles=["reviewer"], invited_by=admin)
    assert invitation.user is person
    assert person.roles == {Role.applicant}  # not before accepting
    assert person.password_hash is not None  # a confirmed account keeps its password
    link = _invitation_link(db_session, person.email)
    # Not signed in: the page asks to sign in as that account, and a POST grants nothing.
    page = client.get(link)
    assert page.status_code == 200 and b"Sign in as colleague@example.org" in page.data
    assert client.post(link).status_code == 200
    db_session.expire_all()
    assert db_session.get(User, person.id).roles == {Role.applicant}
    # Signed in as somebody else: still nothing.
    other = factories.user()
    _sign_in(client, other.email)
    client.post(link)
    db_session.expire_all()
    assert db_session.get(User, person.id).roles == {Role.applicant}
    client.post("/logout")
    # Signed in as the invited account: accepted.
    _sign_in(client, person.email)
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 302
    db_session.expire_all()
    assert db_session.get(User, person.id).roles == {Role.applicant, Role.reviewer}
    assert db_session.get(UserInvitation, invitation.id).state is InvitationState.accepted
    assert client.get(link).status_code == 400  # used


def test_the_admin_sees_one_message_whatever_the_account(client, login_as, factories):
    login_as("admin")
    factories.user(email="confirmed@example.org")
    factories.user(email="unconfirmed@example.org", confirmed=False)
    pages = []
    for email in ("confirmed@example.org", "unconfirmed@example.org", "nobody@example.org"):
        response = client.post("/admin/users/invite", data={
            "name": "Someone", "email": email, "roles": ["reviewer"]}, follow_redirects=False)
        assert response.status_code == 302
        with client.session_transaction() as session:
            pages.append([message.replace(email, "EMAIL")
                          for _category, message in session.pop("_flashes", [])])
    assert pages[0] == pages[1] == pages[2]


def test_roles_cannot_be_added_to_an_unconfirmed_account_directly(client, login_as,
                                                                   factories):
    login_as("admin")
    squatted = factories.user(roles=("applicant",), confirmed=False)
    response = client.post(f"/admin/users/{squatted.id}", data={"roles": ["applicant",
                                                                         "staff"]})
    assert response.status_code == 422
    assert Role.staff not in squatted.roles


def test_a_new_invitation_replaces_the_earlier_one(factories, db_session):
    admin = factories.user(roles=("admin",))
    first = operations.invite_user(email="twice@example.org", name="Twice",
                                   roles=["donor"], invited_by=admin)
    first_link = _invitation_link(db_session, "twice@example.org")
    second = operations.invite_user(email="twice@example.org", name="Twice",
                                    roles=["reviewer"], invited_by=admin)
    assert first.state is InvitationState.revoked and second.state is InvitationState.pending
    with pytest.raises(OperationError):
        operations.accept_invitation(first_link.split("/invitation/")[1], "a fine passphrase")
