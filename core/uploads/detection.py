"""Which kind of file some bytes are, judged by their content, never by their name.

PDF, PNG and JPEG are recognised by their signatures. DOCX, XLSX and ODT are ZIP archives:
the archive is opened and its members are inspected (without unpacking anything big), and
archives that could hurt whoever unpacks them (too many members, too much unpacked data,
encryption, damage) are refused as not a valid document. Macro-enabled Office files are not
recognised as DOCX or XLSX.

Only the standard library is used.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from flask_babel import lazy_gettext as _l

PDF = "pdf"
DOCX = "docx"
XLSX = "xlsx"
ODT = "odt"
JPG = "jpg"
PNG = "png"

#: Every kind this module can recognise, in the order they are listed to users.
ALL_KINDS: tuple[str, ...] = (PDF, DOCX, XLSX, ODT, JPG, PNG)

#: The content type sent with a download: always the detected one, never the browser's claim.
CONTENT_TYPES: dict[str, str] = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ODT: "application/vnd.oasis.opendocument.text",
    JPG: "image/jpeg",
    PNG: "image/png",
}

#: File name extensions (lower case, without the dot) accepted for each kind.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: ("pdf",),
    DOCX: ("docx",),
    XLSX: ("xlsx",),
    ODT: ("odt",),
    JPG: ("jpg", "jpeg"),
    PNG: ("png",),
}

#: Short names of the formats, as shown in lists of accepted types (not translated).
LABELS: dict[str, str] = {
    PDF: "PDF", DOCX: "DOCX", XLSX: "XLSX", ODT: "ODT", JPG: "JPG", PNG: "PNG",
}

#: What a file of each kind is, for messages such as "its content is a PNG image".
DESCRIPTIONS = {
    PDF: _l("a PDF document"),
    DOCX: _l("a Word document (DOCX)"),
    XLSX: _l("an Excel workbook (XLSX)"),
    ODT: _l("an OpenDocument text (ODT)"),
    JPG: _l("a JPEG image"),
    PNG: _l("a PNG image"),
}

#: Limits for ZIP-based documents, checked against the sizes the archive declares.
MAX_ARCHIVE_MEMBERS = 10_000
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
#: The few members read while detecting (``mimetype``, ``[Content_Types].xml``) are small.
MAX_MARKER_BYTES = 1024 * 1024

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
PDF_SIGNATURE = b"%PDF-"
ZIP_SIGNATURE = b"PK\x03\x04"

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_XLSX_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"

_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError,
               EOFError, ValueError, OSError, zlib.error, struct.error, UnicodeDecodeError)


class InvalidDocument(ValueError):
    """The bytes look like a ZIP-based document but are damaged, encrypted or unsafe to
    unpack. The message is for logs; users get a translated message from the caller."""


def detect_kind(data: bytes) -> str | None:
    """The kind of ``data`` (one of ``ALL_KINDS``), or None when it is none of them.

    Raises ``InvalidDocument`` for a ZIP archive that is damaged, encrypted or a zip bomb.
    """
    if data.startswith(PDF_SIGNATURE):
        return PDF
    if data.startswith(PNG_SIGNATURE) and data[12:16] == b"IHDR":
        return PNG
    if data.startswith(JPEG_SIGNATURE):
        return JPG
    if data.startswith(ZIP_SIGNATURE):
        return _detect_zip(data)
    return None


def kind_for_extension(extension: str) -> str | None:
    """The kind whose files end in ``extension`` (without the dot, any case), if any."""
    extension = extension.lower()
    for kind, extensions in EXTENSIONS.items():
        if extension in extensions:
            return kind
    return None


def _detect_zip(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _inspect_archive(archive)
    except InvalidDocument:
        raise
    except _ZIP_ERRORS as error:
        raise InvalidDocument(f"unreadable archive: {error}") from error


def _inspect_archive(archive: zipfile.ZipFile) -> str | None:
    members = archive.infolist()
    if not members:
        return None
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise InvalidDocument(f"{len(members)} members")
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise InvalidDocument(f"{unpacked} bytes once unpacked")
    if any(member.flag_bits & 0x1 for member in members):
        raise InvalidDocument("encrypted")
    names = {member.filename for member in members}
    if len(names) != len(members):
        # Two members of the same name: readers disagree about which one counts.
        raise InvalidDocument("duplicate member names")

    first = members[0]
    if first.filename == "mimetype":
        mimetype = _read_member(archive, first).strip()
        if mimetype == ODT_MIMETYPE and "content.xml" in names:
            return ODT
        return None

    if "[Content_Types].xml" not in names:
        return None
    content_types = _read_member(archive, archive.getinfo("[Content_Types].xml"))
    if b"macroenabled" in content_types.lower() or any(
            name.lower().endswith("vbaproject.bin") for name in names):
        return None  # macro-enabled Office files are not on the allow-list
    if "word/document.xml" in names and _DOCX_MAIN in content_types:
        return DOCX
    if "xl/workbook.xml" in names and _XLSX_MAIN in content_types:
        return XLSX
    return None


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    """A small member's bytes; reading stops after the limit whatever the header says."""
    if member.file_size > MAX_MARKER_BYTES:
        raise InvalidDocument(f"{member.filename} is {member.file_size} bytes")
    with archive.open(member) as handle:
        content = handle.read(MAX_MARKER_BYTES + 1)
    if len(content) > MAX_MARKER_BYTES:
        raise InvalidDocument(f"{member.filename} is larger than declared")
    return content
