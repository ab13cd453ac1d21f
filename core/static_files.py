"""Static files with fingerprinted addresses, kept by browsers for a year.

Every ``url_for('static', filename=...)`` gets ``?v=`` and the first 12 hex digits of the
file's SHA-256, computed once at start-up; a changed file gets a new address, so its
response may be kept for a year (``immutable``) without a stale stylesheet ever outliving a
deploy. A request without the current fingerprint (a hand-typed address, a page kept from
before a deploy) gets a short lifetime instead.

Why not a library: flask-static-digest writes digested copies of the files and a manifest
with a ``flask digest compile`` step that every deployment and CI run would have to remember
before serving; a query-string fingerprint needs no build step and no generated files. The
folder is small (a few stylesheets and one script), so hashing it at start-up costs nothing.

Static responses of a compressible type are read into memory so that the compression, which
leaves streamed responses alone, applies to them too (a partial 206 answer stays streamed and
uncompressed).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, current_app, request

#: Digits of the SHA-256 used as the fingerprint.
DIGITS = 12
#: A fingerprinted file never changes at its address.
IMMUTABLE = "public, max-age=31536000, immutable"
#: Without the current fingerprint: kept briefly, then asked again.
SHORT = "public, max-age=300"


def fingerprints(folder: str | None) -> dict[str, str]:
    """``{filename: digest}`` for every file under ``folder`` (names with ``/``)."""
    if not folder or not Path(folder).is_dir():
        return {}
    root = Path(folder)
    return {path.relative_to(root).as_posix():
            hashlib.sha256(path.read_bytes()).hexdigest()[:DIGITS]
            for path in sorted(root.rglob("*")) if path.is_file()}


def init_app(app: Flask) -> None:
    app.extensions["static_fingerprints"] = fingerprints(app.static_folder)

    @app.url_defaults
    def add_fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values:
            digest = current_app.extensions["static_fingerprints"].get(
                values.get("filename", ""))
            if digest:
                values["v"] = digest

    @app.after_request
    def cache_static(response: Response) -> Response:
        if request.endpoint != "static":
            return response
        filename = (request.view_args or {}).get("filename", "")
        current = current_app.extensions["static_fingerprints"].get(filename)
        fresh = current is not None and request.args.get("v") == current
        response.headers["Cache-Control"] = IMMUTABLE if fresh else SHORT
        if (response.status_code == 200 and response.is_streamed
                and response.mimetype in current_app.config.get("COMPRESS_MIMETYPES", ())):
            response.direct_passthrough = False
            response.set_data(response.get_data())
        return response
