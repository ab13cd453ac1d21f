"""Sample files for the upload tests (one of each allowed type, and archives built to
order) and the helpers that upload them."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from openpyxl import Workbook
from werkzeug.datastructures import FileStorage

from core.errors import OperationError
from core.uploads.operations import store_upload

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
