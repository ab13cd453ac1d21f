"""The stored open-data files: built when the published data changes, served as they are."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

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
    # Deferred: a revalidation (304) or the page's counts never read the files themselves.
    json_body: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    xlsx_body: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    #: ``json_body`` gzip-compressed once when built, sent to clients that accept gzip: a
    #: download costs no compression (None for files built before it was stored).
    json_gzip: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    #: The last IATI file that passed the schema, and when it was built: a build that fails
    #: leaves it in place (so it may be older than ``built_at``).
    iati_etag: Mapped[str | None] = mapped_column(String(80))
    iati_body: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    iati_gzip: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
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
