"""Sending a stored file to the browser, always as a download.

Core has no download route: a domain view loads the object the file belongs to, checks its
policy (404/403), then returns ``send_stored_file(stored)``.
"""

from __future__ import annotations

import os

from flask import Response, abort, current_app, send_file

from core.uploads.models import StoredFile
from core.uploads.storage import get_storage

#: Even if a browser ignored the attachment disposition, the file could run nothing.
DOWNLOAD_CSP = "default-src 'none'; sandbox"


def send_stored_file(stored: StoredFile) -> Response:
    """Stream ``stored``'s bytes as an attachment named after the original file (RFC 5987
    for non-ASCII names), with the content type detected at upload and headers that stop
    browsers from sniffing, rendering or caching it.

    Bytes missing from the storage are logged as an error and answered with a 404.
    """
    try:
        handle = get_storage().open(stored.storage_key)
    except FileNotFoundError:
        current_app.logger.error("stored file %s has no bytes (key %s)", stored.id,
                                 stored.storage_key)
        abort(404)
    try:
        size = os.fstat(handle.fileno()).st_size
    except (AttributeError, OSError, ValueError):
        size = None  # not a real file (another storage): sent without a length
    response = send_file(
        handle, mimetype=stored.content_type, as_attachment=True,
        download_name=stored.original_name, conditional=False, etag=False, max_age=None,
        last_modified=stored.created_at,
    )
    if size is not None:
        response.content_length = size
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Cache-Control"] = "private, no-store"
    headers["Content-Security-Policy"] = DOWNLOAD_CSP
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
