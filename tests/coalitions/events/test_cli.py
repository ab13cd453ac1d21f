"""``flask import attendance --event ID FILE [--dry-run]``."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from coalitions.events.models import Attendance, Person
from tests.coalitions.events import csv_bytes, make_event, row, xlsx_bytes


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_import_commits_and_prints_the_summary(runner, db_session, tmp_path):
    event = make_event(db_session)
    path = tmp_path / "attendance.xlsx"
    path.write_bytes(xlsx_bytes([row(), row(name="Ann Lee", email="ann@example.org")]))
    result = runner.invoke(args=["import", "attendance", "--event", str(event.id), str(path)])
    assert result.exit_code == 0, result.output
    assert "people created: 2" in result.output
    assert _count(db_session, Attendance) == 2


def test_dry_run_imports_nothing(runner, db_session, tmp_path):
    event = make_event(db_session)
    path = tmp_path / "attendance.csv"
    path.write_bytes(csv_bytes([row()]))
    result = runner.invoke(args=["import", "attendance", "--event", str(event.id), str(path),
                                 "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Dry run" in result.output
    assert "people created: 1" in result.output
    assert _count(db_session, Person) == 0


def test_errors_are_printed_by_row_and_column(runner, db_session, tmp_path):
    event = make_event(db_session)
    path = tmp_path / "attendance.xlsx"
    path.write_bytes(xlsx_bytes([row(), row(name="Ann", email="nope", role="Boss")]))
    result = runner.invoke(args=["import", "attendance", "--event", str(event.id), str(path)])
    assert result.exit_code == 1
    assert "row 3, column Email" in result.output
    assert "row 3, column Role" in result.output
    assert _count(db_session, Person) == 0


def test_unknown_event(runner, db_session, tmp_path):
    path = tmp_path / "attendance.xlsx"
    path.write_bytes(xlsx_bytes([row()]))
    result = runner.invoke(args=["import", "attendance", "--event", "999999", str(path)])
    assert result.exit_code != 0
    assert "No event" in result.output


def test_a_large_sheet_is_read_in_steps_with_its_progress(runner, app, db_session, tmp_path,
                                                          monkeypatch):
    from coalitions.events import import_job

    monkeypatch.setitem(app.config, "ATTENDANCE_JOB_THRESHOLD", 50)
    monkeypatch.setattr(import_job, "STEP", 25)
    event = make_event(db_session)
    path = tmp_path / "attendance.csv"
    path.write_bytes(csv_bytes([row(name=f"Person {n}", email=f"p{n}@example.org")
                                for n in range(60)]))
    args = ["import", "attendance", "--event", str(event.id), str(path)]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "imported 50 of 60 rows" in result.output
    assert "people created: 60" in result.output
    assert _count(db_session, Attendance) == 60
    again = runner.invoke(args=args)
    assert "people matched: 60" in again.output and "attendance rows unchanged: 60" in again.output
    assert _count(db_session, Attendance) == 60 and _count(db_session, Person) == 60


def test_a_large_sheet_s_dry_run_writes_nothing(runner, app, db_session, tmp_path,
                                                monkeypatch):
    monkeypatch.setitem(app.config, "ATTENDANCE_JOB_THRESHOLD", 50)
    event = make_event(db_session)
    path = tmp_path / "attendance.csv"
    path.write_bytes(csv_bytes([row(name=f"Person {n}", email=f"p{n}@example.org")
                                for n in range(60)]))
    dry = runner.invoke(args=["import", "attendance", "--event", str(event.id), str(path),
                              "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "checked 60 of 60 rows" in dry.output
    assert "people created: 60" in dry.output and _count(db_session, Person) == 0


def test_a_large_sheet_with_a_problem_imports_nothing(runner, app, db_session, tmp_path,
                                                      monkeypatch):
    monkeypatch.setitem(app.config, "ATTENDANCE_JOB_THRESHOLD", 50)
    event = make_event(db_session)
    rows = [row(name=f"Person {n}", email=f"p{n}@example.org") for n in range(60)]
    rows[55][2] = "Alien"
    path = tmp_path / "attendance.csv"
    path.write_bytes(csv_bytes(rows))
    result = runner.invoke(args=["import", "attendance", "--event", str(event.id), str(path)])
    assert result.exit_code == 1
    assert "row 57, column Sex" in result.output
    assert _count(db_session, Person) == 0
