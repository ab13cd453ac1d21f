"""Reading an attendance sheet into an import plan, writing nothing.

The sheet (``.xlsx`` or ``.csv``) has a header row with these columns, in English or in
Spanish, in any order:

``Full name | Email | Sex | Year of birth | Organisation | Sector | Role | Country | Attended``

Every row is checked first; an error names the row (as numbered in the sheet: the header is
row 1) and the column. A file with any error imports nothing. A valid file becomes an
:class:`ImportPlan` that says, row by row, whether the person will be created, matched to an
existing person (by email, else by exact name and organisation) or matched and completed with
details the existing record lacks ("merged"), and whether each organisation is matched (by
name, ignoring case, accents and spacing: ``organisation_name_key``) or created with the
given sector.

API (used by the views, the ``flask import attendance`` command and the demo data):

- :func:`read_sheet` (bytes, file name) → :class:`Sheet`: header and raw rows, or errors
  (in :mod:`coalitions.events.attendance_sheet`, with the limit of people per file);
- :func:`parse_rows` (sheet) → parsed :class:`RowData` and :class:`RowError` list (pure);
- :func:`build_plan` (event, bytes, file name) → :class:`ImportPlan`, looking existing people,
  organisations and attendance up in the database (reads only);
- ``coalitions.events.operations.import_attendance`` applies a valid plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from babel import Locale
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from accounts.organisations import queries as directory
from accounts.organisations.forms import country_codes
from accounts.organisations.models import SECTOR_TITLES, Sector, organisation_name_key
from core.extensions import db

# The sheet's constants and reader are part of this module's API (views, command, demo).
from .attendance_sheet import (  # noqa: F401
    COLUMNS,
    HEADER,
    SPANISH_HEADER,
    TITLES,
    RowError,
    Sheet,
    fold,
    read_sheet,
)
from .models import Attendance, AttendanceRole, Event, Person, Sex

MIN_BIRTH_YEAR = 1900
_CHUNK = 500

SEX_WORDS = {fold(word): sex for word, sex in (
    ("female", Sex.female), ("f", Sex.female), ("woman", Sex.female),
    ("femenino", Sex.female), ("mujer", Sex.female),
    ("male", Sex.male), ("m", Sex.male), ("man", Sex.male),
    ("masculino", Sex.male), ("hombre", Sex.male),
    ("other", Sex.other), ("otro", Sex.other), ("otra", Sex.other),
    ("prefer not to say", Sex.undisclosed), ("undisclosed", Sex.undisclosed),
    ("prefiere no decirlo", Sex.undisclosed), ("prefiero no decirlo", Sex.undisclosed),
)}

ROLE_WORDS = {fold(word): role for word, role in (
    ("participant", AttendanceRole.participant), ("participante", AttendanceRole.participant),
    ("trainer", AttendanceRole.trainer), ("capacitador", AttendanceRole.trainer),
    ("capacitadora", AttendanceRole.trainer), ("formador", AttendanceRole.trainer),
    ("formadora", AttendanceRole.trainer),
    ("expert", AttendanceRole.expert), ("experto", AttendanceRole.expert),
    ("experta", AttendanceRole.expert),
    ("organiser", AttendanceRole.organiser), ("organizer", AttendanceRole.organiser),
    ("organizador", AttendanceRole.organiser), ("organizadora", AttendanceRole.organiser),
)}

YES_WORDS = {"yes", "y", "si", "s", "true", "1", "x"}
NO_WORDS = {"no", "n", "false", "0"}

_SPANISH_SECTORS = {
    Sector.civil_society: ("Sociedad civil", "ONG", "OSC"),
    Sector.government: ("Gobierno", "Sector público"),
    Sector.international: ("Organización internacional", "Organismo internacional",
                           "Internacional"),
    Sector.private: ("Sector privado", "Privado", "Empresa"),
    Sector.academic: ("Académico", "Academia", "Universidad"),
    Sector.media: ("Medios", "Medios de comunicación", "Prensa"),
    Sector.other: ("Otro", "Otra"),
}


def _sector_words() -> dict[str, Sector]:
    words: dict[str, Sector] = {}
    english = {
        Sector.civil_society: ("Civil society", "NGO", "CSO", "civil_society"),
        Sector.government: ("Government", "Public sector"),
        Sector.international: ("International organisation", "International organization",
                               "International"),
        Sector.private: ("Private sector", "Private", "Business"),
        Sector.academic: ("Academic", "Academia", "University"),
        Sector.media: ("Media", "Press"),
        Sector.other: ("Other",),
    }
    for sector in Sector:
        for word in (sector.value, *english[sector], *_SPANISH_SECTORS[sector]):
            words[fold(word)] = sector
    return words


SECTOR_WORDS = _sector_words()

# Names: no formulas and no markup.
_FORMULA_START = tuple("=+-@")
_MARKUP = re.compile(r"[<>]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


# Results -----------------------------------------------------------------------------------

@dataclass
class RowData:
    """One valid row, normalised."""

    row: int
    full_name: str
    email: str | None
    sex: Sex | None
    birth_year: int | None
    organisation: str | None
    sector: Sector | None
    role: AttendanceRole
    country: str
    attended: bool

    @property
    def name_key(self) -> tuple[str, str]:
        return fold(self.full_name), organisation_name_key(self.organisation)


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


# Checking rows (pure) ----------------------------------------------------------------------

def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def check_name(value: str) -> str | None:
    """The problem with a person's or organisation's name, or None."""
    if value.startswith(_FORMULA_START) or _MARKUP.search(value):
        return str(_l("Names cannot start with = + - @ or contain < or >: write the name as "
                      "plain text."))
    if _CONTROL.search(value):
        return str(_l("Remove the invisible control characters from this name."))
    return None


@lru_cache(maxsize=1)
def _country_words() -> dict[str, str]:
    codes = country_codes()
    words = {}
    for language in ("en", "es"):
        territories = Locale.parse(language).territories
        for code in codes:
            if code in territories:
                words[fold(territories[code])] = code
    for code, title in codes.items():
        words[fold(title)] = code
        words[fold(code)] = code
    return words


class _RowReader:
    """Reads the cells of one row and collects its errors."""

    def __init__(self, sheet: Sheet, number: int, cells: list):
        self.sheet, self.number, self.cells = sheet, number, cells
        self.errors: list[RowError] = []

    def cell(self, key: str) -> str:
        index = self.sheet.columns[key]
        return _text(self.cells[index]) if index < len(self.cells) else ""

    def fail(self, key: str, message, value: str = "") -> None:
        self.errors.append(RowError(self.number, TITLES[key], str(message), value))


def _parse_row(reader: _RowReader, countries: dict[str, str], default_country: str,
               today: date) -> RowData | None:
    cell, fail, number = reader.cell, reader.fail, reader.number

    full_name = " ".join(cell("full_name").split())
    if not full_name:
        fail("full_name", _l("Enter the person's full name."))
    elif len(full_name) > 200:
        fail("full_name", _l("Use at most %(count)s characters.", count=200), full_name)
    elif (problem := check_name(cell("full_name"))) is not None:
        fail("full_name", problem, cell("full_name"))

    email = cell("email").lower() or None
    if email is not None:
        try:
            if len(email) > 254:
                raise EmailNotValidError("too long")
            email = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            fail("email", _l("This is not an email address."), cell("email"))
            email = None

    raw_sex = cell("sex")
    sex = None
    if raw_sex:
        sex = SEX_WORDS.get(fold(raw_sex))
        if sex is None:
            fail("sex", _l("Write Female, Male, Other, Prefer not to say, or leave it "
                           "blank."), raw_sex)

    raw_year = cell("birth_year")
    birth_year = None
    if raw_year:
        if not re.fullmatch(r"\d{4}", raw_year):
            fail("birth_year", _l("Write the year of birth as four digits, such as "
                                  "1990."), raw_year)
        else:
            birth_year = int(raw_year)
            if birth_year > today.year:
                fail("birth_year", _l("The year of birth is in the future."), raw_year)
            elif birth_year < MIN_BIRTH_YEAR:
                fail("birth_year", _l("The year of birth is before %(year)s.",
                                      year=MIN_BIRTH_YEAR), raw_year)

    organisation = " ".join(cell("organisation").split()) or None
    if organisation is not None:
        if len(organisation) > 200:
            fail("organisation", _l("Use at most %(count)s characters.", count=200),
                 organisation)
        elif (problem := check_name(cell("organisation"))) is not None:
            fail("organisation", problem, cell("organisation"))

    raw_sector = cell("sector")
    sector = None
    if raw_sector:
        sector = SECTOR_WORDS.get(fold(raw_sector))
        if sector is None:
            fail("sector", _l("Write one of: %(sectors)s.", sectors=", ".join(
                str(title) for title in SECTOR_TITLES.values())), raw_sector)

    raw_role = cell("role")
    role = AttendanceRole.participant
    if raw_role:
        found = ROLE_WORDS.get(fold(raw_role))
        if found is None:
            fail("role", _l("Write Participant, Trainer, Expert or Organiser."), raw_role)
        else:
            role = found

    raw_country = cell("country")
    country = default_country
    if raw_country:
        code = countries.get(fold(raw_country))
        if code is None:
            fail("country", _l("Write the country's name or its two-letter code, such "
                               "as BZ."), raw_country)
        else:
            country = code

    raw_attended = cell("attended")
    attended = True
    if raw_attended:
        folded = fold(raw_attended)
        if folded in YES_WORDS:
            attended = True
        elif folded in NO_WORDS:
            attended = False
        else:
            fail("attended", _l("Write Yes or No (blank means yes)."), raw_attended)

    if reader.errors:
        return None
    return RowData(
        row=number, full_name=full_name, email=email, sex=sex, birth_year=birth_year,
        organisation=organisation, sector=sector, role=role, country=country,
        attended=attended)


def parse_rows(sheet: Sheet, *, default_country: str = "BZ",
               today: date | None = None) -> tuple[list[RowData], list[RowError]]:
    """Check and normalise every row of ``sheet`` (no database access)."""
    if today is None:
        from core.timeutil import to_programme_time, utcnow
        today = to_programme_time(utcnow()).date()
    countries = _country_words()
    parsed: list[RowData] = []
    errors: list[RowError] = []
    seen_emails: dict[str, int] = {}
    seen_names: dict[tuple[str, str], int] = {}
    for number, cells in sheet.rows:
        reader = _RowReader(sheet, number, cells)
        data = _parse_row(reader, countries, default_country, today)
        if data is not None:
            name_key = data.name_key
            if data.email is not None and data.email in seen_emails:
                reader.fail("email", _l("The same person is already on row %(row)s.",
                                        row=seen_emails[data.email]), data.email)
            elif name_key in seen_names:
                reader.fail("full_name", _l("The same person (name and organisation) is "
                                            "already on row %(row)s.",
                                            row=seen_names[name_key]), data.full_name)
            else:
                if data.email is not None:
                    seen_emails[data.email] = number
                seen_names[name_key] = number
                parsed.append(data)
        errors.extend(reader.errors)
    return parsed, errors


# Planning against the database (reads only) ------------------------------------------------

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


def plan_rows(event: Event, rows: list[RowData]) -> ImportPlan:
    """Decide, for valid rows, what the import will create, match or merge."""
    plan = ImportPlan(row_count=len(rows))
    organisations = directory.by_name_keys(row.organisation for row in rows
                                           if row.organisation)
    by_email, by_name_list = _existing_people(rows)
    org_keys = {org.id: org.name_key for org in organisations.values()}
    by_name: dict[tuple[str, str], list[Person]] = {}
    for person in by_name_list:
        org_key = ""
        if person.organisation_id is not None:
            org_key = org_keys.get(person.organisation_id)
            if org_key is None:
                org_key = person.organisation.name_key if person.organisation else ""
        by_name.setdefault((fold(person.full_name), org_key), []).append(person)
    attendance = {a.person_id: a for a in db.session.scalars(
        select(Attendance).where(Attendance.event_id == event.id))} if event.id else {}

    claimed: dict[int, int] = {}  # existing person id → row number
    for row in rows:
        planned = PlannedRow(data=row, person_action=CREATE)
        if row.organisation:
            key = organisation_name_key(row.organisation)
            org = organisations.get(key)
            if org is not None:
                planned.organisation_action, planned.organisation_id = MATCH, org.id
            else:
                if key not in plan.new_organisations:
                    if row.sector is None:
                        plan.errors.append(RowError(row.row, TITLES["sector"], str(_l(
                            "“%(name)s” is not in the organisations directory yet: give its "
                            "sector so that it can be added.", name=row.organisation))))
                        continue
                    plan.new_organisations[key] = (row.organisation, row.sector, row.country)
                planned.organisation_action = CREATE

        person = by_email.get(row.email) if row.email else None
        if person is not None:
            planned.matched_by = "email"
        else:
            for candidate in by_name.get(row.name_key, []):
                if row.email and candidate.email and candidate.email != row.email:
                    continue  # two different addresses: two people (staff may merge them)
                person, planned.matched_by = candidate, "name"
                break
        if person is not None:
            if person.id in claimed:
                plan.errors.append(RowError(row.row, TITLES["full_name"], str(_l(
                    "This is the same person as on row %(row)s.", row=claimed[person.id])),
                    row.full_name))
                continue
            claimed[person.id] = row.row
            planned.person_id = person.id
            planned.fills = _fills(person, row, planned)
            planned.person_action = MERGE if planned.fills else MATCH
            existing = attendance.get(person.id)
            if existing is not None:
                same = (AttendanceRole(existing.role) == row.role
                        and existing.attended == row.attended)
                planned.attendance_action = "unchanged" if same else "update"
        plan.rows.append(planned)
    if plan.errors:
        plan.rows = []
    return plan


def _fills(person: Person, row: RowData, planned: PlannedRow) -> dict:
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


def build_plan(event: Event, data: bytes, filename: str, *,
               default_country: str | None = None, today: date | None = None) -> ImportPlan:
    """Read, check and plan the import of a file for ``event``. Writes nothing. A blank
    country is the programme's (``DEFAULT_COUNTRY``)."""
    if default_country is None:
        default_country = current_app.config.get("DEFAULT_COUNTRY", "BZ")
    sheet = read_sheet(data, filename)
    if sheet.errors:
        return ImportPlan(errors=sheet.errors, row_count=sheet.people,
                          blank_rows=sheet.blank_rows)
    rows, errors = parse_rows(sheet, default_country=default_country, today=today)
    if errors:
        return ImportPlan(errors=errors, row_count=sheet.people, blank_rows=sheet.blank_rows)
    plan = plan_rows(event, rows)
    plan.blank_rows = sheet.blank_rows
    return plan
