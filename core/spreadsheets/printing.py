"""How every sheet prints: A4, as wide as the page (never more pages across), portrait or
landscape by the sheet's width, the header rows repeated on each page, and a page header and
footer naming the workbook, its period, the sheet and "page n of m".

Why estimates: a write-only sheet is streamed, and neither openpyxl nor the file can say how
a reader will lay it out. The widths and heights below follow Excel's own units (a column
width of one character is about 7 pixels of Calibri 11; a default row is 15 points), which is
enough to choose the orientation and to keep each block of a summary page, with its chart,
on one page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties

#: Pixels per character of column width (Calibri 11's digit width) and per centimetre.
PIXELS_PER_CHARACTER = 7
PIXELS_PER_CM = 96 / 2.54
#: Points per pixel at 96 pixels per inch.
POINTS_PER_PIXEL = 0.75
ROW_HEIGHT = 15.0  # points, Excel's default row with Calibri 11

A4 = "9"  # the paper size code of A4 in SpreadsheetML
_A4_INCHES = (8.27, 11.69)
MARGINS = PageMargins(left=0.4, right=0.4, top=0.75, bottom=0.75, header=0.3, footer=0.3)

#: A sheet that portrait would shrink below this scale prints in landscape.
SMALLEST_PORTRAIT_SCALE = 0.7
#: Estimates are estimates: a block is kept whole only within this share of the page.
PAGE_SLACK = 0.9

# A header or footer holds at most 255 characters with its codes; each text gets a share.
_MAX_HEADER_TEXT = 80


@dataclass(frozen=True)
class PrintSetup:
    """The page header and footer of every sheet of a workbook, already translated.

    ``title`` (e.g. the workbook's name) is printed in the header's centre and ``subtitle``
    (e.g. its period) on its right; the footer names the sheet on the left and has
    ``page_of`` on the right, in which ``{page}`` and ``{pages}`` stand for the page number
    and the number of pages (e.g. "Page {page} of {pages}").
    """

    title: str | None = None
    subtitle: str | None = None
    page_of: str = "{page} / {pages}"


@dataclass(frozen=True)
class Layout:
    """The page a sheet prints on: its orientation and how much it is shrunk to fit."""

    orientation: str
    scale: float

    @property
    def page_height(self) -> float:
        """The printable height of one page, in points of the sheet (before shrinking)."""
        width, height = _A4_INCHES
        if self.orientation == "landscape":
            width, height = height, width
        printable = (height - MARGINS.top - MARGINS.bottom) * 72
        return printable / self.scale


def layout_for(width_px: float) -> Layout:
    """Portrait when the sheet fits it at a readable scale, landscape otherwise; the scale
    is what fitting to the page's width does (it never enlarges)."""
    portrait = _printable_width_px("portrait")
    if width_px * SMALLEST_PORTRAIT_SCALE <= portrait:
        return Layout("portrait", min(1.0, portrait / width_px))
    return Layout("landscape", min(1.0, _printable_width_px("landscape") / width_px))


def _printable_width_px(orientation: str) -> float:
    width, height = _A4_INCHES
    if orientation == "landscape":
        width = height
    return (width - MARGINS.left - MARGINS.right) * 96


def columns_width_px(widths: list[float]) -> float:
    return sum(widths) * PIXELS_PER_CHARACTER


def prepare(sheet, layout: Layout) -> None:
    """What must be set before the first row is streamed (it belongs to the top of the
    sheet's XML): fitting to the page."""
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


def finish(sheet, layout: Layout, setup: PrintSetup, *, title_rows: str | None) -> None:
    """Paper, orientation, fit to width, repeated rows, header and footer (written at the end
    of the sheet's XML, so any time before the sheet is closed)."""
    page = sheet.page_setup
    page.paperSize = A4
    page.orientation = layout.orientation
    page.fitToWidth = 1
    page.fitToHeight = 0  # as many pages down as needed
    sheet.page_margins = MARGINS
    sheet.print_options.horizontalCentered = False
    if title_rows:
        sheet.print_title_rows = title_rows
    header_footer = sheet.HeaderFooter
    if setup.title:
        header_footer.oddHeader.center.text = _header_text(setup.title)
        header_footer.oddHeader.center.size = 9
    if setup.subtitle:
        header_footer.oddHeader.right.text = _header_text(setup.subtitle)
        header_footer.oddHeader.right.size = 9
    header_footer.oddFooter.left.text = "&A"  # the sheet's name
    header_footer.oddFooter.left.size = 9
    header_footer.oddFooter.right.text = _header_text(setup.page_of).replace(
        "{page}", "&P").replace("{pages}", "&N")
    header_footer.oddFooter.right.size = 9


def _header_text(text: str) -> str:
    """Text shown as it is in a header: "&" starts a code there, so it is doubled."""
    text = " ".join(str(text).split())
    if len(text) > _MAX_HEADER_TEXT:
        text = text[:_MAX_HEADER_TEXT - 1] + "\u2026"
    return text.replace("&", "&&")


class Paginator:
    """Keeps blocks of rows whole on a page by adding a manual page break before a block that
    would not fit in what is left of the current page (a block taller than a page starts a
    page and flows on)."""

    def __init__(self, sheet, layout: Layout, *, repeated: float):
        self._sheet = sheet
        self._capacity = layout.page_height * PAGE_SLACK - repeated
        self._used = 0.0

    def start_block(self, first_row: int, height: float) -> None:
        """Called before writing a block of ``height`` points starting on ``first_row``."""
        if self._used and self._used + height > self._capacity:
            self._sheet.row_breaks.append(Break(id=first_row - 1))
            self._used = 0.0

    def advance(self, height: float) -> None:
        """``height`` points of rows were written."""
        self._used += height
        while self._used > self._capacity:  # a block taller than a page flows on
            self._used -= self._capacity


def text_lines(text: str, width: float, *, bold: bool = False) -> int:
    """How many lines ``text`` takes wrapped in a column ``width`` characters wide (words
    are not split; a line feed starts a line). An overestimate rather than an underestimate:
    a row too tall wastes a little paper, a row too short hides text."""
    per_line = max(1, int((width - 1) / (1.15 if bold else 1.0)))
    lines = 0
    for paragraph in str(text).split("\n"):
        used = 0
        lines += 1
        for word in paragraph.split():
            if used and used + 1 + len(word) > per_line:
                lines += 1
                used = 0
            used += (1 if used else 0) + len(word)
            while used > per_line:
                lines += 1
                used -= per_line
    return lines


def chart_rows(height_cm: float) -> int:
    """How many default rows a chart ``height_cm`` high covers."""
    return math.ceil(height_cm * PIXELS_PER_CM * POINTS_PER_PIXEL / ROW_HEIGHT)
