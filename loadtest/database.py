"""The load test's own PostgreSQL database: dropped and created for every run, dropped at the
end. Plain psycopg, so that the checks read the database independently of the application's
code."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/ogb_loadtest"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def plain_url(url: str) -> str:
    """A libpq URL (``postgresql://``) from any of the spellings the app accepts."""
    for prefix in ("postgresql+psycopg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix):]
    if not url.startswith("postgresql://"):
        raise ValueError("the load test needs a PostgreSQL URL (postgresql://…)")
    return url


def database_name(url: str) -> str:
    name = urlsplit(plain_url(url)).path.lstrip("/")
    if not _NAME.match(name):
        raise ValueError(f"unexpected database name {name!r} in the URL")
    return name


def _maintenance_url(url: str) -> str:
    parts = urlsplit(plain_url(url))
    return urlunsplit(parts._replace(path="/postgres"))


def _run_admin(url: str, statement: sql.Composable) -> None:
    with psycopg.connect(_maintenance_url(url), autocommit=True) as connection:
        connection.execute(statement)


def drop(url: str) -> None:
    name = sql.Identifier(database_name(url))
    _run_admin(url, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


def recreate(url: str) -> None:
    drop(url)
    _run_admin(url, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database_name(url))))


def connect(url: str) -> psycopg.Connection:
    return psycopg.connect(plain_url(url), autocommit=True)
