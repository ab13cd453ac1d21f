"""Planning an attendance import against the database, reading only: each valid row's person
is created, matched (by email, else by exact name and organisation) or matched and completed
("merged"); each organisation is matched by name or created with the row's sector; each
attendance is created, updated or left unchanged. The rows come from
:func:`coalitions.events.importer.parse_rows`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from accounts.organisations import queries as directory
from accounts.organisations.models import Organisation, Sector, organisation_name_key
from core.extensions import db

from .attendance_sheet import TITLES, RowError, fold
from .models import Attendance, AttendanceRole, Event, Person

if TYPE_CHECKING:
    from .importer import RowData

_CHUNK = 500

#: What happens to a row's person.
CREATE, MATCH, MERGE = "create", "match", "merge"


@dataclass
class PlannedRow:
    data: RowData
    #: ``create`` a new person, ``match`` an existing one unchanged, or ``merge`` the row's
    #: details into an existing one that lacks them.
    person_action: str
    person_id: int | None = None
    #: ``email`` or ``name`` (exact name and organisation) for a matched person.
    matched_by: str | None = None
    #: Fields the row adds to the existing person (``merge``).
    fills: dict = field(default_factory=dict)
    #: ``create``, ``match`` or ``None`` (no organisation given).
    organisation_action: str | None = None
    organisation_id: int | None = None
    #: ``create`` a new attendance row, ``update`` the existing one, or ``unchanged``.
    attendance_action: str = CREATE


@dataclass
class ImportPlan:
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    #: Data rows read from the file (blank rows not counted).
    row_count: int = 0
    #: Blank rows skipped (reported, so that nothing goes unnoticed).
    blank_rows: int = 0
    #: New organisations: name key → (name as written, sector, country).
    new_organisations: dict[str, tuple[str, Sector, str]] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.rows)

    def summary(self) -> dict[str, int]:
        rows = self.rows
        return {
            "rows": self.row_count,
            "blank_rows": self.blank_rows,
            "people_created": sum(r.person_action == CREATE for r in rows),
            "people_matched": sum(r.person_action == MATCH for r in rows),
            "people_merged": sum(r.person_action == MERGE for r in rows),
            "organisations_created": len(self.new_organisations),
            "organisations_matched": len({r.organisation_id for r in rows
                                          if r.organisation_action == MATCH}),
            "attendance_created": sum(r.attendance_action == CREATE for r in rows),
            "attendance_updated": sum(r.attendance_action == "update" for r in rows),
            "attendance_unchanged": sum(r.attendance_action == "unchanged" for r in rows),
        }


def _chunks(values: list, size: int = _CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _existing_people(rows: list[RowData]) -> tuple[dict[str, Person], list[Person]]:
    emails = sorted({row.email for row in rows if row.email})
    by_email: dict[str, Person] = {}
    for chunk in _chunks(emails):
        for person in db.session.scalars(select(Person).where(Person.email.in_(chunk))):
            by_email[person.email] = person
    names = sorted({row.full_name.lower() for row in rows})
    by_name: list[Person] = []
    for chunk in _chunks(names):
        by_name.extend(db.session.scalars(
            select(Person).where(func.lower(Person.full_name).in_(chunk))
            .order_by(Person.id)))
    return by_email, by_name


def _by_name_key(people: list[Person], organisations: dict[str, Organisation]
                 ) -> dict[tuple[str, str], list[Person]]:
    """``people`` grouped by (folded name, organisation name key), as rows are matched."""
    org_keys = {org.id: org.name_key for org in organisations.values()}
    by_name: dict[tuple[str, str], list[Person]] = {}
    for person in people:
        org_key = ""
        if person.organisation_id is not None:
            org_key = org_keys.get(person.organisation_id)
            if org_key is None:
                org_key = person.organisation.name_key if person.organisation else ""
        by_name.setdefault((fold(person.full_name), org_key), []).append(person)
    return by_name


def plan_rows(event: Event, rows: list[RowData], *, claimed: dict[int, int] | None = None,
              new_organisations: dict | None = None) -> ImportPlan:
    """Decide, for valid rows, what the import will create, match or merge. A file planned in
    parts (a large one, in the background) passes the same ``claimed`` (existing person id →
    row number) and ``new_organisations`` to every part, so that each part knows the ones
    before it."""
    plan = ImportPlan(row_count=len(rows))
    if new_organisations is not None:
        plan.new_organisations = new_organisations
    organisations = directory.by_name_keys(row.organisation for row in rows
                                           if row.organisation)
    by_email, by_name_list = _existing_people(rows)
    by_name = _by_name_key(by_name_list, organisations)
    attendance = _attendance_of(event, {person.id for person in by_email.values()}
                                | {person.id for person in by_name_list})

    claimed = {} if claimed is None else claimed
    for row in rows:
        planned = PlannedRow(data=row, person_action=CREATE)
        if not _plan_organisation(plan, planned, organisations):
            continue
        person = _matching_person(row, planned, by_email, by_name)
        if person is not None:
            if person.id in claimed:
                plan.errors.append(RowError(row.row, TITLES["full_name"], str(_l(
                    "This is the same person as on row %(row)s.", row=claimed[person.id])),
                    row.full_name))
                continue
            claimed[person.id] = row.row
            _plan_match(planned, person, attendance.get(person.id))
        plan.rows.append(planned)
    if plan.errors:
        plan.rows = []
    return plan


def _attendance_of(event: Event, person_ids: set[int]) -> dict[int, Attendance]:
    """The event's attendance rows of these people, by person id."""
    if not event.id:
        return {}
    found: dict[int, Attendance] = {}
    for chunk in _chunks(sorted(person_ids)):
        found.update((a.person_id, a) for a in db.session.scalars(
            select(Attendance).where(Attendance.event_id == event.id,
                                     Attendance.person_id.in_(chunk))))
    return found


