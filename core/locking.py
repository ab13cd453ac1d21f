"""Locking the row an operation changes, so that the same request sent twice at once (a
double click, a proxy's retry) acts once.

The operation locks the row first (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's write
transaction already serialises writers), reloads it, and only then checks its state: the
second request waits for the first to commit and then sees what it did. When that shows the
same action already done, the operation raises ``AlreadyDone`` and the view answers as it
would have answered the first request (a note instead of a success message), never an error
page, a second email or a second audit entry.
"""

from __future__ import annotations

from sqlalchemy import func, select

from core.errors import OperationError
from core.extensions import db


class AlreadyDone(OperationError):
    """The action was already done (a duplicate of a request that won the race). Views that
    know it answer like the winner; any other shows the message as a refusal. ``existing``
    is what the first request made, when the answer points to it."""

    def __init__(self, message, field: str | None = None, existing=None):
        super().__init__(message, field=field)
        self.existing = existing


def lock(obj):
    """Lock ``obj``'s row until the transaction ends and reload it: its columns now (populate
    existing), everything else the session read before the lock when next used (a row read
    before may since have been changed or removed by the request that held the lock; the
    session has flushed, so nothing of this request is lost)."""
    obj = getattr(obj, "_get_current_object", lambda: obj)()  # current_user is a proxy
    model = type(obj)
    locked = db.session.execute(
        select(model).where(model.id == obj.id).with_for_update()
        .execution_options(populate_existing=True)).scalar_one()
    db.session.expire_all()
    return locked


def lock_key(key: str) -> None:
    """Hold a lock on ``key`` until the transaction ends, for a row that does not exist yet
    (a new account for an address): two requests creating the same thing run one after the
    other, and the second finds the first one's row. PostgreSQL takes a transaction-level
    advisory lock; SQLite's write transaction already serialises writers."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))


def identical(model, values: dict):
    """A row of ``model`` already holding exactly ``values`` (what a form creating one would
    write), or None. Call it after ``lock_key`` on what identifies the row, so that of two
    identical creations sent at once the second finds the first one's row."""
    scalar = {name: value for name, value in values.items()
              if not isinstance(value, list | dict)}
    candidates = db.session.scalars(select(model).where(
        *[getattr(model, name) == value for name, value in scalar.items()]))
    return next((row for row in candidates
                 if all(getattr(row, name) == value for name, value in values.items())), None)
