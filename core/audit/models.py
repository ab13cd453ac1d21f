from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow


class AuditEntry(db.Model):
    """One recorded action. Rows are only ever inserted (enforced in ``before_flush``)."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str | None] = mapped_column(String(60))
    summary: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    ip_address: Mapped[str | None] = mapped_column(String(45))

    actor = relationship("User", lazy="joined")


class AuditLogIsAppendOnly(RuntimeError):
    pass


#: ``session.info`` key of the entries whose ``data`` an erasure of personal data may change
#: (``core.audit.operations.erase_from_entries``): the one exception to append-only.
ERASURES_KEY = "audit_erasures"


def _changed_columns(obj) -> set[str]:
    state = inspect(obj)
    return {attribute.key for attribute in state.attrs if attribute.history.has_changes()}


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session, flush_context, instances):
    erasures = session.info.get(ERASURES_KEY, set())
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            if (obj not in session.deleted and id(obj) in erasures
                    and _changed_columns(obj) <= {"data"}):
                continue
            raise AuditLogIsAppendOnly("audit entries cannot be changed or deleted")


@event.listens_for(Session, "after_flush")
def _forget_erasures(session, flush_context):
    session.info.pop(ERASURES_KEY, None)
