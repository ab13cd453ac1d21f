"""Native Excel charts drawn beside a block from the block's own cells."""

from __future__ import annotations

from openpyxl.chart import BarChart, PieChart, Reference
from openpyxl.chart.label import DataLabelList

from .columns import Chart
from .text import ILLEGAL_CHARACTERS

#: The height of Excel's default row (15 points) in centimetres, to keep charts off the
#: next block.
ROW_HEIGHT_CM = 0.53


def native_chart(sheet, spec: Chart, header_row: int, last_row: int):
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
    chart.title = ILLEGAL_CHARACTERS.sub("\ufffd", str(spec.title))
    chart.width = spec.width
    chart.height = spec.height
    return chart
