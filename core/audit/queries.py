from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from core.audit.models import AuditEntry
from core.extensions import db


def audit_entries(*, object_type: str | None = None, object_id: str | None = None,
                  action: str | None = None, actor_id: int | None = None,
                  since: datetime | None = None, until: datetime | None = None):
    """A select of audit entries, newest first, with the given filters applied."""
    query = select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id:
        query = query.where(AuditEntry.object_id == str(object_id))
    if action:
        query = query.where(AuditEntry.action.startswith(action))
    if actor_id:
        query = query.where(AuditEntry.actor_id == actor_id)
    if since:
        query = query.where(AuditEntry.created_at >= since)
    if until:
        query = query.where(AuditEntry.created_at < until)
    return query


def object_types() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.object_type).distinct().order_by(
        AuditEntry.object_type)))
