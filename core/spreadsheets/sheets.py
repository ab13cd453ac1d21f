"""Writing one sheet, streamed: a data sheet (header, rows, totals, filter or table) or a
sheet of small titled blocks (a summary page). Rows are pulled one at a time and written
straight to the sheet's temporary file."""

from __future__ import annotations

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
    WRAP_ALIGNMENT,
    converter,
    header_row,
    header_texts,
    styled_cell,
)
from .charts import native_chart
from .columns import FILTER_BUTTON, NUMBER_FORMATS, Block, Column
from .printing import (
    PIXELS_PER_CM,
    POINTS_PER_PIXEL,
    ROW_HEIGHT,
    Paginator,
    PrintSetup,
    chart_rows,
    columns_width_px,
    finish,
    layout_for,
    prepare,
    text_lines,
)
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

# The heading is 14-point text in a row of 18.75 points; the empty column between the blocks
# and their charts has Excel's default width (64 pixels).
HEADING_SCALE = 14 / 11
HEADING_ROW_HEIGHT = 18.75
GAP_COLUMN_PX = 64


def write_data_sheet(sheet, columns: list[Column], rows: Iterable[Sequence[Any]], *,
                     zone: ZoneInfo, totals: dict[int, str], totals_label: str | None,
                     table_name: Callable[[], str] | None, setup: PrintSetup,
                     yes_no: tuple[str, str] | None = None) -> int:
    """Write ``rows`` under a header of ``columns`` and return how many were written. With
    ``table_name`` the range becomes an Excel table named by calling it (only when there are
    rows: a table needs one); otherwise it gets an autofilter."""
    width = len(columns)
    last_letter = get_column_letter(width)

    # Widths, the frozen pane, the header's height and fitting to the page belong to the top
    # of the sheet's XML, so they must be set before the first row is streamed.
    widths = [column.display_width for column in columns]
    for number, column_width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(number)].width = column_width
    sheet.freeze_panes = "A2"
    layout = layout_for(columns_width_px(widths))
    prepare(sheet, layout)

    headers = header_texts(columns, for_table=table_name is not None)
    _fit_height(sheet, 1, max(text_lines(text, column_width - FILTER_BUTTON, bold=True)
                              for text, column_width in zip(headers, widths, strict=True)))
    sheet.append(header_row(sheet, headers))

    converters = [converter(sheet, column, zone, yes_no) for column in columns]
    # Rows of several lines of wrapped text get their height (see _fit_height); their cells
    # read from the top, as every cell does (cells.read_from_the_top).
    wrapping = any(column.wrap for column in columns)
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
        if wrapping:
            _fit_height(sheet, count + 1, _row_lines(columns, widths, row))
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
    finish(sheet, layout, setup, title_rows="1:1")
    sheet.close()  # finishes the sheet's XML in its temporary file
    return count


def write_block_sheet(sheet, blocks: list[Block], heading: str | None, *,
                      zone: ZoneInfo, setup: PrintSetup,
                      yes_no: tuple[str, str] | None = None) -> int:
    """Write ``blocks`` one below the other, after ``heading``, and return how many data rows
    they hold together. A block and its chart are kept on one page when they fit on one."""
    widest = max(len(block.columns) for block in blocks)
    widths = [max(block.columns[index].display_width for block in blocks
                  if index < len(block.columns)) for index in range(widest)]
    for index, column_width in enumerate(widths):
        sheet.column_dimensions[get_column_letter(index + 1)].width = column_width
    chart_column = get_column_letter(widest + 2)
    charts = [block.chart.width for block in blocks if block.chart is not None]
    # The charts stand beside the widest block, after an empty column of default width.
    charts_px = (GAP_COLUMN_PX + max(charts) * PIXELS_PER_CM) if charts else 0
    layout = layout_for(columns_width_px(widths) + charts_px)
    prepare(sheet, layout)

    written = 0  # rows of the sheet so far: the next row appended is written + 1
    data_rows = 0

    def put(values, lines: int = 1) -> None:
        nonlocal written
        _fit_height(sheet, written + 1, lines)
        sheet.append(values)
        written += 1

    repeated = 0.0
    if heading is not None:
        # Merged across the blocks' columns and wrapped: never cut at the page's edge.
        text = safe_text(str(heading))
        lines = text_lines(text, sum(widths) / HEADING_SCALE, bold=True)
        sheet.merged_cells.add(f"A1:{get_column_letter(widest)}1")
        sheet.row_dimensions[1].height = HEADING_ROW_HEIGHT * lines
        put([styled_cell(sheet, text, font=HEADING_FONT, as_text=True,
                         alignment=WRAP_ALIGNMENT)])
        repeated = HEADING_ROW_HEIGHT * lines
        put([])
    pages = Paginator(sheet, layout, repeated=repeated)
    pages.advance(ROW_HEIGHT)
    for number, block in enumerate(blocks):
        if number:
            put([])
            pages.advance(ROW_HEIGHT)
        columns = list(block.columns)
        rows = list(block.rows)  # a summary's block is small; its height is needed first
        for count, row in enumerate(rows, 1):
            if len(row) != len(columns):
                raise ValueError(f"row {count} of block {str(block.title)!r} has "
                                 f"{len(row)} values for {len(columns)} columns")
        headers = header_texts(columns, for_table=False)
        header_lines = max(text_lines(text, width, bold=True)
                           for text, width in zip(headers, widths, strict=False))
        row_lines = [_row_lines(columns, widths, row) for row in rows]
        table_height = ROW_HEIGHT * (1 + (block.note is not None) + header_lines
                                     + sum(row_lines))
        has_chart = block.chart is not None and bool(rows)
        chart_height = block.chart.height * PIXELS_PER_CM * POINTS_PER_PIXEL if has_chart else 0
        height = max(table_height, chart_height)
        first = written + 1
        pages.start_block(first, height)
        put([styled_cell(sheet, safe_text(str(block.title)), font=BLOCK_TITLE_FONT,
                         as_text=True)])
        if block.note is not None:
            put([styled_cell(sheet, safe_text(str(block.note)), font=NOTE_FONT,
                             as_text=True)])
        header = written + 1
        put(header_row(sheet, headers), header_lines)
        converters = [converter(sheet, column, zone, yes_no) for column in columns]
        for row, lines in zip(rows, row_lines, strict=True):
            put([convert(value) for convert, value in zip(converters, row, strict=True)],
                lines)
        data_rows += len(rows)
        if has_chart:
            chart = native_chart(sheet, block.chart, columns, header, header + len(rows))
            sheet.add_chart(chart, f"{chart_column}{first}")
            # Keep the next block (after its blank line) below the chart.
            bottom = first + chart_rows(block.chart.height)
            while written < bottom - 1:
                put([])
        pages.advance(max(height, ROW_HEIGHT * (written - first + 1)))
        if written + 1 > MAX_ROWS:
            raise ValueError(f"sheet {sheet.title!r} has more rows than Excel allows")
    finish(sheet, layout, setup, title_rows="1:1" if heading is not None else None)
    sheet.close()
    return data_rows


def _row_lines(columns: list[Column], widths: list[float], row: Sequence[Any]) -> int:
    """The lines the tallest wrapped cell of ``row`` takes."""
    return max([1, *(text_lines(str(value), width) for column, width, value
                     in zip(columns, widths, row, strict=False)
                     if column.wrap and value is not None)])


def _fit_height(sheet, row: int, lines: int) -> None:
    """Give a row of several lines of wrapped text its height: readers that do not measure
    text (and printing) would otherwise show one line of it."""
    if lines > 1:
        sheet.row_dimensions[row].height = ROW_HEIGHT * lines


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
