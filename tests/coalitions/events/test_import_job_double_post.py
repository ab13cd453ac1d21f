"""A large attendance sheet's form sent twice at once (two threads, real transactions, as in
``tests/security/test_double_post.py``): one job is queued and one copy of the sheet stored;
both requests land on that job's page."""

from __future__ import annotations

import io

import pytest

from core.extensions import db
from tests.coalitions.events import csv_bytes, row
from tests.security.double_post import harness


@pytest.fixture(autouse=True)
def db_session():
    """This module commits for real: no per-test rollback session."""
    yield None


def _sheet() -> dict:
    sheet = csv_bytes([row(name=f"Twice {n}", email=f"twice{n}@example.org")
                       for n in range(12)])
    return {"file": (io.BytesIO(sheet), "attendance.csv")}


def test_a_large_sheet_sent_twice_at_once_queues_one_job(app, csrf_enabled, tmp_path,
                                                         monkeypatch):
    from tests.fixtures.factories import Factories
    from tests.security.world import build_world

    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "ATTENDANCE_JOB_THRESHOLD", 10)
    with app.app_context():
        marks = harness.snapshot(db.session)
        db.session.remove()
    try:
        with app.app_context():
            session = db.session
            world = build_world(session, Factories(session))
            session.commit()
            url = f"/staff/events/{world.extra['event'].id}/import"
            user_id = world.staff.get_id()
            before = harness.snapshot(session)
            session.commit()  # SQLite: the requests need the write lock this would hold
            outcome = harness.send(app, user_id, url, [_sheet(), _sheet()])
            session.expire_all()
            gained = harness.new_rows(session, before)
            session.remove()
    finally:
        harness.remove_new_rows(app, marks)
    assert not outcome.errors, outcome.errors[0]
    assert all(status == 302 for status in outcome.statuses), outcome.statuses
    assert outcome.locations[0] == outcome.locations[1]  # the same job's page
    assert "/jobs/" in outcome.locations[0]
    assert len(gained.get("jobs", [])) == 1, gained.get("jobs")
    assert len(gained.get("stored_files", [])) == 1
    assert not harness.duplicated_rows(gained), harness.duplicated_rows(gained)
