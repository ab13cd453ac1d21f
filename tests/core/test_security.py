import pytest
from sqlalchemy import func, select

from accounts.models import User


def test_security_headers_and_csp_without_inline_script(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "<script>" not in response.data.decode()
    assert " on" + "click=" not in response.data.decode()


def test_session_cookie_flags(client, factories):
    user = factories.user()
    response = client.post("/login", data={"email": user.email,
                                           "password": "correct horse battery staple"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure():
    from config import ProductionConfig
    assert ProductionConfig.SESSION_COOKIE_SECURE is True


def test_missing_csrf_token_is_rejected_without_writing(client, db_session, csrf_enabled):
    before = db_session.scalar(select(func.count()).select_from(User))
    response = client.post("/register", data={"name": "N", "email": "n@example.org",
                                              "password": "a long enough passphrase"})
    assert response.status_code == 400
    assert b"The form had expired" in response.data
    assert db_session.scalar(select(func.count()).select_from(User)) == before


def test_forged_csrf_token_is_rejected(client, csrf_enabled):
    client.get("/register")
    response = client.post("/register", data={"csrf_token": "forged.token.value", "name": "N",
                                              "email": "n@example.org",
                                              "password": "a long enough passphrase"})
    assert response.status_code == 400


def test_valid_csrf_token_is_accepted(client, csrf_enabled):
    page = client.get("/register").data.decode()
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/register", data={"csrf_token": token, "name": "N",
                                              "email": "n@example.org",
                                              "password": "a long enough passphrase"})
    assert response.status_code == 200 and b"Check your email" in response.data


@pytest.mark.parametrize("path, status", [("/no/such/page", 404), ("/admin/users/999999", 404),
                                          ("/admin/users/99999999999999", 404),
                                          ("/organisations/99999999999999", 404)])
def test_friendly_error_pages(client, login_as, path, status):
    login_as("admin")
    response = client.get(path)
    assert response.status_code == status
    assert b"Page not found" in response.data and b"<html" in response.data


def test_method_not_allowed_page(client):
    response = client.get("/logout")
    assert response.status_code == 405 and b"Method not allowed" in response.data


def test_oversized_request_gets_413(app, client):
    too_big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/login", data={"email": "a@b.org", "password": too_big})
    assert response.status_code == 413 and b"Too large" in response.data


def test_very_long_field_gets_a_message_next_to_it(client):
    response = client.post("/login", data={"email": "a@b.org", "password": "x" * 100_000})
    assert response.status_code == 422
    assert b"Use at most 128 characters." in response.data


def test_internal_error_page_and_nothing_is_written(app, client, db_session, monkeypatch):
    from core.extensions import db

    def boom():
        db.session.add(User(email="half@example.org", name="Half", session_version=1,
                            failed_login_count=0, is_enabled=True))
        db.session.flush()
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "core.health", boom)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/health")
    assert response.status_code == 500
    assert b"Something went wrong" in response.data
    assert db_session.scalar(select(User).where(User.email == "half@example.org")) is None


def test_rate_limit_on_login(client, login_rate_limit):
    login_rate_limit("3 per minute")
    form = {"email": "a@example.org", "password": "whatever pw"}
    codes = [client.post("/login", data=form).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200]
    assert codes[3:] == [429, 429]
    assert b"Too many requests" in client.post("/login", data={"email": "a@example.org",
                                                               "password": "x"}).data


def test_non_utf8_and_control_characters_are_refused(client, db_session):
    before = db_session.scalar(select(func.count()).select_from(User))
    response = client.post("/register", data={"name": "Bad\x01Name", "email": "ok@example.org",
                                              "password": "a long enough passphrase"})
    assert response.status_code == 422
    assert b"control characters" in response.data
    # A NUL is refused for every form before any view runs (core.params).
    response = client.post("/register", data={"name": "Bad\x00Name", "email": "ok@example.org",
                                              "password": "a long enough passphrase"})
    assert response.status_code == 400
    response = client.post("/register", data=b"name=%ff%fe&email=x%40y.org&password=zzzzzzzzzzzzzz",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code in (200, 422)
    assert db_session.scalar(select(func.count()).select_from(User)) <= before + 1
