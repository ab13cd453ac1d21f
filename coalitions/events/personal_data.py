"""A participant's rights over their personal data (Belize's Data Protection Act, 2021,
modelled on the GDPR): what is held about them, exportable on request, and erasure.

Erasure replaces the name, email and exact year of birth with a tombstone. What the
anonymous counts need stays: sex, organisation, country, the expert flag, every attendance,
and, on each attendance, the age group the person counted in at that event. So every
indicator, dashboard and workbook figure is the same before and after. Earlier audit entries
that copied the person's details lose them, and the erasure's own entry records who erased
whom and when, without the erased data.

People whose last attendance is older than ``PERSONAL_DATA_RETENTION_DAYS`` are erased
the same way by the worker (``core.housekeeping``). Operations flush and never commit.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from core import housekeeping
from core.audit.models import AuditEntry
from core.audit.operations import erase_from_entries, record
from core.extensions import db
from core.locking import AlreadyDone, lock
from core.timeutil import programme_today, utcnow

from .models import Attendance, Event, Person
from .queries import person_attendances

#: The age at which a participant stops counting as young (the indicators' rule).
YOUTH_AGE = 30
#: The details an erasure removes from the person and from earlier audit entries.
ERASED_FIELDS = ("full_name", "email", "birth_year")
ALREADY_ERASED = _l("This person's personal data is already erased.")


def age_group(birth_year: int | None, on: date) -> str | None:
    """``under_30`` when ``on.year - birth_year < 30``, else ``30_and_over``; None without a
    year of birth (the indicators' "not recorded")."""
    if birth_year is None:
        return None
    return "under_30" if on.year - birth_year < YOUTH_AGE else "30_and_over"


def person_data(person: Person) -> dict:
    """Everything held about ``person``, as given to them on request (JSON)."""
    attendances = person_attendances(person)
    return {
        "person": {
            "number": person.id, "full_name": person.full_name, "email": person.email,
            "sex": person.sex.value if person.sex else None, "birth_year": person.birth_year,
            "organisation": person.organisation.name if person.organisation else None,
            "country": person.country,
            "is_international_expert": person.is_international_expert,
            "consent": person.consent,
            "consent_recorded_at": _iso(person.consent_recorded_at),
            "erased_at": _iso(person.erased_at),
            "recorded_at": _iso(person.created_at),
        },
        "attendance": [{"event": event.title, "starts_on": event.starts_on.isoformat(),
                        "ends_on": event.ends_on.isoformat(), "role": attendance.role.value,
                        "attended": attendance.attended}
                       for attendance, event in attendances],
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def erase_person(person: Person, actor, *, reason: str = "request") -> None:
    """Replace ``person``'s name, email and year of birth with a tombstone, keeping each
    attendance's age group; scrub earlier audit entries of the erased details.

    ``reason`` is "request" (the person asked) or "retention" (the worker)."""
    person = lock(person)  # the same erasure sent twice at once: the second finds it done
    if person.erased_at is not None:
        raise AlreadyDone(ALREADY_ERASED)
    for attendance, starts_on in db.session.execute(
            select(Attendance, Event.starts_on).join(Event, Attendance.event_id == Event.id)
            .where(Attendance.person_id == person.id)):
        if attendance.age_group is None:
            attendance.age_group = age_group(person.birth_year, starts_on)
    person.full_name, person.email, person.birth_year = "", None, None
    person.erased_at = utcnow()
    _scrub_audit(person.id)
    db.session.flush()
    record("person.erase", person, actor=actor,
           summary=f"Person #{person.id}: personal data erased ({reason})",
           data={"reason": reason})


def _scrub_audit(person_id: int) -> None:
    """Earlier entries about the person keep what happened, not the erased details (a merge
    copied the duplicate's name, email and year of birth)."""
    def scrub(data: dict) -> dict:
        if isinstance(data.get("duplicate"), dict):
            data["duplicate"] = {key: value for key, value in data["duplicate"].items()
                                 if key not in ERASED_FIELDS}
        return data

    erase_from_entries(db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == Person.__tablename__,
        AuditEntry.object_id == str(person_id))), scrub)


def retention_cutoff(today: date | None = None) -> date | None:
    """The day before which a last attendance means erasure; None when data is kept."""
    days = current_app.config.get("PERSONAL_DATA_RETENTION_DAYS")
    if not days:
        return None
    return (today or programme_today()) - timedelta(days=int(days))


def expired_people(today: date | None = None, limit: int = 500) -> list[Person]:
    """People not yet erased whose last event started before the retention cutoff."""
    cutoff = retention_cutoff(today)
    if cutoff is None:
        return []
    last = (select(Attendance.person_id, func.max(Event.starts_on).label("last_day"))
            .join(Event, Attendance.event_id == Event.id)
            .group_by(Attendance.person_id).subquery("last_attendance"))
    return list(db.session.scalars(
        select(Person).join(last, last.c.person_id == Person.id)
        .where(Person.erased_at.is_(None), last.c.last_day < cutoff)
        .order_by(Person.id).limit(limit)))


def erase_expired(today: date | None = None) -> int:
    """Erase everyone past the retention period (the worker's task); returns how many."""
    erased = 0
    for person in expired_people(today):
        try:
            erase_person(person, None, reason="retention")
        except AlreadyDone:
            continue
        erased += 1
    return erased


@housekeeping.register("personal_data.retention", every=timedelta(hours=6))
def retention_task() -> int:
    """The worker's turn: erase everyone past the retention period (none when it is 0)."""
    return erase_expired()
