"""Engine settings that make SQLite behave like the production database where it matters."""

from __future__ import annotations

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

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
