"""Chart geometry: pure functions that turn (label, value) series into shapes.

Nothing here draws, formats for a locale or reads the database. The dashboard's templates
(``templates/reporting/dashboards/_charts.html``) draw the shapes as inline SVG; the views
pass in a formatter for the numbers shown on the charts.

Rules shared by every chart:

- Values are ``int`` or ``Decimal`` (money is never a float) and never negative: a negative
  value raises ``ValueError``, because a bar growing left or down from the axis would be
  read as a positive amount. Callers decide what a negative number means before charting.
- Axes start at zero and end on a round number (1, 2 or 5 times a power of ten per step);
  an all-zero or empty series gets a 0–1 axis, so nothing is divided by zero.
- Labels longer than ``max_label`` characters are cut with an ellipsis; the full label is
  kept for the SVG ``<title>``.
- Coordinates are in the chart's own units (its ``viewBox``); the SVG scales to its box.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

Number = int | Decimal
Formatter = Callable[[Number], str]

#: Width of every chart, in viewBox units.
WIDTH = 400
#: Text sizes used by the templates' CSS classes, in viewBox units.
LABEL_SIZE = 13
SMALL_SIZE = 12
#: Rough width of one character relative to the font size (system sans-serif).
CHAR_WIDTH = 0.6
#: Labels are cut after this many characters by default.
MAX_LABEL = 48

_ONE = Decimal(1)


def _plain(value: Number) -> str:
    return str(value)


def _coordinate(value: float) -> float:
    return round(value, 2)


def text_width(text: str, size: float = SMALL_SIZE) -> float:
    """An estimate of the width of ``text`` at font ``size`` (no font metrics on the
    server; generous enough for digits and separators)."""
    return len(text) * size * CHAR_WIDTH


def truncate(label: str, limit: int = MAX_LABEL) -> str:
    """``label`` cut to at most ``limit`` characters, ending with an ellipsis when cut."""
    label = " ".join(str(label).split())
    if limit < 2:
        raise ValueError("a label limit must allow at least two characters")
    if len(label) <= limit:
        return label
    return label[:limit - 1].rstrip() + "…"


def _check(value) -> Decimal:
    """The value as a Decimal; refuses floats, booleans, non-numbers, NaN and negatives."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise TypeError(f"chart values must be int or Decimal, not {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"chart values must be finite, not {value!r}")
    if number < 0:
        raise ValueError(f"chart values must not be negative: {value!r}")
    return number


def _checked_rows(keys, rows) -> list[tuple[str, list[Decimal]]]:
    checked = []
    for label, values in rows:
        if len(values) != len(keys):
            raise ValueError(f"row {label!r} has {len(values)} values for {len(keys)} keys")
        checked.append((str(label), [_check(value) for value in values]))
    return checked


# Axes --------------------------------------------------------------------------------------

def nice_step(raw: Decimal | int) -> Decimal:
    """The smallest of 1, 2, 5 or 10 times a power of ten that is at least ``raw``."""
    raw = Decimal(raw)
    if not raw.is_finite() or raw <= 0:
        raise ValueError("a step must be positive")
    magnitude = _ONE.scaleb(raw.adjusted())
    fraction = raw / magnitude
    for multiple in (1, 2, 5):
        if fraction <= multiple:
            return (magnitude * multiple).normalize()
    return (magnitude * 10).normalize()


def _tidy(value: Decimal) -> Decimal:
    """Whole numbers without an exponent (2E+3 → 2000), others as they are."""
    if value == value.to_integral_value():
        return value.quantize(_ONE)
    return value.normalize()


@dataclass(frozen=True)
class Scale:
    """A value axis from 0 to ``top`` in steps of ``step``."""

    top: Decimal
    step: Decimal

    @property
    def values(self) -> list[Decimal]:
        count = int(self.top / self.step)
        return [_tidy(self.step * index) for index in range(count + 1)]

    def fraction(self, value: Number) -> float:
        """Where ``value`` falls on the axis, from 0.0 to 1.0."""
        return float(Decimal(value) / self.top)


