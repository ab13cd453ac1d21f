"""The spreadsheet helper's block sheets and native charts, sheet positions, row counts and
the cap on a cell's text."""

from __future__ import annotations

import zipfile
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.chart import BarChart, PieChart

from core.spreadsheets import MAX_CELL_TEXT, Block, Chart, Column, Workbook, safe_text

COUNTS = [Column("Type"), Column("Events", "integer")]


def save(tmp_path, build, name="book.xlsx"):
    workbook = Workbook(timezone="America/Belize")
    build(workbook)
    path = tmp_path / name
    workbook.save(path)
    return path, workbook


def summary(workbook):
    return workbook.add_block_sheet("Summary", [
        Block("Events by type", COUNTS, [("Workshop", 3), ("Training", 5)],
              chart=Chart("column", "Events by type")),
        Block("Participants by sex", [Column("Sex"), Column("People", "integer")],
              [("Female", 109), ("Male", 98)], chart=Chart("pie", "Participants by sex"),
              note="People who attended."),
        Block("Committed versus disbursed",
              [Column("Award"), Column("Committed", "money", currency="USD"),
               Column("Disbursed", "money", currency="USD")],
              [("OGB-G-1", Decimal("5000.00"), Decimal("2500.00"))],
              chart=Chart("bar", "Committed versus disbursed", values=(1, 2))),
        Block("Nothing yet", COUNTS, [], chart=Chart("pie", "Empty")),
    ], heading="Programme summary")


def test_blocks_are_titled_tables_one_below_the_other(tmp_path):
    path, workbook = save(tmp_path, summary)
    sheet = openpyxl.load_workbook(path)["Summary"]
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row if cell.value}

    assert sheet["A1"].value == "Programme summary" and sheet["A1"].font.b
    assert sheet["A3"].value == "Events by type" and sheet["A3"].font.b
    assert [c.value for c in sheet[4]][:2] == ["Type", "Events"]
    assert sheet["A4"].font.b and sheet["A4"].fill.fgColor.rgb == "FFDDEBF7"
    assert [sheet["A5"].value, sheet["B5"].value, sheet["B6"].value] == ["Workshop", 3, 5]
    assert cells["People who attended."].font.i
    money = cells["OGB-G-1"]
    committed = sheet.cell(row=money.row, column=2)
    assert committed.value == 5000 and committed.number_format == '#,##0.00 "USD"'
    assert "Nothing yet" in cells
    # Data rows only (no titles, headers or blank lines).
    assert workbook.row_counts == {"Summary": 5}
    assert sheet.freeze_panes is None


def test_each_block_with_rows_gets_a_native_chart_over_its_own_cells(tmp_path):
    path, _workbook = save(tmp_path, summary)
    names = zipfile.ZipFile(path).namelist()
    assert sorted(n for n in names if n.startswith("xl/charts/chart")) == [
        "xl/charts/chart1.xml", "xl/charts/chart2.xml", "xl/charts/chart3.xml"]

    sheet = openpyxl.load_workbook(path)["Summary"]
    column, pie, bars = sheet._charts  # the empty block has none
    assert isinstance(column, BarChart) and column.type == "col"
    assert isinstance(pie, PieChart) and isinstance(bars, BarChart) and bars.type == "bar"
    assert len(bars.series) == 2
    values = column.series[0].val.numRef.f
    assert values == "'Summary'!$B$5:$B$6"
    assert column.series[0].cat.numRef.f == "'Summary'!$A$5:$A$6"
    # Charts sit to the right of the widest block, level with their block's title, and the
    # next block starts below the chart.
    anchors = [chart.anchor._from for chart in sheet._charts]
    assert {anchor.col for anchor in anchors} == {4}  # column E: widest block is 3 wide
    assert anchors[0].row == 2  # row 3, the first block's title (0-based)
    rows_per_chart = anchors[1].row - anchors[0].row
    assert rows_per_chart * 0.53 >= 7.5


def test_user_text_in_blocks_is_never_a_formula(tmp_path):
    hostile = ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\t=1", "\r=1"]
    path, _workbook = save(tmp_path, lambda wb: wb.add_block_sheet("Blocks", [
        Block("=title", [Column("=header"), Column("Number", "integer")],
              [(text, 1) for text in hostile], note="@note"),
    ], heading="-heading"))
    sheet = openpyxl.load_workbook(path)["Blocks"]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
    texts = [cell.value for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str)]
    assert "'-heading" in texts and "'=title" in texts and "'@note" in texts
    assert "'=HYPERLINK(\"http://x\")" in texts


