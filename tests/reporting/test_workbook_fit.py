"""Nothing in the donor workbook is cut off on screen or on paper: a text that does not fit
its column's width either wraps (its column wraps, its row grows) or has empty cells beside
it to run into. Checked on every sheet of the demo programme's workbook, in English and
Spanish, with the same estimate of text width the page layout uses."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from openpyxl.utils import get_column_letter

from core.spreadsheets.printing import text_lines
from tests.reporting.test_workbook_sheets import build

#: Excel's default column width, for columns the sheet leaves alone.
DEFAULT_WIDTH = 8.43


def clipped(sheet) -> list[tuple[str, str]]:
    """(cell, text) of every text cell wider than its column with a neighbour in the way."""
    found = []
    for row in sheet.iter_rows():
        for index, cell in enumerate(row):
            if not isinstance(cell.value, str) or cell.alignment.wrap_text:
                continue
            width = sheet.column_dimensions[get_column_letter(index + 1)].width or DEFAULT_WIDTH
            if text_lines(cell.value, width, bold=bool(cell.font and cell.font.b)) == 1:
                continue
            neighbours = [row[i].value for i in (index - 1, index + 1) if 0 <= i < len(row)]
            if any(value is not None for value in neighbours):
                found.append((cell.coordinate, cell.value))
    return found


@pytest.mark.parametrize("locale", ["en", "es"])
@pytest.mark.parametrize("with_names", [False, True])
def test_no_text_is_cut_off(demo_programme, locale, with_names):
    with force_locale(locale):
        book = build(with_names=with_names)
    problems = {sheet.title: clipped(sheet) for sheet in book.worksheets}
    assert not {title: cells[:5] for title, cells in problems.items() if cells}
