"""``JOBS_STALE_SECONDS``, when set, says in seconds how long a running job may go without a
sign of life before another worker takes it over (the load test cannot wait minutes);
unset, ``JOBS_STALE_MINUTES`` keeps its meaning."""

from __future__ import annotations

from datetime import timedelta

from core.jobs import operations, worker
from core.jobs.states import JobState
from core.timeutil import utcnow
from tests.core.jobs import kinds  # noqa: F401 - registers "test.count"


def _running_job(factories, db_session, silent_for: timedelta):
    job = operations.enqueue("test.count", {"items": 1}, requested_by=factories.user(),
                             locale="en")
    job.state, job.attempts = JobState.running, 1
    job.heartbeat_at = utcnow() - silent_for
    db_session.flush()
    return job


def test_seconds_win_over_minutes_when_set(app, factories, db_session, monkeypatch):
    job = _running_job(factories, db_session, timedelta(seconds=5))
    assert app.config["JOBS_STALE_SECONDS"] is None
    assert worker.claim_next() is None  # ten minutes by default
    monkeypatch.setitem(app.config, "JOBS_STALE_SECONDS", 10)
    assert worker.claim_next() is None
    monkeypatch.setitem(app.config, "JOBS_STALE_SECONDS", 3)
    assert worker.claim_next() is job and job.attempts == 2


def test_minutes_keep_their_meaning(app, factories, db_session, monkeypatch):
    job = _running_job(factories, db_session, timedelta(minutes=3))
    monkeypatch.setitem(app.config, "JOBS_STALE_MINUTES", 4)
    assert worker.claim_next() is None
    monkeypatch.setitem(app.config, "JOBS_STALE_MINUTES", 2)
    assert worker.claim_next() is job


def test_the_settings_come_from_the_environment(monkeypatch, tmp_path):
    from config import Config

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("JOBS_STALE_MINUTES", raising=False)
    monkeypatch.setenv("JOBS_STALE_SECONDS", "3")
    monkeypatch.setenv("JOBS_KEEP_DAYS", "7")
    settings = Config.from_environment()
    assert settings["JOBS_STALE_SECONDS"] == 3 and settings["JOBS_KEEP_DAYS"] == 7
    assert settings["JOBS_STALE_MINUTES"] == 10
