from __future__ import annotations

from flask import current_app, has_request_context, url_for

DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


def external_url(endpoint: str, **values) -> str:
    """An absolute URL for links in email: PUBLIC_BASE_URL when set, else the request's host
    (or the development address, for commands run outside a request)."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base and has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=base or DEVELOPMENT_BASE_URL):
        return url_for(endpoint, _external=True, **values)
