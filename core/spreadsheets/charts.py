"""Native Excel charts drawn beside a block from the block's own cells."""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl.chart import BarChart, PieChart, Reference
from openpyxl.chart.label import DataLabelList

from .columns import Chart, Column
from .text import ILLEGAL_CHARACTERS


def native_chart(sheet, spec: Chart, columns: Sequence[Column], header_row: int,
                 last_row: int):
    """The native chart ``spec`` over the block of ``columns`` whose header is on
    ``header_row`` and whose data ends on ``last_row``."""
    if spec.kind == "pie":
        chart = PieChart()
        # "Female 51%" on each slice: not the series' name, the count or a leader line,
        # which together made labels such as "Female; Participants; 109; 51%".
        chart.dataLabels = DataLabelList(showCatName=True, showPercent=True, showVal=False,
                                         showSerName=False, showLegendKey=False,
                                         showLeaderLines=False, separator="\n")
        chart.dataLabels.position = "bestFit"
        chart.legend = None  # the slices are labelled
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
        else:
            # Below the chart, where the series read left to right in the table's order
            # (on the right, horizontal bars list them bottom-up).
            chart.legend.position = "b"
        _axis_titles(chart, spec, columns)
    for index in spec.values:
        chart.add_data(Reference(sheet, min_col=index + 1, min_row=header_row,
                                 max_row=last_row), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=spec.categories + 1,
                                   min_row=header_row + 1, max_row=last_row))
    # A chart title is not a cell, but its XML cannot carry control characters either.
    chart.title = _chart_text(spec.title)
    chart.width = spec.width
    chart.height = spec.height
    return chart


def _axis_titles(chart, spec: Chart, columns: Sequence[Column]) -> None:
    """Name both axes from the block's headers, the values' with their unit (the currency of
    money) and their number format."""
    values = [columns[index] for index in spec.values]
    chart.x_axis.title = _chart_text(spec.category_title or columns[spec.categories].title)
    value_title = spec.value_title
    if value_title is None:
        value_title = values[0].title if len(values) == 1 else ""
        currencies = {column.currency for column in values if column.kind == "money"}
        if len(currencies) == 1 and None not in currencies:
            code = currencies.pop()
            value_title = f"{value_title} ({code})" if value_title else code
    if value_title:
        chart.y_axis.title = _chart_text(value_title)
    number_format = values[0].number_format
    if number_format and values[0].kind != "money":
        chart.y_axis.number_format = number_format
    elif number_format:
        chart.y_axis.number_format = "#,##0"  # the unit is in the axis title


def _chart_text(text) -> str:
    return ILLEGAL_CHARACTERS.sub("\ufffd", str(text))
