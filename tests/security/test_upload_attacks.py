"""Hostile files through the real upload routes (tests/core/test_uploads.py checks
``store_upload`` itself): polyglots, double extensions, path and control-character names,
empty and oversized files. Each is refused with a clear message and nothing written (no row,
no bytes), or stored inertly: its type is the detected one and every download of it is an
attachment with nosniff and a sandboxing CSP, never HTML shown inline.

``UPLOADS`` has an entry for every route whose view takes a file; a new one without an entry
fails ``test_every_upload_route_has_a_case``.
"""

from __future__ import annotations

import inspect
import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.security.conftest import stored_paths
from tests.security.routes import row_counts, rules, sign_in
from tests.security.world import PDF, World

# Samples -----------------------------------------------------------------------------------

SCRIPT = b"<script>alert(document.cookie)</script>"
HTML = b"<!DOCTYPE html><html><body>" + SCRIPT + b"</body></html>"
#: A real PDF header followed by a page of HTML: a browser sniffing it would run the script.
PDF_HTML_POLYGLOT = b"%PDF-1.4\n" + HTML + b"\n%%EOF\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def _yesterday() -> str:
    """A day already past in the programme's time zone, whatever the hour in UTC."""
    return (date.today() - timedelta(days=1)).isoformat()


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + tag + data
            + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))


def png(trailer: bytes = b"") -> bytes:
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
            + _png_chunk(b"IEND", b"") + trailer)


def _zip(members) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


PLAIN_ZIP = _zip([("readme.html", HTML)])
#: Claims to be an Office file but has no document inside.
FAKE_OFFICE = _zip([("[Content_Types].xml", b"<Types/>"), ("index.html", HTML)])

#: (case, file name, bytes, what the refusal says) for application attachments, which
#: accept every allowed kind.
REFUSED = [
    ("html named pdf", "invoice.pdf", HTML, "its content is not"),
    ("png signature then script", "logo.png", b"\x89PNG\r\n\x1a\n" + SCRIPT,
     "its content is not"),
    ("zip that is not a docx", "report.docx", PLAIN_ZIP, "its content is not"),
    ("zip that is not an xlsx", "budget.xlsx", FAKE_OFFICE, "its content is not"),
    ("html page", "page.html", HTML, "cannot be uploaded here"),
    ("svg with script", "logo.svg", SVG, "cannot be uploaded here"),
    ("double extension exe", "report.pdf.exe", PDF, "cannot be uploaded here"),
    ("double extension html", "report.pdf.html", PDF_HTML_POLYGLOT, "cannot be uploaded here"),
    ("html behind pdf extension", "x.html.pdf", HTML, "its content is not"),
    ("unix path", "../../etc/passwd", PDF, "looks like a folder path"),
    ("unix path with extension", "../../etc/passwd.pdf", PDF, "looks like a folder path"),
    ("windows path", "..\\..\\win.ini", PDF, "looks like a folder path"),
    ("absolute path", "/etc/passwd.pdf", PDF, "looks like a folder path"),
    ("drive letter", "C:\\Windows\\win.pdf", PDF, "looks like a folder path"),
    ("nul in name", "report\x00.pdf", PDF, "control characters"),
    ("escape in name", "report\x1b[2J.pdf", PDF, "control characters"),
    ("right-to-left override", "invoice\u202efdp.exe.pdf", PDF, "control characters"),
    ("empty file", "empty.pdf", b"", "This file is empty"),
]

#: Messages a refused upload may show (a route with a narrower list of kinds refuses some
#: of the cases above for their extension rather than their content).
REFUSAL_MESSAGES = ("its content is not", "but its name ends in", "cannot be uploaded here",
                    "looks like a folder path", "control characters", "This file is empty",
                    "larger than", "not a valid document", "has no extension")

#: Stored as what they are, and only ever downloaded as such.
INERT = [
    ("pdf that is also html", "x.php.pdf", PDF_HTML_POLYGLOT, "application/pdf"),
    ("png with a script after its chunks", "image.png", png(SCRIPT), "image/png"),
]


# The routes --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Upload:
    who: str
    url: Callable[[World], str]
    field: str
    kinds: tuple[str, ...]
    #: The other fields of a valid form.
    data: Callable[[World], dict] = lambda w: {}
    #: Where the stored file is downloaded, once uploaded (given the world and session).
    download: Callable | None = None


def _newest(session, model, **where):
    query = select(model).order_by(model.id.desc()).limit(1)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return session.scalar(query)


def _attachment_url(w, session):
    from grants.applications.models import Attachment

    attachment = _newest(session, Attachment, application_id=w.alpha.draft.id)
    return f"/applications/{w.alpha.draft.id}/attachments/{attachment.id}"


def _evidence_url(w, session):
    from grants.monitoring.models import ReportEvidence

    evidence = _newest(session, ReportEvidence)
    return f"/reports/{w.alpha.report.id}/files/{evidence.stored_file_id}"


def _receipt_url(w, session):
    from grants.monitoring.models import Expenditure

    line = session.get(Expenditure, w.alpha.expenditure.id)
    return f"/reports/{w.alpha.report.id}/files/{line.receipt_file_id}"


