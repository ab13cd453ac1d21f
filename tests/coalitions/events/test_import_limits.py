"""The size limit of an attendance sheet counts people (rows that are not blank): blank rows
are skipped and reported, nobody is dropped silently, and a file over the limit is refused
whole with the limit and the number of people found."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from coalitions.events import attendance_sheet, importer, operations
from coalitions.events.models import Attendance, Person
from tests.coalitions.events import HEADER, csv_bytes, make_event, row, xlsx_bytes

BLANK = [None] * 9


def _people(count: int, *, blank_after=()) -> list[list]:
    rows = []
    for n in range(1, count + 1):
        rows.append(row(name=f"Person {n}", email=f"person{n}@example.org"))
        if n in blank_after:
            rows.append(BLANK)
    return rows


def _big_csv(people: int, *, blank_after: tuple[int, ...]) -> bytes:
    # Written by hand: the csv module would take longer than reading it back.
    lines = [",".join(HEADER)]
    for n in range(1, people + 1):
        lines.append(f"Person {n},p{n}@example.org,Female,1990,Open Data Belize,"
                     f"Civil society,Participant,BZ,Yes")
        if n in blank_after:
            lines.append(",,,,,,,,")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def staff(factories):
    return factories.user(roles=("staff",))


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


# At the real limit (reading only, which is quick) ------------------------------------------

def test_exactly_the_limit_of_people_with_blank_rows_is_read_entirely():
    people = attendance_sheet.MAX_PEOPLE
    assert people == 200_000
    sheet = importer.read_sheet(_big_csv(people, blank_after=(10, people - 1)), "big.csv")
    assert sheet.errors == []
    assert len(sheet.rows) == people
    assert sheet.people == people
    assert sheet.blank_rows == 2
    last_number, last_cells = sheet.rows[-1]
    assert last_cells[0] == f"Person {people}"
    assert last_number == people + 3  # the header, two blank rows, then the people


def test_one_person_over_the_limit_is_refused_whatever_the_blank_rows():
    people = attendance_sheet.MAX_PEOPLE + 1
    sheet = importer.read_sheet(_big_csv(people, blank_after=(10, people - 1)), "big.csv")
    assert len(sheet.errors) == 1
    message = sheet.errors[0].message
    assert "200001" in message and "200000" in message
    assert sheet.people == people


# Through the import, with a smaller limit --------------------------------------------------

@pytest.fixture
def limit_of_five(monkeypatch):
    monkeypatch.setattr(attendance_sheet, "MAX_PEOPLE", 5)


@pytest.mark.parametrize("make_file", [xlsx_bytes, csv_bytes])
def test_the_limit_with_blank_rows_imports_everyone(db_session, staff, limit_of_five,
                                                    make_file):
    event = make_event(db_session)
    plan = operations.import_attendance(event, staff, make_file(
        _people(5, blank_after=(2, 4))), "sheet.xlsx" if make_file is xlsx_bytes else "s.csv")
    assert plan.is_valid, plan.errors
    summary = plan.summary()
    assert summary["rows"] == 5
    assert summary["blank_rows"] == 2
    assert _count(db_session, Attendance) == 5
    assert "Person 5" in {p.full_name for p in db_session.scalars(select(Person))}


@pytest.mark.parametrize("make_file", [xlsx_bytes, csv_bytes])
def test_over_the_limit_imports_nobody(db_session, staff, limit_of_five, make_file):
    event = make_event(db_session)
    plan = operations.import_attendance(event, staff, make_file(
        _people(6, blank_after=(2, 4))), "sheet.xlsx" if make_file is xlsx_bytes else "s.csv")
    assert not plan.is_valid
    (error,) = plan.errors
    assert (error.row, error.column) == (0, "")
    assert "6 people" in error.message and "5" in error.message
    assert plan.row_count == 6
    assert _count(db_session, Person) == 0
    assert _count(db_session, Attendance) == 0


def test_blank_rows_at_the_end_of_a_sheet_are_not_reported(limit_of_five):
    sheet = importer.read_sheet(xlsx_bytes([*_people(3, blank_after=(1,)), BLANK, BLANK]),
                                "sheet.xlsx")
    assert sheet.errors == []
    assert (sheet.people, sheet.blank_rows) == (3, 1)


def test_the_page_and_the_command_report_skipped_blank_rows(client, login_as, db_session,
                                                            app, tmp_path):
    event = make_event(db_session)
    data = xlsx_bytes(_people(3, blank_after=(1, 2)))
    login_as("staff")
    response = client.post(f"/staff/events/{event.id}/import", data={
        "file": (io.BytesIO(data), "sheet.xlsx"), "dry_run": "y"},
        content_type="multipart/form-data")
    assert response.status_code == 200
    assert b"2 blank rows were skipped" in response.data
    response = client.post(f"/staff/events/{event.id}/import", data={
        "file": (io.BytesIO(data), "sheet.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 302
    assert b"2 blank rows were skipped" in client.get(response.location).data

    path = tmp_path / "attendance.xlsx"
    path.write_bytes(data)
    result = app.test_cli_runner().invoke(args=[
        "import", "attendance", "--event", str(event.id), "--dry-run", str(path)])
    assert result.exit_code == 0, result.output
    assert "blank rows skipped: 2" in result.output