def nice_scale(maximum: Number, ticks: int = 5, *, integer: bool = False) -> Scale:
    """An axis from zero covering ``maximum`` in about ``ticks`` round steps. With
    ``integer`` (counts of things) the step is never a fraction."""
    maximum = _check(maximum)
    if ticks < 1:
        raise ValueError("an axis needs at least one step")
    if maximum == 0:
        return Scale(top=_ONE, step=_ONE)
    step = nice_step(maximum / ticks)
    if integer and step < 1:
        step = _ONE
    steps = (maximum / step).to_integral_value(rounding=ROUND_CEILING)
    return Scale(top=_tidy(step * steps), step=step)


@dataclass(frozen=True)
class Tick:
    value: Decimal
    label: str
    #: The tick's x (horizontal charts) or y (column charts) coordinate.
    position: float


def _ticks(scale: Scale, start: float, length: float, fmt: Formatter, *,
           reverse: bool = False) -> tuple[Tick, ...]:
    ticks = []
    for value in scale.values:
        offset = scale.fraction(value) * length
        ticks.append(Tick(value=value, label=fmt(value),
                          position=_coordinate(start - offset if reverse else start + offset)))
    return tuple(ticks)


@dataclass(frozen=True)
class Box:
    """The plotting area, inside the chart's margins."""

    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top


# Horizontal bars ---------------------------------------------------------------------------

#: Layout of a horizontal bar row: the label on its own line above the bar, so that long
#: labels have the chart's full width and the chart stays legible on a narrow screen.
ROW_LABEL = 16
BAR_HEIGHT = 16
ROW_GAP = 10
ROW_HEIGHT = ROW_LABEL + BAR_HEIGHT + ROW_GAP
#: Least room after the longest bar for its value, and below the plot for the axis labels.
VALUE_ROOM = 48
AXIS_ROOM = 24
MARGIN = 8


class _Labelled:
    """Something drawn with a label that may be shortened (the full one goes in a title)."""

    label: str
    short_label: str

    @property
    def is_truncated(self) -> bool:
        return self.short_label != self.label


@dataclass(frozen=True)
class _Frame:
    """What every chart has: its size, its plot area, its value scale and axis ticks."""

    width: float
    height: float
    plot: Box
    scale: Scale
    ticks: tuple[Tick, ...]

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:g} {self.height:g}"


@dataclass(frozen=True)
class Bar(_Labelled):
    label: str
    short_label: str
    #: None when withheld.
    value: Decimal | None
    value_label: str
    x: float
    y: float
    width: float
    height: float
    #: Baseline of the category label, above the bar.
    label_y: float
    #: Start of the value label, just after the end of the bar.
    value_x: float
    value_y: float


@dataclass(frozen=True)
class BarChart(_Frame):
    bars: tuple[Bar, ...]

    @property
    def is_empty(self) -> bool:
        return not self.bars


def _rows_box(rows: int, value_labels: Sequence[str]) -> Box:
    """The plot of ``rows`` horizontal bars, leaving room on the right for the widest
    value label (at least ``VALUE_ROOM``, at most half the chart)."""
    widest = max((text_width(label) for label in value_labels), default=0)
    room = min(max(VALUE_ROOM, widest + 12), WIDTH / 2)
    return Box(left=MARGIN, top=MARGIN, right=WIDTH - room,
               bottom=MARGIN + max(rows, 1) * ROW_HEIGHT)


