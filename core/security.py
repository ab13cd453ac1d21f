"""Security headers and small helpers."""

from __future__ import annotations

from flask import Flask, current_app, request
from markupsafe import Markup, escape

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def init_app(app: Flask) -> None:
    escape_lazy_strings()

    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if current_app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.endpoint and not request.endpoint.endswith("static"):
            # Pages may show personal data: keep them out of shared caches.
            headers.setdefault("Cache-Control", "no-store")
        return response


def _escaped_html(lazy) -> Markup:
    return escape(str(lazy))


def escape_lazy_strings() -> None:
    """Make Flask-Babel's lazy strings ordinary text for Jinja and WTForms.

    ``LazyString.__html__`` returns the text as it is, which tells every template that the
    text is safe markup: a message built from user input, such as
    ``_l("Attach: %(document)s.", document=name)`` or an ``OperationError`` naming an
    organisation, would reach the page unescaped. No message of ours is markup, so all of
    them are escaped like any other string.
    """
    from flask_babel.speaklater import LazyString

    LazyString.__html__ = _escaped_html


def is_safe_redirect(target: str | None) -> bool:
    """Only same-site relative paths may be used as a ``next`` target."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    return "\\" not in target and not any(ord(ch) < 32 for ch in target)
