"""Excel exports: the one helper every spreadsheet the application produces goes through.

Why one helper: every export must look the same (bold filled header, frozen header row,
filters, sensible widths, real numbers and dates with formats) and must be equally safe.
Spreadsheets built from user text are an injection channel: a comment such as
``=HYPERLINK("http://evil", "click")`` must reach the reader as text, never as a formula.

Design choices, each for a reason:

- **Always streaming.** The underlying ``openpyxl.Workbook`` is created with
  ``write_only=True`` for every sheet, small or large, so there is one code path and memory
  stays bounded however many rows a sheet has: rows are pulled from the caller's iterable one
  at a time and written straight to a temporary file. Pass a generator (or a query that
  yields rows) for big sheets rather than a list.
- **Values keep their types.** ``Decimal`` amounts are handed to openpyxl as they are (never
  converted to float here), dates are written as Excel dates, booleans as TRUE/FALSE, and
  every numeric or date cell carries a number format chosen by its column's kind.
- **Times in one zone.** Excel has no time zones, so aware datetimes (stored in UTC) are
  converted to the workbook's zone and written without one. The caller names the zone in the
  column title.
- **User text is never a formula.** Every string goes through :func:`safe_text` and is written
  as a string cell. The only formulas in a workbook are the ``SUBTOTAL`` totals this module
  builds itself.
- **Summaries are small titled blocks, with native charts.** :meth:`Workbook.add_block_sheet`
  writes several small tables one below the other on one sheet (a summary page); a block
  may carry a :class:`Chart`, a native Excel chart (``openpyxl.chart``) drawn beside it from
  the block's own cells, so the reader can check every bar against a number.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any, BinaryIO, Self
from zoneinfo import ZoneInfo

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, PieChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

if TYPE_CHECKING:
    from flask import Response

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

KINDS = frozenset({"text", "integer", "decimal", "money", "percent", "date", "datetime",
                   "boolean"})

#: Number formats per column kind ("money" is built from the column's currency).
NUMBER_FORMATS = {
    "integer": "#,##0",
    "decimal": "#,##0.00",
    "money": "#,##0.00",
    "percent": "0.0%",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}

#: Default widths in characters, before the header's own length is taken into account.
DEFAULT_WIDTHS = {
    "text": 24, "integer": 10, "decimal": 12, "money": 14, "percent": 9, "date": 11,
    "datetime": 16, "boolean": 8,
}
MAX_DEFAULT_WIDTH = 50

#: The aggregates a totals row can show, as SUBTOTAL function numbers. The 1xx numbers skip
#: rows hidden by a filter, so the totals follow what the reader is looking at.
TOTAL_FUNCTIONS = {"sum": 109, "average": 101, "count": 103, "min": 105, "max": 104}

#: Excel's hard limit on rows per sheet.
MAX_ROWS = 1_048_576

_FORMULA_TRIGGERS = frozenset("=+-@\t\r")
# Characters XML 1.0 cannot carry (openpyxl raises IllegalCharacterError on the C0 ones and
# the file would be unreadable with the others).
_ILLEGAL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# One pass decides whether a string can be written as it is (the common case).
_NEEDS_CARE = re.compile("^[=+\\-@\t\r]|[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Strings openpyxl would store as error values rather than text.
_ERROR_LOOKALIKES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!",
                               "#N/A"})
_CURRENCY_CODE = re.compile(r"[A-Z]{3}")
_INVALID_TITLE_CHARACTERS = re.compile(r"[\[\]:*?/\\]")
_MAX_TITLE = 31
#: Excel's limit on the length of one cell's text, in UTF-16 code units.
MAX_CELL_TEXT = 32_767
# Strings at most this long (in code points) are within the limit whatever they hold.
_SURELY_SHORT = MAX_CELL_TEXT // 2

# Bold versions of openpyxl's default font, spelled out so every reader shows the same face.
_HEADER_FONT = Font(name="Calibri", family=2, scheme="minor", sz=11, bold=True)
_HEADER_FILL = PatternFill(fill_type="solid", fgColor="FFDDEBF7")
_HEADER_BORDER = Border(bottom=Side(style="thin", color="FF8EA9C1"))
_TOTAL_FONT = _HEADER_FONT
_TOTAL_BORDER = Border(top=Side(style="thin", color="FF8EA9C1"))
_TABLE_STYLE = "TableStyleMedium2"
_HEADING_FONT = Font(name="Calibri", family=2, scheme="minor", sz=14, bold=True)
_BLOCK_TITLE_FONT = Font(name="Calibri", family=2, scheme="minor", sz=12, bold=True)
_NOTE_FONT = Font(name="Calibri", family=2, scheme="minor", sz=11, italic=True)

#: Chart kinds: vertical bars, horizontal bars, pie.
CHART_KINDS = frozenset({"column", "bar", "pie"})
_NUMERIC_KINDS = frozenset({"integer", "decimal", "money", "percent"})
#: The height of Excel's default row (15 points) in centimetres, to keep charts off the
#: next block.
_ROW_HEIGHT_CM = 0.53


def safe_text(value: str) -> str:
    """``value`` made safe to store as spreadsheet text.

    - Characters XML cannot carry (C0 controls other than tab, line feed and carriage return,
      lone surrogates, U+FFFE, U+FFFF) are replaced by U+FFFD, so user text never makes an
      export fail and the reader can see that something was there.
    - Text whose first character is ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
      prefixed with a single quote (the OWASP recommendation against formula injection).
      Inside the workbook such text is already safe because it is written as a string cell;
      the quote keeps it inert when the sheet is copied, re-typed or saved as CSV and opened
      again, where a spreadsheet would otherwise evaluate it. Nothing is stripped first: a
      leading space is not a trigger.
    - Text longer than a cell holds (:data:`MAX_CELL_TEXT`) is cut and ends with "…".
    """
    text = _ILLEGAL_CHARACTERS.sub("\ufffd", value)
    if text and text[0] in _FORMULA_TRIGGERS:
        text = "'" + text
    return _fit_cell(text)


def _fit_cell(text: str) -> str:
    """``text`` cut to what one Excel cell holds (:data:`MAX_CELL_TEXT` UTF-16 code units),
    ending with "…" when cut: Excel refuses to open a file with a longer cell."""
    if len(text) <= _SURELY_SHORT:
        return text
    encoded = text.encode("utf-16-le", "surrogatepass")
    if len(encoded) <= 2 * MAX_CELL_TEXT:
        return text
    # A character outside the BMP cut in half is dropped whole by "ignore".
    return encoded[:2 * (MAX_CELL_TEXT - 1)].decode("utf-16-le", "ignore") + "\u2026"


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header and how its values are written.

    ``title`` is the header text, already translated; when a column holds times, name the time
    zone in it. ``kind`` picks the number format: integers ``#,##0``, decimals ``#,##0.00``,
    money ``#,##0.00`` followed by the ISO 4217 ``currency`` code when given, percent
    ``0.0%`` (values are fractions: 0.25 shows as 25.0%), dates ``yyyy-mm-dd``, datetimes
    ``yyyy-mm-dd hh:mm``; booleans are real TRUE/FALSE values and text is text. ``width`` is in
    characters; ``None`` chooses one from the kind and the header's length.
    """

    title: str
    kind: str = "text"
    width: float | None = None
    currency: str | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}; expected one of {sorted(KINDS)}")
        if self.currency is not None:
            if self.kind != "money":
                raise ValueError("only money columns take a currency")
            if not _CURRENCY_CODE.fullmatch(self.currency):
                raise ValueError(f"not an ISO 4217 currency code: {self.currency!r}")
        if self.width is not None and not 0 < self.width <= 255:
            raise ValueError("a column width is between 0 and 255 characters")

    @property
    def number_format(self) -> str | None:
        """The Excel number format of this column's cells (``None`` for text and booleans)."""
        if self.kind == "money" and self.currency:
            return f'#,##0.00 "{self.currency}"'
        return NUMBER_FORMATS.get(self.kind)

    @property
    def display_width(self) -> float:
        """The width written to the sheet: the given one, or the kind's default widened to fit
        the header and its filter button, up to a limit."""
        if self.width is not None:
            return self.width
        base = DEFAULT_WIDTHS[self.kind] + (4 if self.currency else 0)
        return float(min(max(base, len(str(self.title)) + 3), MAX_DEFAULT_WIDTH))


