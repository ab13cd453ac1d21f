from __future__ import annotations

from sqlalchemy import Select, select

from core.jobs.models import Job
from core.jobs.registry import kind_of
from core.jobs.states import UNFINISHED, JobState


def status(job: Job, download_url: str | None) -> dict:
    """What the page's script needs to redraw the progress: JSON-ready."""
    return {
        "id": job.id,
        "state": job.state.value,
        "state_title": job.state.title,
        "title": str(kind_of(job.kind).title(job)),
        "done": job.progress_done,
        "total": job.progress_total,
        "percent": job.percent,
        "finished": job.state not in UNFINISHED,
        "message": job.message if job.state == JobState.failed else None,
        "download_url": (download_url if job.state == JobState.done
                         and job.result_file_id is not None else None),
    }


def jobs_of(user) -> Select:
    """The jobs ``user`` asked for, newest first (to page)."""
    return (select(Job).where(Job.requested_by_id == user.id)
            .order_by(Job.created_at.desc(), Job.id.desc()))


def title_of(job: Job) -> str:
    """What the job makes, in the reader's language; its kind's name for a kind no longer
    registered."""
    try:
        kind = kind_of(job.kind)
    except KeyError:
        return job.kind
    return str(kind.title(job))
