"""Engine settings that make SQLite behave like the production database where it matters."""

from __future__ import annotations

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter

from core.params import MAX_INT

#: The largest value of an INTEGER primary key on PostgreSQL.
MAX_ID = MAX_INT


class IdConverter(IntegerConverter):
    """``<int:...>`` in routes: ids beyond the column's range match nothing (404) instead of
    overflowing the database driver (500)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

_configured = False


def configure_sqlite() -> None:
    """Foreign keys on, a busy timeout, and real transactions (pysqlite's own transaction
    handling breaks SAVEPOINT; we emit BEGIN ourselves, as SQLAlchemy's docs recommend)."""
    global _configured
    if _configured:
        return
    _configured = True

    @event.listens_for(Engine, "connect")
    def _on_connect(dbapi_connection, _record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()

    @event.listens_for(Engine, "begin")
    def _on_begin(connection):
        if connection.dialect.name == "sqlite":
            # IMMEDIATE takes the write lock up front, so concurrent writers queue instead of
            # failing half-way through a transaction.
            connection.exec_driver_sql("BEGIN IMMEDIATE")



def rows_by_ids(model, values, *, message, field: str) -> list:
    """The ``model`` rows whose ids are given as form values (each once, in the given order).

    A value that is not a valid id, or that names no row, raises ``OperationError`` on
    ``field`` with ``message(number)``, a function returning the text to show.
    """
    from sqlalchemy import select

    from core.errors import OperationError
    from core.extensions import db

    ids = []
    for value in values or []:
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if not 0 < number <= MAX_ID:
            raise OperationError(message(str(value)[:20]), field=field)
        if number not in ids:
            ids.append(number)
    if not ids:
        return []
    found = {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))}
    missing = [number for number in ids if number not in found]
    if missing:
        raise OperationError(message(missing[0]), field=field)
    return [found[number] for number in ids]
