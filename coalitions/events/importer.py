"""Reading an attendance sheet into an import plan, writing nothing.

The sheet (``.xlsx`` or ``.csv``) has a header row with these columns, in English or in
Spanish, in any order:

``Full name | Email | Sex | Year of birth | Organisation | Sector | Role | Country | Attended``

Every row is checked first; an error names the row (as numbered in the sheet: the header is
row 1) and the column. A file with any error imports nothing. A valid file becomes an
:class:`ImportPlan` that says, row by row, whether the person will be created, matched to an
existing person (by email, else by exact name and organisation) or matched and completed with
details the existing record lacks ("merged"), and whether each organisation is matched (by
name, ignoring case) or created with the given sector.

API (used by the views, the ``flask import attendance`` command and the demo data):

- :func:`read_sheet` (bytes, file name) → :class:`Sheet`: header and raw rows, or errors;
- :func:`parse_rows` (sheet) → parsed :class:`RowData` and :class:`RowError` list (pure);
- :func:`build_plan` (event, bytes, file name) → :class:`ImportPlan`, looking existing people,
  organisations and attendance up in the database (reads only);
- ``coalitions.events.operations.import_attendance`` applies a valid plan.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from babel import Locale
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from accounts.organisations.forms import country_codes
from accounts.organisations.models import SECTOR_TITLES, Organisation, Sector
from core.extensions import db
from core.uploads import detection

from .models import Attendance, AttendanceRole, Event, Person, Sex

#: A sheet larger than this is refused (split it): the import runs within one request.
MAX_ROWS = 20_000
MIN_BIRTH_YEAR = 1900
_CHUNK = 500

# Column keys, their English titles (the template's header) and the Spanish ones.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("full_name", "Full name", "Nombre completo"),
    ("email", "Email", "Correo electrónico"),
    ("sex", "Sex", "Sexo"),
    ("birth_year", "Year of birth", "Año de nacimiento"),
    ("organisation", "Organisation", "Organización"),
    ("sector", "Sector", "Sector"),
    ("role", "Role", "Rol"),
    ("country", "Country", "País"),
    ("attended", "Attended", "Asistió"),
)
HEADER = [english for _key, english, _spanish in COLUMNS]
SPANISH_HEADER = [spanish for _key, _english, spanish in COLUMNS]
TITLES = {key: english for key, english, _spanish in COLUMNS}


def _fold(value: str) -> str:
    """Lower case, without accents and with single spaces: "  Sí " → "si"."""
    decomposed = unicodedata.normalize("NFKD", value)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


_HEADER_ALIASES = {_fold(title): key for key, english, spanish in COLUMNS
                   for title in (english, spanish)}
_HEADER_ALIASES.update({_fold(alias): key for alias, key in (
    ("Name", "full_name"), ("Nombre", "full_name"), ("E-mail", "email"), ("Correo", "email"),
    ("Organization", "organisation"), ("Birth year", "birth_year"), ("Email address", "email"),
)})

SEX_WORDS = {_fold(word): sex for word, sex in (
    ("female", Sex.female), ("f", Sex.female), ("woman", Sex.female),
    ("femenino", Sex.female), ("mujer", Sex.female),
    ("male", Sex.male), ("m", Sex.male), ("man", Sex.male),
    ("masculino", Sex.male), ("hombre", Sex.male),
    ("other", Sex.other), ("otro", Sex.other), ("otra", Sex.other),
    ("prefer not to say", Sex.undisclosed), ("undisclosed", Sex.undisclosed),
    ("prefiere no decirlo", Sex.undisclosed), ("prefiero no decirlo", Sex.undisclosed),
)}

ROLE_WORDS = {_fold(word): role for word, role in (
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
            words[_fold(word)] = sector
    return words


SECTOR_WORDS = _sector_words()

# Names: no formulas and no markup.
_FORMULA_START = tuple("=+-@")
_MARKUP = re.compile(r"[<>]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


# Results -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class RowError:
    """A problem in the sheet. ``row`` is the sheet's row number (the header is row 1; 0 for
    the file as a whole); ``column`` the column's English title, or "" for the whole row."""

    row: int
    column: str
    message: str
    value: str = ""


