"""Counters for "what the public can see has changed", one per channel (the funded projects
and their open data; the calls).

Public pages and the stored open-data files are built from many tables (awards, publication
settings, payments, organisations, calls). Rather than every operation remembering to say so,
each package registers here the models its public output reads (:func:`watch`); a
``before_flush`` listener notes which channels a flush changes and the counters are bumped
at the end of the same transaction, just before it commits: a rolled back change never
marks anything stale, and a committed one always does.

Pages use the counter as a cheap validator (an ETag without rendering); the open-data files
record the counter they were built from and are rebuilt when it moves on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from flask_sqlalchemy.session import Session
from sqlalchemy import String, event, insert, select, update
from sqlalchemy.orm import MANYTOONE, Mapped, mapped_column

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow

#: The funded projects: the portal's pages and the open-data files.
PROJECTS = "projects"
#: The public calls.
CALLS = "calls"
#: The public action plans, their commitments and milestones.
PLANS = "plans"
#: The multi-stakeholder forum: its members, meetings and repository of documents.
FORUM = "forum"


class PublicDataVersion(db.Model):
    """A number that grows whenever something the public sees on a channel changes."""

    __tablename__ = "public_data_versions"

    channel: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@dataclass(frozen=True)
class _Watch:
    channel: str
    attributes: frozenset[str]
    #: Whether a new or deleted row counts (a new organisation is not public, say).
    rows: bool
    #: Whether a changed object matters at all (e.g. only applications that were awarded).
    when: Callable[[object], bool] | None


_watched: dict[type, list[_Watch]] = {}


def watch(channel: str, model: type, *attributes: str, rows: bool = True,
          when: Callable[[object], bool] | None = None) -> None:
    """Count a new, deleted or changed ``model`` row as a change on ``channel``; with
    ``attributes`` only a change to one of them counts."""
    _watched.setdefault(model, []).append(_Watch(channel, frozenset(attributes), rows, when))


def current_version(channel: str) -> int:
    """The channel's counter as committed (or as this transaction changed it)."""
    return db.session.scalar(select(PublicDataVersion.version)
                             .where(PublicDataVersion.channel == channel)) or 0


def mark_changed(channel: str, session=None) -> None:
    """Bump ``channel``'s counter in ``session``'s transaction. On PostgreSQL the row stays
    locked until commit, so two changes cannot both read the same number."""
    session = session or db.session
    connection = session.connection()
    result = connection.execute(
        update(PublicDataVersion).where(PublicDataVersion.channel == channel)
        .values(version=PublicDataVersion.version + 1, changed_at=utcnow()))
    if result.rowcount == 0:  # the migration creates the rows; this is a safety net
        connection.execute(insert(PublicDataVersion)
                           .values(channel=channel, version=1, changed_at=utcnow()))


def changed_in_transaction(channel: str, session=None) -> bool:
    """Whether the current transaction changed something ``channel`` covers (the counter
    itself moves only at commit)."""
    session = session or db.session
    session.flush()
    return channel in session.info.get(_PENDING, ())


#: (channel, key) -> (stamp, value) of :func:`remembered`, per process.
_REMEMBERED: dict[tuple, tuple[tuple, object]] = {}
#: Whether :func:`remembered` keeps values. The test suite turns it off: its requests share
#: one connection with the test, and so see rows a test flushed without committing, which no
#: request ever sees in production (tests of remembering commit and turn it on).
REMEMBER = True
#: Distinct keys kept at most (filter combinations): past it, the oldest go first.
REMEMBERED_LIMIT = 512


def remembered(channel: str, key: tuple, compute: Callable[[], object]):
    """``compute()``, kept in this process for as long as ``channel``'s version stays what it
    was when computed: a figure every visitor's page recomputes from thousands of rows (the
    public projects' totals and filter menus) is computed once per change instead. Exact by
    the same rule as the pages' validators: every change to what it reads moves the version.
    Within a transaction that changed the channel, it is computed afresh and not kept. The
    version is stamped with the time it moved, so a database restored (or rolled back) to an
    earlier number is not mistaken for the one computed. The value is shared between
    requests: it must not be changed by its readers."""
    session = db.session
    if not REMEMBER or changed_in_transaction(channel, session):
        return compute()
    stamp = tuple(session.execute(
        select(PublicDataVersion.version, PublicDataVersion.changed_at)
        .where(PublicDataVersion.channel == channel)).one_or_none() or ())
    held = _REMEMBERED.get((channel, key))
    if held is not None and held[0] == stamp:
        return held[1]
    value = compute()
    if len(_REMEMBERED) >= REMEMBERED_LIMIT:
        for old in list(_REMEMBERED)[:REMEMBERED_LIMIT // 4]:
            _REMEMBERED.pop(old, None)  # another thread may have dropped it
    _REMEMBERED[(channel, key)] = (stamp, value)
    return value


def _watches_for(instance) -> list[_Watch]:
    return [found for model in type(instance).__mro__ for found in _watched.get(model, ())]


@cache
def _with_relationships(model: type, attributes: frozenset[str]) -> frozenset[str]:
    """The attributes and the many-to-one relationships they are the keys of: before a flush
    ``call.fund = other`` has changed ``fund`` but not yet ``fund_id``."""
    mapper = db.inspect(model)
    names = set(attributes)
    for name in attributes:
        columns = set(getattr(mapper.attrs[name], "columns", ())) if name in mapper.attrs \
            else set()
        names.update(relationship.key for relationship in mapper.relationships
                     if relationship.direction is MANYTOONE
                     and relationship.local_columns & columns)
    return frozenset(names)


def _matters(session, instance, watched: _Watch, *, changed: bool) -> bool:
    if not changed and not watched.rows:
        return False
    if changed:
        if not watched.attributes:
            if not session.is_modified(instance):
                return False
        else:
            attrs = db.inspect(instance).attrs
            if not any(attrs[name].history.has_changes()
                       for name in _with_relationships(type(instance), watched.attributes)):
                return False
    return watched.when is None or bool(watched.when(instance))


def _changed_channels(session) -> set[str]:
    channels: set[str] = set()
    with session.no_autoflush:
        for group, changed in ((session.new, False), (session.deleted, False),
                               (session.dirty, True)):
            for instance in group:
                for watched in _watches_for(instance):
                    if (watched.channel not in channels
                            and _matters(session, instance, watched, changed=changed)):
                        channels.add(watched.channel)
    return channels


_PENDING = "public_data_changes"


@event.listens_for(Session, "before_flush")
def _before_flush(session, flush_context, instances) -> None:
    if _watched:
        session.info.setdefault(_PENDING, set()).update(_changed_channels(session))


@event.listens_for(Session, "before_commit")
def _before_commit(session) -> None:
    """Bump the counters last, just before the commit: the row lock is then held for the
    commit alone, and no transaction waits for another row while holding it (no deadlock
    between two transactions changing several awards in different orders)."""
    session.flush()  # what is still pending is recorded by the flush
    for channel in sorted(session.info.pop(_PENDING, ())):
        mark_changed(channel, session)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session, transaction) -> None:
    # A rolled-back savepoint keeps what it recorded: marking stale once too often is
    # harmless, missing a change is not. The whole transaction's end clears it.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
