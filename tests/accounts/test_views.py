import re

import pytest
from sqlalchemy import func, select

from accounts.models import User
from core.audit.models import AuditEntry
from core.outbox.models import OutboxMessage
from tests.fixtures.factories import DEFAULT_PASSWORD


def last_link(db_session, kind, path):
    message = db_session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)
                                 .order_by(OutboxMessage.id.desc())).first()
    return re.search(rf"http://[^\s]+({re.escape(path)}[^\s]+)", message.body_text).group(1)


def sign_in(client, email, password=DEFAULT_PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def test_register_confirm_and_sign_in(client, db_session):
    response = client.post("/register", data={"name": "Marta Pérez", "email": "marta@example.org",
                                              "password": "a long enough passphrase"})
    assert response.status_code == 200
    assert b"Check your email" in response.data
    response = sign_in(client, "marta@example.org", "a long enough passphrase")
    assert b"Confirm your email address first" in response.data
    link = last_link(db_session, "accounts.confirm", "/confirm/")
    response = client.get(link)
    assert response.status_code == 302 and response.location.endswith("/login")
    response = sign_in(client, "marta@example.org", "a long enough passphrase")
    assert response.status_code == 302
    assert b"Marta P" in client.get("/").data


def test_register_answers_the_same_for_a_taken_email(client, factories):
    factories.user(email="taken@example.org")
    new = client.post("/register", data={"name": "A", "email": "fresh@example.org",
                                         "password": "a long enough passphrase"})
    taken = client.post("/register", data={"name": "A", "email": "taken@example.org",
                                           "password": "a long enough passphrase"})
    assert new.status_code == taken.status_code == 200
    assert _same_page(new, "fresh@example.org", taken, "taken@example.org")


def _same_page(first, first_email, second, second_email) -> bool:
    """The two answers are the same but for the email typed in and the form tokens (which
    carry the second they were made in)."""
    def strip(response, email):
        text = response.get_data(as_text=True).replace(email, "")
        return re.sub(r'name="csrf_token"[^>]*value="[^"]*"', "", text)
    return strip(first, first_email) == strip(second, second_email)


def test_invalid_registration_shows_errors_next_to_fields_and_writes_nothing(client, db_session):
    before = db_session.scalar(select(func.count()).select_from(User))
    response = client.post("/register", data={"name": "", "email": "not-an-email",
                                              "password": "short"})
    assert response.status_code == 422
    html = response.data.decode()
    assert 'id="name-error"' in html and 'id="email-error"' in html
    assert "Use at least 12 characters." in html
    assert db_session.scalar(select(func.count()).select_from(User)) == before


def test_login_with_wrong_password_and_unknown_email_look_the_same(client, factories):
    user = factories.user()
    wrong = sign_in(client, user.email, "wrong password here")
    unknown = sign_in(client, "nobody@example.org", "wrong password here")
    assert wrong.status_code == unknown.status_code == 200
    assert _same_page(wrong, user.email, unknown, "nobody@example.org")


def test_lockout_after_five_failures(client, factories):
    user = factories.user()
    for _ in range(5):
        sign_in(client, user.email, "wrong password here")
    assert sign_in(client, user.email).status_code == 200  # refused, even when right
    assert client.get("/account").status_code == 302


def test_logout_ends_every_session(app, factories):
    user = factories.user()
    first, second = app.test_client(), app.test_client()
    assert sign_in(first, user.email).status_code == 302
    assert sign_in(second, user.email).status_code == 302
    assert second.get("/account").status_code == 200
    first.post("/logout")
    assert first.get("/account").status_code == 302
    assert second.get("/account").status_code == 302


def test_password_change_ends_other_sessions_but_keeps_this_one(app, factories):
    user = factories.user()
    mine, other = app.test_client(), app.test_client()
    sign_in(mine, user.email)
    sign_in(other, user.email)
    response = mine.post("/account/password", data={"current_password": DEFAULT_PASSWORD,
                                                     "password": "a brand new passphrase"})
    assert response.status_code == 302
    assert mine.get("/account").status_code == 200
    assert other.get("/account").status_code == 302


def test_password_reset_flow_and_single_use(client, factories, db_session):
    user = factories.user()
    response = client.post("/password/forgot", data={"email": user.email})
    assert b"Check your email" in response.data
    link = last_link(db_session, "accounts.reset_password", "/password/reset/")
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": "a brand new passphrase"})
    assert response.status_code == 302
    assert client.get(link).status_code == 400  # used: the password hash changed
    assert sign_in(client, user.email, "a brand new passphrase").status_code == 302


def test_a_used_reset_link_sent_again_with_its_password_is_answered_as_the_first(
        client, factories, db_session):
    user = factories.user()
    client.post("/password/forgot", data={"email": user.email})
    link = last_link(db_session, "accounts.reset_password", "/password/reset/")
    first = client.post(link, data={"password": "a brand new passphrase"})
    entries = db_session.scalar(select(func.count()).select_from(AuditEntry))
    again = client.post(link, data={"password": "a brand new passphrase"}, follow_redirects=True)
    assert first.status_code == 302 and again.status_code == 200
    assert b"already changed" in again.data
    assert db_session.scalar(select(func.count()).select_from(AuditEntry)) == entries
    # Another password through the used link is still refused.
    assert client.post(link, data={"password": "yet another passphrase"}).status_code == 400


def test_forgot_password_for_unknown_email_looks_the_same(client, factories):
    user = factories.user()
    known = client.post("/password/forgot", data={"email": user.email})
    unknown = client.post("/password/forgot", data={"email": "ghost@example.org"})
    assert _same_page(known, user.email, unknown, "ghost@example.org")


def test_resend_confirmation_looks_the_same_whatever_the_account(client, factories):
    unconfirmed = factories.user(confirmed=False)
    confirmed = factories.user()
    answers = [(client.post("/confirm", data={"email": email}), email)
               for email in (unconfirmed.email, confirmed.email, "ghost@example.org")]
    assert _same_page(*answers[0], *answers[1]) and _same_page(*answers[0], *answers[2])


@pytest.mark.parametrize("token", ["garbage", "a" * 2000, "eyJ1IjoxfQ.xxxx.yyyy", "%00%ff"])
def test_tampered_tokens_get_400(client, token):
    assert client.get(f"/password/reset/{token}").status_code == 400
    assert client.get(f"/confirm/{token}").status_code == 400
    assert client.get(f"/invitation/{token}").status_code == 400


def test_profile_language_preference(client, login_as, db_session):
    user = login_as("applicant")
    response = client.post("/account", data={"name": "New Name", "locale": "es"})
    assert response.status_code == 302
    assert user.locale == "es" and user.name == "New Name"
    assert 'lang="es"' in client.get("/").data.decode()


def test_admin_changes_the_roles_of_a_confirmed_account(client, login_as, factories):
    login_as("admin")
    rita = factories.user(roles=("reviewer", "donor"))
    response = client.post(f"/admin/users/{rita.id}", data={"roles": ["staff"]})
    assert response.status_code == 302
    assert {r.value for r in rita.roles} == {"staff"}


def test_admin_cannot_drop_own_admin_role_through_the_page(client, login_as):
    admin = login_as("admin")
    response = client.post(f"/admin/users/{admin.id}", data={"roles": ["staff"]})
    assert response.status_code == 422
    assert b"You cannot remove your own administrator role." in response.data


def test_disabled_user_is_signed_out(app, client, login_as, factories):
    login_as("admin")
    user = factories.user()
    other = app.test_client()
    sign_in(other, user.email)
    assert client.post(f"/admin/users/{user.id}/enabled", data={"enable": "0"}).status_code == 302
    assert other.get("/account").status_code == 302
    assert sign_in(other, user.email).status_code == 200  # refused


def test_next_parameter_only_allows_local_paths(client, factories):
    user = factories.user()
    response = client.post("/login?next=https://evil.example/", data={
        "email": user.email, "password": DEFAULT_PASSWORD})
    assert response.location == "/"
    client.post("/logout")
    response = client.post("/login?next=/account", data={
        "email": user.email, "password": DEFAULT_PASSWORD})
    assert response.location == "/account"


def test_blank_name_is_refused(client):
    response = client.post("/register", data={"name": "    ", "email": "blank@example.org",
                                              "password": "a long enough passphrase"})
    assert response.status_code == 422
    assert b"Enter your name." in response.data
