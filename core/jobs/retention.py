"""Old jobs go: a job that ended (done or failed) more than ``JOBS_KEEP_DAYS`` ago is deleted
by the worker's housekeeping, with the file it made. Unfinished jobs are never touched."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from core import housekeeping
from core.extensions import db
from core.jobs.models import Job
from core.jobs.states import JobState
from core.timeutil import utcnow
from core.uploads.operations import delete_stored_file

#: Jobs deleted in one turn at most: the rest wait for the next turn.
BATCH = 200


def delete_old_jobs(now: datetime | None = None) -> int:
    """Delete the jobs that ended before the kept days, and their files (the bytes once the
    transaction commits); flushes and returns how many."""
    before = (now or utcnow()) - timedelta(days=current_app.config.get("JOBS_KEEP_DAYS", 30))
    old = list(db.session.scalars(
        select(Job).where(Job.state.in_((JobState.done, JobState.failed)),
                          Job.finished_at < before)
        .order_by(Job.id).limit(BATCH).with_for_update(skip_locked=True)))
    for job in old:
        stored = job.result_file
        db.session.delete(job)
        db.session.flush()
        if stored is not None:
            delete_stored_file(stored)
    return len(old)


@housekeeping.register("jobs.delete_old", every=timedelta(hours=1))
def _delete_old_jobs() -> int:
    return delete_old_jobs()
