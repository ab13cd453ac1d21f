"""A participant's rights over their data: consent recorded from the attendance sheet, their
data exported on request, erasure that keeps every count, and erasure after the retention
period by the worker."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from coalitions.events import operations, personal_data
from coalitions.events.models import Attendance, Person
from core import housekeeping
from core.audit.models import AuditEntry
from core.locking import AlreadyDone
from reporting.indicators.queries import Period, compute
from tests.coalitions.events import HEADER, make_event, row, xlsx_bytes


@pytest.fixture
def staff(factories):
    return factories.user(roles=("staff",))


def test_erasure_keeps_no_erased_detail_anywhere(db_session, staff):
    event = make_event(db_session)
    kept = Person(full_name="Maria Chen", email="maria@example.org", birth_year=1995)
    duplicate = Person(full_name="Maria Chen", birth_year=1995)
    db_session.add_all([kept, duplicate,
                        Attendance(event=event, person=kept),
                        Attendance(event=make_event(db_session, title="Second",
                                                    starts_on=date(2021, 5, 1),
                                                    ends_on=date(2021, 5, 1)),
                                   person=duplicate)])
    db_session.flush()
    operations.merge_people(kept, duplicate, staff)
    personal_data.erase_person(kept, staff)
    db_session.flush()
    assert (kept.full_name, kept.email, kept.birth_year) == ("", None, None)
    assert sorted(a.age_group for a in kept.attendances) == ["under_30", "under_30"]
    entries = db_session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "people", AuditEntry.object_id == str(kept.id))).all()
    text = json.dumps([(entry.summary, entry.data) for entry in entries], default=str)
    assert "Maria" not in text and "maria@example.org" not in text and "1995" not in text
    erasure = next(entry for entry in entries if entry.action == "person.erase")
    assert erasure.actor_id == staff.id and erasure.data == {"reason": "request"}
    with pytest.raises(AlreadyDone):
        personal_data.erase_person(kept, staff)


def test_consent_comes_from_an_optional_column(db_session, staff):
    event = make_event(db_session)
    header = [*HEADER, "Consentimiento"]
    plan = operations.import_attendance(event, staff, xlsx_bytes([
        [*row(), "Sí"], [*row(name="Ann Lee", email="ann@example.org"), "No"],
        [*row(name="Bo Young", email="bo@example.org"), ""]], header=header), "sheet.xlsx")
    assert plan.is_valid, plan.errors
    consent = {p.full_name: (p.consent, p.consent_recorded_at is not None)
               for p in db_session.scalars(select(Person))}
    assert consent == {"Maria Chen": (True, True), "Ann Lee": (False, True),
                       "Bo Young": (None, False)}
    # A sheet without the column says nothing about consent.
    operations.import_attendance(make_event(db_session, title="Second"), staff,
                                 xlsx_bytes([row()]), "old.xlsx")
    assert db_session.scalar(select(Person.consent).where(Person.full_name == "Maria Chen"))
    bad = operations.import_attendance(event, staff, xlsx_bytes(
        [[*row(), "Maybe"]], header=header), "sheet.xlsx", dry_run=True)
    assert [error.column for error in bad.errors] == ["Consent"]


def test_the_worker_erases_people_past_the_retention_period(app, db_session, monkeypatch):
    old = make_event(db_session, starts_on=date(2019, 3, 14), ends_on=date(2019, 3, 15))
    recent = make_event(db_session, title="Recent", starts_on=date(2026, 11, 1),
                        ends_on=date(2026, 11, 1))
    gone = Person(full_name="Old Participant", birth_year=1990)
    stays = Person(full_name="Recent Participant", birth_year=1990)
    both = Person(full_name="Came Back", birth_year=1960)
    db_session.add_all([gone, stays, both, Attendance(event=old, person=gone),
                        Attendance(event=recent, person=stays),
                        Attendance(event=old, person=both),
                        Attendance(event=recent, person=both)])
    db_session.flush()
    assert personal_data.erase_expired(date(2026, 12, 7)) == 0  # kept by default
    monkeypatch.setitem(app.config, "PERSONAL_DATA_RETENTION_DAYS", 365 * 3)
    monkeypatch.setattr(personal_data, "programme_today", lambda: date(2026, 12, 7))
    before = compute(Period(date(2019, 1, 1), date(2019, 12, 31))).by_age
    results = housekeeping.run_due()
    assert results["personal_data.retention"] == 1
    db_session.expire_all()
    assert gone.erased_at is not None and gone.full_name == ""
    assert stays.erased_at is None and both.erased_at is None
    assert compute(Period(date(2019, 1, 1), date(2019, 12, 31))).by_age == before
    entry = db_session.scalars(select(AuditEntry).where(
        AuditEntry.action == "person.erase")).one()
    assert entry.actor_id is None and entry.data == {"reason": "retention"}


def test_staff_export_and_erase_through_the_pages(client, login_as, db_session):
    event = make_event(db_session)
    person = Person(full_name="Maria Chen", email="maria@example.org", birth_year=1995)
    db_session.add_all([person, Attendance(event=event, person=person)])
    db_session.flush()
    login_as("staff")
    page = client.get(f"/staff/events/people/{person.id}").get_data(as_text=True)
    assert "Maria Chen" in page and "Erase their personal data" in page
    exported = client.get(f"/staff/events/people/{person.id}/data.json")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["Content-Disposition"]
    data = exported.get_json()
    assert data["person"]["email"] == "maria@example.org"
    assert [item["event"] for item in data["attendance"]] == [event.title]
    response = client.post(f"/staff/events/people/{person.id}/erase")
    assert response.status_code == 302
    db_session.refresh(person)
    assert person.erased_at is not None
    page = client.get(f"/staff/events/people/{person.id}").get_data(as_text=True)
    assert f"Erased person #{person.id}" in page and "Maria" not in page
    again = client.post(f"/staff/events/people/{person.id}/erase")
    assert again.status_code == 302  # the second of a double click is told it is done


@pytest.mark.parametrize("role", ["applicant", "reviewer", "finance", "donor"])
def test_others_may_not_see_export_or_erase(client, login_as, db_session, role):
    person = Person(full_name="Maria Chen")
    db_session.add(person)
    db_session.flush()
    login_as(role)
    assert client.get(f"/staff/events/people/{person.id}").status_code == 403
    assert client.get(f"/staff/events/people/{person.id}/data.json").status_code == 403
    assert client.post(f"/staff/events/people/{person.id}/erase").status_code == 403
    assert db_session.get(Person, person.id).erased_at is None


def test_an_unknown_person_is_404(client, login_as):
    login_as("staff")
    assert client.get("/staff/events/people/424242").status_code == 404
    assert client.get("/staff/events/people/424242/data.json").status_code == 404

