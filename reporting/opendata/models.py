"""The stored open-data files: built when the published data changes, served as they are."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, delete, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.timeutil import UTCDateTime

#: ``data_version`` of a row claimed for its first build, before any file exists.
NEVER_BUILT = -1


class OpenDataFile(db.Model):
    """The 360Giving JSON and spreadsheet and the IATI activity file of one scope (every
    fund, or one fund), the counts the open-data page shows, and the public-data version they
    were built from."""

    __tablename__ = "open_data_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "all", or "fund-<id>".
    scope: Mapped[str] = mapped_column(String(40), unique=True)
    fund_id: Mapped[int | None] = mapped_column(ForeignKey("funds.id", ondelete="CASCADE"))
    data_version: Mapped[int] = mapped_column(default=NEVER_BUILT)
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    grant_count: Mapped[int] = mapped_column(default=0)
    #: Reason -> number of published projects left out of the file for it.
    left_out: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The latest ``dateModified`` among the grants.
    last_change: Mapped[datetime | None] = mapped_column(UTCDateTime)
    json_etag: Mapped[str | None] = mapped_column(String(80))
    xlsx_etag: Mapped[str | None] = mapped_column(String(80))
    #: The last IATI file that passed the schema, and when it was built: a build that fails
    #: leaves it in place (so it may be older than ``built_at``).
    iati_etag: Mapped[str | None] = mapped_column(String(80))
    iati_built_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    activity_count: Mapped[int] = mapped_column(default=0)
    #: Set while one worker rebuilds the files; a claim older than the timeout is abandoned.
    refreshing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def left_out_total(self) -> int:
        return sum((self.left_out or {}).values())

    @property
    def projects(self) -> int:
        """Published projects considered, whether or not they became grants."""
        return self.grant_count + self.left_out_total

    @property
    def is_built(self) -> bool:
        return self.data_version != NEVER_BUILT

    # The files themselves (``BODY_KINDS``), each read on its own when served.

    def body(self, kind: str) -> bytes | None:
        """The stored bytes of ``kind``, or None when there are none."""
        if self.id is None:
            return None
        return db.session.scalar(select(OpenDataBody.body).where(
            OpenDataBody.file_id == self.id, OpenDataBody.kind == kind))

    def set_body(self, kind: str, value: bytes | None) -> None:
        """Store ``value`` as the file of ``kind`` (None removes it)."""
        if kind not in BODY_KINDS:
            raise ValueError(f"unknown kind of open-data file {kind!r}")
        session = db.session
        if self.id is None:
            session.flush()
        # Statements, not objects: the old file is never read, and a rebuild issues the same
        # statements whatever it replaces (the row's own changes are flushed once, after).
        with session.no_autoflush:
            session.execute(delete(OpenDataBody).where(OpenDataBody.file_id == self.id,
                                                       OpenDataBody.kind == kind))
            if value is not None:
                session.execute(insert(OpenDataBody).values(file_id=self.id, kind=kind,
                                                            body=value))

    json_body = property(lambda self: self.body("json"))
    json_gzip = property(lambda self: self.body("json_gzip"))
    xlsx_body = property(lambda self: self.body("xlsx"))
    iati_body = property(lambda self: self.body("iati"))
    iati_gzip = property(lambda self: self.body("iati_gzip"))


#: The stored files: the 360Giving JSON and spreadsheet and the IATI file, and the JSON and
#: IATI gzip-compressed once when built (sent as they are to clients that accept gzip, so a
#: download costs no compression). The IATI file is the last that passed the schema: a build
#: that fails leaves it in place.
BODY_KINDS = ("json", "json_gzip", "xlsx", "iati", "iati_gzip")


class OpenDataBody(db.Model):
    """One stored file's bytes, in a table of their own. SQLite reads a row's columns in
    order, walking the pages of every large value before the one asked for: with the files
    kept beside each other and the file's details, each download and revalidation walked
    megabytes of pages that it did not need (5 ms a download, with the write lock held)."""

    __tablename__ = "open_data_bodies"

    file_id: Mapped[int] = mapped_column(
        ForeignKey("open_data_files.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)
