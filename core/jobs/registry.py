"""The kinds of job. A later package registers each of its kinds (``reporting`` registers
"donor_workbook") with what runs it, what the page calls it and who may read it; core never
imports the package.

``run(job, progress)`` does the work in the requester's language and returns a ``Result``
(the file made, and/or a summary of what was done) or None; it calls ``progress(done,
total)`` after each step, which records it and commits, so the page shows it and the job is
known to be alive. A job taken over after its worker died runs again with the progress its
last step recorded (``job.progress_done``, and ``job.summary`` if the kind keeps its running
totals there): a kind that can resume starts there, others start over.
``JobError`` carries a message for the requester; any other exception is logged and shown as
a general failure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.access import ALLOW, Decision


class JobError(Exception):
    """A failure the requester can understand (its text is shown to them)."""


@dataclass(frozen=True)
class Result:
    #: The file made, or None for a job whose outcome is its summary alone.
    data: bytes | None
    filename: str = ""
    #: A kind of ``core.uploads.detection`` ("xlsx", "csv", …).
    file_kind: str = ""
    #: What the job did, JSON-ready (kept in ``Job.summary``; the kind's ``describe`` shows
    #: it on the job's page).
    summary: dict | None = None


@dataclass(frozen=True)
class Kind:
    name: str
    run: Callable
    #: ``title(job)``: what the job makes, e.g. "Donor workbook, 2019".
    title: Callable
    #: ``may_read(user, job)``: a further condition on the job's page and file, beyond being
    #: its requester or staff (e.g. only staff read a variant with names).
    may_read: Callable[..., Decision] = lambda user, job: ALLOW
    #: Where the page's "back" link goes: ``(endpoint, values)`` or None.
    back: Callable | None = None
    #: ``describe(job)``: the finished job's summary as (label, value) lines for its page,
    #: or None for a kind whose outcome is its file alone.
    describe: Callable | None = None


_kinds: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    _kinds[kind.name] = kind
    return kind


def kind_of(name: str) -> Kind:
    """The registered kind; KeyError for an unknown one."""
    return _kinds[name]
