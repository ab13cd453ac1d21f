"""Queueing and retrying jobs, in the request's transaction (flush, never commit); the
worker's own writes are in ``worker.py``."""

from __future__ import annotations

from sqlalchemy import select

from core.audit.operations import record
from core.extensions import db
from core.jobs.models import Job
from core.jobs.registry import kind_of
from core.jobs.states import UNFINISHED, JobState
from core.locking import AlreadyDone, lock, lock_key


def enqueue(kind: str, parameters: dict, *, requested_by, locale: str | None) -> Job:
    """A new queued job of ``kind``; or, when the same person's identical job has not finished
    yet (the same form sent twice), that one: asking again does not make the work twice."""
    kind_of(kind)  # an unknown kind is a bug: KeyError
    lock_key(f"jobs.enqueue.{requested_by.id}")
    unfinished = db.session.scalars(
        select(Job).where(Job.kind == kind, Job.requested_by_id == requested_by.id,
                          Job.state.in_(UNFINISHED)).order_by(Job.id))
    for job in unfinished:
        if job.parameters == parameters and job.locale == locale:
            return job
    job = Job(kind=kind, parameters=parameters, requested_by_id=requested_by.id,
              locale=locale, state=JobState.queued, progress_done=0, progress_total=0,
              attempts=0)
    db.session.add(job)
    db.session.flush()
    record("job.queue", job, actor=requested_by, summary=f"Queued {kind}",
           data={"kind": kind, "parameters": parameters})
    return job


def retry(job: Job, user) -> Job:
    """Queue a failed job again, from the start. The same retry sent twice queues it once:
    the second finds it queued (``AlreadyDone``)."""
    job = lock(job)
    if job.state != JobState.failed:
        raise AlreadyDone("already queued")
    job.move_to(JobState.queued)
    job.message = job.summary = None
    job.progress_done = job.progress_total = job.attempts = 0
    job.claimed_at = job.heartbeat_at = job.started_at = job.finished_at = None
    record("job.retry", job, actor=user, summary=f"Retried {job.kind}")
    return job
