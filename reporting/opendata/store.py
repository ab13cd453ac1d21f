"""Building, storing and finding the open-data files.

A change to anything public bumps the public-data version in the same transaction
(:mod:`core.freshness`); a stored file built from an older version is stale. A request for a
stale file gets the stored one at once, with the time it was built: the worker process
(``flask outbox send``) notices the new version at its next turn and rebuilds the stale files
there, one scope per turn, in a transaction of its own (the worker that wins the claim on the
row). It also builds the all-funds files before anyone asks for them. Only the very first
request for a scope nobody asked for yet (one fund's files) builds them while it waits:
there is nothing to give before, and a harvester registered at the address expects the file,
not an error. ``flask opendata refresh`` rebuilds them from the command line.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import time
from datetime import datetime, timedelta
from io import BytesIO

from flask import Flask, current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified

from core import housekeeping
from core.extensions import db
from core.freshness import PROJECTS, current_version
from core.timeutil import utcnow
from reporting.iati.document import NothingToPublish, build_file
from reporting.opendata import package
from reporting.opendata.models import NEVER_BUILT, OpenDataFile
from reporting.opendata.spreadsheet import build_workbook

log = logging.getLogger(__name__)

#: A build taking longer than this is taken to have died; another worker may take it over.
CLAIM_TIMEOUT = timedelta(minutes=10)
#: How long a first visitor waits for another worker's first build of the same files.
FIRST_BUILD_WAIT_SECONDS = 30.0
_POLL_SECONDS = 0.5
#: gzip's level for the stored copies, the same as the pages' (COMPRESS_LEVEL).
GZIP_LEVEL = 6


def scope_of(fund_id: int | None) -> str:
    return "all" if fund_id is None else f"fund-{fund_id}"


def etag_of(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


def compressed(body: bytes) -> bytes:
    """``body`` gzip-compressed, with no name or time in the header: the same file always
    gives the same bytes."""
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)


def _row(scope: str) -> OpenDataFile | None:
    return db.session.scalar(select(OpenDataFile).where(OpenDataFile.scope == scope))


# Building ------------------------------------------------------------------------------------

def build(fund_id: int | None) -> OpenDataFile:
    """Rebuild the files of ``fund_id`` (``None``: every fund) in the current transaction.
    The caller commits. The version is read before the data, so a change committed while the
    files are built leaves them stale (rebuilt again) rather than marked fresh without it.
    Everything is built before anything is written, so a rebuild issues the same statements
    whatever it finds."""
    version = current_version(PROJECTS)
    records = package.collect(fund_id)
    scope = scope_of(fund_id)
    row = _row(scope)
    if row is None:
        row = OpenDataFile(scope=scope, fund_id=fund_id)
        db.session.add(row)
    data = package.build_package(records, fund_id=fund_id) if records.grants else None
    json_body = package.dumps(data) if data else None
    xlsx_body = _workbook_bytes(data["grants"]) if data else None
    iati = _iati_file(row, fund_id)
    row.set_body("json", json_body)
    row.set_body("json_gzip", None if json_body is None else compressed(json_body))
    row.set_body("xlsx", xlsx_body)
    if iati is not _KEEP:
        _store_iati(row, iati)
    row.json_etag = None if json_body is None else etag_of(json_body)
    row.xlsx_etag = None if xlsx_body is None else etag_of(xlsx_body)
    row.last_change = _parse_timestamp(data["modified"]) if data else None
    row.grant_count = len(records.grants)
    row.left_out = dict(records.left_out)
    row.data_version = version
    row.built_at = utcnow().replace(microsecond=0)
    row.refreshing_since = None
    flag_modified(row, "built_at")  # one UPDATE, even when every value came out the same
    db.session.flush()
    return row


def _store_iati(row: OpenDataFile, built) -> None:
    """Keep the IATI file ``built`` (None: there is none to publish)."""
    if built is None:
        row.set_body("iati", None)
        row.set_body("iati_gzip", None)
        row.iati_etag = row.iati_built_at = None
        row.activity_count = 0
        return
    row.set_body("iati", built.body)
    row.set_body("iati_gzip", compressed(built.body))
    row.iati_etag = etag_of(built.body)
    row.iati_built_at = utcnow().replace(microsecond=0)
    row.activity_count = built.activity_count


#: :func:`_iati_file`'s answer when the last valid IATI file stays as it is.
_KEEP = object()


def _iati_file(row: OpenDataFile, fund_id: int | None):
    """The IATI activity file beside the 360Giving files (None: nothing to publish). A file
    that fails the schema is a bug: it is logged and the last valid file stays
    (:data:`_KEEP`), and the 360Giving files are rebuilt regardless."""
    try:
        return build_file(fund_id)
    except NothingToPublish:
        return None
    except Exception:
        log.exception("Building the IATI file (%s) failed; the last valid file stays.",
                      row.scope)
        return _KEEP


def _workbook_bytes(grants: list[dict]) -> bytes:
    workbook = build_workbook(grants)
    buffer = BytesIO()
    try:
        workbook.save(buffer)
    finally:
        workbook.close()
    return buffer.getvalue()


def _parse_timestamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# Claiming and rebuilding in a transaction of its own ------------------------------------------

def _claim(scope: str, fund_id: int | None) -> bool:
    """Take the right to rebuild ``scope``, committed at once so other workers see it."""
    now = utcnow()
    claimed = db.session.execute(
        update(OpenDataFile)
        .where(OpenDataFile.scope == scope,
               or_(OpenDataFile.refreshing_since.is_(None),
                   OpenDataFile.refreshing_since < now - CLAIM_TIMEOUT))
        .values(refreshing_since=now)).rowcount == 1
    if not claimed and _row(scope) is None:
        try:
            with db.session.begin_nested():
                db.session.add(OpenDataFile(scope=scope, fund_id=fund_id,
                                            data_version=NEVER_BUILT, refreshing_since=now))
            claimed = True
        except IntegrityError:  # another worker created it first: it is building
            claimed = False
    db.session.commit()
    return claimed


def rebuild_claimed(app: Flask, fund_id: int | None, *, only_if_stale: bool = True) -> bool:
    """Rebuild the files of ``fund_id`` in a fresh app context (its own session and
    transaction) if this worker wins the claim; ``False`` when another worker holds it."""
    scope = scope_of(fund_id)
    with app.app_context():
        try:
            if only_if_stale:
                row = _row(scope)
                if (row is not None and row.is_built
                        and row.data_version >= current_version(PROJECTS)):
                    return True
            if not _claim(scope, fund_id):
                return False
            try:
                build(fund_id)
                db.session.commit()
            except Exception:
                # The committed claim stays until it times out: a build that fails is tried
                # again after CLAIM_TIMEOUT, not on every request in between.
                db.session.rollback()
                log.exception("Rebuilding the open data (%s) failed; the last files stay.",
                              scope)
                raise
            return True
        finally:
            db.session.remove()


# Finding the files for a request --------------------------------------------------------------

class NotReadyYet(Exception):
    """The first build of these files is still running in another worker."""


def files_for(fund_id: int | None) -> OpenDataFile:
    """The stored files of ``fund_id`` as they are now, stale or not (the worker rebuilds a
    stale one); only a scope never built yet is built right away."""
    scope = scope_of(fund_id)
    row = _row(scope)
    if row is None or not row.is_built:
        row = _first_build(scope, fund_id)
    return row


def _first_build(scope: str, fund_id: int | None) -> OpenDataFile:
    app = current_app._get_current_object()
    # The build commits in a transaction of its own; this request's (which has only read)
    # must not hold the database meanwhile (SQLite's BEGIN IMMEDIATE takes the write lock).
    db.session.rollback()
    deadline = time.monotonic() + FIRST_BUILD_WAIT_SECONDS
    while not rebuild_claimed(app, fund_id, only_if_stale=False):
        if time.monotonic() > deadline:
            raise NotReadyYet()
        time.sleep(_POLL_SECONDS)
        db.session.expire_all()
        row = _row(scope)
        if row is not None and row.is_built:
            return row
    db.session.expire_all()
    return _row(scope)


def rebuild_all(*, only_stale: bool = True) -> list[str]:
    """Rebuild every stored scope (and the all-funds one) that is stale, or all of them;
    the scopes rebuilt. For the command line."""
    app = current_app._get_current_object()
    fund_ids = {row.fund_id for row in db.session.scalars(select(OpenDataFile))}
    fund_ids.add(None)
    done = []
    for fund_id in sorted(fund_ids, key=lambda value: (value is not None, value or 0)):
        if rebuild_claimed(app, fund_id, only_if_stale=only_stale):
            done.append(scope_of(fund_id))
    return done


# The worker's turn ------------------------------------------------------------------------------

def to_rebuild(now: datetime | None = None) -> list[int | None]:
    """The funds whose files the worker should rebuild (``None``: every fund), in order: the
    all-funds files when they were never built, then the stale ones, all funds first; none
    another worker is rebuilding. Two small queries: cheap at every turn."""
    now = now or utcnow()
    version = current_version(PROJECTS)
    rows = db.session.execute(
        select(OpenDataFile.scope, OpenDataFile.fund_id, OpenDataFile.data_version,
               OpenDataFile.refreshing_since)).all()
    if not any(row.scope == scope_of(None) for row in rows):
        return [None]
    free = [row for row in rows if row.data_version < version
            and (row.refreshing_since is None or row.refreshing_since < now - CLAIM_TIMEOUT)]
    free.sort(key=lambda row: (row.fund_id is not None, row.fund_id or 0))
    return [row.fund_id for row in free]


@housekeeping.register("opendata.refresh", every=timedelta(0))
def refresh_task() -> bool:
    """Rebuild one scope's files when they are missing or stale; True when it did (the
    worker turns again at once, and sends email in between)."""
    due = to_rebuild()
    db.session.commit()  # the read's transaction ends before the build's own begins
    if not due:
        return False
    try:
        return rebuild_claimed(current_app._get_current_object(), due[0])
    except Exception:  # logged by rebuild_claimed; the claim holds it back for a while
        return False