@dataclass(frozen=True)
class Chart:
    """A native Excel chart of the block it belongs to (see :class:`Block`).

    ``kind`` is "column" (vertical bars), "bar" (horizontal bars) or "pie". ``categories``
    is the index (0-based, in the block's columns) of the column whose values label the bars
    or slices; ``values`` are the indexes of the numeric columns drawn, one series each, named
    by their headers (a pie draws one). ``title`` is already translated. ``width`` and
    ``height`` are in centimetres.
    """

    kind: str
    title: str
    values: tuple[int, ...] = (1,)
    categories: int = 0
    width: float = 16.0
    height: float = 7.5

    def __post_init__(self):
        if self.kind not in CHART_KINDS:
            raise ValueError(f"unknown chart kind {self.kind!r}; expected one of "
                             f"{sorted(CHART_KINDS)}")
        if not self.values:
            raise ValueError("a chart needs at least one value column")
        if self.kind == "pie" and len(self.values) != 1:
            raise ValueError("a pie chart draws exactly one value column")
        if self.categories in self.values:
            raise ValueError("the category column cannot also be a value column")
        if not (0 < self.width <= 60 and 0 < self.height <= 60):
            raise ValueError("a chart is between 0 and 60 centimetres wide and high")


@dataclass(frozen=True)
class Block:
    """One small titled table of a block sheet (:meth:`Workbook.add_block_sheet`).

    ``title`` (already translated) is written above the table in bold, ``note`` below the
    title in italics. ``columns`` and ``rows`` are as for :meth:`Workbook.add_sheet`: the rows
    are consumed once, each value written with its column's type and format. ``chart`` draws
    a native chart from the block's cells, beside it; a block without rows gets no chart (an
    empty chart would only confuse).
    """

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    chart: Chart | None = None
    note: str | None = None

    def __post_init__(self):
        if not self.columns:
            raise ValueError("a block needs at least one column")
        chart = self.chart
        if chart is None:
            return
        width = len(self.columns)
        for index in (chart.categories, *chart.values):
            if not 0 <= index < width:
                raise ValueError(f"chart column {index} is not a column of the block")
        for index in chart.values:
            if self.columns[index].kind not in _NUMERIC_KINDS:
                raise ValueError(f"chart values must be numeric; column {index} holds "
                                 f"{self.columns[index].kind}")


