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
  as a string cell. A workbook holds no formulas at all: even totals are numbers computed
  here (:mod:`.totals`), because openpyxl cannot store a formula's result and readers that do
  not recalculate would show it empty.
- **Summaries are small titled blocks, with native charts.** :meth:`Workbook.add_block_sheet`
  writes several small tables one below the other on one sheet (a summary page); a block
  may carry a :class:`Chart`, a native Excel chart (``openpyxl.chart``) drawn beside it from
  the block's own cells, so the reader can check every bar against a number.

The package's modules, each one concept: :mod:`.text` (safe cell text), :mod:`.columns`
(column, block and chart definitions), :mod:`.cells` (styles and value converters),
:mod:`.charts`, :mod:`.totals`, :mod:`.printing` (page setup), :mod:`.sheets` (writing one
sheet), :mod:`.workbook` and :mod:`.download`.
Import from ``core.spreadsheets`` itself: the names below are its interface.
"""

from .columns import (
    CHART_KINDS,
    DEFAULT_WIDTHS,
    KINDS,
    MAX_DEFAULT_WIDTH,
    NUMBER_FORMATS,
    Block,
    Chart,
    Column,
)
from .download import XLSX_MIMETYPE, send_workbook
from .printing import PrintSetup
from .sheets import MAX_ROWS, TOTAL_FUNCTIONS
from .text import MAX_CELL_TEXT, safe_text
from .workbook import Workbook

__all__ = [
    "CHART_KINDS", "DEFAULT_WIDTHS", "KINDS", "MAX_CELL_TEXT", "MAX_DEFAULT_WIDTH", "MAX_ROWS",
    "NUMBER_FORMATS", "TOTAL_FUNCTIONS", "XLSX_MIMETYPE", "Block", "Chart", "Column",
    "PrintSetup",
    "Workbook", "safe_text", "send_workbook",
]
