"""The benchmark's database and app.

SQLite (the default): a fresh file in a new temporary instance folder for every scale.
PostgreSQL: the database ``DATABASE_URL`` names, emptied first, so it is refused unless its
name contains "bench" or ``--yes`` is given. The schema always comes from the migrations
(``flask db upgrade``), as in a real deployment.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url


class RefusedDatabase(SystemExit):
    pass


@dataclass(frozen=True)
class Target:
    url: str
    #: "sqlite" or "postgresql"
    kind: str
    instance: Path

    @property
    def label(self) -> str:
        return "postgresql" if self.kind == "postgresql" else "sqlite"


def postgres_url_from_environment() -> str | None:
    from config import _normalise_database_url

    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return None
    url = _normalise_database_url(url)
    return url if make_url(url).get_backend_name() == "postgresql" else None


def check_postgres(url: str, *, yes: bool) -> None:
    """Refuse to empty a database that does not look like a benchmark's own."""
    name = make_url(url).database or ""
    print(f"Warning: the PostgreSQL database {name!r} will be emptied (every table dropped).")
    if "bench" not in name.lower() and not yes:
        raise RefusedDatabase(
            f"Refusing to empty {name!r}: its name does not contain 'bench'. Use a database "
            "made for the benchmark, or pass --yes if you really mean it.")


def new_target(postgres_url: str | None) -> Target:
    instance = Path(tempfile.mkdtemp(prefix="ogb-bench-"))
    if postgres_url:
        return Target(url=postgres_url, kind="postgresql", instance=instance)
    return Target(url=f"sqlite:///{instance / 'bench.db'}", kind="sqlite", instance=instance)


def remove(target: Target) -> None:
    shutil.rmtree(target.instance, ignore_errors=True)


def create_bench_app(target: Target, secret_key: str | None = None):
    """The app on ``target`` with the testing settings (CSRF off, so the benchmark can sign
    in through the real login form without scraping tokens)."""
    os.environ["INSTANCE_PATH"] = str(target.instance)
    from app import create_app
    from config import TestingConfig

    settings = TestingConfig.from_environment()
    settings.update(SQLALCHEMY_DATABASE_URI=target.url, WTF_CSRF_ENABLED=False,
                    SECRET_KEY=secret_key or secrets.token_urlsafe(32), MAIL_SERVER="",
                    RATELIMIT_ENABLED=False)
    return create_app(settings)


def prepare_schema(app) -> None:
    """An empty database at the latest migration."""
    from flask_migrate import upgrade

    # The migrations' own logging setup would print every step of every run.
    logging.disable(logging.INFO)
    try:
        _upgrade(app, upgrade)
    finally:
        logging.disable(logging.NOTSET)


def _upgrade(app, upgrade) -> None:
    from core.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade(directory=app.extensions["migrate"].directory)
        db.session.remove()


def after_bulk_load(engine) -> None:
    """What a database needs after rows were inserted with their ids: PostgreSQL's
    sequences moved past them, and fresh planner statistics on both backends (PostgreSQL's
    autovacuum would gather them soon; SQLite only gathers them when asked)."""
    from core.extensions import db

    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            for table in db.metadata.sorted_tables:
                id_column = table.c.get("id")
                if id_column is None or not id_column.primary_key:
                    continue
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM ANALYZE"))
        else:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
