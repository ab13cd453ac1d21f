"""Committing for real: build the two-organisation world, send one route's POST from two
threads released together, compare what the database holds afterwards, and remove every row
the case added.

The suite's usual per-test rollback cannot be used here: each request of the pair has its own
connection and must see what the world committed, and the loser must wait on the winner's
row lock. Rows are removed by primary key above the highest one found before the case (and,
for tables without an integer key, the rows whose key was not there before).
"""

from __future__ import annotations

import re
import threading
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Integer, func, select, text

from core.extensions import db

_TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


@dataclass
class Case:
    """How to send one route's POST: who sends it, where, with which form data.

    ``setup(world, session, factories)`` may build more objects before the world is committed
    and returns a dict the other functions see as ``ctx``; ``url(world, ctx)`` and
    ``data(world, ctx)`` give the address and the form (called once per request, so that
    uploaded files are fresh streams)."""

    who: str
    url: Callable
    data: Callable = lambda world, ctx: {}
    setup: Callable | None = None
    #: Both requests may answer differently (e.g. the loser sees a "nothing to do" page)
    #: as long as neither is a server error.
    same_status: bool = True
    #: Why two identical requests rightly make two records (an upload stores each file
    #: sent): the repeat checks are skipped, the server-error check is not.
    repeats_by_design: str = ""
    #: What a repeat still does wrong on this route, until it is fixed: the case runs as an
    #: expected failure.
    known_problem: str = ""


@dataclass
class NotStateChanging:
    """A POST route that changes no programme data, or does so idempotently by design."""

    reason: str


@dataclass
class Outcome:
    statuses: list[int]
    locations: list[str | None]
    bodies: list[str] = field(default_factory=lambda: ["", ""])
    errors: list[str] = field(default_factory=list)


# Snapshots and cleanup ---------------------------------------------------------------------

def _integer_key(table):
    keys = list(table.primary_key.columns)
    return keys[0] if len(keys) == 1 and isinstance(keys[0].type, Integer) else None


def snapshot(session) -> dict:
    """Per table: the highest integer key, or the set of keys for other tables."""
    marks = {}
    for table in db.metadata.sorted_tables:
        key = _integer_key(table)
        if key is not None:
            marks[table.name] = session.scalar(select(func.max(key))) or 0
        else:
            columns = list(table.primary_key.columns)
            marks[table.name] = {tuple(row) for row in session.execute(select(*columns))}
    return marks


def new_rows(session, marks: dict) -> dict[str, list]:
    """The rows each table gained since ``marks``, as tuples of their values."""
    gained = {}
    for table in db.metadata.sorted_tables:
        key = _integer_key(table)
        if key is not None:
            rows = session.execute(select(table).where(key > marks[table.name])).all()
        else:
            columns = list(table.primary_key.columns)
            rows = [row for row in session.execute(select(table)).all()
                    if tuple(row._mapping[c.name] for c in columns) not in marks[table.name]]
        if rows:
            gained[table.name] = rows
    return gained


def remove_new_rows(app, marks: dict) -> None:
    """Delete every row added since ``marks`` (foreign keys off, so the order is free)."""
    with app.app_context():
        session = db.session
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            session.execute(text("SET session_replication_role = replica"))
        else:
            session.commit()
            session.connection().exec_driver_sql("PRAGMA defer_foreign_keys=ON")
        for table in reversed(db.metadata.sorted_tables):
            key = _integer_key(table)
            if key is not None:
                session.execute(table.delete().where(key > marks[table.name]))
            else:
                columns = list(table.primary_key.columns)
                for row in session.execute(select(*columns)).all():
                    if tuple(row) not in marks[table.name]:
                        session.execute(table.delete().where(
                            *[c == v for c, v in zip(columns, row, strict=True)]))
        if dialect == "postgresql":
            session.execute(text("SET session_replication_role = DEFAULT"))
        session.commit()
        session.remove()


# Sending the pair --------------------------------------------------------------------------

def _signed_in_client(app, user_id: str | None):
    client = app.test_client()
    with client.session_transaction() as session:
        session.clear()
        if user_id is not None:
            session["_user_id"] = user_id
            session["_fresh"] = True
    return client