class Workbook:
    """An .xlsx workbook written sheet by sheet, streaming every sheet.

    Build it, call :meth:`add_sheet` once per sheet (each sheet is complete when the call
    returns, so sheets cannot be revisited), then :meth:`save` once. ``timezone`` is the IANA
    zone datetimes are shown in; ``None`` means the programme's zone (the
    ``PROGRAMME_TIMEZONE`` setting, which needs an app context).
    """

    def __init__(self, *, timezone: str | None = None):
        if timezone is None:
            from core.timeutil import programme_tz
            self._zone = programme_tz()
        else:
            self._zone = ZoneInfo(timezone)
        self._book = openpyxl.Workbook(write_only=True)
        self._titles: set[str] = {"history"}  # Excel reserves "History"
        self._sheet_titles: list[str] = []
        self._table_count = 0
        self._row_counts: dict[str, int] = {}
        self._saved = False

    @property
    def sheet_titles(self) -> list[str]:
        """The titles of the sheets written so far, in the file's order."""
        return list(self._sheet_titles)

    @property
    def row_counts(self) -> dict[str, int]:
        """Data rows written per sheet (headers, totals, block titles and blank lines not
        counted), in the file's order."""
        return {title: self._row_counts[title] for title in self._sheet_titles}

    def add_sheet(self, title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]],
                  *, totals: Mapping[int, str] | None = None, totals_label: str | None = None,
                  table: bool = False, position: int | None = None) -> str:
        """Write a sheet and return its title as stored (see below).

        ``rows`` is consumed once, one row at a time; each row has one value per column.
        ``None`` is an empty cell. A string in a numeric, date or boolean column is written as
        (safe) text, so a placeholder such as "n/a" is possible without breaking the column's
        format. A float in a money column is refused, as everywhere money is handled.

        The header row is bold and filled, the pane is frozen below it and every column gets
        its width and number format. The written range gets an autofilter or, with
        ``table=True``, becomes an Excel table (named ``Table1``, ``Table2``... in the
        workbook; a sheet with no rows gets a plain autofilter because a table needs a row).

        ``totals`` maps column indexes (0-based) to an aggregate in :data:`TOTAL_FUNCTIONS`
        ("sum", "average", "count", "min", "max"); a bold row is then added below the data with
        ``=SUBTOTAL(n, X2:Xlast)`` formulas, which skip rows hidden by the filter, and
        ``totals_label`` (already translated, e.g. "Total") in the first column, which
        therefore cannot itself be totalled. With no data rows the totals are a plain 0.

        The title is made acceptable to Excel: characters ``[]:*?/\\`` become ``-``, control
        characters are dropped, leading and trailing quotes and spaces are removed, it is cut to
        31 characters and made unique in the workbook (case-insensitively, as Excel compares
        them) by appending " (2)", " (3)"...

        ``position`` (0-based) places the sheet among those already written, e.g. 0 to put a
        summary written last in front; by default it goes after them.
        """
        if self._saved:
            raise RuntimeError("the workbook has been saved or closed; it takes no more sheets")
        columns = list(columns)
        if not columns:
            raise ValueError("a sheet needs at least one column")
        totals = dict(totals or {})
        for index, function in totals.items():
            if not 0 < index < len(columns):
                raise ValueError(f"totals column {index} is not a column after the first")
            if function not in TOTAL_FUNCTIONS:
                raise ValueError(f"unknown total {function!r}; expected one of "
                                 f"{sorted(TOTAL_FUNCTIONS)}")
        if totals and totals_label is None:
            raise ValueError("a totals row needs its (translated) label")

        return self._add(title, position, lambda sheet: self._write_sheet(
            sheet, columns, rows, totals, totals_label, table))

    def add_block_sheet(self, title: str, blocks: Sequence[Block], *,
                        heading: str | None = None, position: int | None = None) -> str:
        """Write a sheet of small titled tables, one below the other, and return its title.

        For summary pages: each :class:`Block` gets its bold title, its optional note, a
        header row styled as on every sheet and its rows, with the same types, formats and
        protection of user text as :meth:`add_sheet`; a blank line separates the blocks.
        ``heading`` (already translated) is written first, larger. A block's chart is
        anchored to the right of the widest block, level with the block's title, and the next
        block starts below the chart. Column widths are the widest of the blocks' columns at
        each position. Such a sheet has no frozen pane and no filter (it has no single
        header). ``title`` and ``position`` are as for :meth:`add_sheet`.
        """
        if self._saved:
            raise RuntimeError("the workbook has been saved or closed; it takes no more sheets")
        blocks = list(blocks)
        if not blocks:
            raise ValueError("a block sheet needs at least one block")
        return self._add(title, position,
                         lambda sheet: self._write_blocks(sheet, blocks, heading))

    def _add(self, title: str, position: int | None, write: Callable[[Any], int]) -> str:
        if position is not None and not 0 <= position <= len(self._sheet_titles):
            raise ValueError(f"position {position} is outside the workbook's "
                             f"{len(self._sheet_titles)} sheets")
        sheet_title = self._unique_title(title)
        sheet = self._book.create_sheet(title=sheet_title)
        try:
            count = write(sheet)
        except BaseException:
            # A failed sheet (a bad value, a query error while streaming) is dropped whole, so
            # the workbook never holds half a sheet and its temporary file is not left behind.
            self._discard(sheet)
            self._titles.discard(sheet_title.casefold())
            raise
        if position is None:
            self._sheet_titles.append(sheet_title)
        else:
            self._book.move_sheet(sheet_title, position - len(self._sheet_titles))
            self._sheet_titles.insert(position, sheet_title)
        self._row_counts[sheet_title] = count
        return sheet_title

    def _write_sheet(self, sheet, columns: list[Column], rows: Iterable[Sequence[Any]],
                     totals: dict[int, str], totals_label: str | None, table: bool) -> int:
        width = len(columns)
        last_letter = get_column_letter(width)

        # Widths and the frozen pane belong to the top of the sheet's XML, so they must be set
        # before the first row is streamed.
        for number, column in enumerate(columns, 1):
            sheet.column_dimensions[get_column_letter(number)].width = column.display_width
        sheet.freeze_panes = "A2"

        headers = _header_texts(columns, for_table=table)
        sheet.append([_styled_cell(sheet, text, font=_HEADER_FONT, fill=_HEADER_FILL,
                                   border=_HEADER_BORDER, as_text=True) for text in headers])

        converters = [_converter(sheet, column, self._zone) for column in columns]
        limit = MAX_ROWS - 1 - (1 if totals else 0)
        count = 0
        append = sheet.append
        for row in rows:
            if len(row) != width:
                raise ValueError(f"row {count + 1} of sheet {sheet.title!r} has {len(row)} "
                                 f"values for {width} columns")
            count += 1
            if count > limit:
                raise ValueError(f"sheet {sheet.title!r} has more rows than Excel allows")
            append([convert(value) for convert, value in zip(converters, row, strict=True)])

        last_row = count + 1
        if totals:
            sheet.append(_totals_row(sheet, columns, totals, totals_label, count))

        data_range = f"A1:{last_letter}{last_row}"
        if table and count:
            self._table_count += 1
            grid = Table(displayName=f"Table{self._table_count}", ref=data_range)
            grid.tableColumns = [TableColumn(id=number, name=text)
                                 for number, text in enumerate(headers, 1)]
            grid.autoFilter = AutoFilter(ref=data_range)
            grid.tableStyleInfo = TableStyleInfo(name=_TABLE_STYLE, showRowStripes=True)
            # TableList.add rather than add_table, which warns in write-only mode even when
            # the columns are given, as they are here.
            sheet.tables.add(grid)
        else:
            sheet.auto_filter.ref = data_range
        sheet.close()  # finishes the sheet's XML in its temporary file
        return count

    def _write_blocks(self, sheet, blocks: list[Block], heading: str | None) -> int:
        widest = max(len(block.columns) for block in blocks)
        for index in range(widest):
            sheet.column_dimensions[get_column_letter(index + 1)].width = max(
                block.columns[index].display_width for block in blocks
                if index < len(block.columns))
        chart_column = get_column_letter(widest + 2)

        written = 0  # rows of the sheet so far: the next row appended is written + 1
        data_rows = 0

        def put(values) -> None:
            nonlocal written
            sheet.append(values)
            written += 1

        if heading is not None:
            put([_styled_cell(sheet, safe_text(str(heading)), font=_HEADING_FONT,
                              as_text=True)])
            put([])
        for number, block in enumerate(blocks):
            if number:
                put([])
            columns = list(block.columns)
            first = written + 1
            put([_styled_cell(sheet, safe_text(str(block.title)), font=_BLOCK_TITLE_FONT,
                              as_text=True)])
            if block.note is not None:
                put([_styled_cell(sheet, safe_text(str(block.note)), font=_NOTE_FONT,
                                  as_text=True)])
            header = written + 1
            put([_styled_cell(sheet, text, font=_HEADER_FONT, fill=_HEADER_FILL,
                              border=_HEADER_BORDER, as_text=True)
                 for text in _header_texts(columns, for_table=False)])
            converters = [_converter(sheet, column, self._zone) for column in columns]
            count = 0
            for row in block.rows:
                if len(row) != len(columns):
                    raise ValueError(f"row {count + 1} of block {str(block.title)!r} has "
                                     f"{len(row)} values for {len(columns)} columns")
                count += 1
                put([convert(value) for convert, value in zip(converters, row, strict=True)])
            data_rows += count
            if block.chart is not None and count:
                chart = _chart(sheet, block.chart, header, header + count)
                sheet.add_chart(chart, f"{chart_column}{first}")
                # Keep the next block (after its blank line) below the chart.
                bottom = first + math.ceil(block.chart.height / _ROW_HEIGHT_CM)
                while written < bottom - 1:
                    put([])
            if written + 1 > MAX_ROWS:
                raise ValueError(f"sheet {sheet.title!r} has more rows than Excel allows")
        sheet.close()
        return data_rows

    def save(self, target: str | os.PathLike | BinaryIO) -> None:
        """Write the .xlsx to a path or a binary file object. A workbook is saved once."""
        if self._saved:
            raise RuntimeError("the workbook has already been saved or closed")
        self._saved = True
        self._book.save(target)

    def close(self) -> None:
        """Delete the temporary files of a workbook that will not be saved, e.g. after an
        error while building it (saving deletes them itself). Harmless after :meth:`save` and
        when called again; ``with Workbook(...) as workbook:`` calls it on the way out."""
        if self._saved:
            return
        self._saved = True
        for sheet in list(self._book.worksheets):
            self._discard(sheet)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _discard(self, sheet) -> None:
        """Remove ``sheet`` and its temporary file. Best effort: it runs while another error is
        being handled, and the file is deleted at exit anyway if this fails."""
        self._book.remove(sheet)
        with contextlib.suppress(Exception):
            if not sheet.closed:
                sheet.close()
        writer = getattr(sheet, "_writer", None)  # openpyxl's streaming writer, if started
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.close()
                writer.cleanup()

    def _unique_title(self, title: str) -> str:
        text = _ILLEGAL_CHARACTERS.sub("", str(title)).replace("\t", " ").replace(
            "\n", " ").replace("\r", " ")
        text = _INVALID_TITLE_CHARACTERS.sub("-", text)
        base = _trim_title(text[:_MAX_TITLE]) or "Sheet"
        candidate, number = base, 1
        while candidate.casefold() in self._titles:
            number += 1
            suffix = f" ({number})"
            candidate = (_trim_title(base[:_MAX_TITLE - len(suffix)]) or "Sheet") + suffix
        self._titles.add(candidate.casefold())
        return candidate


