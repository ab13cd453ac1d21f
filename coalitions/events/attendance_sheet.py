"""Reading an attendance sheet's header and rows, as written (the checks are in
:mod:`coalitions.events.importer`).

A file is read to its end, so that the people in it are all counted: one over
:data:`MAX_PEOPLE` is refused whole, never cut short. Blank rows are skipped and counted.

:func:`read_sheet` keeps every row (a file imported at once); :func:`open_sheet` reads the
header and hands the rows over one at a time (a large file, imported in the background, or
merely counted in the request).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from core.uploads import detection

#: A sheet with more people (rows that are not blank) is refused whole (split it). A sheet
#: over ``ATTENDANCE_JOB_THRESHOLD`` people is imported in the background, in steps. Read
#: when a sheet is read, so tests may lower it.
MAX_PEOPLE = 200_000

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
#: Columns a sheet may leave out: consent was not asked on the older sheets.
OPTIONAL_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("consent", "Consent", "Consentimiento"),
)
HEADER = [english for _key, english, _spanish in COLUMNS + OPTIONAL_COLUMNS]
SPANISH_HEADER = [spanish for _key, _english, spanish in COLUMNS + OPTIONAL_COLUMNS]
TITLES = {key: english for key, english, _spanish in COLUMNS + OPTIONAL_COLUMNS}


def fold(value: str) -> str:
    """Lower case, without accents and with single spaces: "  Sí " → "si"."""
    decomposed = unicodedata.normalize("NFKD", value)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


_HEADER_ALIASES = {fold(title): key for key, english, spanish in COLUMNS + OPTIONAL_COLUMNS
                   for title in (english, spanish)}
_HEADER_ALIASES.update({fold(alias): key for alias, key in (
    ("Name", "full_name"), ("Nombre", "full_name"), ("E-mail", "email"), ("Correo", "email"),
    ("Organization", "organisation"), ("Birth year", "birth_year"), ("Email address", "email"),
)})


# Results ----------------------------------------------------------------------------------

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
    #: Rows below the titles that are not blank, all counted even past the limit.
    people: int = 0
    #: Blank rows skipped between the titles and the last person (not those after it).
    blank_rows: int = 0


# Reading a file ----------------------------------------------------------------------------

def _not_a_spreadsheet() -> RowError:
    return RowError(0, "", str(_l("This file is not a spreadsheet. Upload the attendance "
                                  "sheet as an Excel workbook (.xlsx) or a CSV file (.csv).")))


def read_sheet(data: bytes, filename: str) -> Sheet:
    """The header and rows of an .xlsx or .csv file, judged by content; never raises for bad
    input (the problems are in ``Sheet.errors``)."""
    sheet, people = open_sheet(data, filename)
    if people is not None:
        _keep_people(people, sheet)
    return sheet


def open_sheet(data: bytes, filename: str) -> tuple[Sheet, Iterator[tuple[int, list]] | None]:
    """The sheet's header (``Sheet.columns``, or its errors) and its people's rows as an
    iterator of (row number, cells), read as they are asked for: ``Sheet.people`` and
    ``Sheet.blank_rows`` count those handed over so far, and a file damaged past the header
    adds its error to ``Sheet.errors`` when reached. The iterator is None when the file has
    no header row (its errors say why); a header with errors still counts the people."""
    sheet = Sheet()
    if not data:
        sheet.errors.append(RowError(0, "", str(_l("The file is empty."))))
        return sheet, None
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
        return sheet, None
    if sheet.errors or not _read_header(raw_rows, sheet):
        return sheet, None
    return sheet, _people_rows(raw_rows, sheet)


def is_workbook(data: bytes) -> bool:
    """Whether ``data`` is an .xlsx workbook (rather than a CSV file, or a damaged file)."""
    try:
        return detection.detect_kind(data) == detection.XLSX
    except detection.InvalidDocument:
        return False


def count_people(data: bytes, filename: str, *, stop_after: int | None = None) -> Sheet:
    """The header checked and the people counted (``Sheet.people``) without keeping their
    rows; counting stops once past ``stop_after`` people."""
    sheet, people = open_sheet(data, filename)
    if people is not None and not sheet.errors:
        for _row in people:
            if stop_after is not None and sheet.people > stop_after:
                break
    return sheet


def too_many_people(count: int, limit: int | None = None) -> RowError:
    limit = MAX_PEOPLE if limit is None else limit
    return RowError(0, "", str(_l(
        "The file has %(count)s people (rows that are not blank); one file can hold at "
        "most %(limit)s. Split it into smaller files.", count=count, limit=limit)))


def _xlsx_rows(data: bytes, sheet: Sheet) -> Iterator[list]:
    """The rows, one at a time (every row is read, to count the people in the file); a
    damaged file stops the rows with an error in ``sheet.errors``."""
    import openpyxl

    book = None
    try:
        # Formulas are read as written ("=..."), never evaluated or taken from a cache.
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        for row in book.worksheets[0].iter_rows(values_only=True):
            yield list(row)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds of errors for damaged files
        sheet.errors.append(_not_a_spreadsheet())
    finally:
        if book is not None:
            book.close()


def _csv_rows(data: bytes, sheet: Sheet) -> Iterator[list]:
    if b"\x00" in data:
        sheet.errors.append(_not_a_spreadsheet())
        return iter(())
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        sheet.errors.append(_not_a_spreadsheet())
        return iter(())
    first_line = text[:65536].split("\n", 1)[0]  # without copying the whole text
    delimiter = max(",;\t", key=first_line.count)
    return _csv_reader_rows(text, delimiter, sheet)


def _csv_reader_rows(text: str, delimiter: str, sheet: Sheet) -> Iterator[list]:
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error:
        sheet.errors.append(_not_a_spreadsheet())


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_blank_row(cells) -> bool:
    try:
        return not "".join(cells).strip()  # a CSV row: text only (the quick way)
    except TypeError:
        return all(_is_blank(value) for value in cells)


def _read_header(raw_rows: Iterator[list], sheet: Sheet) -> bool:
    """Read the first row's column titles into ``sheet`` (their problems into its errors);
    False when there is no such row."""
    header = next(raw_rows, None)
    if header is None or _is_blank_row(header):
        has_content = any(not _is_blank_row(cells) for cells in raw_rows)
        if sheet.errors:
            pass  # the file is damaged: that error says it all
        elif has_content:
            sheet.errors.append(RowError(1, "", str(_l(
                "The first row must hold the column titles: %(titles)s.",
                titles=" | ".join(HEADER)))))
        else:
            sheet.errors.append(RowError(0, "", str(_l("The file is empty."))))
        return False
    for index, cell in enumerate(header):
        if _is_blank(cell):
            continue
        title = str(cell).strip()
        key = _HEADER_ALIASES.get(fold(title))
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
    return True


def _people_rows(raw_rows: Iterator[list], sheet: Sheet) -> Iterator[tuple[int, list]]:
    """The rows that are not blank, counted in ``sheet.people``; blank rows are skipped and
    counted in ``sheet.blank_rows`` once a person follows them."""
    blanks_since_last_person = 0
    for number, cells in enumerate(raw_rows, start=2):
        if _is_blank_row(cells):
            blanks_since_last_person += 1
            continue
        sheet.blank_rows += blanks_since_last_person
        blanks_since_last_person = 0
        sheet.people += 1
        yield number, cells


def _keep_people(people: Iterator[tuple[int, list]], sheet: Sheet) -> None:
    """Keep the people's rows up to the limit, counting every one: a file over the limit is
    refused whole, never cut short."""
    limit, errors_before = MAX_PEOPLE, len(sheet.errors)
    for number, cells in people:
        if sheet.people <= limit:
            sheet.rows.append((number, cells))
    if len(sheet.errors) > errors_before:
        return  # the file is damaged: that error says it all
    if sheet.people > limit:
        sheet.errors.append(too_many_people(sheet.people, limit))
    elif not sheet.errors and not sheet.rows:
        sheet.errors.append(no_people())


def no_people() -> RowError:
    return RowError(0, "", str(_l("The file has no attendance rows below the column titles.")))
