"""Writing: imports all or nothing, matching people, dry runs, merging people, events."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from accounts.organisations.models import Organisation, Sector
from coalitions.events import operations
from coalitions.events.models import Attendance, AttendanceRole, Event, Person, Sex
from core.audit.models import AuditEntry
from core.errors import OperationError
from core.locking import AlreadyDone
from tests.coalitions.events import make_event, row, xlsx_bytes


def _count(session, model, *conditions) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*conditions))


@pytest.fixture
def staff(factories):
    return factories.user(roles=("staff",))


@pytest.fixture
def event(db_session):
    return make_event(db_session)


def _import(event, staff, rows, dry_run=False):
    return operations.import_attendance(event, staff, xlsx_bytes(rows), "sheet.xlsx",
                                        dry_run=dry_run)


def test_import_creates_people_organisations_and_attendance(db_session, event, staff):
    plan = _import(event, staff, [
        row(),
        row(name="Ann Lee", email="ann@example.org", sex="Male", organisation="Min. of ICT",
            sector="Government", role="Expert", country="Mexico", attended="No"),
    ])
    assert plan.is_valid, plan.errors
    people = {p.full_name: p for p in db_session.scalars(select(Person))}
    assert set(people) == {"Maria Chen", "Ann Lee"}
    ann = people["Ann Lee"]
    assert ann.sex is Sex.male and ann.country == "MX"
    assert ann.is_international_expert is True
    assert people["Maria Chen"].is_international_expert is False
    assert ann.organisation.name == "Min. of ICT"
    assert ann.organisation.sector is Sector.government
    rows = {a.person.full_name: a for a in db_session.scalars(select(Attendance))}
    assert rows["Ann Lee"].role is AttendanceRole.expert
    assert rows["Ann Lee"].attended is False
    assert rows["Maria Chen"].attended is True
    entry = db_session.scalar(select(AuditEntry).where(
        AuditEntry.action == "event.import_attendance"))
    assert entry.object_id == str(event.id)
    assert entry.data["summary"]["people_created"] == 2
    assert entry.actor_id == staff.id


def test_an_invalid_row_imports_nothing(db_session, event, staff):
    before = (_count(db_session, Person), _count(db_session, Organisation),
              _count(db_session, AuditEntry))
    plan = _import(event, staff, [row(), row(name="Bad", email="bad-address")])
    assert not plan.is_valid
    assert [(e.row, e.column) for e in plan.errors] == [(3, "Email")]
    assert (_count(db_session, Person), _count(db_session, Organisation),
            _count(db_session, AuditEntry)) == before
    assert _count(db_session, Attendance) == 0


def test_dry_run_writes_nothing(db_session, event, staff):
    before = _count(db_session, AuditEntry)
    plan = _import(event, staff, [row(), row(name="Ann Lee", email="ann@example.org")],
                   dry_run=True)
    assert plan.is_valid
    assert plan.summary()["people_created"] == 2
    assert plan.summary()["organisations_created"] == 1
    assert _count(db_session, Person) == 0
    assert _count(db_session, Organisation, Organisation.name == "Open Data Belize") == 0
    assert _count(db_session, Attendance) == 0
    assert _count(db_session, AuditEntry) == before


def test_people_are_matched_by_email_not_duplicated(db_session, event, staff, factories):
    org = factories.organisation(name="Open Data Belize")
    person = Person(full_name="María Chen-Ortiz", email="maria@example.org",
                    organisation_id=org.id, country="BZ")
    db_session.add(person)
    db_session.flush()
    plan = _import(event, staff, [row(name="Maria Chen", email="MARIA@example.org",
                                      sex="Female", year=None)])
    assert plan.is_valid
    assert plan.rows[0].matched_by == "email"
    assert plan.rows[0].person_action == "merge"  # the sex is new
    assert _count(db_session, Person) == 1
    db_session.refresh(person)
    assert person.sex is Sex.female
    assert person.full_name == "María Chen-Ortiz"
    assert [a.event_id for a in person.attendances] == [event.id]


def test_people_are_matched_by_name_and_organisation(db_session, event, staff, factories):
    org = factories.organisation(name="Open Data Belize")
    person = Person(full_name="Maria Chen", email=None, sex=Sex.female, birth_year=1995,
                    organisation_id=org.id, country="BZ")
    other_org = Person(full_name="Maria Chen", email=None, organisation_id=None, country="BZ")
    db_session.add_all([person, other_org])
    db_session.flush()
    plan = _import(event, staff, [row(email=None, organisation="open data belize")])
    assert plan.rows[0].matched_by == "name"
    assert plan.rows[0].person_id == person.id
    assert plan.rows[0].person_action == "match"
    assert plan.summary()["organisations_matched"] == 1
    assert _count(db_session, Person) == 2
    # The email given later completes the record (a merge of details).
    event2 = make_event(db_session, title="Second")
    plan = _import(event2, staff, [row(email="maria@example.org")])
    assert plan.rows[0].person_action == "merge"
    db_session.refresh(person)
    assert person.email == "maria@example.org"


def test_a_different_email_is_a_different_person(db_session, event, staff, factories):
    org = factories.organisation(name="Open Data Belize")
    db_session.add(Person(full_name="Maria Chen", email="other@example.org",
                          organisation_id=org.id, country="BZ"))
    db_session.flush()
    plan = _import(event, staff, [row()])
    assert plan.rows[0].person_action == "create"
    assert _count(db_session, Person) == 2


def test_two_rows_for_one_existing_person_are_refused(db_session, event, staff, factories):
    org = factories.organisation(name="Open Data Belize")
    db_session.add(Person(full_name="Maria Chen", email="maria@example.org",
                          organisation_id=org.id, country="BZ"))
    db_session.flush()
    plan = _import(event, staff, [row(email="maria@example.org", name="M Chen"),
                                  row(email=None)])
    assert [(e.row, e.column) for e in plan.errors] == [(3, "Full name")]
    assert _count(db_session, Attendance) == 0


def test_reimporting_updates_attendance(db_session, event, staff):
    _import(event, staff, [row(attended="No")])
    plan = _import(event, staff, [row(attended="Yes")])
    assert plan.summary()["attendance_updated"] == 1
    assert _count(db_session, Attendance) == 1
    assert db_session.scalar(select(Attendance)).attended is True
    entries = _count(db_session, AuditEntry)
    with pytest.raises(AlreadyDone):  # the same sheet again (sent twice): nothing new in it
        _import(event, staff, [row(attended="Yes")])
    assert _count(db_session, AuditEntry) == entries


def test_organisations_matched_by_name_ignoring_case(db_session, event, staff, factories):
    org = factories.organisation(name="Ministry of Public Service", sector=Sector.government)
    _import(event, staff, [row(organisation="MINISTRY OF PUBLIC SERVICE", sector=None)])
    assert _count(db_session, Organisation, Organisation.name.ilike("ministry%")) == 1
    assert db_session.scalar(select(Person)).organisation_id == org.id


def test_merge_people_moves_attendance_and_is_audited(db_session, staff, factories):
    org = factories.organisation()
    first, second, third = (make_event(db_session, title=t) for t in ("A", "B", "C"))
    kept = Person(full_name="Maria Chen", organisation_id=org.id, country="BZ")
    duplicate = Person(full_name="Maria Chen", organisation_id=org.id, country="BZ",
                       email="maria@example.org", sex=Sex.female, birth_year=1990)
    db_session.add_all([kept, duplicate])
    db_session.flush()
    db_session.add_all([
        Attendance(event_id=first.id, person_id=kept.id, attended=False),
        Attendance(event_id=first.id, person_id=duplicate.id, attended=True),
        Attendance(event_id=second.id, person_id=duplicate.id, role=AttendanceRole.trainer),
        Attendance(event_id=third.id, person_id=kept.id),
    ])
    db_session.flush()
    duplicate_id = duplicate.id
    result = operations.merge_people(kept, duplicate, staff)
    assert result["combined_events"] == [first.id]
    assert result["moved_events"] == [second.id]
    assert db_session.get(Person, duplicate_id) is None
    rows = {a.event_id: a for a in db_session.scalars(
        select(Attendance).where(Attendance.person_id == kept.id))}
    assert set(rows) == {first.id, second.id, third.id}
    assert rows[first.id].attended is True
    assert _count(db_session, Attendance) == 3
    assert kept.email == "maria@example.org" and kept.sex is Sex.female
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "person.merge"))
    assert entry.object_id == str(kept.id)
    assert entry.data["duplicate_id"] == duplicate_id
    assert entry.actor_id == staff.id
    assert _count(db_session, AuditEntry, AuditEntry.action == "person.merged_away") == 1


def test_merge_into_itself_is_refused(db_session, staff):
    person = Person(full_name="Solo", country="BZ")
    db_session.add(person)
    db_session.flush()
    with pytest.raises(OperationError):
        operations.merge_people(person, person, staff)


def test_event_that_ends_before_it_starts_is_refused(db_session, staff):
    with pytest.raises(OperationError) as raised:
        operations.create_event(staff, type="workshop", title="Backwards",
                                starts_on=date(2019, 3, 15), ends_on=date(2019, 3, 14))
    assert raised.value.field == "ends_on"
    assert "end before it starts" in str(raised.value.message)
    assert _count(db_session, Event) == 0


def test_create_and_update_event_are_audited(db_session, staff, factories):
    organiser, partner = factories.organisation(), factories.organisation()
    event = operations.create_event(staff, type="training", title="Access to information",
                                    starts_on=date(2019, 5, 1), ends_on=date(2019, 5, 1),
                                    organiser_id=organiser.id, partner_ids=[partner.id])
    assert event.partners == [partner]
    changes = operations.update_event(event, staff, title="Access to information 101",
                                      partner_ids=[])
    assert set(changes) == {"title", "partner_ids"}
    actions = list(db_session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "events", AuditEntry.object_id == str(event.id))))
    assert actions == ["event.create", "event.update"]
