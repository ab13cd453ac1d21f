"""Every change to events, people and attendance. Operations validate, write the audit entry
and flush; they never commit (the request, or the CLI command, does that once)."""

from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accounts.organisations.forms import country_codes
from accounts.organisations.models import Organisation, organisation_name_key
from core.audit.models import AuditEntry
from core.audit.operations import record
from core.errors import OperationError
from core.extensions import db
from core.locking import AlreadyDone, identical, lock, lock_key
from core.timeutil import utcnow
from core.uploads import detection
from core.uploads.operations import store_upload
from core.validation import clean_text

from . import importer
from .models import Attendance, AttendanceRole, Event, EventType, Person

#: Agendas: documents only.
AGENDA_KINDS = (detection.PDF, detection.DOCX, detection.ODT)
TEXT_LIMITS = {"title": 200, "district": 100, "venue": 200, "description": 10000}
#: The texts typed in a text area, where line breaks belong.
_MULTILINE_FIELDS = frozenset({"description"})


def _who(actor) -> str:
    return getattr(actor, "email", None) or "the command line"


# Events ------------------------------------------------------------------------------------

def _clean_event(fields: dict) -> dict:
    cleaned = {}
    for name, limit in TEXT_LIMITS.items():
        if name in fields:
            cleaned[name] = clean_text(fields[name], field=name, max_length=limit,
                                       multiline=name in _MULTILINE_FIELDS)
    if "title" in cleaned and not cleaned["title"]:
        raise OperationError(_l("Enter the event's title."), field="title")
    if "type" in fields:
        try:
            cleaned["type"] = EventType(fields["type"])
        except ValueError:
            raise OperationError(_l("Choose a type from the list."), field="type") from None
    for name in ("starts_on", "ends_on"):
        if name in fields:
            if not isinstance(fields[name], date):
                raise OperationError(_l("Enter a date."), field=name)
            cleaned[name] = fields[name]
    if "is_online" in fields:
        cleaned["is_online"] = bool(fields["is_online"])
    if "country" in fields:
        country = (fields["country"] or current_app.config["DEFAULT_COUNTRY"]).upper()
        if country not in country_codes():
            raise OperationError(_l("Choose a country from the list."), field="country")
        cleaned["country"] = country
    if "organiser_id" in fields:
        organiser_id = fields["organiser_id"] or None
        if organiser_id is not None and db.session.get(Organisation, organiser_id) is None:
            raise OperationError(_l("Choose an organisation from the list."),
                                 field="organiser_id")
        cleaned["organiser_id"] = organiser_id
    return cleaned


def _check_dates(event_fields: dict) -> None:
    starts_on, ends_on = event_fields.get("starts_on"), event_fields.get("ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        raise OperationError(_l("The event cannot end before it starts: the last day must "
                                "be on or after the first day."), field="ends_on")


def _partners(partner_ids) -> list[Organisation]:
    ids = sorted({int(value) for value in partner_ids or ()})
    if not ids:
        return []
    found = list(db.session.scalars(select(Organisation).where(Organisation.id.in_(ids))))
    if len(found) != len(ids):
        raise OperationError(_l("Choose organisations from the list."), field="partner_ids")
    return found


def _attach_agenda(event: Event, actor, agenda) -> None:
    if agenda is None or not getattr(agenda, "filename", None):
        return
    event.agenda_file = store_upload(agenda, uploaded_by=actor, allowed_kinds=AGENDA_KINDS,
                                     field="agenda")


def create_event(actor, *, partner_ids=(), agenda=None, **fields) -> Event:
    """Add an event. ``fields``: type, title, starts_on, ends_on, district, country,
    is_online, venue, description, organiser_id."""
    fields.setdefault("country", current_app.config["DEFAULT_COUNTRY"])
    cleaned = _clean_event(fields)
    for name in ("title", "type", "starts_on", "ends_on"):
        if name not in cleaned:
            raise OperationError(_l("This is required."), field=name)
    _check_dates(cleaned)
    lock_key(f"events:{cleaned['title']}")  # the same event created twice at once
    existing = identical(Event, cleaned)
    if existing is not None:
        raise AlreadyDone(_l("The event %(title)s is already there.", title=existing.title),
                          existing=existing)
    event = Event(**cleaned)
    event.partners = _partners(partner_ids)
    db.session.add(event)
    _attach_agenda(event, actor, agenda)
    db.session.flush()
    record("event.create", event, actor=actor,
           summary=f"{_who(actor)} added the event {event.title}",
           data={"fields": cleaned, "partner_ids": [org.id for org in event.partners],
                 "agenda_file_id": event.agenda_file_id})
    return event


