"""Reading and checking attendance sheets: every bad-input rule, Spanish titles, defaults."""

from __future__ import annotations

from datetime import date

import pytest

from accounts.organisations.models import Sector
from coalitions.events import importer
from coalitions.events.models import AttendanceRole, Sex
from tests.coalitions.events import (
    SPANISH_HEADER,
    csv_bytes,
    make_event,
    row,
    xlsx_bytes,
)

TODAY = date(2024, 6, 1)


def _parse(data: bytes, filename: str = "sheet.xlsx"):
    sheet = importer.read_sheet(data, filename)
    if sheet.errors:
        return [], sheet.errors
    return importer.parse_rows(sheet, default_country="BZ", today=TODAY)


def _only_error(data, filename="sheet.xlsx"):
    rows, errors = _parse(data, filename)
    assert not rows or errors
    assert len(errors) == 1, errors
    return errors[0]


def test_valid_row_is_normalised():
    rows, errors = _parse(xlsx_bytes([row(email=" Maria@Example.ORG ")]))
    assert errors == []
    (data,) = rows
    assert data.row == 2
    assert data.full_name == "Maria Chen"
    assert data.email == "maria@example.org"
    assert data.sex is Sex.female
    assert data.birth_year == 1995
    assert data.sector is Sector.civil_society
    assert data.role is AttendanceRole.participant
    assert data.country == "BZ"
    assert data.attended is True


def test_spanish_headers_and_words():
    data = xlsx_bytes([
        row(name="Ana Pérez", email="ana@example.org", sex="Mujer", sector="Gobierno",
            role="Capacitador", country="México", attended="Sí"),
        row(name="Luis Gómez", email="luis@example.org", sex="Prefiere no decirlo",
            role="Organizador", attended="No", country="Belice"),
    ], header=SPANISH_HEADER)
    rows, errors = _parse(data)
    assert errors == []
    assert [r.sex for r in rows] == [Sex.female, Sex.undisclosed]
    assert [r.role for r in rows] == [AttendanceRole.trainer, AttendanceRole.organiser]
    assert [r.country for r in rows] == ["MX", "BZ"]
    assert [r.attended for r in rows] == [True, False]
    assert rows[0].sector is Sector.government


def test_blank_attended_means_yes_and_blank_sex_is_not_recorded():
    rows, errors = _parse(xlsx_bytes([row(attended=None, sex=None, year=None, role=None,
                                          country=None)]))
    assert errors == []
    assert rows[0].attended is True
    assert rows[0].sex is None
    assert rows[0].birth_year is None
    assert rows[0].role is AttendanceRole.participant
    assert rows[0].country == "BZ"


def test_csv_with_semicolons_and_a_byte_order_mark():
    data = b"\xef\xbb\xbf" + csv_bytes([row()], delimiter=";")
    rows, errors = _parse(data, "sheet.csv")
    assert errors == []
    assert rows[0].email == "maria@example.org"


def test_columns_in_another_order_and_extra_columns_are_accepted():
    header = ["Notes", "Email", "Full name", "Sex", "Year of birth", "Organisation",
              "Sector", "Role", "Country", "Attended"]
    rows, errors = _parse(xlsx_bytes([["x", "a@example.org", "Ann Lee", "", "", "", "",
                                       "", "", ""]], header=header))
    assert errors == []
    assert rows[0].full_name == "Ann Lee"
    assert rows[0].email == "a@example.org"


def test_missing_column():
    header = [title for title in importer.HEADER if title != "Sex"]
    data = xlsx_bytes([row()[:2] + row()[3:]], header=header)
    error = _only_error(data)
    assert (error.row, error.column) == (1, "Sex")
    assert "missing" in error.message


