"""The workbook: sheets added one after another, each streamed and complete when added, then
saved once. It owns the file's sheet titles and order; :mod:`.sheets` writes each sheet."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, BinaryIO, Self
from zoneinfo import ZoneInfo

import openpyxl

from .cells import read_from_the_top
from .columns import Block, Column
from .printing import PrintSetup
from .sheets import TOTAL_FUNCTIONS, write_block_sheet, write_data_sheet
from .text import ILLEGAL_CHARACTERS

_INVALID_TITLE_CHARACTERS = re.compile(r"[\[\]:*?/\\]")
_MAX_TITLE = 31


class Workbook:
    """An .xlsx workbook written sheet by sheet, streaming every sheet.

    Build it, call :meth:`add_sheet` once per sheet (each sheet is complete when the call
    returns, so sheets cannot be revisited), then :meth:`save` once. ``timezone`` is the IANA
    zone datetimes are shown in; ``None`` means the programme's zone (the
    ``PROGRAMME_TIMEZONE`` setting, which needs an app context).

    Every sheet prints on A4, fitted to the page's width, portrait or landscape by its width,
    with its header row repeated on each page (:mod:`.printing`); ``print_setup`` gives the
    page header's texts and the footer's "page n of m" in the reader's language. ``yes_no``
    (already translated, e.g. ("Yes", "No")) writes booleans as those words rather than
    TRUE and FALSE.
    """

    def __init__(self, *, timezone: str | None = None, print_setup: PrintSetup | None = None,
                 yes_no: tuple[str, str] | None = None):
        if timezone is None:
            from core.timeutil import programme_tz
            self._zone = programme_tz()
        else:
            self._zone = ZoneInfo(timezone)
        self._book = openpyxl.Workbook(write_only=True)
        read_from_the_top(self._book)
        self._print_setup = print_setup or PrintSetup()
        self._yes_no = yes_no
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
        the aggregates computed from the rows and written as numbers (money as Decimal, to the
        cent), so that readers which do not recalculate formulas see them too, and
        ``totals_label`` (already translated, e.g. "Total") in the first column, which
        therefore cannot itself be totalled. Text and empty cells are left out as Excel's
        SUM, AVERAGE, MIN and MAX do; "count" counts the non-empty cells. With no data rows
        the totals are a plain 0 (an average is left empty).

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

        table_name = self._next_table_name if table else None
        return self._add(title, position, lambda sheet: write_data_sheet(
            sheet, columns, rows, zone=self._zone, totals=totals, totals_label=totals_label,
            table_name=table_name, setup=self._print_setup, yes_no=self._yes_no))

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
                         lambda sheet: write_block_sheet(sheet, blocks, heading, zone=self._zone,
                                                         setup=self._print_setup,
                                                         yes_no=self._yes_no))

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

    def _next_table_name(self) -> str:
        self._table_count += 1
        return f"Table{self._table_count}"

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
        text = ILLEGAL_CHARACTERS.sub("", str(title)).replace("\t", " ").replace(
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



def _trim_title(text: str) -> str:
    # Excel refuses titles that start or end with an apostrophe.
    return text.strip().strip("'").strip()