def update_event(event: Event, actor, *, partner_ids=None, agenda=None, **fields) -> dict:
    """Change an event; returns the changes as ``{field: [old, new]}``."""
    lock(event)  # the same form sent twice at once: the second finds nothing to change
    cleaned = _clean_event(fields)
    _check_dates({"starts_on": cleaned.get("starts_on", event.starts_on),
                  "ends_on": cleaned.get("ends_on", event.ends_on)})
    changes = {name: [getattr(event, name), value] for name, value in cleaned.items()
               if getattr(event, name) != value}
    for name, (_old, new) in changes.items():
        setattr(event, name, new)
    if partner_ids is not None:
        partners = _partners(partner_ids)
        old_ids = sorted(org.id for org in event.partners)
        new_ids = sorted(org.id for org in partners)
        if old_ids != new_ids:
            event.partners = partners
            changes["partner_ids"] = [old_ids, new_ids]
    if agenda is not None and getattr(agenda, "filename", None):
        old_file_id = event.agenda_file_id
        _attach_agenda(event, actor, agenda)
        changes["agenda_file_id"] = [old_file_id, event.agenda_file.id]
    if not changes:
        return {}
    db.session.flush()
    record("event.update", event, actor=actor,
           summary=f"{_who(actor)} changed {', '.join(sorted(changes))} of {event.title}",
           data={"changes": changes})
    return changes


# Attendance import -------------------------------------------------------------------------

def import_attendance(event: Event, actor, data: bytes, filename: str, *,
                      dry_run: bool = False) -> importer.ImportPlan:
    """Check a sheet and, unless ``dry_run`` or it has errors, apply it to ``event``.

    Returns the plan: its ``errors`` (nothing was written), or what was (or, in a dry run,
    would be) created, matched and merged. All or nothing: an invalid row imports nothing.
    """
    if not dry_run:
        lock(event)  # the same sheet sent twice at once: the second finds it imported
    plan = importer.build_plan(event, data, filename)
    if plan.is_valid and not dry_run:
        if plan.rows and not plan.new_organisations and all(
                row.person_action == importer.MATCH and row.attendance_action == "unchanged"
                for row in plan.rows):
            raise AlreadyDone(_l("Everyone on this sheet is already recorded at this event, "
                                 "as the sheet says: nothing is imported."))
        apply_plan(event, actor, plan, filename=filename)
    return plan


def apply_plan(event: Event, actor, plan: importer.ImportPlan, *, filename: str = "") -> dict:
    """Write a valid plan: organisations, people, attendance, and one audit entry."""
    if not plan.is_valid:
        raise OperationError(_l("The sheet has errors: nothing was imported."))
    home = current_app.config["DEFAULT_COUNTRY"]
    organisations: dict[str, Organisation] = {}
    for key, (name, sector, country) in plan.new_organisations.items():
        org = Organisation(name=name, sector=sector, country=country, is_verified=False)
        db.session.add(org)
        organisations[key] = org
    db.session.flush()
    for org in organisations.values():
        record("organisation.create", org, actor=actor,
               summary=f"{_who(actor)} added the organisation {org.name} through the "
                       f"attendance import of {event.title}",
               data={"fields": {"name": org.name, "sector": org.sector,
                                "country": org.country}, "event_id": event.id})

    people_ids = [row.person_id for row in plan.rows if row.person_id is not None]
    people, existing = {}, {}
    for start in range(0, len(people_ids), 500):
        chunk = people_ids[start:start + 500]
        people.update({p.id: p for p in db.session.scalars(
            select(Person).where(Person.id.in_(chunk)))})
        existing.update({a.person_id: a for a in db.session.scalars(
            select(Attendance).where(Attendance.event_id == event.id,
                                     Attendance.person_id.in_(chunk)))})

    created, matched, merged = [], [], []
    new_rows = []
    for planned in plan.rows:
        row = planned.data
        org_id = planned.organisation_id
        if planned.organisation_action == importer.CREATE:
            org_id = None  # set after the flush below
        is_expert_abroad = row.role is AttendanceRole.expert and row.country != home
        if planned.person_action == importer.CREATE:
            person = Person(full_name=row.full_name, email=row.email, sex=row.sex,
                            birth_year=row.birth_year, organisation_id=org_id,
                            country=row.country, is_international_expert=is_expert_abroad)
            _record_consent(person, row.consent)
            if planned.organisation_action == importer.CREATE:
                person.organisation = organisations[organisation_name_key(row.organisation)]
            db.session.add(person)
            new_rows.append((person, row))
            continue
        person = people[planned.person_id]
        for name, value in planned.fills.items():
            if name == "organisation":
                if planned.organisation_action == importer.CREATE:
                    person.organisation = organisations[organisation_name_key(row.organisation)]
                else:
                    person.organisation_id = planned.organisation_id
            else:
                setattr(person, name, value)
        if is_expert_abroad and not person.is_international_expert:
            person.is_international_expert = True
        _record_consent(person, row.consent)
        (merged if planned.fills else matched).append(person.id)
        attendance = existing.get(person.id)
        if attendance is None:
            db.session.add(Attendance(event_id=event.id, person_id=person.id, role=row.role,
                                      attended=row.attended))
        else:
            attendance.role, attendance.attended = row.role, row.attended
    db.session.flush()
    for person, row in new_rows:
        created.append(person.id)
        db.session.add(Attendance(event_id=event.id, person_id=person.id, role=row.role,
                                  attended=row.attended))
    db.session.flush()
    summary = plan.summary()
    record("event.import_attendance", event, actor=actor,
           summary=f"{_who(actor)} imported {summary['rows']} attendance rows into "
                   f"{event.title}",
           data={"file": filename, "summary": summary, "people_created": created,
                 "people_matched": matched, "people_merged": merged,
                 "organisations_created": [org.id for org in organisations.values()]})
    return summary


