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
