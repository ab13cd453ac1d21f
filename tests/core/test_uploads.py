"""Uploads: types checked by content, size and name rules, random storage names outside
static/, downloads as attachments, bytes kept in step with the transaction."""

from __future__ import annotations

import hashlib
import io
import re
import stat
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from core.audit.models import AuditEntry
from core.errors import OperationError
from core.uploads import detection
from core.uploads.models import StoredFile
from core.uploads.operations import delete_stored_file, store_upload
from core.uploads.responses import send_stored_file
from core.uploads.storage import LocalStorage, get_storage


@pytest.fixture
def folder(app, tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(folder))
    return folder


# Samples -----------------------------------------------------------------------------------

PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
       b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
       b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")
JPEG = (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        b"\xff\xdb\x00\x43\x00" + bytes(range(64)) + b"\xff\xd9")


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + tag + data
            + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))


def png_bytes() -> bytes:
    """A 1x1 red RGB image."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", pixels) + _png_chunk(b"IEND", b""))


def _zip(members: list[tuple[str, bytes]], stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(members):
            compress = zipfile.ZIP_STORED if stored_first and index == 0 else None
            archive.writestr(name, data, compress_type=compress)
    return buffer.getvalue()


RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/officeDocument" Target="word/document.xml"/></Relationships>')


def docx_bytes(main_type: str = "application/vnd.openxmlformats-officedocument."
                                "wordprocessingml.document.main+xml",
               extra: list[tuple[str, bytes]] = ()) -> bytes:
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main_type}"/></Types>'
    ).encode()
    document = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/'
                b'2006/main"><w:body><w:p><w:r><w:t>Budget</w:t></w:r></w:p></w:body>'
                b'</w:document>')
    return _zip([("[Content_Types].xml", content_types), ("_rels/.rels", RELS),
                 ("word/document.xml", document), *extra])


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    workbook.active.append(["Item", "Amount"])
    workbook.active.append(["Chairs", 120])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def odt_bytes(mimetype: bytes = b"application/vnd.oasis.opendocument.text") -> bytes:
    manifest = (b'<?xml version="1.0" encoding="UTF-8"?>'
                b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
                b'manifest:1.0" manifest:version="1.2"><manifest:file-entry '
                b'manifest:full-path="/" manifest:media-type="application/vnd.oasis.'
                b'opendocument.text"/><manifest:file-entry manifest:full-path="content.xml" '
                b'manifest:media-type="text/xml"/></manifest:manifest>')
    content = (b'<?xml version="1.0" encoding="UTF-8"?>'
               b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:'
               b'xmlns:office:1.0" office:version="1.2"><office:body><office:text/>'
               b'</office:body></office:document-content>')
    return _zip([("mimetype", mimetype), ("META-INF/manifest.xml", manifest),
                 ("content.xml", content)], stored_first=True)


SAMPLES = {
    "pdf": ("proposal.pdf", lambda: PDF),
    "docx": ("narrative.docx", docx_bytes),
    "xlsx": ("budget.xlsx", xlsx_bytes),
    "odt": ("letter.odt", odt_bytes),
    "jpg": ("photo.jpg", lambda: JPEG),
    "png": ("logo.png", png_bytes),
}


def upload(data: bytes, name: str, content_type: str = "application/octet-stream"):
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type=content_type)


def refused(data: bytes, name: str, **kwargs) -> str:
    with pytest.raises(OperationError) as caught:
        store_upload(upload(data, name), uploaded_by=None, **kwargs)
    assert caught.value.field == kwargs.get("field", "file")
    return str(caught.value.message)


def stored_files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


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


# Downloads ---------------------------------------------------------------------------------

def test_send_stored_file_is_an_attachment_with_the_stored_bytes(app, folder):
    data = png_bytes()
    stored = store_upload(upload(data, "logo.png"), uploaded_by=None)
    with app.test_request_context("/"):
        response = send_stored_file(stored)
        response.direct_passthrough = False
        body = response.get_data()
        response.close()
    assert body == data
    assert response.headers["Content-Disposition"] == 'attachment; filename=logo.png'
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.content_length == len(data)


def test_non_ascii_names_are_sent_with_rfc_5987(app, folder):
    stored = store_upload(upload(PDF, 'Informe "final" año.pdf'), uploaded_by=None)
    with app.test_request_context("/"):
        response = send_stored_file(stored)
        response.close()
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Informe%20%22final%22%20a%C3%B1o.pdf" in disposition
    assert response.mimetype == "application/pdf"


def test_missing_bytes_give_404(app, folder):
    from werkzeug.exceptions import NotFound

    stored = store_upload(upload(PDF, "a.pdf"), uploaded_by=None)
    get_storage().delete(stored.storage_key)
    with app.test_request_context("/"), pytest.raises(NotFound):
        send_stored_file(stored)


# Transactions ------------------------------------------------------------------------------

def test_bytes_of_a_rolled_back_upload_are_removed(folder, db_session):
    stored = store_upload(upload(PDF, "a.pdf"), uploaded_by=None)
    path = folder / stored.storage_key[:2] / stored.storage_key
    assert path.exists()
    db_session.rollback()
    assert not path.exists()


def test_bytes_of_a_committed_upload_stay(folder, db_session):
    stored = store_upload(upload(PDF, "a.pdf"), uploaded_by=None)
    db_session.commit()
    db_session.rollback()
    assert (folder / stored.storage_key[:2] / stored.storage_key).exists()


def test_a_rolled_back_savepoint_removes_only_its_own_uploads(folder, db_session):
    kept = store_upload(upload(PDF, "kept.pdf"), uploaded_by=None)
    savepoint = db_session.begin_nested()
    dropped = store_upload(upload(PDF, "dropped.pdf"), uploaded_by=None)
    savepoint.rollback()
    storage = get_storage()
    assert storage.exists(kept.storage_key) and not storage.exists(dropped.storage_key)
    db_session.commit()
    assert storage.exists(kept.storage_key)


def test_bytes_are_removed_if_the_row_cannot_be_written(folder, monkeypatch):
    from core.uploads import operations

    def failing_record(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(operations, "record", failing_record)
    with pytest.raises(RuntimeError):
        store_upload(upload(PDF, "a.pdf"), uploaded_by=None)
    assert stored_files(folder) == []


def test_deleting_a_file_removes_its_bytes_only_when_the_transaction_commits(
        folder, db_session, factories):
    staff = factories.user(roles=("staff",))
    stored = store_upload(upload(PDF, "old.pdf"), uploaded_by=staff)
    db_session.commit()
    storage, key, stored_id = get_storage(), stored.storage_key, stored.id

    delete_stored_file(stored, actor=staff)
    assert db_session.get(StoredFile, stored_id) is None
    assert storage.exists(key)  # a rollback now must not leave a row without bytes
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "file.delete"))
    assert entry.object_id == str(stored_id) and entry.actor_id == staff.id
    db_session.commit()
    assert not storage.exists(key)


def test_a_rolled_back_delete_keeps_row_and_bytes(folder, db_session):
    stored = store_upload(upload(PDF, "old.pdf"), uploaded_by=None)
    db_session.commit()
    key, stored_id = stored.storage_key, stored.id
    delete_stored_file(stored)
    db_session.rollback()
    assert db_session.get(StoredFile, stored_id) is not None
    db_session.commit()
    assert get_storage().exists(key)


# Storage -----------------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["../etc/passwd", "ABCDEF0123456789", "abc", "a" * 129,
                                 "0123456789abcdef/", "", "0123456789abcdeg"])
def test_local_storage_refuses_keys_that_are_not_hex(tmp_path, key):
    storage = LocalStorage(tmp_path)
    with pytest.raises(ValueError):
        storage.save(key, b"x")
    with pytest.raises(ValueError):
        storage.open(key)
    assert list(tmp_path.iterdir()) == []


def test_local_storage_never_overwrites_and_deletes_quietly(tmp_path):
    storage = LocalStorage(tmp_path / "files")
    key = "ab" * 32
    storage.save(key, b"first")
    with pytest.raises(FileExistsError):
        storage.save(key, b"second")
    with storage.open(key) as handle:
        assert handle.read() == b"first"
    storage.delete(key)
    storage.delete(key)
    assert not storage.exists(key)
    with pytest.raises(FileNotFoundError):
        storage.open(key)


def test_default_folder_is_in_the_instance_and_static_is_refused(app, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", None)
    assert get_storage().root == (Path(app.instance_path) / "uploads").resolve()
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(Path(app.static_folder) / "uploads"))
    with pytest.raises(RuntimeError):
        get_storage()


# Form field --------------------------------------------------------------------------------

def test_upload_field_hints_types_and_limit_and_can_be_required(app):
    from core.forms import BaseForm
    from core.uploads.forms import FileUploadField

    class AttachmentForm(BaseForm):
        attachment = FileUploadField("Attachment", kinds=("pdf", "jpg"), required=True)
        optional = FileUploadField("Optional")

    with app.test_request_context("/", method="POST", data={}):
        form = AttachmentForm()
        assert str(form.attachment.description) == "Accepted types: PDF, JPG. At most 10 MB."
        assert 'accept=".pdf,.jpg,.jpeg"' in str(form.attachment())
        assert not form.validate()
        assert [str(error) for error in form.attachment.errors] == ["Choose a file to upload."]
        assert not form.optional.errors

    with app.test_request_context("/", method="POST",
                                  data={"attachment": (io.BytesIO(PDF), "a.pdf")}):
        form = AttachmentForm()
        assert form.validate()
        assert isinstance(form.attachment.data, FileStorage)