# People ------------------------------------------------------------------------------------

def _record_consent(person: Person, consent: bool | None) -> None:
    """The latest sheet that asks says whether the person consents (a blank cell says
    nothing)."""
    if consent is not None and person.consent is not consent:
        person.consent, person.consent_recorded_at = consent, utcnow()


FILLABLE_PERSON_FIELDS = ("email", "sex", "birth_year", "organisation_id")


PERSON_ALREADY_MERGED = _l("The duplicate is already merged into this person.")


def person_merged_into(duplicate_id, kept: Person) -> bool:
    """Whether the person numbered ``duplicate_id`` was merged into ``kept`` (a repeat of
    the merge, sent twice at once, finds it so)."""
    if not isinstance(duplicate_id, int):
        return False
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "person.merged_away",
        AuditEntry.object_type == Person.__tablename__,
        AuditEntry.object_id == str(duplicate_id)))
    return any((entry.data or {}).get("kept_id") == kept.id for entry in entries)


def _lock_people(kept: Person, duplicate: Person) -> None:
    """Lock both rows (in id order, so two merges cannot deadlock) and re-read them: the
    same merge sent twice at once finds the duplicate gone (``AlreadyDone``)."""
    kept_id, duplicate_id = kept.id, duplicate.id
    found = set(db.session.scalars(
        select(Person.id).where(Person.id.in_([kept_id, duplicate_id])).order_by(Person.id)
        .with_for_update()))
    db.session.expire_all()
    if kept_id not in found:
        raise OperationError(_l("No person has this number."), field="kept_id")
    if duplicate_id not in found:
        if person_merged_into(duplicate_id, kept):
            raise AlreadyDone(PERSON_ALREADY_MERGED)
        raise OperationError(_l("No person has this number."), field="duplicate_id")


def merge_people(kept: Person, duplicate: Person, actor) -> dict:
    """Merge ``duplicate`` into ``kept``: its attendance moves to ``kept`` (where both are
    recorded at the same event, one row is kept: attended if either attended), ``kept``'s
    empty details are filled from the duplicate, and the duplicate is deleted."""
    if kept is None or duplicate is None:
        raise OperationError(_l("No person has this number."), field="duplicate_id")
    if kept.id == duplicate.id:
        raise OperationError(_l("A person cannot be merged into themselves. Choose the "
                                "duplicate."), field="duplicate_id")
    _lock_people(kept, duplicate)
    kept_rows = {a.event_id: a for a in kept.attendances}
    moved, combined = [], []
    for attendance in list(duplicate.attendances):
        same_event = kept_rows.get(attendance.event_id)
        if same_event is None:
            attendance.person = kept
            moved.append(attendance.event_id)
        else:
            same_event.attended = same_event.attended or attendance.attended
            duplicate.attendances.remove(attendance)
            db.session.delete(attendance)
            combined.append(attendance.event_id)
    db.session.flush()
    snapshot = {"full_name": duplicate.full_name, "email": duplicate.email,
                "sex": duplicate.sex, "birth_year": duplicate.birth_year,
                "organisation_id": duplicate.organisation_id, "country": duplicate.country,
                "is_international_expert": duplicate.is_international_expert}
    filled = [name for name in FILLABLE_PERSON_FIELDS
              if getattr(kept, name) in (None, "") and getattr(duplicate, name) not in (None, "")]
    if "email" in filled:
        email = duplicate.email
        duplicate.email = None  # unique: free it before giving it to the kept record
        db.session.flush()
        kept.email = email
    for name in filled:
        if name != "email":
            setattr(kept, name, getattr(duplicate, name))
    if duplicate.is_international_expert and not kept.is_international_expert:
        kept.is_international_expert = True
        filled.append("is_international_expert")
    duplicate_id = duplicate.id
    db.session.delete(duplicate)
    db.session.flush()
    result = {"moved_events": moved, "combined_events": combined, "filled": filled}
    record("person.merge", kept, actor=actor,
           summary=f"{_who(actor)} merged person #{duplicate_id} into person #{kept.id}",
           data={"kept_id": kept.id, "duplicate_id": duplicate_id, "duplicate": snapshot,
                 **result})
    record("person.merged_away", actor=actor, object_type=Person.__tablename__,
           object_id=duplicate_id,
           summary=f"Person #{duplicate_id} was merged into person #{kept.id}",
           data={"kept_id": kept.id, "duplicate_id": duplicate_id})
    return result
