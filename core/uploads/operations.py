"""Storing and removing uploaded files.

``store_upload`` checks a file (its name, size and content), writes its bytes to the storage
under a new random key, then adds a ``StoredFile`` row and an audit entry. Like every
operation it flushes and never commits: the request's single commit point does that.

Bytes and rows are kept in step with the transaction:

- a new upload's bytes are written first; if adding the row fails they are removed at once,
  and if the transaction later rolls back (or a savepoint around the upload does) they are
  removed then, so no unreferenced file is left behind;
- a deleted file's bytes are removed only once the transaction commits. Removing them right
  after the flush would leave, after a rollback, a row whose bytes are gone (a broken
  download); waiting for the commit can at worst leave bytes no row refers to, if the
  process dies between the commit and the removal, which is harmless.

This relies on the session owning its transaction, as it does in requests, CLI commands and
the test fixtures (whose session works inside a savepoint of the test's transaction).
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NoReturn

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from core.audit.operations import record
from core.errors import OperationError
from core.extensions import db
from core.uploads import detection
from core.uploads.models import StoredFile
from core.uploads.storage import Storage, get_storage, max_upload_bytes, new_key

log = logging.getLogger(__name__)

#: Grant application attachments accept every kind the detector knows.
DEFAULT_KINDS: tuple[str, ...] = detection.ALL_KINDS
MAX_NAME_LENGTH = 255
_READ_CHUNK = 1024 * 1024

_DRIVE_LETTER = re.compile(r"^[A-Za-z]:")
# Bidirectional embeddings, overrides and isolates can make "report\u202efdp.exe" display
# as "reportexe.pdf"; no genuine file name needs them.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


# Messages ----------------------------------------------------------------------------------

def accepted_types_text(kinds: Iterable[str]) -> str:
    """"PDF, DOCX, XLSX" for a list of kinds."""
    return ", ".join(detection.LABELS[kind] for kind in kinds)


def format_size(size_bytes: int) -> str:
    """A size for people, in the reader's number format: "10 MB", "1.5 MB", "300 KB"."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size_bytes >= factor:
            return f"{format_decimal(size_bytes / factor, format='#,##0.#')} {unit}"
    return f"{format_decimal(size_bytes)} B"


def _refuse(message, field: str) -> NoReturn:
    raise OperationError(message, field=field)


# Checks ------------------------------------------------------------------------------------

def clean_file_name(raw: str | None, allowed_kinds: Iterable[str], *,
                    field: str = "file") -> tuple[str, str]:
    """The display name to keep and its extension (lower case), or an ``OperationError``.

    Names that are paths (``/``, ``\\``, ``..``, a drive letter) or contain control
    characters are refused rather than repaired: the uploader should see what is wrong.
    """
    allowed_kinds = tuple(allowed_kinds)
    name = unicodedata.normalize("NFC", raw or "").strip()
    if not name:
        _refuse(_l("Choose a file to upload."), field)
    if any(unicodedata.category(ch) in ("Cc", "Cs") or ch in _BIDI_CONTROLS for ch in name):
        _refuse(_l("The file name contains invisible control characters. Rename the file "
                   "and upload it again."), field)
    # Windows drops trailing dots and spaces from file names; so do we ("." and ".." vanish).
    plain = name.rstrip(". ")
    if (not plain or "/" in name or "\\" in name or ".." in name
            or _DRIVE_LETTER.match(name)):
        _refuse(_l("The file name looks like a folder path. Rename the file to a plain name, "
                   "such as report.pdf, and upload it again."), field)
    name = plain
    stem, dot, extension = name.rpartition(".")
    if not dot or not extension:
        _refuse(_l("The file name has no extension, so its type is unknown. Accepted types: "
                   "%(types)s.", types=accepted_types_text(allowed_kinds)), field)
    extension = extension.lower()
    allowed_extensions = {ext for kind in allowed_kinds for ext in detection.EXTENSIONS[kind]}
    if extension not in allowed_extensions:
        _refuse(_l("Files ending in .%(extension)s cannot be uploaded here. Accepted types: "
                   "%(types)s.", extension=extension[:20],
                   types=accepted_types_text(allowed_kinds)), field)
    if len(name) > MAX_NAME_LENGTH:
        keep = MAX_NAME_LENGTH - len(extension) - 1
        name = f"{stem[:keep].rstrip()}.{name[len(stem) + 1:]}"
    return name, extension


