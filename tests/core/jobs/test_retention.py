"""Old jobs are deleted by the worker's housekeeping: done or failed more than JOBS_KEEP_DAYS
ago, with their files (row and bytes); newer and unfinished ones stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.jobs import operations
from core.jobs.models import Job
from core.jobs.retention import delete_old_jobs
from core.timeutil import utcnow
from core.uploads.models import StoredFile
from core.uploads.storage import get_storage
from tests.core.jobs import kinds  # noqa: F401 - registers "test.count"
from tests.fixtures.jobs import run_jobs


def _job(user, items, **parameters):
    return operations.enqueue("test.count", {"items": items, **parameters}, requested_by=user,
                              locale="en")


def test_old_finished_jobs_go_with_their_files(app, factories, db_session):
    user = factories.user()
    old_done, old_failed = _job(user, 1), _job(user, 2, fail_at=0, known=True)
    recent, waiting = _job(user, 3), _job(user, 4)
    run_jobs()
    waiting = _job(user, 5)  # queued after the run: unfinished
    long_ago = utcnow() - timedelta(days=app.config["JOBS_KEEP_DAYS"] + 1)
    for job in (old_done, old_failed):
        job.finished_at = long_ago
    waiting.created_at = long_ago
    db_session.flush()
    key = old_done.result_file.storage_key
    assert get_storage().open(key).read()

    assert delete_old_jobs() == 2
    db_session.commit()
    left = set(db_session.scalars(select(Job.id)))
    assert {recent.id, waiting.id} <= left and not {old_done.id, old_failed.id} & left
    assert recent.result_file is not None
    assert db_session.scalar(select(StoredFile).where(StoredFile.storage_key == key)) is None
    with pytest.raises(FileNotFoundError):
        get_storage().open(key)
    assert delete_old_jobs() == 0


def test_the_keep_days_are_a_setting(app, factories, db_session, monkeypatch):
    user = factories.user()
    job = _job(user, 1)
    run_jobs()
    job.finished_at = utcnow() - timedelta(days=3)
    db_session.flush()
    monkeypatch.setitem(app.config, "JOBS_KEEP_DAYS", 5)
    assert delete_old_jobs() == 0
    monkeypatch.setitem(app.config, "JOBS_KEEP_DAYS", 2)
    assert delete_old_jobs() == 1


def test_the_worker_does_it_in_its_housekeeping(app, factories, db_session):
    from core import housekeeping

    job = _job(factories.user(), 1)
    run_jobs()
    job.finished_at = utcnow() - timedelta(days=app.config["JOBS_KEEP_DAYS"] + 1)
    db_session.flush()
    housekeeping._tasks["jobs.delete_old"].last_run = None
    assert housekeeping.run_due()["jobs.delete_old"] == 1
