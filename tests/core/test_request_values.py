"""Malformed values in addresses, query strings and forms answer 400/404/422, never a 500.

PostgreSQL refuses what SQLite lets through (a NUL in text, an integer beyond 32 or 64 bits,
a date that overflows when a day is added), so these matter most on PostgreSQL; the suite's
run there is the one that proves them.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.fixtures.applications import make_call

TWENTY_FIVE_DIGITS = "9" * 25


@pytest.mark.parametrize("query", [
    f"call_id={TWENTY_FIVE_DIGITS}", "call_id=%C2%B2", "area_id=" + TWENTY_FIVE_DIGITS,
    "q=%00", "district=%00x", "sort=%00", f"page={TWENTY_FIVE_DIGITS}", "page=-1",
    "page=%C2%B2",
])
def test_staff_application_filters(client, login_as, query):
    login_as("staff")
    response = client.get(f"/staff/applications?{query}")
    assert response.status_code in (400, 404), query


@pytest.mark.parametrize("query", [
    f"actor={TWENTY_FIVE_DIGITS}", "actor=%C2%B2", "from=9999-12-31", "to=9999-12-31",
    "from=0001-01-01", "to=0001-01-01", "object_id=%00", "object_type=%00x", "action=a%00",
])
def test_audit_log_filters(client, login_as, query):
    login_as("admin")
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 400, query
    assert b"Bad request" in response.data


def test_audit_log_accepts_a_sane_period(client, login_as):
    login_as("admin")
    assert client.get("/admin/audit?from=2020-01-01&to=2100-12-31&actor=1").status_code == 200


@pytest.mark.parametrize("value", ["9" * 20, "-1", "0", "\x00", "1\x00", "²"])
def test_starting_an_application_with_a_malformed_organisation(
        client, login_as, db_session, factories, value):
    from grants.applications.models import Application

    call = make_call(db_session, factories)
    user = login_as("applicant")
    factories.member(factories.organisation(), user, role="owner")
    before = db_session.scalar(select(func.count()).select_from(Application))
    response = client.post(f"/calls/{call.id}/apply", data={"organisation_id": value})
    assert response.status_code in (400, 404, 422), value
    assert db_session.scalar(select(func.count()).select_from(Application)) == before


@pytest.mark.parametrize("url", [
    "/projects/%00", "/projects/a%00b/sheet", "/endorse/x%00", "/confirm/%00",
    "/password/reset/%00",
])
def test_nul_in_the_address_is_refused(client, url):
    assert client.get(url).status_code == 400, url


def test_nul_in_a_form_value_or_name_is_refused_before_the_view(client, db_session):
    from accounts.models import User

    before = db_session.scalar(select(func.count()).select_from(User))
    for data in ({"name": "A\x00", "email": "nul@example.org", "password": "long passphrase"},
                 {"name\x00": "A", "email": "nul@example.org", "password": "long passphrase"}):
        response = client.post("/register", data=data)
        assert response.status_code == 400
        assert b"Bad request" in response.data
    assert db_session.scalar(select(func.count()).select_from(User)) == before


def test_an_id_beyond_the_integer_range_in_the_address_is_not_found(client, login_as):
    login_as("staff")
    assert client.get(f"/staff/applications/{TWENTY_FIVE_DIGITS}").status_code == 404
    assert client.get(f"/staff/applications/{2**31}").status_code == 404


class TestParsing:
    def test_ids(self):
        from core.params import parse_id

        assert parse_id("1") == 1
        assert parse_id(" 42 ") == 42
        assert parse_id(str(2**31 - 1)) == 2**31 - 1
        for value in ("", None, "0", "-1", str(2**31), TWENTY_FIVE_DIGITS, "²", "١٢", "1_0",
                      "1.0", "0x10", "\x00", "1\x00"):
            assert parse_id(value) is None, value

    def test_days(self):
        from core.params import parse_day

        assert parse_day("2026-12-06") == date(2026, 12, 6)
        for value in ("", None, "9999-12-31", "0001-01-01", "2026-02-30", "2026-1-1",
                      "２０２６-01-01", "2026-01-01T00:00", "\x00"):
            assert parse_day(value) is None, value


def _failing_view():
    """A view whose flush fails half-way, as an unexpected database error would."""
    from accounts.models import User
    from core.extensions import db

    db.session.add(User(email=None, name="No email", session_version=1))
    db.session.flush()


@pytest.mark.parametrize("role", [None, "staff"])
def test_a_database_error_rolls_back_before_the_error_page(app, client, login_as, monkeypatch,
                                                           db_session, role):
    from accounts.models import User

    if role:
        login_as(role)
    before = db_session.scalar(select(func.count()).select_from(User))
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    monkeypatch.setitem(app.view_functions, "core.home", _failing_view)
    response = client.get("/")
    assert response.status_code == 500
    assert b"Something went wrong" in response.data
    assert db_session.scalar(select(func.count()).select_from(User)) == before
    monkeypatch.undo()
    assert client.get("/").status_code == 200  # the next request is served as usual