def _read_limited(file_storage, limit: int) -> bytes:
    """At most ``limit + 1`` bytes: enough to tell that a file is too large without reading
    all of it into memory."""
    stream = file_storage.stream
    try:
        stream.seek(0)
    except (AttributeError, OSError, ValueError):
        pass  # not seekable: read from where it is
    chunks, remaining = [], limit + 1
    while remaining > 0:
        chunk = stream.read(min(remaining, _READ_CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _detect(data: bytes, extension: str, allowed_kinds: tuple[str, ...], field: str) -> str:
    try:
        kind = detection.detect_kind(data)
    except detection.InvalidDocument as error:
        log.info("refused an upload: %s", error)
        _refuse(_l("This file is not a valid document: it may be damaged, password-protected "
                   "or far too large once unpacked."), field)
    expected = detection.kind_for_extension(extension)
    if kind is None:
        _refuse(_l("This file's name ends in .%(extension)s, but its content is not "
                   "%(kind)s. Check that you chose the right file.", extension=extension,
                   kind=detection.DESCRIPTIONS[expected]), field)
    if kind != expected or kind not in allowed_kinds:
        _refuse(_l("This file's content is %(kind)s, but its name ends in .%(extension)s. "
                   "Check that you chose the right file.",
                   kind=detection.DESCRIPTIONS[kind], extension=extension), field)
    return kind


# Operations --------------------------------------------------------------------------------

def store_upload(file_storage, *, uploaded_by, allowed_kinds: Iterable[str] = DEFAULT_KINDS,
                 field: str = "file") -> StoredFile:
    """Check and store an uploaded file (a werkzeug ``FileStorage``); flushes the new row.

    Refuses, with an ``OperationError`` naming ``field``: no file, a path-like name or one with
    control characters, an extension not in ``allowed_kinds``, an empty file, a file over
    ``MAX_UPLOAD_BYTES``, content that is not a valid file of the kind its name says.
    """
    allowed_kinds = tuple(allowed_kinds)
    unknown = set(allowed_kinds) - set(detection.ALL_KINDS)
    if unknown or not allowed_kinds:
        raise ValueError(f"unknown upload kinds: {sorted(unknown)}")
    if file_storage is None or not getattr(file_storage, "filename", None):
        _refuse(_l("Choose a file to upload."), field)

    name, extension = clean_file_name(file_storage.filename, allowed_kinds, field=field)
    limit = max_upload_bytes()
    data = _read_limited(file_storage, limit)
    if len(data) > limit:
        _refuse(_l("This file is larger than %(limit)s. Upload a smaller file.",
                   limit=format_size(limit)), field)
    if not data:
        _refuse(_l("This file is empty. Check that you chose the right file."), field)
    kind = _detect(data, extension, allowed_kinds, field)

    storage = get_storage()
    key = new_key()
    storage.save(key, data)
    try:
        stored = StoredFile(
            storage_key=key, original_name=name, content_type=detection.CONTENT_TYPES[kind],
            kind=kind, size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by_id=getattr(uploaded_by, "id", None),
        )
        db.session.add(stored)
        db.session.flush()
        record("file.upload", stored, actor=uploaded_by,
               summary=f"Uploaded {name} ({detection.LABELS[kind]}, {len(data)} bytes)",
               data={"name": name, "kind": kind, "size_bytes": len(data),
                     "sha256": stored.sha256})
    except BaseException:
        _remove_bytes(storage, key)
        raise
    _track(key, storage, remove_on_commit=False)
    return stored


#: What the application itself makes besides the kinds it accepts from uploads.
GENERATED_CONTENT_TYPES = {**detection.CONTENT_TYPES, "csv": "text/csv; charset=utf-8",
                           "json": "application/json", "xml": "application/xml"}


def store_generated(data: bytes, *, name: str, kind: str, owner) -> StoredFile:
    """Store a file the application made (an export built in the background) for ``owner``;
    flushes the new row. Served, like an upload, only after the domain's permission check."""
    storage = get_storage()
    key = new_key()
    storage.save(key, data)
    try:
        stored = StoredFile(
            storage_key=key, original_name=name, content_type=GENERATED_CONTENT_TYPES[kind],
            kind=kind, size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by_id=getattr(owner, "id", None))
        db.session.add(stored)
        db.session.flush()
    except BaseException:
        _remove_bytes(storage, key)
        raise
    _track(key, storage, remove_on_commit=False)
    return stored


def delete_stored_file(stored: StoredFile, *, actor=None) -> None:
    """Delete a stored file's row now (flushed) and its bytes once the transaction commits.

    Domain rows referring to ``stored`` must be changed first (for example when an attachment
    is replaced), or the flush fails on their foreign key.
    """
    key = stored.storage_key
    record("file.delete", stored, actor=actor,
           summary=f"Deleted {stored.original_name}",
           data={"name": stored.original_name, "kind": stored.kind,
                 "size_bytes": stored.size_bytes, "sha256": stored.sha256})
    db.session.delete(stored)
    db.session.flush()
    _track(key, get_storage(), remove_on_commit=True)


# Keeping bytes in step with the transaction -----------------------------------------------

_PENDING = "core.uploads.pending"


@dataclass
class _Pending:
    key: str
    storage: Storage
    transaction: SessionTransaction
    #: True for a deleted file (remove on commit); False for a new one (remove on rollback).
    remove_on_commit: bool


def _track(key: str, storage: Storage, *, remove_on_commit: bool) -> None:
    session = db.session()
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).append(
        _Pending(key, storage, transaction, remove_on_commit))


def _remove_bytes(storage: Storage, key: str) -> None:
    try:
        storage.delete(key)
    except Exception:  # never let cleanup hide the real outcome
        log.exception("could not remove stored file %s", key)


def _inside(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    if session.in_nested_transaction():
        return  # a savepoint was released; the outer transaction may still roll back
    for item in session.info.pop(_PENDING, ()):
        if item.remove_on_commit:
            _remove_bytes(item.storage, item.key)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session, previous_transaction):
    """A savepoint rolled back: forget what happened inside it."""
    pending = session.info.get(_PENDING)
    if not pending:
        return
    kept = []
    for item in pending:
        if _inside(item.transaction, previous_transaction):
            if not item.remove_on_commit:
                _remove_bytes(item.storage, item.key)
        else:
            kept.append(item)
    session.info[_PENDING] = kept


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session, transaction):
    """The outermost transaction ended without committing (rollback or close)."""
    if transaction.parent is not None:
        return
    for item in session.info.pop(_PENDING, ()):
        if not item.remove_on_commit:
            _remove_bytes(item.storage, item.key)
