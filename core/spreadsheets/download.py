"""Sending a finished workbook as a download."""

from __future__ import annotations

import tempfile
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Response

    from .workbook import Workbook

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def send_workbook(workbook: Workbook, filename: str) -> Response:
    """A Flask response that downloads ``workbook`` as ``filename`` (".xlsx" is appended when
    missing; non-ASCII names are sent per RFC 5987).

    The file is built in an anonymous temporary file rather than in memory, so a large donor
    workbook costs disk, not RAM; the file disappears when the response is closed. It is sent
    as an attachment that no cache keeps, as every personal-data download is.
    """
    from flask import send_file

    from core.uploads.responses import DOWNLOAD_CSP

    if not filename.lower().endswith(".xlsx"):
        filename += ".xlsx"
    # Not a "with" block: the response closes the file once it has been sent.
    handle: IO[bytes] = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    try:
        workbook.save(handle)
        size = handle.tell()
        handle.seek(0)
        response = send_file(handle, mimetype=XLSX_MIMETYPE, as_attachment=True,
                             download_name=filename, conditional=False, etag=False,
                             max_age=None)
    except BaseException:
        handle.close()
        raise
    response.content_length = size
    headers = response.headers
    headers["Cache-Control"] = "private, no-store"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Content-Security-Policy"] = DOWNLOAD_CSP
    return response


