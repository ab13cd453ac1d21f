"""Cells: the header and total styles, and the converters that turn a column's values into
what a streamed sheet row receives, typed and formatted by the column's kind."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils.indexed_list import IndexedList

from .columns import NUMERIC_KINDS, Column
from .text import ERROR_LOOKALIKES, NEEDS_CARE, SURELY_SHORT, safe_text

# Bold versions of openpyxl's default font, spelled out so every reader shows the same face.
HEADER_FONT = Font(name="Calibri", family=2, scheme="minor", sz=11, bold=True)
HEADER_FILL = PatternFill(fill_type="solid", fgColor="FFDDEBF7")
HEADER_BORDER = Border(bottom=Side(style="thin", color="FF8EA9C1"))
TOTAL_FONT = HEADER_FONT
TOTAL_BORDER = Border(top=Side(style="thin", color="FF8EA9C1"))
HEADING_FONT = Font(name="Calibri", family=2, scheme="minor", sz=14, bold=True)
BLOCK_TITLE_FONT = Font(name="Calibri", family=2, scheme="minor", sz=12, bold=True)
NOTE_FONT = Font(name="Calibri", family=2, scheme="minor", sz=11, italic=True)
# Headers wrap between words rather than being cut by the next column; wrapped text in a
# row of several lines reads best from the top.
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="top")
WRAP_ALIGNMENT = Alignment(wrap_text=True, vertical="top")
TOP_ALIGNMENT = Alignment(vertical="top")
RIGHT_ALIGNMENT = Alignment(horizontal="right", vertical="top")

Converter = Callable[[Any], Any]


class StreamedCell(Cell):
    """A cell handed to a write-only sheet's ``append``. openpyxl tells a cell from a value
    by failing to store it as a value, and the error it raises spells the cell out: this
    one's is short, which spares a large workbook's hundreds of thousands of styled cells
    formatting their coordinates for nothing."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<streamed cell>"


def WriteOnlyCell(sheet=None, value=None) -> StreamedCell:  # noqa: N802 (openpyxl's name)
    """openpyxl's ``WriteOnlyCell``, as a :class:`StreamedCell`."""
    return StreamedCell(worksheet=sheet, column=1, row=1, value=value)


def read_from_the_top(book) -> None:
    """Every cell of ``book`` reads from the top unless styled otherwise: the default cell
    format (the first one, which every plain value uses) and Excel's "Normal" style are
    aligned to the top, as Excel writes them when that style is changed. A one-line value
    beside wrapped text of several lines then stands by its first line without a style of
    its own: openpyxl writes a styled cell at about twice the cost of a plain value. Call it
    on a new workbook, before any cell is made (it sets openpyxl's style tables)."""
    first = StyleArray()
    first.alignmentId = book._alignments.add(TOP_ALIGNMENT)
    book._cell_styles = IndexedList([first])
    book._named_styles["Normal"].alignment = TOP_ALIGNMENT


