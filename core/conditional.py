"""Validators for public pages, checked before the page is built.

A public page's ETag is computed from what the page is made of, not from its body (which
differs on every request: the forms carry a fresh CSRF token): the data version of what it
shows (:mod:`core.freshness`), the address, the language, who is signed in, the session's
CSRF secret and the deployed templates. A browser that sends the ETag back gets 304 without
the page being built. The time period in it keeps a kept page's form tokens, and any
"closes in 3 days", from outliving it by much.

Pages with a flash message waiting are neither validated nor given an ETag: the message is
shown once, and a kept copy must not show it again.

Compressed responses (:mod:`core.compression`) carry the ETag with the coding appended
(``"abc:gzip"``): the compressed bytes are another representation, so their strong validator
differs. :func:`client_tag` accepts the tag a client sends back in either form, and a 304
repeats the tag the client holds, so its kept copy stays paired with the right validator.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from flask import Response, current_app, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user

#: How long a validated copy may be revalidated without being rebuilt, at most (seconds).
DEFAULT_PERIOD = 3600
#: The browser keeps the page but asks every time; shared caches never keep it.
PAGE_CACHE_CONTROL = "private, no-cache"
#: The content codings the compression may append to an ETag.
CODINGS = ("zstd", "br", "gzip", "deflate")


@lru_cache(maxsize=4)
def _deployed(root: str) -> str:
    """A stamp of the templates and catalogues in use, the same in every worker."""
    latest = 0.0
    for folder in ("templates", "translations"):
        for path in Path(root, folder).rglob("*"):
            if path.suffix in (".html", ".txt", ".mo"):
                latest = max(latest, path.stat().st_mtime)
    return f"{latest:.0f}"


def _visitor() -> str:
    if not current_user.is_authenticated:
        return "-"
    roles = sorted(str(role) for role in (getattr(current_user, "roles", None) or ()))
    return f"{current_user.get_id()}:{','.join(roles)}"


def page_etag(*parts, period: int = DEFAULT_PERIOD) -> str | None:
    """The validator of the current request's page built from ``parts`` (data versions and
    whatever else the page shows), or ``None`` when it must not be validated."""
    if session.get("_flashes"):
        return None
    key = repr((parts, request.full_path, str(get_locale()), _visitor(),
                session.get("csrf_token"), int(time.time() // period),
                _deployed(str(Path(current_app.root_path)))))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def client_tag(etag: str | None) -> str | None:
    """The tag of the client's ``If-None-Match`` that stands for ``etag`` (itself, or itself
    with a content coding appended by the compression), or ``None``. Compared weakly, as
    RFC 9110 asks for ``If-None-Match``."""
    if etag is None:
        return None
    tags = request.if_none_match
    if tags.star_tag:
        return etag
    for tag in tags.as_set(include_weak=True):
        base, _, coding = tag.rpartition(":")
        if tag == etag or (coding in CODINGS and base == etag):
            return tag
    return None


def not_modified(etag: str | None, last_modified: datetime | None = None) -> str | None:
    """The tag to answer 304 with when the client's copy is current, else ``None``.
    ``If-None-Match`` decides when sent; otherwise ``If-Modified-Since`` against
    ``last_modified`` (to the second, as HTTP dates go)."""
    if request.if_none_match:
        return client_tag(etag)
    since = request.if_modified_since
    if etag is None or since is None or last_modified is None:
        return None
    changed = last_modified.replace(microsecond=0)
    if changed.tzinfo is None:
        changed = changed.replace(tzinfo=since.tzinfo)
    return etag if changed <= since else None


def conditional_page(etag: Callable[[], str | None], build: Callable[[], object]) -> Response:
    """304 when the client's copy has ``etag()``; otherwise ``build()`` with the validator
    (computed again after building, which may have started the session)."""
    before = etag()
    held = client_tag(before)
    if held is not None:
        return _headers(Response(status=304), held)
    response = make_response(build())
    if before is not None and response.status_code == 200:  # None: a flash was shown
        _headers(response, etag())
    return response


def _headers(response: Response, etag: str | None) -> Response:
    if etag is not None:
        response.set_etag(etag)
        response.headers["Cache-Control"] = PAGE_CACHE_CONTROL
        response.vary.update(("Cookie", "Accept-Language"))
    return response


def conditional_form(template: str, form, **context) -> Response:
    """A public form page (sign in, register): validated like any public page when shown
    blank on a GET; a POST, or a form with errors, is always built."""
    from core.forms import render_form

    if request.method != "GET" or form.errors or form.form_errors:
        return make_response(render_form(template, form, **context))
    return conditional_page(page_etag, lambda: render_form(template, form, **context))