def bar_chart(series: Sequence[tuple[str, Number | None]], *, fmt: Formatter = _plain,
              integer: bool = False, max_label: int = MAX_LABEL,
              withheld: str = "") -> BarChart:
    """Horizontal bars, one per (label, value), in the given order. A value of None is a
    number withheld (a small count of people): no bar, and ``withheld`` written in place
    of its value."""
    values = [None if value is None else _check(value) for _label, value in series]
    scale = nice_scale(max((v for v in values if v is not None), default=0), integer=integer)
    value_labels = [withheld if value is None else fmt(value) for value in values]
    plot = _rows_box(len(values), [*value_labels, fmt(scale.top)])
    bars = []
    for index, ((label, _raw), value, value_label) in enumerate(
            zip(series, values, value_labels, strict=True)):
        row_top = plot.top + index * ROW_HEIGHT
        bar_y = row_top + ROW_LABEL
        width = 0.0 if value is None else _coordinate(scale.fraction(value) * plot.width)
        bars.append(Bar(
            label=str(label), short_label=truncate(label, max_label), value=value,
            value_label=value_label, x=plot.left, y=_coordinate(bar_y), width=width,
            height=BAR_HEIGHT, label_y=_coordinate(row_top + ROW_LABEL - 4),
            value_x=_coordinate(plot.left + width + 4),
            value_y=_coordinate(bar_y + BAR_HEIGHT - 4)))
    ticks = _ticks(scale, plot.left, plot.width, fmt)
    return BarChart(width=WIDTH, height=plot.bottom + AXIS_ROOM, plot=plot, scale=scale,
                    ticks=ticks, bars=tuple(bars))


# Stacked horizontal bars -------------------------------------------------------------------

@dataclass(frozen=True)
class Segment:
    key: str
    value: Decimal
    value_label: str
    x: float
    y: float
    width: float
    height: float
    #: Whether the value fits inside the segment (else it is only in the title and table).
    shows_value: bool

    @property
    def text_x(self) -> float:
        return _coordinate(self.x + self.width / 2)

    @property
    def text_y(self) -> float:
        return _coordinate(self.y + self.height - 4)


@dataclass(frozen=True)
class StackedBar(_Labelled):
    label: str
    short_label: str
    total: Decimal
    total_label: str
    segments: tuple[Segment, ...]
    label_y: float
    value_x: float
    value_y: float


@dataclass(frozen=True)
class StackedChart(_Frame):
    keys: tuple[str, ...]
    bars: tuple[StackedBar, ...]

    @property
    def is_empty(self) -> bool:
        return not self.bars


def stacked_bar_chart(keys: Sequence[str],
                      rows: Sequence[tuple[str, Sequence[Number]]], *,
                      fmt: Formatter = _plain, max_label: int = MAX_LABEL) -> StackedChart:
    """Horizontal bars made of segments laid end to end, one segment per key (in the order
    of ``keys``), one bar per (label, values) row. The bar's length is the sum."""
    checked = _checked_rows(keys, rows)
    sums = [sum(values, Decimal(0)) for _label, values in checked]
    scale = nice_scale(max(sums, default=0))
    plot = _rows_box(len(checked), [fmt(total) for total in sums] + [fmt(scale.top)])
    bars = []
    for index, (label, values) in enumerate(checked):
        row_top = plot.top + index * ROW_HEIGHT
        bar_y = _coordinate(row_top + ROW_LABEL)
        segments, running = [], Decimal(0)
        for key, value in zip(keys, values, strict=True):
            x = plot.left + scale.fraction(running) * plot.width
            width = scale.fraction(value) * plot.width
            value_label = fmt(value)
            segments.append(Segment(
                key=key, value=value, value_label=value_label, x=_coordinate(x), y=bar_y,
                width=_coordinate(width), height=BAR_HEIGHT,
                shows_value=value > 0 and text_width(value_label) + 6 <= width))
            running += value
        end = plot.left + scale.fraction(running) * plot.width
        bars.append(StackedBar(
            label=label, short_label=truncate(label, max_label), total=running,
            total_label=fmt(running), segments=tuple(segments),
            label_y=_coordinate(row_top + ROW_LABEL - 4), value_x=_coordinate(end + 4),
            value_y=_coordinate(bar_y + BAR_HEIGHT - 4)))
    return StackedChart(width=WIDTH, height=plot.bottom + AXIS_ROOM, plot=plot, scale=scale,
                        ticks=_ticks(scale, plot.left, plot.width, fmt), keys=tuple(keys),
                        bars=tuple(bars))