def _activity_url(w, session):
    from coalitions.coalitions.models import CoalitionActivity

    activity = _newest(session, CoalitionActivity)
    return f"/coalitions/{activity.coalition_id}/activities/{activity.id}/evidence"


def _event_url(w, session):
    from coalitions.events.models import Event

    return f"/staff/events/{_newest(session, Event).id}/agenda"


ALL = ("pdf", "docx", "xlsx", "odt", "jpg", "png")
EVENT = {"type": "workshop", "title": "Hostile agenda", "starts_on": "2019-03-14",
         "ends_on": "2019-03-14", "country": "BZ"}

UPLOADS: dict[str, Upload] = {
    "applications.upload_attachment": Upload(
        "alpha", lambda w: f"/applications/{w.alpha.draft.id}/attachments", "file", ALL,
        lambda w: {"required_document_id": ""}, _attachment_url),
    "monitoring.upload_evidence": Upload(
        "alpha", lambda w: f"/reports/{w.alpha.report.id}/evidence", "file", ALL,
        lambda w: {"description": "Photo"}, _evidence_url),
    "monitoring.upload_receipt": Upload(
        "alpha", lambda w: f"/reports/{w.alpha.report.id}/expenditures/"
                           f"{w.alpha.expenditure.id}/receipt", "file", ("pdf", "jpg", "png"),
        download=_receipt_url),
    "awards.sign": Upload(
        "staff", lambda w: f"/staff/awards/{w.alpha.pending_award.id}/sign", "agreement",
        ("pdf", "jpg", "png"), lambda w: {"signed_on": _yesterday()},
        lambda w, s: f"/awards/{w.alpha.pending_award.id}/agreement"),
    "endorsements.record_paper": Upload(
        "staff", lambda w: f"/staff/applications/{w.alpha.draft.id}/endorsement/paper",
        "letter", ("pdf", "jpg", "png"),
        lambda w: {"answer": "endorse", "name": "Ana Minister", "position": "Minister"},
        lambda w, s: f"/applications/{w.alpha.draft.id}/endorsement/letter"),
    "coalitions.add_activity": Upload(
        "staff", lambda w: f"/coalitions/{w.extra['coalition'].id}/activities/new", "evidence",
        ALL, lambda w: {"kind": "meeting", "happened_on": "2019-02-02",
                        "description": "Met"}, _activity_url),
    "events.new": Upload("staff", lambda w: "/staff/events/new", "agenda",
                         ("pdf", "docx", "odt"), lambda w: dict(EVENT), _event_url),
    "events.edit": Upload("staff", lambda w: f"/staff/events/{w.extra['event'].id}/edit",
                          "agenda", ("pdf", "docx", "odt"), lambda w: dict(EVENT), _event_url),
}

#: Routes that read an uploaded sheet without storing it (tested below).
SHEET_UPLOADS = frozenset({"events.import_attendance", "events.import_errors"})

_FILE_HINTS = ("file_storage", "request.files", "agenda=", "_read_upload(")


def _takes_a_file(view) -> bool:
    source = inspect.getsource(inspect.unwrap(view))
    return any(hint in source for hint in _FILE_HINTS)


def test_every_upload_route_has_a_case(app):
    endpoints = {rule.endpoint for rule in rules(app) if "POST" in rule.methods
                 and _takes_a_file(app.view_functions[rule.endpoint])}
    covered = UPLOADS.keys() | SHEET_UPLOADS
    assert not sorted(endpoints - covered), "upload routes without a case"
    assert not sorted(covered - endpoints), "upload cases for routes that take no file"


def _user(world, who):
    return world.alpha.owner if who == "alpha" else getattr(world, who)


def _post(client, world, route: Upload, name: str, data: bytes):
    form = {**route.data(world), route.field: (io.BytesIO(data), name)}
    return client.post(route.url(world), data=form, content_type="multipart/form-data")


def _nothing_written(session, folder, before_rows, before_files):
    assert row_counts(session) == before_rows
    assert stored_paths(folder) == before_files


# Refused -----------------------------------------------------------------------------------

@pytest.mark.parametrize("case, name, data, message", REFUSED, ids=[c[0] for c in REFUSED])
def test_hostile_attachments_are_refused_with_a_clear_message(
        case, name, data, message, client, world, db_session, upload_folder):
    route = UPLOADS["applications.upload_attachment"]
    sign_in(client, world.alpha.owner)
    rows, files = row_counts(db_session), stored_paths(upload_folder)
    response = _post(client, world, route, name, data)
    assert response.status_code == 422, case
    assert message in response.get_data(as_text=True), case
    _nothing_written(db_session, upload_folder, rows, files)