@pytest.mark.parametrize(("column", "value", "title"), [
    ("sex", "Unknown", "Sex"),
    ("role", "Speaker", "Role"),
    ("year", 2090, "Year of birth"),
    ("year", 1850, "Year of birth"),
    ("year", "nineteen", "Year of birth"),
    ("email", "not-an-email", "Email"),
    ("email", "a@b", "Email"),
    ("name", "=HYPERLINK(\"http://x\")", "Full name"),
    ("name", "+1 2", "Full name"),
    ("name", "-Maria", "Full name"),
    ("name", "@maria", "Full name"),
    ("name", "<b>Maria</b>", "Full name"),
    ("name", "", "Full name"),
    ("organisation", "=cmd|' /C calc'!A0", "Organisation"),
    ("organisation", "Org <script>", "Organisation"),
    ("attended", "Maybe", "Attended"),
    ("sector", "Aliens", "Sector"),
    ("country", "Atlantis", "Country"),
])
def test_bad_values_are_reported_by_row_and_column(column, value, title):
    good = row(name="First Person", email="first@example.org")
    bad = row(**{column: value})
    error = _only_error(xlsx_bytes([good, bad]))
    assert (error.row, error.column) == (3, title)
    assert error.message


def test_a_formula_cell_is_refused_not_evaluated():
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(importer.HEADER)
    sheet.append(["=1+1", "", "", "", "", "", "", "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    error = _only_error(buffer.getvalue())
    assert (error.row, error.column) == (2, "Full name")


def test_same_person_twice_in_a_file():
    _rows, errors = _parse(xlsx_bytes([
        row(name="Maria Chen", email="maria@example.org"),
        row(name="M. Chen", email="MARIA@example.org"),
        row(name="Jon Doe", email=None, organisation="Org A"),
        row(name="jon  doe", email=None, organisation="ORG A"),
    ]))
    assert [(e.row, e.column) for e in errors] == [(3, "Email"), (5, "Full name")]
    assert "row 2" in errors[0].message and "row 4" in errors[1].message


def test_every_row_is_checked_and_all_problems_reported():
    _rows, errors = _parse(xlsx_bytes([row(sex="??", role="??"), row(email="bad", year=1800,
                                                                      name="Other")]))
    assert {(e.row, e.column) for e in errors} == {
        (2, "Sex"), (2, "Role"), (3, "Email"), (3, "Year of birth")}


def test_empty_file():
    assert _only_error(b"", "sheet.csv").row == 0
    assert "empty" in _only_error(b"", "sheet.csv").message


def test_header_only_file():
    error = _only_error(xlsx_bytes([]))
    assert "no attendance rows" in error.message


def test_blank_workbook():
    error = _only_error(xlsx_bytes([], header=None))
    assert "empty" in error.message


@pytest.mark.parametrize(("data", "filename"), [
    (b"%PDF-1.4\n%%EOF\n", "sheet.xlsx"),
    (b"%PDF-1.4\n%%EOF\n", "sheet.pdf"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "sheet.csv"),
    (b"PK\x03\x04 broken zip", "sheet.xlsx"),
    (b"\x00\x01\x02binary", "sheet.csv"),
])
def test_a_file_that_is_not_a_spreadsheet(data, filename):
    error = _only_error(data, filename)
    assert "not a spreadsheet" in error.message


def test_blank_rows_are_skipped():
    rows, errors = _parse(xlsx_bytes([row(), [None] * 9, row(name="Ann Lee",
                                                             email="ann@example.org")]))
    assert errors == []
    assert [r.row for r in rows] == [2, 4]


def test_plan_needs_a_sector_for_a_new_organisation(db_session):
    event = make_event(db_session)
    plan = importer.build_plan(event, xlsx_bytes([row(sector=None)]), "sheet.xlsx",
                               today=TODAY)
    assert not plan.is_valid
    assert [(e.row, e.column) for e in plan.errors] == [(2, "Sector")]


def test_plan_for_a_new_file(db_session, factories):
    factories.organisation(name="Open Data Belize")
    event = make_event(db_session)
    plan = importer.build_plan(event, xlsx_bytes([
        row(), row(name="Ann Lee", email="ann@example.org", organisation="New Org",
                   sector="Academic"),
        row(name="Bo Li", email=None, organisation="new org", sector=None)]), "sheet.xlsx",
        today=TODAY)
    assert plan.is_valid, plan.errors
    summary = plan.summary()
    assert summary["rows"] == 3
    assert summary["people_created"] == 3
    assert summary["organisations_created"] == 1
    assert summary["organisations_matched"] == 1
