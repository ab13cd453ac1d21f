"""The chart geometry on its own: no database, no templates."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reporting.dashboards import charts
from reporting.dashboards.charts import (
    bar_chart,
    column_chart,
    nice_scale,
    nice_step,
    stacked_bar_chart,
    truncate,
)

# Round steps and axes ----------------------------------------------------------------------

@pytest.mark.parametrize("raw, step", [
    (Decimal("0.3"), Decimal("0.5")), (1, 1), (Decimal("1.01"), 2), (3, 5), (5, 5),
    (Decimal("5.5"), 10), (7, 10), (120, 200), (Decimal("8000"), Decimal("10000")),
    (Decimal("0.012"), Decimal("0.02")),
])
def test_steps_are_one_two_or_five_times_a_power_of_ten(raw, step):
    assert nice_step(raw) == Decimal(step)


@pytest.mark.parametrize("raw", [0, -1, Decimal("NaN")])
def test_a_step_must_be_positive(raw):
    with pytest.raises(ValueError):
        nice_step(raw)


def test_the_axis_covers_the_largest_value_in_round_steps():
    scale = nice_scale(Decimal("40000.00"))
    assert scale.step == Decimal("10000")
    assert scale.top == Decimal("40000")
    assert [str(value) for value in scale.values] == ["0", "10000", "20000", "30000", "40000"]
    scale = nice_scale(Decimal("21500.00"))
    assert (scale.step, scale.top) == (Decimal("5000"), Decimal("25000"))


def test_counts_never_get_a_fractional_step():
    scale = nice_scale(3, integer=True)
    assert scale.step == 1 and scale.top == 3
    assert scale.values == [0, 1, 2, 3]
    assert nice_scale(2).step == Decimal("0.5")
    assert nice_scale(2, integer=True).step == 1


def test_a_zero_maximum_gets_a_unit_axis():
    scale = nice_scale(0)
    assert (scale.top, scale.step) == (1, 1)
    assert scale.fraction(0) == 0.0


# Horizontal bars ---------------------------------------------------------------------------

def test_bars_scale_to_the_axis():
    chart = bar_chart([("Awarded", 8), ("Declined", 3), ("Draft", 0)], integer=True)
    awarded, declined, draft = chart.bars
    assert chart.scale.top == 8
    assert awarded.width == pytest.approx(chart.plot.width)
    assert declined.width == pytest.approx(chart.plot.width * 3 / 8, abs=0.01)
    assert draft.width == 0
    assert {bar.x for bar in chart.bars} == {chart.plot.left}
    # One row each, top to bottom, each value written after its bar.
    assert awarded.y < declined.y < draft.y
    assert awarded.value_x > awarded.x + awarded.width
    assert [bar.value_label for bar in chart.bars] == ["8", "3", "0"]


def test_bars_of_money_keep_decimals():
    chart = bar_chart([("Spent", Decimal("2500.50")), ("Disbursed", Decimal("10001.00"))])
    spent, disbursed = chart.bars
    assert spent.value == Decimal("2500.50")
    assert (chart.scale.step, chart.scale.top) == (Decimal("5000"), Decimal("15000"))
    assert spent.width == pytest.approx(chart.plot.width * 2500.5 / 15000, abs=0.01)
    assert disbursed.width == pytest.approx(chart.plot.width * 10001 / 15000, abs=0.01)


def test_ticks_are_spread_along_the_plot():
    chart = bar_chart([("A", 10)], fmt=lambda value: f"<{value}>")
    positions = [tick.position for tick in chart.ticks]
    assert positions[0] == chart.plot.left
    assert positions[-1] == pytest.approx(chart.plot.right)
    assert positions == sorted(positions)
    assert chart.ticks[-1].label == "<10>"
    assert chart.bars[0].value_label == "<10>"


def test_an_all_zero_series_does_not_divide_by_zero():
    chart = bar_chart([("Female", 0), ("Male", 0)], integer=True)
    assert [bar.width for bar in chart.bars] == [0, 0]
    assert chart.scale.top == 1


def test_an_empty_series_gives_an_empty_chart():
    chart = bar_chart([])
    assert chart.is_empty and chart.bars == ()
    assert chart.height > 0 and chart.view_box.startswith("0 0 ")
    assert stacked_bar_chart(["a"], []).is_empty
    assert column_chart(["a"], []).is_empty


@pytest.mark.parametrize("value", [-1, Decimal("-0.01")])
def test_negative_values_are_refused(value):
    with pytest.raises(ValueError, match="negative"):
        bar_chart([("A", 1), ("B", value)])
    with pytest.raises(ValueError, match="negative"):
        stacked_bar_chart(["x", "y"], [("A", [1, value])])
    with pytest.raises(ValueError, match="negative"):
        column_chart(["x"], [("Q1", [value])])


@pytest.mark.parametrize("value", [1.5, True, "3"])
def test_floats_and_non_numbers_are_refused(value):
    with pytest.raises(TypeError):
        bar_chart([("A", value)])


def test_a_withheld_value_has_no_bar_and_says_so():
    chart = bar_chart([("Female", 12), ("Other", None)], withheld="fewer than 5")
    assert [bar.value_label for bar in chart.bars] == ["12", "fewer than 5"]
    assert chart.bars[1].width == 0 and chart.bars[0].width > 0
    assert chart.scale.top >= 12


def test_infinite_values_are_refused():
    with pytest.raises(ValueError):
        bar_chart([("A", Decimal("Infinity"))])


def test_long_labels_are_cut_and_the_full_label_kept():
    label = "Access to public information and the right to know in every district"
    chart = bar_chart([(label, 1), ("Short", 2)], max_label=30)
    long, short = chart.bars
    assert long.label == label
    assert long.short_label.endswith("…") and len(long.short_label) <= 30
    assert label.startswith(long.short_label[:-1])
    assert long.is_truncated and not short.is_truncated


def test_truncate():
    assert truncate("Open data", 20) == "Open data"
    assert truncate("Open   government\n data", 40) == "Open government data"
    assert truncate("abcdefghij", 5) == "abcd…"
    with pytest.raises(ValueError):
        truncate("abc", 1)


def test_the_value_room_grows_with_long_values():
    small = bar_chart([("A", 5)])
    large = bar_chart([("A", Decimal("1234567.89"))], fmt=lambda v: f"{v:,.2f}")
    assert large.plot.right < small.plot.right
    assert large.plot.right >= charts.WIDTH / 2


# Stacked bars ------------------------------------------------------------------------------

def test_segments_are_laid_end_to_end():
    keys = ["spent", "unspent", "undisbursed"]
    chart = stacked_bar_chart(keys, [
        ("OGB-G-1", [Decimal("2500.00"), Decimal("2000.00"), Decimal("500.00")]),
        ("OGB-G-2", [Decimal("0.00"), Decimal("0.00"), Decimal("5000.00")]),
    ])
    first, second = chart.bars
    assert chart.keys == tuple(keys)
    assert chart.scale.top == Decimal("5000")
    assert first.total == Decimal("5000.00")
    spent, unspent, undisbursed = first.segments
    assert spent.x == chart.plot.left
    assert unspent.x == pytest.approx(spent.x + spent.width, abs=0.01)
    assert undisbursed.x == pytest.approx(unspent.x + unspent.width, abs=0.01)
    assert undisbursed.x + undisbursed.width == pytest.approx(chart.plot.right, abs=0.02)
    assert spent.width == pytest.approx(chart.plot.width / 2, abs=0.01)
    assert [segment.key for segment in second.segments] == keys
    assert second.segments[0].width == 0 and not second.segments[0].shows_value
    assert second.segments[2].width == pytest.approx(chart.plot.width, abs=0.01)
    assert first.value_x > chart.plot.left + chart.plot.width


def test_a_segment_too_narrow_for_its_value_does_not_show_it():
    chart = stacked_bar_chart(["a", "b"], [("Row", [Decimal("10"), Decimal("10000")])])
    narrow, wide = chart.bars[0].segments
    assert not narrow.shows_value
    assert wide.shows_value


def test_a_row_must_have_one_value_per_key():
    with pytest.raises(ValueError):
        stacked_bar_chart(["a", "b"], [("Row", [1])])


def test_all_zero_stacked_rows_do_not_divide_by_zero():
    chart = stacked_bar_chart(["a", "b"], [("Row", [0, 0])])
    assert [segment.width for segment in chart.bars[0].segments] == [0, 0]


# Columns -----------------------------------------------------------------------------------

def test_columns_grow_up_from_the_baseline():
    chart = column_chart(["participations", "participants"],
                         [("Q1 2018", [22, 20]), ("Q2 2018", [30, 30]), ("Q3 2018", [0, 0])],
                         integer=True)
    assert chart.scale.top == 30
    first, second, third = chart.categories
    tall = second.columns[0]
    assert tall.y == pytest.approx(chart.plot.top, abs=0.01)
    assert tall.y + tall.height == pytest.approx(chart.plot.bottom, abs=0.01)
    short = first.columns[0]
    assert short.height == pytest.approx(chart.plot.height * 22 / 30, abs=0.01)
    assert short.y + short.height == pytest.approx(chart.plot.bottom, abs=0.01)
    assert all(column.height == 0 for column in third.columns)
    # Two columns side by side in each category, categories left to right.
    a, b = first.columns
    assert b.x == pytest.approx(a.x + a.width, abs=0.01)
    assert first.x < second.x < third.x
    # Ticks go up the plot: zero at the bottom.
    assert chart.ticks[0].position == chart.plot.bottom
    assert chart.ticks[-1].position == pytest.approx(chart.plot.top)


def test_crowded_category_labels_are_thinned_out():
    rows = [(f"Q{q} {year}", [1]) for year in range(2000, 2020) for q in range(1, 5)]
    chart = column_chart(["events"], rows, integer=True)
    shown = [category for category in chart.categories if category.shows_label]
    assert chart.categories[0].shows_label
    assert 1 < len(shown) < len(rows)
    few = column_chart(["events"], rows[:4], integer=True)
    assert all(category.shows_label for category in few.categories)


def test_a_column_chart_needs_a_series():
    with pytest.raises(ValueError):
        column_chart([], [("Q1", [])])
