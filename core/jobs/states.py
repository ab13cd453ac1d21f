"""A job's states: queued → running → done, or failed (and queued again by a retry)."""

from __future__ import annotations

from flask_babel import lazy_pgettext

from core.enums import TitledEnum


class JobState(TitledEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"

    __titles__ = {queued: lazy_pgettext("job", "Waiting to start"),
                  running: lazy_pgettext("job", "In progress"),
                  done: lazy_pgettext("job", "Ready"),
                  failed: lazy_pgettext("job", "Failed")}
    __tones__ = {queued: "waiting", running: "active", done: "done", failed: "stopped"}


#: (from, to) pairs a job may move through; anything else is a bug.
TRANSITIONS = {
    (JobState.queued, JobState.running),
    (JobState.running, JobState.running),  # a worker took over a job whose worker died
    (JobState.running, JobState.done),
    (JobState.running, JobState.failed),
    (JobState.failed, JobState.queued),  # retried by the person who asked for it
}

#: States in which a job is still to finish.
UNFINISHED = (JobState.queued, JobState.running)
