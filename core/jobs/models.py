from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.jobs.states import TRANSITIONS, JobState
from core.timeutil import UTCDateTime, utcnow


class Job(db.Model):
    """One piece of background work: what (``kind`` and its ``parameters``), for whom, how
    far it has gone and, once done, the file it made (``result_file``) and what it did
(``summary``)."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_due", "state", "heartbeat_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: A name registered with ``core.jobs.registry``, e.g. "donor_workbook".
    kind: Mapped[str] = mapped_column(String(80), index=True)
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: The requester's language then: the job's texts and its email are in it.
    locale: Mapped[str | None] = mapped_column(String(10))
    state: Mapped[JobState] = mapped_column(
        Enum(JobState, native_enum=False, length=20), default=JobState.queued)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    #: Why the job failed, in words for the requester (never a traceback).
    message: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Written by the worker at each step; a running job whose heartbeat is older than
    #: ``JOBS_STALE_MINUTES`` lost its worker and is taken over.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_files.id", ondelete="SET NULL"))
    #: What the job did, in figures, for its page (``Result.summary``; a kind may also keep
    #: its running totals here between steps, so that a take-over resumes them).
    summary: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    requested_by = relationship("User")
    result_file = relationship("StoredFile")

    def move_to(self, state: JobState) -> None:
        if (self.state, state) not in TRANSITIONS:
            raise ValueError(f"job cannot go from {self.state} to {state}")
        self.state = state

    @property
    def percent(self) -> int:
        if self.state == JobState.done:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.state}>"
