"""Uploads: types checked by content, size and name rules, random storage names outside
static/, archives that could hide a bomb or macros."""

from __future__ import annotations

import hashlib
import io
import re
import stat
import struct
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from core.audit.models import AuditEntry
from core.errors import OperationError
from core.uploads import detection
from core.uploads.models import StoredFile
from core.uploads.operations import store_upload
from core.uploads.storage import get_storage
from tests.core.upload_samples import (
    JPEG,
    PDF,
    SAMPLES,
    _zip,
    docx_bytes,
    odt_bytes,
    png_bytes,
    refused,
    stored_files,
    upload,
    xlsx_bytes,
)

# Accepted ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", list(SAMPLES))
def test_each_allowed_type_is_stored_under_a_random_key_outside_static(
        kind, app, folder, factories, db_session):
    user = factories.user()
    name, make = SAMPLES[kind]
    data = make()
    # The browser's claimed type is ignored: the stored one comes from the content.
    stored = store_upload(upload(data, name, content_type="text/html"), uploaded_by=user)

    assert stored.id is not None and stored.kind == kind
    assert stored.content_type == detection.CONTENT_TYPES[kind]
    assert stored.original_name == name and stored.size_bytes == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.uploaded_by_id == user.id and stored.created_at is not None
    assert re.fullmatch(r"[0-9a-f]{64}", stored.storage_key)
    assert name.rsplit(".", 1)[0] not in stored.storage_key

    path = folder / stored.storage_key[:2] / stored.storage_key
    assert path.read_bytes() == data
    assert stored_files(folder) == [path]
    assert not path.resolve().is_relative_to(Path(app.static_folder).resolve())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700

    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "file.upload"))
    assert entry.object_type == "stored_files" and entry.object_id == str(stored.id)
    assert entry.actor_id == user.id and name in entry.summary
    assert entry.data["sha256"] == stored.sha256
    assert db_session.get(StoredFile, stored.id) is stored


def test_jpeg_extension_and_upper_case_names_are_accepted(folder):
    assert store_upload(upload(JPEG, "Photo.JPEG"), uploaded_by=None).kind == "jpg"
    assert store_upload(upload(PDF, "REPORT.PDF"), uploaded_by=None).original_name == "REPORT.PDF"


def test_keys_are_different_for_the_same_file(folder):
    first = store_upload(upload(PDF, "a.pdf"), uploaded_by=None)
    second = store_upload(upload(PDF, "a.pdf"), uploaded_by=None)
    assert first.storage_key != second.storage_key
    assert len(stored_files(folder)) == 2


def test_an_uploaded_request_file_is_read_from_the_multipart_body(app, folder):
    data = xlsx_bytes()
    with app.test_request_context("/", method="POST",
                                  data={"file": (io.BytesIO(data), "Presupuesto año 1.xlsx")}):
        from flask import request
        stored = store_upload(request.files["file"], uploaded_by=None)
    assert stored.kind == "xlsx" and stored.original_name == "Presupuesto año 1.xlsx"
    assert get_storage().open(stored.storage_key).read() == data


def test_long_names_are_shortened_keeping_the_extension(folder):
    stored = store_upload(upload(PDF, "x" * 300 + ".pdf"), uploaded_by=None)
    assert len(stored.original_name) == 255 and stored.original_name.endswith("x.pdf")


def test_trailing_dots_and_spaces_are_dropped(folder):
    assert store_upload(upload(PDF, " report.pdf. "), uploaded_by=None).original_name \
        == "report.pdf"


# Refused -----------------------------------------------------------------------------------

def test_a_png_named_pdf_is_refused(folder, db_session):
    message = refused(png_bytes(), "budget.pdf")
    assert "PNG image" in message and ".pdf" in message
    assert stored_files(folder) == []
    assert db_session.scalar(select(StoredFile)) is None


def test_a_text_file_named_pdf_is_refused(folder):
    message = refused(b"just some text, not a PDF\n", "notes.pdf")
    assert ".pdf" in message and "PDF document" in message
    assert stored_files(folder) == []


def test_an_html_page_named_png_is_refused(folder):
    assert "PNG" in refused(b"<html><script>alert(1)</script></html>", "image.png")


def test_office_formats_must_match_their_extension(folder):
    assert "Excel" in refused(xlsx_bytes(), "narrative.docx")
    assert "OpenDocument" in refused(odt_bytes(), "budget.xlsx")


def test_an_empty_file_is_refused(folder):
    assert "empty" in refused(b"", "empty.pdf")
    assert stored_files(folder) == []


def test_a_file_over_the_limit_is_refused_without_reading_all_of_it(app, folder, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 1024)

    class CountingStream(io.BytesIO):
        read_bytes = 0

        def read(self, size=-1):
            chunk = super().read(size)
            CountingStream.read_bytes += len(chunk)
            return chunk

    stream = CountingStream(PDF + b"0" * 100_000)
    with pytest.raises(OperationError) as caught:
        store_upload(FileStorage(stream=stream, filename="big.pdf"), uploaded_by=None,
                     field="attachment")
    assert caught.value.field == "attachment"
    assert "1 KB" in str(caught.value.message)
    assert CountingStream.read_bytes <= 1025
    assert stored_files(folder) == []
    # Exactly at the limit is fine.
    assert store_upload(upload(PDF.ljust(1024, b" "), "ok.pdf"), uploaded_by=None).size_bytes \
        == 1024


