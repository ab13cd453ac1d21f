from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user

from core.audit.models import ERASURES_KEY, AuditEntry
from core.extensions import db


def _json_safe(value):
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def record(action: str, obj=None, *, summary: str = "", data: dict | None = None,
           actor=None, object_type: str | None = None, object_id=None) -> AuditEntry:
    """Add an audit entry to the current transaction.

    ``obj`` is the changed model instance; its table name and primary key identify it. The
    actor defaults to the signed-in user and the address to the request's remote address.
    """
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    if obj is not None:
        if getattr(obj, "id", None) is None:
            db.session.flush()  # a new object needs its id before it can be referenced
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=object_type or "system",
        object_id=None if object_id is None else str(object_id),
        summary=summary[:2000],
        data=_json_safe(data or {}),
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    db.session.flush()  # the operation's changes and its audit entry, together
    return entry


def erase_from_entries(entries, scrub) -> int:
    """Remove erased personal data from earlier entries: ``scrub(data)`` gives the entry's
    data without it. The log is otherwise append-only; the law's right to erasure is the one
    exception, and only ``data`` may change (the caller records the erasure itself)."""
    changed = 0
    erasures = db.session.info.setdefault(ERASURES_KEY, set())
    for entry in entries:
        data = scrub(dict(entry.data or {}))
        if data != (entry.data or {}):
            erasures.add(id(entry))
            entry.data = data
            changed += 1
    return changed
