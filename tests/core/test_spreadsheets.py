"""The spreadsheet helper: formatted, streamed sheets whose user text can never run as a
formula, and the download response."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pytest

from core.spreadsheets import (
    XLSX_MIMETYPE,
    Column,
    Workbook,
    safe_text,
    send_workbook,
)

EVERY_KIND = [
    Column("Reference"),
    Column("Participants", "integer"),
    Column("Score", "decimal"),
    Column("Amount", "money", currency="USD"),
    Column("Local amount", "money"),
    Column("Share", "percent"),
    Column("Deadline", "date"),
    Column("Submitted (Belize time)", "datetime"),
    Column("Endorsed", "boolean"),
]

EVERY_KIND_ROWS = [
    ("BZ-2026-001", 1234, Decimal("87.25"), Decimal("5000.10"), Decimal("12.00"),
     Decimal("0.25"), date(2026, 3, 31), datetime(2026, 3, 31, 23, 0, tzinfo=UTC), True),
    ("BZ-2026-002", 0, 3.5, Decimal("-20.05"), 7, 0.5, date(2026, 4, 1),
     datetime(2026, 4, 1, 5, 30, tzinfo=UTC), False),
    ("BZ-2026-003", None, None, None, None, None, None, None, None),
]


def write(tmp_path, build, *, timezone="America/Belize", name="book.xlsx"):
    """Build a workbook with ``build(workbook)``, save it and load it back."""
    workbook = Workbook(timezone=timezone)
    build(workbook)
    path = tmp_path / name
    workbook.save(path)
    return openpyxl.load_workbook(path)


def one_sheet(tmp_path, columns, rows, **options):
    book = write(tmp_path, lambda wb: wb.add_sheet("Data", columns, rows, **options))
    return book["Data"]


# Layout and formats ------------------------------------------------------------------------

def test_header_is_bold_filled_and_frozen_with_a_filter_over_the_data(tmp_path):
    sheet = one_sheet(tmp_path, EVERY_KIND, EVERY_KIND_ROWS)

    headers = [cell.value for cell in sheet[1]]
    assert headers == [column.title for column in EVERY_KIND]
    assert all(cell.font.b for cell in sheet[1])
    assert all(cell.fill.fill_type == "solid" for cell in sheet[1])
    assert not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:I4"
    assert sheet.max_row == 4


def test_widths_are_set_from_the_kind_and_the_header_or_given(tmp_path):
    columns = [Column("Name"), Column("Amount", "money", currency="USD"),
               Column("A rather long header for a small number", "integer"),
               Column("Comment", width=60)]
    sheet = one_sheet(tmp_path, columns, [("a", Decimal("1.00"), 1, "b")])

    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCD"}
    assert widths["A"] == columns[0].display_width == 24
    assert widths["B"] == columns[1].display_width == 18  # room for the currency code
    # A long header wraps (on a taller header row) rather than widening its column.
    assert widths["C"] == 30 + 3  # a line of the header and its filter button
    assert sheet["C1"].alignment.wrap_text and sheet.row_dimensions[1].height == 30
    assert widths["D"] == 60


def test_each_kind_gets_its_number_format(tmp_path):
    sheet = one_sheet(tmp_path, EVERY_KIND, EVERY_KIND_ROWS)

    formats = [cell.number_format for cell in sheet[2]]
    assert formats == ["General", "#,##0", "#,##0.00", '#,##0.00 "USD"', "#,##0.00", "0.0%",
                       "yyyy-mm-dd", "yyyy-mm-dd hh:mm", "General"]
    assert [cell.number_format for cell in sheet[3]] == formats


def test_values_keep_their_types_and_decimals_are_exact(tmp_path):
    sheet = one_sheet(tmp_path, EVERY_KIND, EVERY_KIND_ROWS)

    first = [cell.value for cell in sheet[2]]
    assert first[:6] == ["BZ-2026-001", 1234, 87.25, 5000.1, 12, 0.25]
    assert sheet["D2"].data_type == "n"
    assert Decimal(str(sheet["D2"].value)) == Decimal("5000.10")
    assert sheet["D3"].value == -20.05
    assert sheet["E3"].value == 7
    assert sheet["G2"].is_date and sheet["G2"].value.date() == date(2026, 3, 31)
    assert sheet["I2"].value is True and sheet["I2"].data_type == "b"
    assert sheet["I3"].value is False
    # Every value of a reused column cell lands in its own row.
    assert [sheet.cell(row, 2).value for row in (2, 3, 4)] == [1234, 0, None]


def test_empty_values_are_empty_cells(tmp_path):
    sheet = one_sheet(tmp_path, EVERY_KIND, EVERY_KIND_ROWS)
    assert [cell.value for cell in sheet[4]] == ["BZ-2026-003"] + [None] * 8


def test_datetimes_are_converted_from_utc_to_the_workbook_zone(tmp_path):
    sheet = one_sheet(tmp_path, EVERY_KIND, EVERY_KIND_ROWS)

    # Belize is UTC-6 all year round.
    assert sheet["H2"].value == datetime(2026, 3, 31, 17, 0)
    assert sheet["H3"].value == datetime(2026, 3, 31, 23, 30)
    assert sheet["H2"].is_date


def test_dates_given_as_datetimes_are_the_day_in_the_workbook_zone(tmp_path):
    columns = [Column("Day", "date"), Column("Naive means UTC", "datetime")]
    sheet = one_sheet(tmp_path, columns,
                      [(datetime(2026, 4, 1, 3, 0, tzinfo=UTC), datetime(2026, 4, 1, 3, 0))])
    assert sheet["A2"].value == datetime(2026, 3, 31)
    assert sheet["B2"].value == datetime(2026, 3, 31, 21, 0)


def test_the_programme_zone_is_the_default(tmp_path, app):
    assert app.config["PROGRAMME_TIMEZONE"] == "America/Belize"
    workbook = Workbook()
    workbook.add_sheet("Times", [Column("When", "datetime")],
                       [(datetime(2026, 1, 1, 12, 0, tzinfo=UTC),)])
    workbook.save(tmp_path / "default.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "default.xlsx")["Times"]
    assert sheet["A2"].value == datetime(2026, 1, 1, 6, 0)


def test_non_finite_numbers_leave_the_cell_empty(tmp_path):
    sheet = one_sheet(tmp_path, [Column("Average", "decimal"), Column("Ratio", "percent")],
                      [(Decimal("NaN"), float("inf")), (Decimal("1.5"), 0.1)])
    assert sheet["A2"].value is None and sheet["B2"].value is None
    assert sheet["A3"].value == 1.5


# User text -----------------------------------------------------------------------------------

FORMULA_LIKE = ["=1+1", "+cmd", "-2", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\")", "="]


@pytest.mark.parametrize("text", FORMULA_LIKE)
def test_safe_text_prefixes_formula_triggers_with_a_quote(text):
    assert safe_text(text) == "'" + text


@pytest.mark.parametrize("text", ["", "plain", " =1+1", "a=b", "'quoted", "1-2", "#N/A",
                                  "line\nbreak", "Ñandú – año"])
def test_safe_text_leaves_ordinary_text_alone(text):
    assert safe_text(text) == text


def test_safe_text_replaces_characters_xml_cannot_carry():
    assert safe_text("a\x00b\x08c\x0bd\x1fe\ufffff") == "a\ufffdb\ufffdc\ufffdd\ufffde\ufffdf"
    assert safe_text("\x01=cmd") == "\ufffd=cmd"
    assert safe_text("x\ud800y") == "x\ufffdy"
    assert safe_text("\x00") == "\ufffd"


def test_formula_like_user_text_comes_back_as_quoted_strings(tmp_path):
    columns = [Column("Comment"), Column("Score", "integer"), Column("Amount", "money"),
               Column("When", "date"), Column("Endorsed", "boolean")]
    rows = [(text, text, text, text, text) for text in FORMULA_LIKE]
    sheet = one_sheet(tmp_path, columns, rows)

    for row_number, text in enumerate(FORMULA_LIKE, 2):
        for cell in sheet[row_number]:
            assert cell.data_type == "s", (cell.coordinate, cell.value)
            # The standard library's XML parser reads a carriage return as a line feed, lxml
            # keeps it (openpyxl uses lxml when it is installed); the quote is what matters.
            assert cell.value in ("'" + text, "'" + text.replace("\r", "\n"))


def test_text_that_looks_like_an_error_value_stays_text(tmp_path):
    sheet = one_sheet(tmp_path, [Column("Comment"), Column("Score", "decimal")],
                      [("#N/A", "#DIV/0!"), ("n/a", Decimal(1))])
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("#N/A", "s")
    assert (sheet["B2"].value, sheet["B2"].data_type) == ("#DIV/0!", "s")
    assert (sheet["A3"].value, sheet["A3"].data_type) == ("n/a", "s")


def test_headers_and_titles_are_neutralised_too(tmp_path):
    sheet = one_sheet(tmp_path, [Column("=criterion"), Column("Budget\x07")], [("a", "b")])
    assert [(cell.value, cell.data_type) for cell in sheet[1]] == [
        ("'=criterion", "s"), ("Budget\ufffd", "s")]


def test_text_with_control_characters_does_not_crash_the_export(tmp_path):
    hostile = "".join(chr(code) for code in range(32)) + "\ud800\ufffe\uffff end"
    sheet = one_sheet(tmp_path, [Column("Comment"), Column("Note")],
                      [(hostile, "fine"), ("\x00=1+1", None)])
    assert sheet["A2"].value.endswith(" end")
    assert "\x00" not in sheet["A2"].value and "\t" in sheet["A2"].value
    assert sheet["A3"].value == "\ufffd=1+1" and sheet["A3"].data_type == "s"


def test_non_string_values_in_a_text_column_are_written_as_their_text(tmp_path):
    sheet = one_sheet(tmp_path, [Column("Reference")], [(42,), (Decimal("-1.50"),)])
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("42", "s")
    assert sheet["A3"].value == "'-1.50"


# Totals -------------------------------------------------------------------------------------

def test_totals_row_holds_the_aggregates_as_numbers_and_is_bold(tmp_path):
    columns = [Column("Application"), Column("Requested", "money", currency="BZD"),
               Column("Score", "integer"), Column("Note")]
    rows = [("A", Decimal("100.10"), 70, "x"), ("B", Decimal("200.20"), 80, "y"),
            ("C", Decimal("0.05"), 90, "z")]
    sheet = one_sheet(tmp_path, columns, rows, totals={1: "sum", 2: "average"},
                      totals_label="Total")

    assert sheet.max_row == 5
    assert sheet["A5"].value == "Total"
    # Numbers, not formulas: openpyxl stores no cached result, so readers that do not
    # recalculate would otherwise show the totals empty.
    assert sheet["B5"].data_type == "n" and Decimal(str(sheet["B5"].value)) == Decimal("300.35")
    assert sheet["C5"].value == 80
    assert sheet["D5"].value is None
    assert all(sheet[coordinate].font.b for coordinate in ("A5", "B5", "C5"))
    assert sheet["B5"].number_format == '#,##0.00 "BZD"'
    assert sheet["C5"].number_format == "#,##0.00"
    # The filter covers the data, not the totals row.
    assert sheet.auto_filter.ref == "A1:D4"


def test_totals_follow_excels_rules_for_text_and_empty_cells(tmp_path):
    columns = [Column("Line"), Column("Amount", "money"), Column("Sum", "decimal"),
               Column("Average", "money"), Column("Count", "integer"), Column("Min", "integer"),
               Column("Max", "integer")]
    rows = [("a", Decimal("0.10"), 0.1, Decimal("1.00"), 1, 5, 5),
            ("b", Decimal("0.20"), 0.2, Decimal("2.00"), None, 3, "n/a"),
            ("c", "n/a", None, Decimal("2.00"), "x", None, 9)]
    sheet = one_sheet(tmp_path, columns, rows, totals={
        1: "sum", 2: "sum", 3: "average", 4: "count", 5: "min", 6: "max"},
        totals_label="Total")
    assert [cell.value for cell in sheet[5]][1:] == [0.3, 0.3, 1.67, 2, 3, 9]
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


def test_totals_of_an_empty_sheet_are_zero(tmp_path):
    sheet = one_sheet(tmp_path, [Column("Application"), Column("Requested", "money")], [],
                      totals={1: "sum"}, totals_label="Total")
    assert [cell.value for cell in sheet[2]] == ["Total", 0]
    assert sheet.auto_filter.ref == "A1:B1"


@pytest.mark.parametrize(("totals", "label"), [
    ({0: "sum"}, "Total"),      # the first column holds the label
    ({5: "sum"}, "Total"),      # no such column
    ({1: "median"}, "Total"),   # not an aggregate we offer
    ({1: "sum"}, None),         # no label
])
def test_bad_totals_are_refused(totals, label):
    workbook = Workbook(timezone="UTC")
    with pytest.raises(ValueError):
        workbook.add_sheet("Data", [Column("A"), Column("B", "integer")], [("x", 1)],
                           totals=totals, totals_label=label)


# Sheets and tables ---------------------------------------------------------------------------

def test_sheet_titles_are_made_valid_and_unique(tmp_path):
    requested = ["Scores: round [1] / 2*?", "A" * 40, "a" * 40, "A" * 40, "", "History",
                 "'quoted'", "Tab\there", "Data", "DATA"]
    titles = []

    def build(workbook):
        for title in requested:
            titles.append(workbook.add_sheet(title, [Column("X")], [("x",)]))

    book = write(tmp_path, build)

    assert titles == ["Scores- round -1- - 2--", "A" * 31, "a" * 27 + " (2)",
                      "A" * 27 + " (3)", "Sheet", "History (2)", "quoted", "Tab here",
                      "Data", "DATA (2)"]
    assert book.sheetnames == titles
    assert all(len(title) <= 31 for title in titles)


def test_a_table_covers_the_data_with_unique_column_names(tmp_path):
    columns = [Column("Criterion"), Column("Score", "integer"), Column("score", "integer"),
               Column("Line\nbreak")]
    book = write(tmp_path, lambda wb: (
        wb.add_sheet("Scores", columns, [("Budget", 1, 2, "a"), ("Impact", 3, 4, "b")],
                     table=True, totals={1: "sum"}, totals_label="Total"),
        wb.add_sheet("More", [Column("X")], [("x",)], table=True),
        wb.add_sheet("Empty", [Column("X")], [], table=True)))

    sheet = book["Scores"]
    table = sheet.tables["Table1"]
    assert table.ref == "A1:D3"
    names = [column.name for column in table.tableColumns]
    assert names == ["Criterion", "Score", "score 2", "Line break"]
    assert names == [cell.value for cell in sheet[1]]
    assert sheet.auto_filter.ref is None  # the table has its own filter
    assert sheet["B4"].value == 4
    assert book["More"].tables["Table2"].ref == "A1:A2"
    assert not book["Empty"].tables and book["Empty"].auto_filter.ref == "A1:A1"


def test_several_sheets_in_one_workbook(tmp_path):
    book = write(tmp_path, lambda wb: [
        wb.add_sheet(f"Sheet {number}", EVERY_KIND, EVERY_KIND_ROWS) for number in range(15)])
    assert len(book.sheetnames) == 15
    assert book["Sheet 14"]["D2"].value == 5000.1


def test_a_large_sheet_is_streamed_from_a_generator(tmp_path):
    columns = [Column("Participant"), Column("Age", "integer"), Column("Stipend", "money"),
               Column("Registered", "datetime")]
    registered = datetime(2026, 1, 1, tzinfo=UTC)

    def participants():
        for number in range(50_000):
            yield (f"Participant {number}", number % 90, Decimal(number) / 100, registered)

    workbook = Workbook(timezone="America/Belize")
    workbook.add_sheet("Participants", columns, participants())
    workbook.save(tmp_path / "large.xlsx")

    book = openpyxl.load_workbook(tmp_path / "large.xlsx", read_only=True)
    sheet = book["Participants"]
    rows = list(sheet.iter_rows(values_only=True))
    book.close()
    assert len(rows) == 50_001
    assert rows[-1] == ("Participant 49999", 49999 % 90, 499.99, datetime(2025, 12, 31, 18, 0))


# Refusals -------------------------------------------------------------------------------------

def test_columns_are_checked_when_declared():
    with pytest.raises(ValueError):
        Column("X", "currency")
    with pytest.raises(ValueError):
        Column("X", "money", currency="usd")
    with pytest.raises(ValueError):
        Column("X", "decimal", currency="USD")
    with pytest.raises(ValueError):
        Column("X", width=0)


def test_programming_errors_are_refused_loudly():
    workbook = Workbook(timezone="UTC")
    with pytest.raises(TypeError):  # money is never a float
        workbook.add_sheet("Money", [Column("Amount", "money")], [(0.1,)])
    with pytest.raises(ValueError):
        workbook.add_sheet("Short", [Column("A"), Column("B")], [("only one",)])
    with pytest.raises(ValueError):
        workbook.add_sheet("None", [], [])
    with pytest.raises(TypeError):
        workbook.add_sheet("Flag", [Column("Count", "integer")], [(True,)])


def test_a_failed_sheet_is_dropped_whole_and_the_workbook_stays_usable(tmp_path):
    def rows():
        yield ("fine", 1)
        raise RuntimeError("the query failed")

    def build(workbook):
        workbook.add_sheet("Before", [Column("X")], [("x",)])
        with pytest.raises(RuntimeError):
            workbook.add_sheet("Broken", [Column("X"), Column("N", "integer")], rows())
        with pytest.raises(TypeError):
            workbook.add_sheet("Broken", [Column("Amount", "money")], [(Decimal(1),), (0.5,)])
        assert workbook.add_sheet("Broken", [Column("X")], [("y",)]) == "Broken"

    book = write(tmp_path, build)
    assert book.sheetnames == ["Before", "Broken"]
    assert book["Broken"]["A2"].value == "y"


def test_an_unsaved_workbook_can_be_closed(tmp_path):
    with Workbook(timezone="UTC") as workbook:
        workbook.add_sheet("Data", [Column("X")], [("x",)])
    with pytest.raises(RuntimeError):
        workbook.save(tmp_path / "closed.xlsx")


def test_a_workbook_is_saved_once(tmp_path):
    workbook = Workbook(timezone="UTC")
    workbook.add_sheet("Data", [Column("X")], [("x",)])
    workbook.save(io.BytesIO())
    with pytest.raises(RuntimeError):
        workbook.save(io.BytesIO())
    with pytest.raises(RuntimeError):
        workbook.add_sheet("More", [Column("X")], [])


# Download -------------------------------------------------------------------------------------

def test_send_workbook_downloads_an_uncached_attachment(app):
    workbook = Workbook(timezone="America/Belize")
    workbook.add_sheet("Scores", EVERY_KIND, EVERY_KIND_ROWS)

    with app.test_request_context():
        response = send_workbook(workbook, "review-scores")
        response.direct_passthrough = False
        body = response.get_data()
        response.close()

    assert response.mimetype == XLSX_MIMETYPE
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and 'filename=review-scores.xlsx' in disposition
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.content_length == len(body)
    book = openpyxl.load_workbook(io.BytesIO(body))
    assert book["Scores"]["D2"].value == 5000.1


def test_send_workbook_keeps_non_ascii_names(app):
    workbook = Workbook(timezone="UTC")
    workbook.add_sheet("Datos", [Column("X")], [("x",)])
    with app.test_request_context():
        response = send_workbook(workbook, "puntuación.xlsx")
        response.close()
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''puntuaci%C3%B3n.xlsx" in disposition


def test_every_cell_reads_from_the_top_and_plain_values_carry_no_style(tmp_path):
    """A one-line value beside wrapped text of several lines stands by its first line: the
    workbook's default format is top-aligned, so plain values need no style of their own."""
    columns = [Column("Reference"), Column("Story", wrap=True, width=20),
               Column("Amount", "money", currency="USD"), Column("Deadline", "date")]
    long_story = "A long account of what the project did in the districts. " * 4
    rows = [("BZ-1", long_story, Decimal("5.00"), date(2026, 3, 31)),
            ("BZ-2", "Short.", Decimal("6.00"), date(2026, 4, 1))]
    sheet = one_sheet(tmp_path, columns, rows)
    assert sheet.row_dimensions[2].height > 15 and sheet.row_dimensions[3].height is None
    for row in (sheet[2], sheet[3]):
        assert [cell.alignment.vertical for cell in row] == ["top"] * 4
        assert row[1].alignment.wrap_text
    with zipfile.ZipFile(tmp_path / "book.xlsx") as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
        styles = archive.read("xl/styles.xml").decode()
    assert '<c r="A2" t="inlineStr">' in xml  # no s="…": the default, top-aligned format
    normal = styles[styles.index("<cellStyleXfs"):styles.index("</cellStyleXfs>")]
    assert '<alignment vertical="top"/>' in normal  # Excel's "Normal" style too
