"""The worker's side of jobs: claim one, run it, record the outcome.

Like the outbox worker it commits itself: once to claim (``SELECT … FOR UPDATE SKIP LOCKED``
on PostgreSQL, so that several workers share the table; SQLite runs one worker and serialises
writers anyway), at each step of progress (which is also the heartbeat), and once at the end.
A worker that dies leaves its job running with an old heartbeat; after
``JOBS_STALE_MINUTES`` another turn of a worker takes it over and runs it again (the kind
resumes from the recorded progress where it can). After ``JOBS_MAX_ATTEMPTS`` such
take-overs the job fails instead: it may be what kills its worker.

The outbox worker's loop (``flask outbox send``) runs one job per turn through
``core.housekeeping``, so that email keeps flowing between long jobs.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from core import housekeeping
from core.extensions import db
from core.jobs.models import Job
from core.jobs.registry import JobError, Result, kind_of
from core.jobs.states import JobState
from core.outbox.operations import queue_email
from core.timeutil import utcnow
from core.uploads.operations import store_generated
from core.urls import external_url

log = logging.getLogger(__name__)


def _stale_before(now: datetime) -> datetime:
    seconds = current_app.config.get("JOBS_STALE_SECONDS")
    if seconds:
        return now - timedelta(seconds=float(seconds))
    return now - timedelta(minutes=current_app.config.get("JOBS_STALE_MINUTES", 10))


def claim_next(now: datetime | None = None) -> Job | None:
    """Claim the oldest queued job, or a running one whose worker died; commits."""
    while True:
        now = now or utcnow()
        due = or_(Job.state == JobState.queued,
                  and_(Job.state == JobState.running, Job.heartbeat_at < _stale_before(now)))
        job = db.session.scalars(
            select(Job).where(due).order_by(Job.id).limit(1)
            .with_for_update(skip_locked=True)).first()
        if job is None:
            db.session.commit()
            return None
        if job.attempts >= current_app.config.get("JOBS_MAX_ATTEMPTS", 3):
            _fail(job, _in_locale(job, lambda: _("The work stopped several times before "
                                                 "it could finish.")), now)
            db.session.commit()
            continue
        job.move_to(JobState.running)
        job.attempts += 1
        job.claimed_at = job.heartbeat_at = now
        job.started_at = job.started_at or now
        db.session.commit()
        return job


def _in_locale(job: Job, function):
    with force_locale(job.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        return function()


def _fail(job: Job, message: str, now: datetime) -> None:
    job.move_to(JobState.failed)
    job.message = message
    job.claimed_at = None
    job.finished_at = now


class Progress:
    """``progress(done, total)``: record how far the job has gone, and that it is alive."""

    def __init__(self, job: Job):
        self.job_id = job.id

    def __call__(self, done: int, total: int) -> None:
        job = db.session.get(Job, self.job_id)
        job.progress_done, job.progress_total = done, total
        job.heartbeat_at = utcnow()
        db.session.commit()


def run(job: Job) -> JobState:
    """Run a claimed job to its end and record the outcome; commits."""
    job_id = job.id
    kind = kind_of(job.kind)
    try:
        result = _in_locale(job, lambda: kind.run(job, Progress(job)))
        job = db.session.get(Job, job_id)
        _finish(job, result)
    except Exception as error:
        db.session.rollback()
        job = db.session.get(Job, job_id)
        if isinstance(error, JobError):
            message = str(error)
        else:
            log.exception("job %s (%s) failed", job_id, job.kind)
            message = _in_locale(job, lambda: _("Something went wrong while the file was "
                                                "being made. Try again; if it fails again, "
                                                "tell the programme team."))
        _fail(job, message, utcnow())
    db.session.commit()
    return job.state


def _finish(job: Job, result: Result | None) -> None:
    if result is not None and result.summary is not None:
        job.summary = result.summary
    if result is not None and result.data is not None:
        job.result_file = store_generated(result.data, name=result.filename,
                                          kind=result.file_kind, owner=job.requested_by)
    job.move_to(JobState.done)
    job.progress_done = max(job.progress_done, job.progress_total)
    job.finished_at = utcnow()
    job.claimed_at = None
    requester = job.requested_by
    if requester is not None and requester.email:
        title = _in_locale(job, lambda: str(kind_of(job.kind).title(job)))
        # A job that made a file says it is ready; one that did its work alone (an import),
        # that it is finished.
        template = "jobs/done" if job.result_file is not None else "jobs/finished"
        queue_email(requester.email, template, locale=job.locale, user=requester,
                    title=title, job_url=external_url("jobs.show", job_id=job.id))


def run_next(now: datetime | None = None) -> bool:
    """Claim and run one job; False when there was none to run."""
    job = claim_next(now)
    if job is None:
        return False
    run(job)
    return True


def run_all(now: datetime | None = None) -> int:
    """Run jobs until none is due (tests, ``--once``); returns how many ran."""
    count = 0
    while run_next(now):
        count += 1
    return count


@housekeeping.register("jobs.run_next", every=timedelta(0))
def _one_job_per_turn() -> bool:
    return run_next()
