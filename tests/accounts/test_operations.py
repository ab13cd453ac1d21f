from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accounts import operations
from accounts.models import Role, User
from core.audit.models import AuditEntry
from core.errors import OperationError
from core.outbox.models import OutboxMessage
from core.timeutil import utcnow
from tests.fixtures.factories import DEFAULT_PASSWORD


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_register_creates_unconfirmed_applicant_and_queues_confirmation(db_session):
    user = operations.register(name="Ana López", email="Ana@Example.org",
                               password="a long enough passphrase", locale="es")
    assert user.email == "ana@example.org"
    assert user.roles == {Role.applicant}
    assert not user.is_confirmed
    message = db_session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == user.email))
    assert message.kind == "accounts.confirm"
    assert "/confirm/" in message.body_text
    # Sent in the language the person registered in.
    assert message.body_text.startswith("Hola, Ana López")


def test_register_with_taken_email_creates_nothing_and_warns_the_owner(db_session, factories):
    owner = factories.user(email="taken@example.org")
    users_before = count(db_session, User)
    assert operations.register(name="Someone", email="TAKEN@example.org",
                               password="another long passphrase", locale="en") is None
    assert count(db_session, User) == users_before
    message = db_session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == owner.email))
    assert message.kind == "accounts.already_registered"


@pytest.mark.parametrize("password, field_message", [
    ("short", "at least 12"),
    ("x" * 129, "at most 128"),
    ("ana@example.org", "must not be your email"),
    ("Ana Maria Lopez", "must not be your email address or your name"),
])
def test_password_rules(password, field_message):
    with pytest.raises(OperationError) as error:
        operations.validate_new_password(password, email="ana@example.org",
                                         name="Ana Maria Lopez")
    assert error.value.field == "password"
    assert field_message in str(error.value.message)


def test_no_composition_rules():
    operations.validate_new_password("all lowercase words here", email="a@b.org", name="A")


def test_confirm_email_with_valid_and_tampered_tokens(app, factories):
    user = factories.user(confirmed=False)
    from core.tokens import make_token
    token = make_token("confirm", {"u": user.id, "e": user.email})
    with pytest.raises(OperationError):
        operations.confirm_email(token[:-2] + "xx")
    assert operations.confirm_email(token) is user
    assert user.is_confirmed


def test_authenticate_locks_after_five_failures(factories, db_session):
    user = factories.user()
    for _ in range(5):
        with pytest.raises(OperationError):
            operations.authenticate(user.email, "wrong password!!")
    assert user.is_locked()
    # Even the right password is refused while locked, with the same message.
    with pytest.raises(OperationError) as error:
        operations.authenticate(user.email, DEFAULT_PASSWORD)
    assert error.value.message == operations.LOGIN_FAILED
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.action == "user.locked"))
    user.locked_until = utcnow() - timedelta(seconds=1)
    assert operations.authenticate(user.email, DEFAULT_PASSWORD) is user
    assert user.failed_login_count == 0


def test_unknown_email_gets_the_same_message_as_a_wrong_password(factories):
    user = factories.user()
    with pytest.raises(OperationError) as unknown:
        operations.authenticate("nobody@example.org", DEFAULT_PASSWORD)
    with pytest.raises(OperationError) as wrong:
        operations.authenticate(user.email, "not the password")
    assert unknown.value.message == wrong.value.message


def test_unconfirmed_user_cannot_sign_in_and_gets_a_new_link(factories, db_session):
    user = factories.user(confirmed=False)
    with pytest.raises(OperationError) as error:
        operations.authenticate(user.email, DEFAULT_PASSWORD)
    assert "Confirm your email" in str(error.value.message)
    assert db_session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "accounts.confirm"))


def _reset_token(db_session, user):
    operations.request_password_reset(user.email)
    message = db_session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "accounts.reset_password")).all()[-1]
    return message.body_text.split("/password/reset/")[1].split()[0]


def test_reset_token_is_single_use(factories, db_session):
    user = factories.user()
    version = user.session_version
    token = _reset_token(db_session, user)
    operations.reset_password(token, "a brand new passphrase")
    assert operations.password_matches(user, "a brand new passphrase")
    assert user.session_version == version + 1
    with pytest.raises(OperationError) as error:
        operations.reset_password(token, "yet another passphrase")
    assert "already been used" in str(error.value.message)


def test_reset_token_expires(app, factories, db_session, monkeypatch):
    user = factories.user()
    token = _reset_token(db_session, user)
    monkeypatch.setitem(app.config, "RESET_TOKEN_MAX_AGE", -1)
    with pytest.raises(OperationError) as error:
        operations.reset_password(token, "a brand new passphrase")
    assert "expired" in str(error.value.message)


def test_reset_for_unknown_email_sends_nothing(db_session):
    operations.request_password_reset("ghost@example.org")
    assert count(db_session, OutboxMessage) == 0


def _links(db_session, kind):
    return db_session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)).all()


def test_a_repeated_reset_request_sends_one_link_and_a_later_one_another(factories,
                                                                          db_session):
    user = factories.user()
    operations.request_password_reset(user.email)
    operations.request_password_reset(user.email.upper())  # a double click
    links = _links(db_session, "accounts.reset_password")
    assert len(links) == 1
    links[0].created_at = utcnow() - operations.REPEAT_WINDOW - timedelta(seconds=1)
    operations.request_password_reset(user.email)  # asked again deliberately, later
    assert len(_links(db_session, "accounts.reset_password")) == 2


def test_a_repeated_confirmation_request_sends_one_link_and_a_later_one_another(factories,
                                                                                db_session):
    user = factories.user(confirmed=False)
    operations.resend_confirmation(user.email)
    operations.resend_confirmation(user.email)  # a double click
    links = _links(db_session, "accounts.confirm")
    assert len(links) == 1
    links[0].created_at = utcnow() - operations.REPEAT_WINDOW - timedelta(seconds=1)
    operations.resend_confirmation(user.email)  # asked again deliberately, later
    assert len(_links(db_session, "accounts.confirm")) == 2


def test_change_password_checks_the_current_one(factories):
    user = factories.user()
    with pytest.raises(OperationError) as error:
        operations.change_password(user, "wrong", "a brand new passphrase")
    assert error.value.field == "current_password"
    operations.change_password(user, DEFAULT_PASSWORD, "a brand new passphrase")
    assert operations.password_matches(user, "a brand new passphrase")


def test_admin_cannot_remove_own_admin_role(factories):
    admin = factories.user(roles=("admin",))
    with pytest.raises(OperationError):
        operations.set_roles(admin, {Role.staff}, actor=admin)
    other = factories.user(roles=("admin",))
    operations.set_roles(other, {Role.staff, Role.finance}, actor=admin)
    assert other.roles == {Role.staff, Role.finance}


def test_role_changes_are_audited(factories, db_session):
    admin = factories.user(roles=("admin",))
    user = factories.user(roles=("applicant",))
    operations.set_roles(user, {Role.reviewer}, actor=admin)
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "user.set_roles"))
    assert entry.actor_id == admin.id
    assert entry.data == {"granted": ["reviewer"], "revoked": ["applicant"]}