@pytest.mark.parametrize("name", [
    "../../etc/passwd.pdf", "..\\secret.pdf", "reports/q1.pdf", "/tmp/q1.pdf",
    "C:\\Users\\ana\\q1.pdf", "C:q1.pdf", "..", "q1..pdf", ".",
])
def test_names_with_paths_are_refused(folder, name):
    assert "folder path" in refused(PDF, name)
    assert stored_files(folder) == []


@pytest.mark.parametrize("name", ["q1\x00.pdf", "q1\n.pdf", "q1\x1b.pdf", "q1\x7f.pdf",
                                  "invoice\u202efdp.pdf"])
def test_names_with_control_characters_are_refused(folder, name):
    assert "control characters" in refused(PDF, name)


@pytest.mark.parametrize("name", ["run.exe", "page.html", "image.svg", "archive.zip",
                                  "proposal.doc", "no-extension", "trailing-dot."])
def test_extensions_not_on_the_allow_list_are_refused(folder, name):
    message = refused(PDF, name)
    assert "Accepted types: PDF, DOCX, XLSX, ODT, JPG, PNG" in message


def test_the_caller_can_narrow_the_allowed_kinds(folder):
    assert "Accepted types: PDF." in refused(png_bytes(), "logo.png", allowed_kinds=("pdf",))
    assert store_upload(upload(PDF, "a.pdf"), uploaded_by=None, allowed_kinds=("pdf",))


def test_no_file_is_refused(folder):
    with pytest.raises(OperationError, match="Choose a file"):
        store_upload(None, uploaded_by=None)
    with pytest.raises(OperationError, match="Choose a file"):
        store_upload(FileStorage(stream=io.BytesIO(b""), filename=""), uploaded_by=None)


# Archives ----------------------------------------------------------------------------------

def _declare_uncompressed_size(data: bytes, member: str, size: int) -> bytes:
    """Rewrite the central directory's uncompressed size of ``member`` (a lying header)."""
    data = bytearray(data)
    start = 0
    while (start := data.find(b"PK\x01\x02", start)) != -1:
        name_length = struct.unpack_from("<H", data, start + 28)[0]
        if data[start + 46:start + 46 + name_length] == member.encode():
            struct.pack_into("<I", data, start + 24, size)
        start += 4
    return bytes(data)


def test_an_archive_declaring_huge_contents_is_refused(folder):
    bomb = _declare_uncompressed_size(docx_bytes(), "word/document.xml", 300 * 1024 * 1024)
    assert "not a valid document" in refused(bomb, "narrative.docx")
    assert stored_files(folder) == []


def test_a_real_compression_bomb_is_refused(folder, monkeypatch):
    monkeypatch.setattr(detection, "MAX_UNPACKED_BYTES", 5 * 1024 * 1024)
    bomb = docx_bytes(extra=[("word/media/zeros.bin", bytes(6 * 1024 * 1024))])
    assert len(bomb) < 100_000
    assert "not a valid document" in refused(bomb, "narrative.docx")


def test_an_archive_with_too_many_members_is_refused(folder, monkeypatch):
    monkeypatch.setattr(detection, "MAX_ARCHIVE_MEMBERS", 50)
    crowded = docx_bytes(extra=[(f"word/media/{n}.xml", b"<x/>") for n in range(50)])
    assert "not a valid document" in refused(crowded, "narrative.docx")


def test_encrypted_and_damaged_archives_are_refused(folder):
    data = bytearray(docx_bytes())
    start = data.find(b"PK\x01\x02")
    struct.pack_into("<H", data, start + 8, struct.unpack_from("<H", data, start + 8)[0] | 1)
    assert "not a valid document" in refused(bytes(data), "narrative.docx")
    truncated = docx_bytes()[:-30]
    assert "not a valid document" in refused(truncated, "narrative.docx")
    garbage = b"PK\x03\x04" + bytes(200)
    assert "not a valid document" in refused(garbage, "narrative.docx")


def test_macro_enabled_and_other_office_files_are_not_documents(folder):
    macro = docx_bytes(main_type="application/vnd.ms-word.document.macroEnabled.main+xml",
                       extra=[("word/vbaProject.bin", b"\x00" * 10)])
    assert "not a Word document" in refused(macro, "narrative.docx")
    template = odt_bytes(mimetype=b"application/vnd.oasis.opendocument.text-template")
    assert "not an OpenDocument text" in refused(template, "letter.odt")
    plain_zip = _zip([("readme.txt", b"hello")])
    assert "not a Word document" in refused(plain_zip, "narrative.docx")
