"""What a sheet is made of: its columns (header, kind, width, number format) and, on summary
pages, its titled blocks and their charts. Definitions only; the writing is elsewhere."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

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
#: A header longer than this wraps onto more lines rather than widening its column.
MAX_HEADER_LINE = 30
#: Bold header text is wider than the digits a column width counts; the filter button takes
#: about three characters on the right.
BOLD_FACTOR = 1.15
FILTER_BUTTON = 3

#: Chart kinds: vertical bars, horizontal bars, pie.
CHART_KINDS = frozenset({"column", "bar", "pie"})
NUMERIC_KINDS = frozenset({"integer", "decimal", "money", "percent"})

_CURRENCY_CODE = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header and how its values are written.

    ``title`` is the header text, already translated; when a column holds times, name the time
    zone in it. ``kind`` picks the number format: integers ``#,##0``, decimals ``#,##0.00``,
    money ``#,##0.00`` followed by the ISO 4217 ``currency`` code when given, percent
    ``0.0%`` (values are fractions: 0.25 shows as 25.0%), dates ``yyyy-mm-dd``, datetimes
    ``yyyy-mm-dd hh:mm``; booleans are TRUE/FALSE values (or the workbook's words for yes and
    no) and text is text. ``width`` is in characters; ``None`` chooses one from the kind and
    the header's length; either way the column is at least as wide as the header's longest
    word, and a longer header wraps. ``wrap`` wraps the cells' text in the column's width
    (long explanations) instead of letting it run over the next cells.
    """

    title: str
    kind: str = "text"
    width: float | None = None
    currency: str | None = None
    wrap: bool = False

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}; expected one of {sorted(KINDS)}")
        if self.currency is not None:
            if self.kind != "money":
                raise ValueError("only money columns take a currency")
            if not _CURRENCY_CODE.fullmatch(self.currency):
                raise ValueError(f"not an ISO 4217 currency code: {self.currency!r}")
        if self.wrap and self.kind != "text":
            raise ValueError("only text columns wrap")
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
        title = str(self.title)
        # The header wraps between words, so its longest word sets the least width: in
        # Spanish as in English, no header is cut.
        longest = max((len(word) for word in title.split()), default=0)
        least = math.ceil(longest * BOLD_FACTOR) + FILTER_BUTTON
        if self.width is not None:
            return float(min(max(self.width, least), 255))
        base = DEFAULT_WIDTHS[self.kind] + (4 if self.currency else 0)
        return float(min(max(base, min(len(title), MAX_HEADER_LINE) + FILTER_BUTTON, least),
                         MAX_DEFAULT_WIDTH))


@dataclass(frozen=True)
class Chart:
    """A native Excel chart of the block it belongs to (see :class:`Block`).

    ``kind`` is "column" (vertical bars), "bar" (horizontal bars) or "pie". ``categories``
    is the index (0-based, in the block's columns) of the column whose values label the bars
    or slices; ``values`` are the indexes of the numeric columns drawn, one series each, named
    by their headers (a pie draws one). ``title`` is already translated. ``width`` and
    ``height`` are in centimetres. A bar chart's axes are titled by the headers of the
    category column and of the value column (with the currency of money), unless
    ``category_title`` or ``value_title`` (translated) are given.
    """

    kind: str
    title: str
    values: tuple[int, ...] = (1,)
    categories: int = 0
    width: float = 16.0
    height: float = 7.5
    category_title: str | None = None
    value_title: str | None = None

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
            if self.columns[index].kind not in NUMERIC_KINDS:
                raise ValueError(f"chart values must be numeric; column {index} holds "
                                 f"{self.columns[index].kind}")


