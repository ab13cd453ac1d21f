"""Read helpers for events, people and attendance (one query each, no N+1)."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased, contains_eager, joinedload, selectinload

from accounts.organisations.models import Organisation
from core.extensions import db

from .models import Attendance, Event, Person


def _like_pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def events_query(search: str = ""):
    """Events, latest first (paginate it, then count with :func:`attendance_counts`)."""
    query = select(Event).order_by(Event.starts_on.desc(), Event.id.desc())
    if search:
        query = query.where(func.lower(Event.title).like(_like_pattern(search), escape="\\"))
    return query


def attendance_counts(event_ids) -> dict[int, tuple[int, int]]:
    """For each event: (attendance rows, people who attended), in one query."""
    ids = list(event_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Attendance.event_id, func.count(Attendance.id),
               func.count(Attendance.id).filter(Attendance.attended.is_(True)))
        .where(Attendance.event_id.in_(ids)).group_by(Attendance.event_id))
    counts = {event_id: (0, 0) for event_id in ids}
    counts.update({event_id: (registered, attended) for event_id, registered, attended in rows})
    return counts


def event_detail(event_id: int) -> Event | None:
    return db.session.scalar(
        select(Event).where(Event.id == event_id)
        .options(joinedload(Event.organiser), selectinload(Event.partners),
                 joinedload(Event.agenda_file)))


def attendance_of(event: Event) -> list[Attendance]:
    """The event's attendance with each person and organisation, by name."""
    return list(db.session.scalars(
        select(Attendance).join(Person, Person.id == Attendance.person_id)
        .where(Attendance.event_id == event.id)
        .options(joinedload(Attendance.person).joinedload(Person.organisation))
        .order_by(func.lower(Person.full_name), Person.id)))


def people_query(search: str = ""):
    """People by name, with their organisation (count events with :func:`event_counts`)."""
    query = (select(Person)
             .outerjoin(Organisation, Organisation.id == Person.organisation_id)
             .options(contains_eager(Person.organisation))
             .order_by(func.lower(Person.full_name), Person.id))
    if search:
        pattern = _like_pattern(search)
        query = query.where(or_(func.lower(Person.full_name).like(pattern, escape="\\"),
                                func.lower(Person.email).like(pattern, escape="\\"),
                                func.lower(Organisation.name).like(pattern, escape="\\")))
    return query


def event_counts(person_ids) -> dict[int, int]:
    """For each person: the number of events they are recorded at, in one query."""
    ids = list(person_ids)
    if not ids:
        return {}
    counts = {person_id: 0 for person_id in ids}
    rows = db.session.execute(
        select(Attendance.person_id, func.count(Attendance.id))
        .where(Attendance.person_id.in_(ids)).group_by(Attendance.person_id))
    counts.update({person_id: count for person_id, count in rows})
    return counts


def likely_duplicates(limit: int = 200) -> list[tuple[Person, Person]]:
    """Pairs of people with the same name (ignoring case) and the same organisation (or both
    without one): ``(older, newer)``, the older record being the one to keep."""
    other = aliased(Person)
    same_org = or_(Person.organisation_id == other.organisation_id,
                   and_(Person.organisation_id.is_(None), other.organisation_id.is_(None)))
    rows = db.session.execute(
        select(Person, other)
        .join(other, and_(func.lower(Person.full_name) == func.lower(other.full_name),
                          same_org, Person.id < other.id))
        # Erased people have no name left to compare.
        .where(Person.erased_at.is_(None), other.erased_at.is_(None))
        .options(joinedload(Person.organisation), joinedload(other.organisation))
        .order_by(func.lower(Person.full_name), Person.id, other.id)
        .limit(limit))
    return [(kept, duplicate) for kept, duplicate in rows]




def person_attendances(person: Person) -> list[tuple[Attendance, Event]]:
    """The person's attendance rows with their events, the earliest first."""
    return list(db.session.execute(
        select(Attendance, Event).join(Event, Attendance.event_id == Event.id)
        .where(Attendance.person_id == person.id).order_by(Event.starts_on, Event.id)))
