"""How often one client may fetch the public downloads that cost the server work (open-data
files, QR codes, printable sheets). The client is its address as the configured proxies
report it (``TRUSTED_PROXIES``, applied by ProxyFix); one budget covers all of them, so
spreading requests over several downloads does not multiply it."""

from __future__ import annotations

from flask import Blueprint, current_app
from flask_babel import lazy_gettext as _l

from core.errors import render_error
from core.extensions import limiter


def download_rate_limit() -> str:
    return current_app.config["PUBLIC_DOWNLOAD_RATE_LIMIT"]


#: Decorator for a heavy public download.
limit_public_download = limiter.shared_limit(download_rate_limit, scope="public-downloads")


def _too_many_downloads(error):
    return render_error(429, _l(
        "You have downloaded a lot in a short time. Wait a minute and try again."))


def explain_download_limits(blueprint: Blueprint) -> None:
    """The 429 page of ``blueprint``'s downloads says what the limit is about, in the
    visitor's language."""
    blueprint.register_error_handler(429, _too_many_downloads)