def _token(client) -> str:
    page = client.get("/")
    return _TOKEN.search(page.data.decode()).group(1)


def send(app, user_id: str | None, url: str, forms: list[dict]) -> Outcome:
    """The same POST with each of ``forms`` (identical but for fresh file streams), from as
    many threads, each with its own client (own session cookie and CSRF token), released
    together by a barrier."""
    copies = len(forms)
    barrier = threading.Barrier(copies)
    outcome = Outcome(statuses=[0] * copies, locations=[None] * copies)

    def post(index: int) -> None:
        try:
            with app.app_context():
                client = _signed_in_client(app, user_id)
                data = {**forms[index], "csrf_token": _token(client)}
                db.session.remove()
                barrier.wait(timeout=60)
                response = client.post(url, data=data)
                outcome.statuses[index] = response.status_code
                outcome.locations[index] = response.location
                outcome.bodies[index] = response.get_data(as_text=True)
                db.session.remove()
        except Exception:  # noqa: BLE001 - reported by the test
            outcome.errors.append(traceback.format_exc())
            barrier.abort()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if any(thread.is_alive() for thread in threads):
        outcome.errors.append("a request did not finish within two minutes")
    return outcome


# What a duplicate leaves behind ------------------------------------------------------------

#: Columns that differ between two otherwise identical rows written by two requests.
#: (A list's position too: the second of two identical rows goes after the first.)
_VOLATILE = re.compile(r"(^id$|^position$|_at$|token|key|hash|sha256|nonce|secret)")


def duplicated_rows(gained: dict[str, list]) -> dict[str, int]:
    """Per table, how many of its new rows repeat another new row in every column but the
    key, timestamps and random values (what a second insert of the same thing leaves)."""
    from sqlalchemy import DateTime

    repeated = {}
    for name, rows in gained.items():
        if name in ("audit_entries", "outbox_messages"):
            continue  # checked by their own rules below
        table = db.metadata.tables[name]
        kept = [c.name for c in table.columns
                if not _VOLATILE.search(c.name) and not c.primary_key
                and not isinstance(getattr(c.type, "impl", c.type), DateTime)]
        if not kept:
            continue
        counts = Counter(repr(tuple(row._mapping[c] for c in kept)) for row in rows)
        extra = sum(n - 1 for n in counts.values())
        if extra:
            repeated[name] = extra
    return repeated


def duplicated_audit_entries(rows) -> list:
    counts = Counter((r.action, r.object_type, r.object_id, r.actor_id) for r in rows)
    return [key for key, n in counts.items() if n > 1]


def duplicated_messages(rows) -> list:
    counts = Counter((r.recipient, r.kind, r.subject) for r in rows)
    return [key for key, n in counts.items() if n > 1]


def counters(session) -> dict[str, int]:
    from core.references import ReferenceCounter

    return {c.series: c.last_number for c in session.scalars(select(ReferenceCounter))}


def reference_gaps(session, before: dict[str, int]) -> dict[str, list[int]]:
    """Per reference series: the numbers given out since ``before`` that no application or
    award carries (a number taken by a request that then lost the race)."""
    from grants.applications.models import Application
    from grants.awards.models import Award

    gaps = {}
    for series, last in counters(session).items():
        given = set(range(before.get(series, 0) + 1, last + 1))
        if not given:
            continue
        prefix = series + "-"
        taken = set()
        for column in (Application.reference, Award.reference):
            for reference in session.scalars(select(column).where(column.like(prefix + "%"))):
                suffix = reference[len(prefix):]
                # The fixtures write five-digit references by hand; the counter's are shorter.
                if suffix.isdigit() and len(suffix) < 5:
                    taken.add(int(suffix))
        if given - taken:
            gaps[series] = sorted(given - taken)
    return gaps


def flashed(body: str) -> list[str]:
    """The messages and field errors of a page, to say why a case's form was refused."""
    return re.findall(r'class="[^"]*(?:flash|error)[^"]*"[^>]*>\s*([^<]{3,200})', body)