@dataclass
class Sheet:
    """The raw content of a file: the column each header cell stands for and the rows."""

    columns: dict[str, int] = field(default_factory=dict)  # key → cell index
    titles: dict[str, str] = field(default_factory=dict)  # key → title as written
    rows: list[tuple[int, list]] = field(default_factory=list)  # (row number, cells)
    errors: list[RowError] = field(default_factory=list)


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
        return _fold(self.full_name), _fold(self.organisation or "")


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
    #: New organisations: folded name → (name as written, sector, country).
    new_organisations: dict[str, tuple[str, Sector, str]] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.rows)

    def summary(self) -> dict[str, int]:
        rows = self.rows
        return {
            "rows": self.row_count,
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


# Reading a file ----------------------------------------------------------------------------

def _not_a_spreadsheet() -> RowError:
    return RowError(0, "", str(_l("This file is not a spreadsheet. Upload the attendance "
                                  "sheet as an Excel workbook (.xlsx) or a CSV file (.csv).")))


def read_sheet(data: bytes, filename: str) -> Sheet:
    """The header and rows of an .xlsx or .csv file, judged by content; never raises for bad
    input (the problems are in ``Sheet.errors``)."""
    sheet = Sheet()
    if not data:
        sheet.errors.append(RowError(0, "", str(_l("The file is empty."))))
        return sheet
    extension = filename.rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    try:
        kind = detection.detect_kind(data)
    except detection.InvalidDocument:
        kind = "invalid"
    if kind == detection.XLSX:
        raw_rows = _xlsx_rows(data, sheet)
    elif kind is None and extension in ("csv", "txt", ""):
        raw_rows = _csv_rows(data, sheet)
    else:
        sheet.errors.append(_not_a_spreadsheet())
        return sheet
    if sheet.errors:
        return sheet
    _read_header_and_rows(raw_rows, sheet)
    return sheet


def _xlsx_rows(data: bytes, sheet: Sheet) -> Iterable[list]:
    import openpyxl

    try:
        # Formulas are read as written ("=..."), never evaluated or taken from a cache.
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        worksheet = book.worksheets[0]
        rows = [list(row) for row in worksheet.iter_rows(values_only=True,
                                                         max_row=MAX_ROWS + 2)]
        book.close()
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds of errors for damaged files
        sheet.errors.append(_not_a_spreadsheet())
        return []
    return rows


def _csv_rows(data: bytes, sheet: Sheet) -> Iterable[list]:
    if b"\x00" in data:
        sheet.errors.append(_not_a_spreadsheet())
        return []
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        sheet.errors.append(_not_a_spreadsheet())
        return []
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    try:
        return [row for _n, row in zip(range(MAX_ROWS + 2),
                                       csv.reader(io.StringIO(text, newline=""),
                                                  delimiter=delimiter))]
    except csv.Error:
        sheet.errors.append(_not_a_spreadsheet())
        return []


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_header_and_rows(raw_rows: list[list], sheet: Sheet) -> None:
    if not any(not _is_blank(value) for row in raw_rows for value in row):
        sheet.errors.append(RowError(0, "", str(_l("The file is empty."))))
        return
    if all(_is_blank(value) for value in raw_rows[0]):
        sheet.errors.append(RowError(1, "", str(_l(
            "The first row must hold the column titles: %(titles)s.",
            titles=" | ".join(HEADER)))))
        return
    for index, cell in enumerate(raw_rows[0]):
        if _is_blank(cell):
            continue
        title = str(cell).strip()
        key = _HEADER_ALIASES.get(_fold(title))
        if key is None:
            continue  # other columns are ignored
        if key in sheet.columns:
            sheet.errors.append(RowError(1, TITLES[key], str(_l(
                "The column “%(title)s” appears twice.", title=title)), title))
            continue
        sheet.columns[key] = index
        sheet.titles[key] = title
    for key, english, spanish in COLUMNS:
        if key not in sheet.columns:
            sheet.errors.append(RowError(1, english, str(_l(
                "The column “%(title)s” (or “%(spanish)s”) is missing from the first row.",
                title=english, spanish=spanish))))
    for number, cells in enumerate(raw_rows[1:], start=2):
        if all(_is_blank(value) for value in cells):
            continue
        if len(sheet.rows) >= MAX_ROWS:
            sheet.errors.append(RowError(number, "", str(_l(
                "The file has more than %(count)s rows. Split it into smaller files.",
                count=MAX_ROWS))))
            break
        sheet.rows.append((number, list(cells)))
    if not sheet.errors and not sheet.rows:
        sheet.errors.append(RowError(0, "", str(_l(
            "The file has no attendance rows below the column titles."))))


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
                words[_fold(territories[code])] = code
    for code, title in codes.items():
        words[_fold(title)] = code
        words[_fold(code)] = code
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
        sex = SEX_WORDS.get(_fold(raw_sex))
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
        sector = SECTOR_WORDS.get(_fold(raw_sector))
        if sector is None:
            fail("sector", _l("Write one of: %(sectors)s.", sectors=", ".join(
                str(title) for title in SECTOR_TITLES.values())), raw_sector)

    raw_role = cell("role")
    role = AttendanceRole.participant
    if raw_role:
        found = ROLE_WORDS.get(_fold(raw_role))
        if found is None:
            fail("role", _l("Write Participant, Trainer, Expert or Organiser."), raw_role)
        else:
            role = found

    raw_country = cell("country")
    country = default_country
    if raw_country:
        code = countries.get(_fold(raw_country))
        if code is None:
            fail("country", _l("Write the country's name or its two-letter code, such "
                               "as BZ."), raw_country)
        else:
            country = code

    raw_attended = cell("attended")
    attended = True
    if raw_attended:
        folded = _fold(raw_attended)
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


def _existing_organisations(names: set[str]) -> dict[str, Organisation]:
    found: dict[str, Organisation] = {}
    wanted = sorted({name.lower() for name in names})
    for chunk in _chunks(wanted):
        for org in db.session.scalars(
                select(Organisation).where(func.lower(Organisation.name).in_(chunk))
                .order_by(Organisation.id)):
            found.setdefault(_fold(org.name), org)
    # Names equal once accents and case are ignored but not by SQL's lower(): check in Python.
    return found


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
    organisations = _existing_organisations({row.organisation for row in rows
                                             if row.organisation})
    by_email, by_name_list = _existing_people(rows)
    org_names = {org_id: _fold(org.name) for org_id, org in
                 ((o.id, o) for o in organisations.values())}
    by_name: dict[tuple[str, str], list[Person]] = {}
    for person in by_name_list:
        org_key = ""
        if person.organisation_id is not None:
            org_key = org_names.get(person.organisation_id)
            if org_key is None:
                org_key = _fold(person.organisation.name) if person.organisation else ""
        by_name.setdefault((_fold(person.full_name), org_key), []).append(person)
    attendance = {a.person_id: a for a in db.session.scalars(
        select(Attendance).where(Attendance.event_id == event.id))} if event.id else {}

    claimed: dict[int, int] = {}  # existing person id → row number
    for row in rows:
        planned = PlannedRow(data=row, person_action=CREATE)
        if row.organisation:
            org = organisations.get(_fold(row.organisation))
            if org is not None:
                planned.organisation_action, planned.organisation_id = MATCH, org.id
            else:
                key = _fold(row.organisation)
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
        return ImportPlan(errors=sheet.errors, row_count=len(sheet.rows))
    rows, errors = parse_rows(sheet, default_country=default_country, today=today)
    if errors:
        return ImportPlan(errors=errors, row_count=len(sheet.rows))
    return plan_rows(event, rows)