def _plan_organisation(plan: ImportPlan, planned: PlannedRow,
                       organisations: dict[str, Organisation]) -> bool:
    """Match the row's organisation or plan its creation; False (with the error added to
    ``plan``) when a new organisation has no sector."""
    row = planned.data
    if not row.organisation:
        return True
    key = organisation_name_key(row.organisation)
    org = organisations.get(key)
    if org is not None:
        planned.organisation_action, planned.organisation_id = MATCH, org.id
        return True
    if key not in plan.new_organisations:
        if row.sector is None:
            plan.errors.append(RowError(row.row, TITLES["sector"], str(_l(
                "“%(name)s” is not in the organisations directory yet: give its "
                "sector so that it can be added.", name=row.organisation))))
            return False
        plan.new_organisations[key] = (row.organisation, row.sector, row.country)
    planned.organisation_action = CREATE
    return True


def _matching_person(row: RowData, planned: PlannedRow, by_email: dict[str, Person],
                     by_name: dict[tuple[str, str], list[Person]]) -> Person | None:
    """The existing person the row is, by email, else by name and organisation (recording
    which in ``planned.matched_by``), or None."""
    person = by_email.get(row.email) if row.email else None
    if person is not None:
        planned.matched_by = "email"
        return person
    for candidate in by_name.get(row.name_key, []):
        if row.email and candidate.email and candidate.email != row.email:
            continue  # two different addresses: two people (staff may merge them)
        planned.matched_by = "name"
        return candidate
    return None


def _plan_match(planned: PlannedRow, person: Person, existing: Attendance | None) -> None:
    """Plan the row as the existing ``person``: matched, or merged when it adds details; and
    their attendance updated or unchanged when they already have one."""
    row = planned.data
    planned.person_id = person.id
    planned.fills = _fills(person, row)
    planned.person_action = MERGE if planned.fills else MATCH
    if existing is not None:
        same = (AttendanceRole(existing.role) == row.role
                and existing.attended == row.attended)
        planned.attendance_action = "unchanged" if same else "update"


def _fills(person: Person, row: RowData) -> dict:
    """The row's details that the existing person lacks."""
    fills = {}
    if row.email and not person.email:
        fills["email"] = row.email
    if row.sex is not None and person.sex is None:
        fills["sex"] = row.sex
    if row.birth_year is not None and person.birth_year is None:
        fills["birth_year"] = row.birth_year
    if row.organisation and person.organisation_id is None:
        fills["organisation"] = row.organisation
    return fills