def test_block_and_chart_mistakes_are_refused():
    with pytest.raises(ValueError):
        Chart("radar", "x")
    with pytest.raises(ValueError):
        Chart("pie", "x", values=(1, 2))
    with pytest.raises(ValueError):
        Chart("bar", "x", values=(0,), categories=0)
    with pytest.raises(ValueError):
        Block("x", COUNTS, [], chart=Chart("bar", "x", values=(2,)))
    with pytest.raises(ValueError):
        Block("x", [Column("A"), Column("B")], [], chart=Chart("bar", "x"))  # text values
    with pytest.raises(ValueError):
        Block("x", [], [])
    with pytest.raises(ValueError):
        Workbook(timezone="UTC").add_block_sheet("Empty", [])


def test_a_failed_block_sheet_is_dropped_whole(tmp_path):
    def build(workbook):
        workbook.add_sheet("Data", COUNTS, [("a", 1)])
        with pytest.raises(ValueError):
            workbook.add_block_sheet("Broken", [Block("x", COUNTS, [("too", "many", "values")])])
        workbook.add_block_sheet("Broken", [Block("x", COUNTS, [("fine", 1)])])

    path, workbook = save(tmp_path, build)
    assert openpyxl.load_workbook(path).sheetnames == ["Data", "Broken"]
    assert workbook.sheet_titles == ["Data", "Broken"]


def test_sheets_can_be_placed_in_front_of_those_already_written(tmp_path):
    def build(workbook):
        workbook.add_sheet("Events", COUNTS, [("a", 1), ("b", 2)])
        workbook.add_sheet("People", COUNTS, [])
        workbook.add_block_sheet("Summary", [Block("x", COUNTS, [("a", 1)])], position=0)
        workbook.add_sheet("About", [Column("Item")], [("x",)], position=0)
        workbook.add_sheet("Middle", [Column("Item")], [], position=3)
        with pytest.raises(ValueError):
            workbook.add_sheet("Far", [Column("Item")], [], position=9)

    path, workbook = save(tmp_path, build)
    expected = ["About", "Summary", "Events", "Middle", "People"]
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == expected == workbook.sheet_titles
    assert book.active.title == "About"
    assert workbook.row_counts == {"About": 1, "Summary": 1, "Events": 2, "Middle": 0,
                                   "People": 0}
    assert list(workbook.row_counts) == expected


def test_text_longer_than_a_cell_holds_is_cut_with_an_ellipsis(tmp_path):
    assert safe_text("x" * MAX_CELL_TEXT) == "x" * MAX_CELL_TEXT
    cut = safe_text("=" + "y" * 40_000)
    assert len(cut) == MAX_CELL_TEXT and cut.startswith("'=") and cut.endswith("\u2026")
    # Characters outside the BMP count twice, as in Excel, and are never cut in half.
    wide = safe_text("\U0001F600" * 20_000)
    assert len(wide.encode("utf-16-le")) // 2 <= MAX_CELL_TEXT
    assert wide.endswith("\u2026") and "\ud83d" not in wide

    path, _workbook = save(tmp_path, lambda wb: wb.add_sheet(
        "Long", [Column("Comment"), Column("When", "date")],
        [("z" * 50_000, date(2026, 1, 1)), ("short", None)]))
    sheet = openpyxl.load_workbook(path)["Long"]
    assert len(sheet["A2"].value) == MAX_CELL_TEXT and sheet["A3"].value == "short"


def test_pies_label_slices_by_category_and_percent_and_bars_title_their_axes(tmp_path):
    money = [Column("Grantee"), Column("Committed", "money", currency="USD"),
             Column("Disbursed", "money", currency="USD")]
    path, _workbook = save(tmp_path, lambda workbook: workbook.add_block_sheet("Summary", [
        Block("By sex", COUNTS, [("Female", 3), ("Male", 2)], chart=Chart("pie", "By sex")),
        Block("Money", money, [("Org", Decimal("5.00"), Decimal("1.00"))],
              chart=Chart("bar", "Money", values=(1, 2)))]))
    pie, bars = openpyxl.load_workbook(path)["Summary"]._charts
    labels = pie.dataLabels
    assert labels.showCatName and labels.showPercent
    assert not (labels.showVal or labels.showSerName or labels.showLeaderLines)
    axis_text = "".join(run.t for paragraph in bars.y_axis.title.tx.rich.p
                        for run in paragraph.r)
    assert axis_text == "USD"  # two series: the unit they share
    assert "".join(run.t for paragraph in bars.x_axis.title.tx.rich.p
                   for run in paragraph.r) == "Grantee"
    assert bars.legend.position == "b"