def send_workbook(workbook: Workbook, filename: str) -> Response:
    """A Flask response that downloads ``workbook`` as ``filename`` (".xlsx" is appended when
    missing; non-ASCII names are sent per RFC 5987).

    The file is built in an anonymous temporary file rather than in memory, so a large donor
    workbook costs disk, not RAM; the file disappears when the response is closed. It is sent
    as an attachment that no cache keeps, as every personal-data download is.
    """
    from flask import send_file

    from core.uploads.responses import DOWNLOAD_CSP

    if not filename.lower().endswith(".xlsx"):
        filename += ".xlsx"
    # Not a "with" block: the response closes the file once it has been sent.
    handle: IO[bytes] = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    try:
        workbook.save(handle)
        size = handle.tell()
        handle.seek(0)
        response = send_file(handle, mimetype=XLSX_MIMETYPE, as_attachment=True,
                             download_name=filename, conditional=False, etag=False,
                             max_age=None)
    except BaseException:
        handle.close()
        raise
    response.content_length = size
    headers = response.headers
    headers["Cache-Control"] = "private, no-store"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Content-Security-Policy"] = DOWNLOAD_CSP
    return response


# -- writing cells -----------------------------------------------------------------------------

def _trim_title(text: str) -> str:
    # Excel refuses titles that start or end with an apostrophe.
    return text.strip().strip("'").strip()


