"""Writing one sheet, streamed: a data sheet (header, rows, totals, filter or table) or a
sheet of small titled blocks (a summary page). Rows are pulled one at a time and written
straight to the sheet's temporary file."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from .cells import (
    BLOCK_TITLE_FONT,
    HEADING_FONT,
    NOTE_FONT,
    TOTAL_BORDER,
    TOTAL_FONT,
    converter,
    header_row,
    header_texts,
    styled_cell,
)
from .charts import ROW_HEIGHT_CM, native_chart
from .columns import NUMBER_FORMATS, Block, Column
from .text import safe_text
from .totals import Tally

#: The aggregates a totals row can show. They are computed here, as the rows stream past, and
#: written as numbers: a formula saved by openpyxl has no cached result, so every reader that
#: does not recalculate (pandas, python-calamine, file previews, mail clients) would see an
#: empty total.
TOTAL_FUNCTIONS = frozenset({"sum", "average", "count", "min", "max"})

#: Excel's hard limit on rows per sheet.
MAX_ROWS = 1_048_576

_TABLE_STYLE = "TableStyleMedium2"


def write_data_sheet(sheet, columns: list[Column], rows: Iterable[Sequence[Any]], *,
                     zone: ZoneInfo, totals: dict[int, str], totals_label: str | None,
                     table_name: Callable[[], str] | None) -> int:
    """Write ``rows`` under a header of ``columns`` and return how many were written. With
    ``table_name`` the range becomes an Excel table named by calling it (only when there are
    rows: a table needs one); otherwise it gets an autofilter."""
    width = len(columns)
    last_letter = get_column_letter(width)

    # Widths and the frozen pane belong to the top of the sheet's XML, so they must be set
    # before the first row is streamed.
    for number, column in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(number)].width = column.display_width
    sheet.freeze_panes = "A2"

    headers = header_texts(columns, for_table=table_name is not None)
    sheet.append(header_row(sheet, headers))

    converters = [converter(sheet, column, zone) for column in columns]
    limit = MAX_ROWS - 1 - (1 if totals else 0)
    count = 0
    append = sheet.append
    tallies = {index: Tally(columns[index]) for index in totals}
    for row in rows:
        if len(row) != width:
            raise ValueError(f"row {count + 1} of sheet {sheet.title!r} has {len(row)} "
                             f"values for {width} columns")
        count += 1
        if count > limit:
            raise ValueError(f"sheet {sheet.title!r} has more rows than Excel allows")
        for index, tally in tallies.items():
            tally.add(row[index])
        append([convert(value) for convert, value in zip(converters, row, strict=True)])

    last_row = count + 1
    if totals:
        sheet.append(_totals_row(sheet, columns, totals, totals_label, tallies))

    data_range = f"A1:{last_letter}{last_row}"
    if table_name is not None and count:
        grid = Table(displayName=table_name(), ref=data_range)
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


def write_block_sheet(sheet, blocks: list[Block], heading: str | None, *,
                      zone: ZoneInfo) -> int:
    """Write ``blocks`` one below the other, after ``heading``, and return how many data rows
    they hold together."""
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
        put([styled_cell(sheet, safe_text(str(heading)), font=HEADING_FONT, as_text=True)])
        put([])
    for number, block in enumerate(blocks):
        if number:
            put([])
        columns = list(block.columns)
        first = written + 1
        put([styled_cell(sheet, safe_text(str(block.title)), font=BLOCK_TITLE_FONT,
                         as_text=True)])
        if block.note is not None:
            put([styled_cell(sheet, safe_text(str(block.note)), font=NOTE_FONT,
                             as_text=True)])
        header = written + 1
        put(header_row(sheet, header_texts(columns, for_table=False)))
        converters = [converter(sheet, column, zone) for column in columns]
        count = 0
        for row in block.rows:
            if len(row) != len(columns):
                raise ValueError(f"row {count + 1} of block {str(block.title)!r} has "
                                 f"{len(row)} values for {len(columns)} columns")
            count += 1
            put([convert(value) for convert, value in zip(converters, row, strict=True)])
        data_rows += count
        if block.chart is not None and count:
            chart = native_chart(sheet, block.chart, header, header + count)
            sheet.add_chart(chart, f"{chart_column}{first}")
            # Keep the next block (after its blank line) below the chart.
            bottom = first + math.ceil(block.chart.height / ROW_HEIGHT_CM)
            while written < bottom - 1:
                put([])
        if written + 1 > MAX_ROWS:
            raise ValueError(f"sheet {sheet.title!r} has more rows than Excel allows")
    sheet.close()
    return data_rows


def _totals_row(sheet, columns: list[Column], totals: dict[int, str], label: str | None,
                tallies: dict[int, Tally]) -> list:
    row: list = [None] * len(columns)
    row[0] = styled_cell(sheet, safe_text(str(label)), font=TOTAL_FONT, border=TOTAL_BORDER,
                         as_text=True)
    for index, column in enumerate(columns):
        if index == 0:
            continue
        if index not in totals:
            row[index] = styled_cell(sheet, None, border=TOTAL_BORDER)
            continue
        function = totals[index]
        number_format = column.number_format
        if function == "count":
            number_format = NUMBER_FORMATS["integer"]
        elif function == "average" and column.kind == "integer":
            number_format = NUMBER_FORMATS["decimal"]
        row[index] = styled_cell(sheet, tallies[index].result(function), font=TOTAL_FONT,
                                 border=TOTAL_BORDER, number_format=number_format)
    return row
