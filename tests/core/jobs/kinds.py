"""Kinds of job for the mechanism's tests, registered once: "test.count" counts items,
recording each, and can fail or have its worker killed at a given item."""

from __future__ import annotations

from core.jobs.registry import JobError, Kind, Result, register

#: (job id, item, attempt) for every item counted, in order.
COUNTED: list[tuple[int, int, int]] = []


class WorkerKilled(BaseException):
    """Stands for the worker process dying mid-job (nothing of it is caught)."""


def _run(job, progress):
    values = job.parameters
    total = values.get("items", 3)
    for item in range(job.progress_done, total):  # resumes where the last step ended
        if values.get("fail_at") == item:
            if values.get("known"):
                raise JobError(f"The list has a problem at item {item}.")
            raise RuntimeError("secret internal detail /srv/app/file.py")
        if values.get("die_at") == item and job.attempts == 1:
            raise WorkerKilled
        COUNTED.append((job.id, item, job.attempts))
        progress(item + 1, total)
    return Result(b"item\n" + b"".join(b"%d\n" % i for i in range(total)), "count.csv", "csv")


KIND = register(Kind("test.count", run=_run, title=lambda job: "Counting"))