def _header_texts(columns: list[Column], *, for_table: bool) -> list[str]:
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


def _styled_cell(sheet, value, *, font=None, fill=None, border=None, number_format=None,
                 as_text=False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if as_text:
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if border is not None:
        cell.border = border
    if number_format is not None:
        cell.number_format = number_format
    return cell


def _text_cell(sheet, value: str) -> WriteOnlyCell:
    """A cell that is text whatever the string looks like (openpyxl would otherwise read a
    leading "=" as a formula and "#N/A" as an error value)."""
    cell = WriteOnlyCell(sheet, value=safe_text(value))
    cell.data_type = "s"
    return cell


def _converter(sheet, column: Column, zone: ZoneInfo) -> Callable[[Any], Any]:
    """A function turning one of ``column``'s values into what the sheet row receives.

    Plain values go to openpyxl as they are; values that need a number format go in a styled
    cell. That cell is made once per column and reused row after row: a write-only sheet
    serialises each row completely inside ``append``, before the next row is built, so the
    reuse is safe and saves creating and styling a cell for every value of a large sheet.
    """
    kind = column.kind

    def text(value):
        if value is None:
            return None
        if value.__class__ is not str:
            value = str(value)
        if (_NEEDS_CARE.search(value) is None and value not in _ERROR_LOOKALIKES
                and len(value) <= _SURELY_SHORT):
            return value
        return _text_cell(sheet, value)

    if kind == "text":
        return text

    if kind == "boolean":
        def boolean(value):
            if value is None or value.__class__ is bool:
                return value
            if isinstance(value, str):
                return text(value)
            return bool(value)
        return boolean

    cell = WriteOnlyCell(sheet)
    cell.number_format = column.number_format

    if kind == "datetime":
        def moment(value):
            if value is None:
                return None
            if isinstance(value, datetime):
                if value.tzinfo is None:  # naive means UTC, as in core.timeutil.as_utc
                    value = value.replace(tzinfo=UTC)
                value = value.astimezone(zone).replace(tzinfo=None)
            elif not isinstance(value, date):
                if isinstance(value, str):
                    return text(value)
                raise TypeError(f"column {column.title!r} takes datetimes, not {value!r}")
            cell.value = value
            return cell
        return moment

    if kind == "date":
        def day(value):
            if value is None:
                return None
            if isinstance(value, datetime):  # the day it is in the workbook's zone
                if value.tzinfo is None:
                    value = value.replace(tzinfo=UTC)
                value = value.astimezone(zone).date()
            elif not isinstance(value, date):
                if isinstance(value, str):
                    return text(value)
                raise TypeError(f"column {column.title!r} takes dates, not {value!r}")
            cell.value = value
            return cell
        return day

    refuse_float = kind == "money"

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


def _totals_row(sheet, columns: list[Column], totals: dict[int, str], label: str | None,
                count: int) -> list:
    row: list = [None] * len(columns)
    row[0] = _styled_cell(sheet, safe_text(str(label)), font=_TOTAL_FONT, border=_TOTAL_BORDER,
                          as_text=True)
    for index, column in enumerate(columns):
        if index == 0:
            continue
        if index not in totals:
            row[index] = _styled_cell(sheet, None, border=_TOTAL_BORDER)
            continue
        function = totals[index]
        number_format = column.number_format
        if function == "count":
            number_format = NUMBER_FORMATS["integer"]
        elif function == "average" and column.kind == "integer":
            number_format = NUMBER_FORMATS["decimal"]
        if count:
            letter = get_column_letter(index + 1)
            # Built here from numbers only: the one kind of formula the helper writes.
            value = f"=SUBTOTAL({TOTAL_FUNCTIONS[function]},{letter}2:{letter}{count + 1})"
        else:
            value = 0
        row[index] = _styled_cell(sheet, value, font=_TOTAL_FONT, border=_TOTAL_BORDER,
                                  number_format=number_format)
    return row


def _chart(sheet, spec: Chart, header_row: int, last_row: int):
    """The native chart ``spec`` over the block whose header is on ``header_row`` and whose
    data ends on ``last_row``."""
    if spec.kind == "pie":
        chart = PieChart()
        chart.dataLabels = DataLabelList()
        chart.dataLabels.showPercent = True
    else:
        chart = BarChart()
        chart.type = "col" if spec.kind == "column" else "bar"
        chart.grouping = "clustered"
        # openpyxl leaves the axes' "delete" unset, which recent Excel reads as hidden.
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        if spec.kind == "bar":
            # Horizontal bars: keep the first category on top, as in the table.
            chart.x_axis.scaling.orientation = "maxMin"
        if len(spec.values) == 1:
            chart.legend = None
    for index in spec.values:
        chart.add_data(Reference(sheet, min_col=index + 1, min_row=header_row,
                                 max_row=last_row), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=spec.categories + 1,
                                   min_row=header_row + 1, max_row=last_row))
    # A chart title is not a cell, but its XML cannot carry control characters either.
    chart.title = _ILLEGAL_CHARACTERS.sub("\ufffd", str(spec.title))
    chart.width = spec.width
    chart.height = spec.height
    return chart
