"""Walking ``app.url_map``, and small helpers shared by the security checks."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import func, select

#: Blueprints of the reporting package, still being completed: their routes are enumerated
#: like every other; a missing case of theirs is named as such in the failure message.
REPORTING_BLUEPRINTS = frozenset({"dashboards", "workbook", "opendata", "portal"})

#: What a refused form says when its CSRF token is missing (core.errors).
CSRF_MESSAGE = b"The form had expired or was not sent from this site"


def rules(app):
    return sorted(app.url_map.iter_rules(), key=lambda rule: (rule.endpoint, rule.rule))


def methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def id_endpoints(app) -> set[str]:
    """Endpoints whose address names an object (any variable part)."""
    return {rule.endpoint for rule in rules(app) if rule.arguments}


def composite_endpoints(app) -> set[str]:
    """Endpoints whose address names an object inside another (two numeric ids)."""
    return {rule.endpoint for rule in rules(app) if rule.rule.count("<int:") >= 2}


def post_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in rules(app) if "POST" in rule.methods}


def rule_of(app, endpoint: str):
    return next(rule for rule in rules(app) if rule.endpoint == endpoint)


def row_counts(session) -> dict[str, int]:
    """Rows per table: a write of any kind adds a row somewhere (an audit entry at least)."""
    from core.extensions import db

    return {table.name: session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


@contextmanager
def undone(session):
    """Whatever the requests inside the block write is rolled back afterwards, so each
    request of a loop sees the same objects."""
    savepoint = session.begin_nested()
    session.connection()  # emits the SAVEPOINT now, before the requests write
    try:
        yield
    finally:
        if savepoint.is_active:
            savepoint.rollback()
        session.expire_all()


def sign_in(client, user) -> None:
    with client.session_transaction() as session:
        session.clear()
        if user is not None:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
