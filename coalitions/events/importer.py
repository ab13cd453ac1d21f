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
  organisations and attendance up in the database (reads only, in
  :mod:`coalitions.events.matching`);
- ``coalitions.events.operations.import_attendance`` applies a valid plan.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from babel import Locale
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l

from accounts.organisations.forms import country_codes
from accounts.organisations.models import SECTOR_TITLES, Sector, organisation_name_key

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

# The plan and its actions are part of this module's API too (operations).
from .matching import CREATE, MATCH, MERGE, ImportPlan, PlannedRow, plan_rows  # noqa: F401
from .models import AttendanceRole, Event, Sex

MIN_BIRTH_YEAR = 1900

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
ATTENDED_WORDS = {**dict.fromkeys(YES_WORDS, True), **dict.fromkeys(NO_WORDS, False)}

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
    #: Consent to keeping their data: True, False, or None where the sheet does not say.
    consent: bool | None = None

    @property
    def name_key(self) -> tuple[str, str]:
        return fold(self.full_name), organisation_name_key(self.organisation)


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
        index = self.sheet.columns.get(key)  # an optional column may be missing
        if index is None:
            return ""
        return _text(self.cells[index]) if index < len(self.cells) else ""

    def fail(self, key: str, message, value: str = "") -> None:
        self.errors.append(RowError(self.number, TITLES[key], str(message), value))


def _parse_row(reader: _RowReader, countries: dict[str, str], default_country: str,
               today: date) -> RowData | None:
    full_name = _full_name(reader)
    email = _email(reader)
    sex = _word(reader, "sex", SEX_WORDS, lambda: _l(
        "Write Female, Male, Other, Prefer not to say, or leave it blank."))
    birth_year = _birth_year(reader, today)
    organisation = _organisation(reader)
    sector = _word(reader, "sector", SECTOR_WORDS, lambda: _l(
        "Write one of: %(sectors)s.",
        sectors=", ".join(str(title) for title in SECTOR_TITLES.values())))
    role = _word(reader, "role", ROLE_WORDS, lambda: _l(
        "Write Participant, Trainer, Expert or Organiser."), AttendanceRole.participant)
    country = _word(reader, "country", countries, lambda: _l(
        "Write the country's name or its two-letter code, such as BZ."), default_country)
    attended = _word(reader, "attended", ATTENDED_WORDS, lambda: _l(
        "Write Yes or No (blank means yes)."), True)
    consent = _word(reader, "consent", ATTENDED_WORDS, lambda: _l(
        "Write Yes or No (blank means not asked)."))
    if reader.errors:
        return None
    return RowData(
        row=reader.number, full_name=full_name, email=email, sex=sex, birth_year=birth_year,
        organisation=organisation, sector=sector, role=role, country=country,
        attended=attended, consent=consent)


def _word(reader: _RowReader, key: str, words: dict, message: Callable[[], Any],
          default=None):
    """The value a column's word stands for (in ``words``, compared folded); ``default`` when
    the cell is blank, or when the word is unknown, which is an error with ``message()``."""
    raw = reader.cell(key)
    if not raw:
        return default
    found = words.get(fold(raw))
    if found is None:
        reader.fail(key, message(), raw)
        return default
    return found


def _full_name(reader: _RowReader) -> str:
    written = reader.cell("full_name")
    full_name = " ".join(written.split())
    if not full_name:
        reader.fail("full_name", _l("Enter the person's full name."))
    elif len(full_name) > 200:
        reader.fail("full_name", _l("Use at most %(count)s characters.", count=200), full_name)
    elif (problem := check_name(written)) is not None:
        reader.fail("full_name", problem, written)
    return full_name


def _email(reader: _RowReader) -> str | None:
    email = reader.cell("email").lower() or None
    if email is None:
        return None
    try:
        if len(email) > 254:
            raise EmailNotValidError("too long")
        return validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        reader.fail("email", _l("This is not an email address."), reader.cell("email"))
        return None


def _birth_year(reader: _RowReader, today: date) -> int | None:
    raw_year = reader.cell("birth_year")
    if not raw_year:
        return None
    if not re.fullmatch(r"\d{4}", raw_year):
        reader.fail("birth_year", _l("Write the year of birth as four digits, such as "
                                     "1990."), raw_year)
        return None
    birth_year = int(raw_year)
    if birth_year > today.year:
        reader.fail("birth_year", _l("The year of birth is in the future."), raw_year)
    elif birth_year < MIN_BIRTH_YEAR:
        reader.fail("birth_year", _l("The year of birth is before %(year)s.",
                                     year=MIN_BIRTH_YEAR), raw_year)
    return birth_year


def _organisation(reader: _RowReader) -> str | None:
    written = reader.cell("organisation")
    organisation = " ".join(written.split()) or None
    if organisation is not None:
        if len(organisation) > 200:
            reader.fail("organisation", _l("Use at most %(count)s characters.", count=200),
                        organisation)
        elif (problem := check_name(written)) is not None:
            reader.fail("organisation", problem, written)
    return organisation


def parse_rows(sheet: Sheet, *, default_country: str = "BZ", today: date | None = None,
               seen: tuple[dict, dict] | None = None) -> tuple[list[RowData], list[RowError]]:
    """Check and normalise every row of ``sheet`` (no database access). A file read in parts
    passes the same ``seen`` (emails and name keys → row number) to every part, so that the
    same person twice in the file is found across parts."""
    if today is None:
        from core.timeutil import to_programme_time, utcnow
        today = to_programme_time(utcnow()).date()
    countries = _country_words()
    parsed: list[RowData] = []
    errors: list[RowError] = []
    seen_emails, seen_names = ({}, {}) if seen is None else seen
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
