"""Arbitrary input thrown at the public and everyday forms: never a 500, and nothing is
written when the input is invalid."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from accounts.models import User
from accounts.organisations.models import Organisation
from core.audit.models import AuditEntry

HOSTILE = st.sampled_from([
    "", " ", "\x00", "a\x00b", "\r\n", "\t", "<script>alert(1)</script>", "' OR 1=1 --",
    "Robert'); DROP TABLE users;--", "=HYPERLINK(\"http://x\")", "\ufeff", "\u202e", "😀" * 50,
    "x" * 5000, "a@b", "@", "user@example.org", "very long passphrase here", "é" * 200,
    "%00", "../../etc/passwd", "{{ 7*7 }}", "null", "-1", "9" * 40,
])
TEXT = st.one_of(HOSTILE, st.text(max_size=300))
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def rows(session, model):
    return session.scalar(select(func.count()).select_from(model))


@SETTINGS
@given(name=TEXT, email=TEXT, password=TEXT)
def test_registration_form(client, db_session, name, email, password):
    users, audit = rows(db_session, User), rows(db_session, AuditEntry)
    response = client.post("/register", data={"name": name, "email": email,
                                              "password": password})
    assert response.status_code in (200, 400, 422)
    if response.status_code in (400, 422):
        assert rows(db_session, User) == users and rows(db_session, AuditEntry) == audit
    else:
        assert b"Check your email" in response.data


@SETTINGS
@given(email=TEXT, password=TEXT)
def test_login_form(client, db_session, email, password):
    users = rows(db_session, User)
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code in (200, 400, 422)
    assert rows(db_session, User) == users
    assert client.get("/account").status_code == 302  # never signed in by garbage


@SETTINGS
@given(fields=st.fixed_dictionaries({
    "name": TEXT, "acronym": TEXT, "sector": st.one_of(st.just("civil_society"), TEXT),
    "country": st.one_of(st.just("BZ"), TEXT), "district": TEXT, "registration_number": TEXT,
    "org_id": TEXT, "website": TEXT, "email": TEXT, "phone": TEXT, "address": TEXT,
}))
def test_organisation_form(client, login_as, db_session, fields):
    login_as("applicant")
    organisations = rows(db_session, Organisation)
    response = client.post("/organisations/new", data=fields)
    assert response.status_code in (302, 400, 422)
    if response.status_code in (400, 422):
        assert rows(db_session, Organisation) == organisations
    else:
        assert rows(db_session, Organisation) == organisations + 1
