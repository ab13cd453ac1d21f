"""The background-job take-over, with real processes: a donor workbook is queued, a worker
(``flask outbox send``) starts it, is killed with SIGKILL once the job has recorded progress,
and a second worker, started at once, must take the job over after its heartbeat goes stale
(``JOBS_STALE_SECONDS``, a few seconds here) and finish it, with its file and its email.

It runs after the load, once the load's own worker is stopped, so that no other worker can
take the job; the second worker keeps running until its email has gone out."""

from __future__ import annotations

import signal
import time
from dataclasses import dataclass
from pathlib import Path

from loadtest import database
from loadtest.processes import OutboxWorker, _signal_group
from loadtest.report import Check

#: A running job without a heartbeat for this long is taken over (the setting's default is
#: ten minutes: far too long to wait for here).
STALE_SECONDS = 3
#: Tries with a new job when the first finished before the kill reached its worker.
TRIES = 3


@dataclass
class Outcome:
    job_id: int | None = None
    killed_at_progress: tuple[int, int] | None = None
    state: str | None = None
    attempts: int = 0
    has_file: bool = False
    taken_over_after: float | None = None
    emailed: bool = False
    note: str = ""


def queue_workbook(app, attempt: int) -> int:
    """A donor workbook of the whole programme for a staff member (a distinct end day per
    try, so that asking again is not the same unfinished job); its id."""
    from datetime import date, timedelta

    from sqlalchemy import select

    from accounts.models import User, UserRole
    from accounts.states import Role
    from core.extensions import db
    from core.jobs.operations import enqueue
    from reporting.workbook import jobs
    from reporting.workbook.queries import WorkbookPeriod

    with app.app_context():
        try:
            staff = db.session.scalar(select(User).join(UserRole)
                                      .where(UserRole.role == Role.staff).order_by(User.id))
            period = WorkbookPeriod(None, date.today() + timedelta(days=attempt))
            job = enqueue(jobs.KIND, jobs.parameters(period, None, with_names=False),
                          requested_by=staff, locale="en")
            db.session.commit()
            return job.id
        finally:
            db.session.remove()


def _job(connection, job_id: int):
    return connection.execute(
        "SELECT state, progress_done, progress_total, attempts, result_file_id "
        "FROM jobs WHERE id = %s", [job_id]).fetchone()


def run(database_url: str, variables: dict[str, str], work_dir: Path, queue) -> Outcome:
    """``queue(attempt)`` queues a job and returns its id."""
    env = {**variables, "JOBS_STALE_SECONDS": str(STALE_SECONDS)}
    outcome = Outcome()
    with database.connect(database_url) as connection:
        for attempt in range(TRIES):
            outcome = Outcome(job_id=queue(attempt))
            first = OutboxWorker(env, work_dir / "jobs-first-worker.log")
            first.start()
            try:
                row = _wait(connection, outcome.job_id, lambda r: r[1] > 0 or r[0] == "done",
                            timeout=60, poll=0.02)
            finally:
                _signal_group(first.pid, signal.SIGKILL)
                first.process.wait(10)
                first.stopped = True
            if row is None:
                outcome.note = "the first worker never started the job"
                return outcome
            row = _job(connection, outcome.job_id)
            if row[0] != "done":
                break
            outcome.note = "the job finished before the kill reached its worker"
        else:
            return outcome
        outcome.killed_at_progress = (row[1], row[2])
        killed = time.monotonic()
        second = OutboxWorker(env, work_dir / "jobs-second-worker.log")
        second.start()
        try:
            taken = _wait(connection, outcome.job_id, lambda r: r[3] >= 2, timeout=60)
            if taken is not None:
                outcome.taken_over_after = time.monotonic() - killed
            row = _wait(connection, outcome.job_id, lambda r: r[0] in ("done", "failed"),
                        timeout=120) or _job(connection, outcome.job_id)
            outcome.state, outcome.attempts, outcome.has_file = row[0], row[3], bool(row[4])
            outcome.emailed = _wait_for_email(connection, outcome.job_id, timeout=30)
        finally:
            second.stop()
    return outcome


def _wait(connection, job_id: int, condition, *, timeout: float, poll: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = _job(connection, job_id)
        if row is not None and condition(row):
            return row
        time.sleep(poll)
    return None


def _wait_for_email(connection, job_id: int, *, timeout: float) -> bool:
    """Whether the job's email went out (the second worker sends it on a later turn)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sent = connection.execute(
            "SELECT count(*) FROM outbox_messages WHERE kind = 'jobs.done' "
            "AND body_text LIKE %s AND state = 'sent'", [f"%/jobs/{job_id}%"]).fetchone()[0]
        pending = connection.execute(
            "SELECT count(*) FROM outbox_messages WHERE state IN ('queued', 'sending')"
        ).fetchone()[0]
        if sent and not pending:
            return True
        time.sleep(0.5)
    return False


def check(outcome: Outcome) -> Check:
    passed = (outcome.killed_at_progress is not None and outcome.state == "done"
              and outcome.attempts == 2 and outcome.has_file and outcome.emailed)
    if outcome.killed_at_progress is None:
        return Check("killed job worker's job taken over", False,
                     outcome.note or "no job was killed mid-way")
    done, total = outcome.killed_at_progress
    after = (f"{outcome.taken_over_after:.1f} s" if outcome.taken_over_after is not None
             else "never")
    return Check(
        "killed job worker's job taken over", passed,
        f"donor workbook job {outcome.job_id}: worker killed at step {done} of {total}, "
        f"taken over after {after} (stale after {STALE_SECONDS} s), ended {outcome.state} "
        f"on attempt {outcome.attempts}, {'with' if outcome.has_file else 'without'} its "
        f"file, {'emailed' if outcome.emailed else 'email not sent'}")