def styled_cell(sheet, value, *, font=None, fill=None, border=None, number_format=None,
                as_text=False, alignment=None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if as_text:
        cell.data_type = "s"
    if alignment is not None:
        cell.alignment = alignment
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if border is not None:
        cell.border = border
    if number_format is not None:
        cell.number_format = number_format
    return cell


def header_row(sheet, texts: list[str]) -> list[WriteOnlyCell]:
    """The bold, filled header cells every sheet and block starts with."""
    return [styled_cell(sheet, text, font=HEADER_FONT, fill=HEADER_FILL, border=HEADER_BORDER,
                        as_text=True, alignment=HEADER_ALIGNMENT) for text in texts]


def header_texts(columns: list[Column], *, for_table: bool) -> list[str]:
    """Header texts, made safe; for a table also single-line, non-empty and unique, because
    Excel requires table column names to be so (and to match the header cells)."""
    texts = [safe_text(str(column.title)) for column in columns]
    if not for_table:
        return texts
    seen: set[str] = set()
    unique = []
    for number, text in enumerate(texts, 1):
        text = " ".join(text.split()) or f"Column{number}"
        candidate, copy = text, 1
        while candidate.casefold() in seen:
            copy += 1
            candidate = f"{text} {copy}"
        seen.add(candidate.casefold())
        unique.append(candidate)
    return unique


def text_cell(sheet, value: str) -> WriteOnlyCell:
    """A cell that is text whatever the string looks like (openpyxl would otherwise read a
    leading "=" as a formula and "#N/A" as an error value)."""
    cell = WriteOnlyCell(sheet, value=safe_text(value))
    cell.data_type = "s"
    return cell


# -- converters --------------------------------------------------------------------------------
#
# Plain values go to openpyxl as they are; values that need a number format go in a styled
# cell. That cell is made once per column and reused row after row: a write-only sheet
# serialises each row completely inside ``append``, before the next row is built, so the reuse
# is safe and saves creating and styling a cell for every value of a large sheet.

def converter(sheet, column: Column, zone: ZoneInfo,
              yes_no: tuple[str, str] | None = None) -> Converter:
    """A function turning one of ``column``'s values into what the sheet row receives.
    ``yes_no`` are the words booleans are written as (None: TRUE and FALSE)."""
    if column.wrap:  # wrapped in its column, read from the top
        return _aligned_text(sheet, WRAP_ALIGNMENT)
    text = _text_converter(sheet)
    if column.kind == "boolean" and yes_no is not None:
        return _words_converter(yes_no, text)
    make = _CONVERTER_MAKERS.get(column.kind)
    if make is None:  # a text column
        return text
    if column.kind in NUMERIC_KINDS:
        # A word among numbers ("fewer than 5", "n/a") lines up with them, on the right.
        text = _aligned_text(sheet, RIGHT_ALIGNMENT)
    return make(sheet, column, zone, text)


def _aligned_text(sheet, alignment) -> Converter:
    """Text always written as text, in one styled cell reused row after row."""
    cell = styled_cell(sheet, None, as_text=True, alignment=alignment)

    def text(value):
        if value is None:
            return None
        cell.value = safe_text(str(value))
        cell.data_type = "s"
        return cell
    return text


def _words_converter(yes_no: tuple[str, str], text: Converter) -> Converter:
    """Booleans as words in the reader's language ("Yes"/"No", "Sí"/"No"): a reader sees
    words where a 1/0 or TRUE/FALSE would need explaining, and the filter lists them."""
    yes, no = (safe_text(str(word)) for word in yes_no)

    def word(value):
        if value is None:
            return None
        if isinstance(value, str):
            return text(value)
        return yes if value else no
    return word


def _text_converter(sheet) -> Converter:
    cell = WriteOnlyCell(sheet)  # reused row after row (see above)

    def text(value):
        if value is None:
            return None
        if value.__class__ is not str:
            value = str(value)
        if (NEEDS_CARE.search(value) is None and value not in ERROR_LOOKALIKES
                and len(value) <= SURELY_SHORT):
            return value
        cell.value = safe_text(value)
        cell.data_type = "s"
        return cell
    return text


def _formatted_cell(sheet, column: Column) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet)
    cell.number_format = column.number_format
    cell.alignment = TOP_ALIGNMENT  # as the plain values around it (see read_from_the_top)
    return cell


def _in_zone(value: datetime, zone: ZoneInfo) -> datetime:
    if value.tzinfo is None:  # naive means UTC, as in core.timeutil.as_utc
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone)


def _boolean_converter(sheet, column: Column, zone: ZoneInfo, text: Converter) -> Converter:
    def boolean(value):
        if value is None or value.__class__ is bool:
            return value
        if isinstance(value, str):
            return text(value)
        return bool(value)
    return boolean


def _datetime_converter(sheet, column: Column, zone: ZoneInfo, text: Converter) -> Converter:
    cell = _formatted_cell(sheet, column)

    def moment(value):
        if value is None:
            return None
        if isinstance(value, datetime):
            value = _in_zone(value, zone).replace(tzinfo=None)
        elif not isinstance(value, date):
            if isinstance(value, str):
                return text(value)
            raise TypeError(f"column {column.title!r} takes datetimes, not {value!r}")
        cell.value = value
        return cell
    return moment


def _date_converter(sheet, column: Column, zone: ZoneInfo, text: Converter) -> Converter:
    cell = _formatted_cell(sheet, column)

    def day(value):
        if value is None:
            return None
        if isinstance(value, datetime):  # the day it is in the workbook's zone
            value = _in_zone(value, zone).date()
        elif not isinstance(value, date):
            if isinstance(value, str):
                return text(value)
            raise TypeError(f"column {column.title!r} takes dates, not {value!r}")
        cell.value = value
        return cell
    return day


def _number_converter(sheet, column: Column, zone: ZoneInfo, text: Converter) -> Converter:
    cell = _formatted_cell(sheet, column)
    refuse_float = column.kind == "money"

    def number(value):
        if value is None:
            return None
        cls = value.__class__
        if cls is Decimal:
            if not value.is_finite():
                return None  # Excel has no NaN or infinity: leave the cell empty
        elif cls is int:
            pass
        elif cls is float:
            if refuse_float:
                raise TypeError(f"money column {column.title!r} takes Decimal, not float")
            if not math.isfinite(value):
                return None
        elif isinstance(value, str):
            return text(value)
        elif isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            raise TypeError(f"column {column.title!r} takes numbers, not {value!r}")
        cell.value = value
        return cell
    return number


#: The converter maker of each column kind but text.
_CONVERTER_MAKERS: dict[str, Callable[[Any, Column, ZoneInfo, Converter], Converter]] = {
    "boolean": _boolean_converter,
    "datetime": _datetime_converter,
    "date": _date_converter,
    "integer": _number_converter,
    "decimal": _number_converter,
    "money": _number_converter,
    "percent": _number_converter,
}