@pytest.mark.parametrize("endpoint", sorted(UPLOADS))
def test_every_upload_route_refuses_hostile_files(endpoint, app, client, world, db_session,
                                                  upload_folder, monkeypatch):
    route = UPLOADS[endpoint]
    sign_in(client, _user(world, route.who))
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 4096)
    oversize = ("over the upload limit", "big.pdf", PDF + b"%" * 5000, "larger than")
    rows, files = row_counts(db_session), stored_paths(upload_folder)
    for case, name, data, _message in [*REFUSED, oversize]:
        response = _post(client, world, route, name, data)
        body = response.get_data(as_text=True)
        assert response.status_code == 422, (endpoint, case, response.status_code)
        assert any(message in body for message in REFUSAL_MESSAGES), (endpoint, case)
        _nothing_written(db_session, upload_folder, rows, files)


@pytest.mark.parametrize("endpoint", sorted(UPLOADS))
def test_a_request_over_the_size_limit_gets_413_and_writes_nothing(
        endpoint, app, client, world, db_session, upload_folder, monkeypatch):
    route = UPLOADS[endpoint]
    sign_in(client, _user(world, route.who))
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 8 * 1024)
    rows, files = row_counts(db_session), stored_paths(upload_folder)
    response = _post(client, world, route, "big.pdf", PDF + b"%" * 20_000)
    assert response.status_code == 413
    assert b"Too large" in response.data
    _nothing_written(db_session, upload_folder, rows, files)


# Stored inertly ----------------------------------------------------------------------------

def _check_download(response, content_type: str, data: bytes) -> None:
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.mimetype == content_type
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.get_data() == data


_INERT_CASES = [(endpoint, *case) for endpoint in sorted(UPLOADS) for case in INERT
                if case[3].split("/")[1] in UPLOADS[endpoint].kinds]


@pytest.mark.parametrize("endpoint, case, name, data, content_type", _INERT_CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in _INERT_CASES])
def test_polyglots_are_stored_as_their_detected_type_and_downloaded_inertly(
        endpoint, case, name, data, content_type, client, world, db_session, upload_folder):
    from core.uploads.models import StoredFile

    route = UPLOADS[endpoint]
    sign_in(client, _user(world, route.who))
    response = _post(client, world, route, name, data)
    assert response.status_code in (302, 303), (endpoint, case, response.status_code)
    stored = _newest(db_session, StoredFile)
    assert stored.original_name == name and stored.content_type == content_type
    assert len(stored_paths(upload_folder)) >= 1
    _check_download(client.get(route.download(world, db_session)), content_type, data)


def test_names_are_never_used_as_paths_on_disk(client, world, db_session, upload_folder):
    from core.uploads.models import StoredFile

    sign_in(client, world.alpha.owner)
    route = UPLOADS["applications.upload_attachment"]
    before = set(stored_paths(upload_folder))
    response = _post(client, world, route, "x.php.pdf", PDF)
    assert response.status_code == 302
    stored = _newest(db_session, StoredFile)
    (written,) = set(stored_paths(upload_folder)) - before
    assert written.name == stored.storage_key and "php" not in str(written)
    assert written.resolve().is_relative_to(upload_folder.resolve())


# Attendance sheets (read, never stored) ----------------------------------------------------

SHEETS = [
    ("html named csv", "attendance.csv", HTML),
    ("png named csv", "attendance.csv", png()),
    ("zip named xlsx", "attendance.xlsx", PLAIN_ZIP),
    ("pdf named xlsx", "attendance.xlsx", PDF_HTML_POLYGLOT),
    ("empty", "attendance.csv", b""),
    ("nul bytes", "attendance.csv", b"Full name\x00\n=1\x00\n"),
]


@pytest.mark.parametrize("case, name, data", SHEETS, ids=[c[0] for c in SHEETS])
def test_hostile_attendance_sheets_are_refused_and_write_nothing(
        case, name, data, client, world, db_session, upload_folder):
    sign_in(client, world.staff)
    event = world.extra["event"]
    rows, files = row_counts(db_session), stored_paths(upload_folder)
    response = client.post(f"/staff/events/{event.id}/import",
                           data={"file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")
    assert response.status_code == 422, case
    _nothing_written(db_session, upload_folder, rows, files)
    errors = client.post(f"/staff/events/{event.id}/import/errors.xlsx",
                         data={"file": (io.BytesIO(data), name)},
                         content_type="multipart/form-data")
    assert errors.status_code == 200 and errors.headers["Content-Disposition"].startswith(
        "attachment"), case
    _nothing_written(db_session, upload_folder, rows, files)


def test_an_attendance_sheet_over_the_limit_is_refused(app, client, world, db_session,
                                                       upload_folder, monkeypatch):
    sign_in(client, world.staff)
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 1024)
    # An attendance sheet has its own, larger, limit.
    monkeypatch.setitem(app.config, "ATTENDANCE_MAX_UPLOAD_BYTES", 1024)
    event = world.extra["event"]
    big = b"Full name\n" + b"Ana\n" * 1000
    rows = row_counts(db_session)
    response = client.post(f"/staff/events/{event.id}/import",
                           data={"file": (io.BytesIO(big), "attendance.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert b"larger than the upload limit" in response.data
    assert row_counts(db_session) == rows
    response = client.post(f"/staff/events/{event.id}/import/errors.xlsx",
                           data={"file": (io.BytesIO(big), "attendance.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
