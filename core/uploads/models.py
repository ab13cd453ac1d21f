from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow


class StoredFile(db.Model):
    """One uploaded file. The bytes live in the storage under ``storage_key``, a random name
    unrelated to ``original_name``; domain rows (attachments) point here.

    Written only through ``core.uploads.operations``; served only through
    ``core.uploads.responses.send_stored_file`` after the domain view's permission check.
    """

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    #: The sanitised name the uploader gave, used only as the download's file name.
    original_name: Mapped[str] = mapped_column(String(255))
    #: Detected from the content, never taken from the browser.
    content_type: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    uploaded_by = relationship("User")

    def __repr__(self) -> str:
        return f"<StoredFile {self.id} {self.kind} {self.size_bytes}B>"