# Columns (time series) ---------------------------------------------------------------------

COLUMN_HEIGHT = 200
#: Margins of a column chart: room for the axis labels (left), the values above the
#: tallest column (top) and the category labels (bottom).
COLUMN_LEFT = 44
COLUMN_TOP = 18
COLUMN_BOTTOM = 26
#: Share of each category's width left empty between groups of columns.
GROUP_GAP = 0.25


@dataclass(frozen=True)
class Column:
    key: str
    category: str
    value: Decimal
    value_label: str
    x: float
    y: float
    width: float
    height: float
    #: Whether the value fits above the column (else it is only in the title and table).
    shows_value: bool

    @property
    def text_x(self) -> float:
        return _coordinate(self.x + self.width / 2)

    @property
    def text_y(self) -> float:
        return _coordinate(self.y - 4)


@dataclass(frozen=True)
class Category(_Labelled):
    label: str
    short_label: str
    #: Centre of the category's group of columns.
    x: float
    #: Only every n-th label is drawn when they would overlap; the table has them all.
    shows_label: bool
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class ColumnChart(_Frame):
    keys: tuple[str, ...]
    categories: tuple[Category, ...]

    @property
    def is_empty(self) -> bool:
        return not self.categories

    @property
    def label_y(self) -> float:
        return _coordinate(self.plot.bottom + 16)


def column_chart(keys: Sequence[str], rows: Sequence[tuple[str, Sequence[Number]]], *,
                 fmt: Formatter = _plain, integer: bool = False,
                 max_label: int = 12) -> ColumnChart:
    """Vertical columns over categories in order (periods of time), one column per key in
    each category, side by side."""
    if not keys:
        raise ValueError("a column chart needs at least one series")
    checked = _checked_rows(keys, rows)
    scale = nice_scale(max((max(values) for _l, values in checked), default=0),
                       integer=integer)
    plot = Box(left=COLUMN_LEFT, top=COLUMN_TOP, right=WIDTH - MARGIN,
               bottom=COLUMN_HEIGHT - COLUMN_BOTTOM)
    group = plot.width / max(len(checked), 1)
    column_width = group * (1 - GROUP_GAP) / len(keys)
    short_labels = [truncate(label, max_label) for label, _values in checked]
    widest = max((text_width(label) for label in short_labels), default=0)
    every = max(1, math.ceil((widest + 6) / group)) if checked else 1
    # A lone series may spill its values into the gap between groups; side by side columns
    # may not, or their values would run into each other.
    value_room = column_width + (group * GROUP_GAP if len(keys) == 1 else 0)
    categories = []
    for index, ((label, values), short) in enumerate(zip(checked, short_labels, strict=True)):
        left = plot.left + index * group + group * GROUP_GAP / 2
        columns = []
        for position, (key, value) in enumerate(zip(keys, values, strict=True)):
            height = scale.fraction(value) * plot.height
            value_label = fmt(value)
            columns.append(Column(
                key=key, category=label, value=value, value_label=value_label,
                x=_coordinate(left + position * column_width), y=_coordinate(plot.bottom - height),
                width=_coordinate(column_width), height=_coordinate(height),
                shows_value=text_width(value_label) <= value_room))
        categories.append(Category(label=label, short_label=short,
                                   x=_coordinate(plot.left + index * group + group / 2),
                                   shows_label=index % every == 0, columns=tuple(columns)))
    return ColumnChart(width=WIDTH, height=COLUMN_HEIGHT, plot=plot, scale=scale,
                       ticks=_ticks(scale, plot.bottom, plot.height, fmt, reverse=True),
                       keys=tuple(keys), categories=tuple(categories))
