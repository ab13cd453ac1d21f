"""The job mechanism: queued, claimed, progress, done (file and email), failed (with a
message and no traceback), retried (once, however many times it is asked), and a job whose
worker was killed taken over and resumed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.jobs import operations, worker
from core.jobs.models import Job
from core.jobs.states import JobState
from core.locking import AlreadyDone
from core.outbox.models import OutboxMessage
from core.timeutil import utcnow
from core.uploads.storage import get_storage
from tests.core.jobs.kinds import COUNTED, WorkerKilled
from tests.fixtures.jobs import run_jobs


@pytest.fixture
def requester(factories):
    return factories.user(name="Rita Requester", email="rita@example.org", locale="es")


def _queue(requester, locale="es", **parameters):
    return operations.enqueue("test.count", parameters, requested_by=requester, locale=locale)


def test_a_queued_job_waits_for_the_worker(requester):
    job = _queue(requester, items=2)
    assert job.state == JobState.queued and job.percent == 0 and job.attempts == 0
    assert job.created_at is not None and job.started_at is None


def test_asking_twice_for_the_same_job_queues_one(requester):
    first = _queue(requester, items=2)
    assert _queue(requester, items=2) is first
    assert _queue(requester, items=3) is not first
    assert _queue(requester, locale="en", items=2) is not first


def test_the_worker_runs_it_with_progress_and_stores_the_file(requester, db_session):
    job = _queue(requester, items=3)
    COUNTED.clear()
    assert run_jobs() == 1
    db_session.refresh(job)
    assert job.state == JobState.done and job.attempts == 1
    assert (job.progress_done, job.progress_total, job.percent) == (3, 3, 100)
    assert [item for (_job, item, _attempt) in COUNTED] == [0, 1, 2]
    assert job.finished_at >= job.started_at
    stored = job.result_file
    assert stored.original_name == "count.csv" and stored.uploaded_by_id == requester.id
    with get_storage().open(stored.storage_key) as handle:
        assert handle.read() == b"item\n0\n1\n2\n"
    assert run_jobs() == 0  # nothing left


def test_the_requester_is_emailed_in_their_language_with_an_absolute_link(requester,
                                                                         db_session):
    job = _queue(requester, items=1)
    run_jobs()
    message = db_session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "jobs.done")).one()
    assert message.recipient == "rita@example.org"
    assert f"http://localhost/jobs/{job.id}" in message.body_text
    assert message.body_text.startswith("Hola, Rita Requester")


def test_a_failure_keeps_a_message_for_the_requester_and_no_traceback(requester,
                                                                     db_session):
    known = _queue(requester, items=3, fail_at=1, known=True)
    unknown = _queue(requester, items=3, fail_at=2)
    run_jobs()
    db_session.refresh(known)
    db_session.refresh(unknown)
    assert known.state == JobState.failed and known.message == "The list has a problem at item 1."
    assert unknown.state == JobState.failed
    assert "secret" not in unknown.message and "Traceback" not in unknown.message
    assert unknown.result_file is None and unknown.finished_at is not None
    assert not db_session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "jobs.done")).all()


def test_a_failed_job_is_retried_once_however_often_it_is_asked(requester, db_session):
    from core.audit.models import AuditEntry

    job = _queue(requester, items=2, fail_at=5)  # never reached: succeeds once retried
    job.state, job.message, job.attempts = JobState.failed, "Broken.", 1
    db_session.flush()
    operations.retry(job, requester)
    with pytest.raises(AlreadyDone):
        operations.retry(job, requester)
    assert job.state == JobState.queued and job.message is None and job.attempts == 0
    assert len(db_session.scalars(select(AuditEntry).where(
        AuditEntry.action == "job.retry")).all()) == 1
    run_jobs()
    db_session.refresh(job)
    assert job.state == JobState.done


def test_a_job_whose_worker_was_killed_is_taken_over_and_resumed(requester, db_session):
    job = _queue(requester, items=4, die_at=2)
    COUNTED.clear()
    with pytest.raises(WorkerKilled):
        run_jobs()
    db_session.rollback()  # what the dead process had not committed is lost
    db_session.refresh(job)
    assert job.state == JobState.running and job.progress_done == 2
    # Another worker soon after leaves it: its worker may only be slow.
    assert worker.claim_next(utcnow() + timedelta(minutes=1)) is None
    later = utcnow() + timedelta(minutes=11)
    assert worker.run_next(later)
    db_session.refresh(job)
    assert job.state == JobState.done and job.attempts == 2
    assert [(item, attempt) for (_job, item, attempt) in COUNTED] == [(0, 1), (1, 1), (2, 2),
                                                                      (3, 2)]


def test_a_job_that_keeps_killing_its_worker_fails(requester, db_session, app):
    job = _queue(requester, items=2)
    job.state, job.attempts = JobState.running, app.config["JOBS_MAX_ATTEMPTS"]
    job.heartbeat_at = utcnow() - timedelta(hours=1)
    db_session.flush()
    assert worker.claim_next() is None
    db_session.refresh(job)
    assert job.state == JobState.failed and job.message


def test_jobs_are_taken_in_the_order_they_were_asked(requester, db_session):
    first, second = _queue(requester, items=1), _queue(requester, items=2)
    assert worker.claim_next().id == first.id
    assert worker.claim_next().id == second.id  # the first is running: skipped


def test_the_worker_command_runs_queued_jobs(requester, db_session, app):
    job = _queue(requester, items=1)
    db_session.flush()
    result = app.test_cli_runner().invoke(args=["outbox", "send", "--once"])
    assert result.exit_code == 0, result.output
    db_session.refresh(job)
    assert job.state == JobState.done


def test_on_postgresql_a_claimed_job_is_skipped_by_another_worker(app, db_session):
    """Two workers at once: the second's SELECT … FOR UPDATE SKIP LOCKED passes over the row
    the first holds, instead of waiting for it or taking it too."""
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("SKIP LOCKED is a PostgreSQL matter")
    from core.extensions import db

    claim = (select(Job.id).where(Job.state == JobState.queued, Job.kind == "test.skip")
             .order_by(Job.id).limit(1).with_for_update(skip_locked=True))
    engine = db.engine
    with engine.begin() as setup:
        setup.execute(Job.__table__.insert(), [
            {"kind": "test.skip", "parameters": {}, "state": "queued", "progress_done": 0,
             "progress_total": 0, "attempts": 0, "created_at": utcnow()} for _ in range(2)])
    first, second = engine.connect(), engine.connect()
    try:
        with first.begin(), second.begin():
            mine = first.execute(claim).scalar()
            theirs = second.execute(claim).scalar()
            assert mine is not None and theirs is not None and mine != theirs
    finally:
        first.close()
        second.close()
        with engine.begin() as cleanup:
            cleanup.execute(Job.__table__.delete().where(Job.kind == "test.skip"))
