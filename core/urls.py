"""Absolute addresses and the hosts the application answers to.

Every absolute URL the system hands out (email links, QR codes, open data, printed sheets) is
built here from the configured ``PUBLIC_BASE_URL``, never from the request: a forged ``Host``
or ``X-Forwarded-Host`` header must not be able to put an attacker's address into a password
reset email. The same setting decides which ``Host`` headers are accepted at all
(``TRUSTED_HOSTS``); any other host gets 400 before a view runs.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from flask import Flask, current_app
from werkzeug.routing import Map

#: Used in development and tests when no public address is configured.
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"
#: Hosts a developer's browser or the test client use, accepted outside production.
LOCAL_HOSTS = ("127.0.0.1", "localhost")


class PublicUrlError(ValueError):
    """``PUBLIC_BASE_URL`` is missing or not an absolute http(s) address."""


def parse_base_url(value: str) -> tuple[str, str, str]:
    """``(scheme, netloc, path)`` of an absolute http(s) base URL, or PublicUrlError."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PublicUrlError(
            f"PUBLIC_BASE_URL must be an absolute http(s) address such as "
            f"https://grants.example.org, not {value!r}.")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise PublicUrlError(
            f"PUBLIC_BASE_URL must not carry credentials, a query or a fragment: {value!r}.")
    return parts.scheme, parts.netloc, parts.path.rstrip("/")


def configure_public_urls(app: Flask) -> None:
    """Check ``PUBLIC_BASE_URL`` and derive ``TRUSTED_HOSTS`` from it, at start-up.

    Production refuses to start without a valid public address. Elsewhere a missing one means
    the development address. ``TRUSTED_HOSTS`` set explicitly (a list, or a comma-separated
    string from the environment) wins; otherwise it is the public host, plus 127.0.0.1 and
    localhost outside production.
    """
    configured = (app.config.get("PUBLIC_BASE_URL") or "").strip()
    production = app.config.get("ENV_NAME") == "production"
    if not configured and production:
        raise SystemExit(
            "PUBLIC_BASE_URL is not set. In production every link in email, QR codes and open "
            "data is built from it: set it to the address people use, for example "
            "PUBLIC_BASE_URL=https://grants.example.org")
    try:
        _, netloc, _ = parse_base_url(configured or DEVELOPMENT_BASE_URL)
    except PublicUrlError as error:
        raise SystemExit(str(error)) from None
    app.config["PUBLIC_BASE_URL"] = configured.rstrip("/")

    trusted = app.config.get("TRUSTED_HOSTS")
    if isinstance(trusted, str):
        trusted = [host.strip() for host in trusted.split(",") if host.strip()]
    if not trusted:
        trusted = [urlsplit("//" + netloc).hostname]
        if not production:
            trusted += [host for host in LOCAL_HOSTS if host not in trusted]
    app.config["TRUSTED_HOSTS"] = list(trusted)


def public_base_url() -> str:
    """The configured public address, or the development one when none is configured."""
    return current_app.config.get("PUBLIC_BASE_URL") or DEVELOPMENT_BASE_URL


def has_public_base_url() -> bool:
    """Whether a public address is configured (published data never carries a development
    address)."""
    return bool(current_app.config.get("PUBLIC_BASE_URL"))


def external_url(endpoint: str, **values) -> str:
    """The absolute URL of ``endpoint``, always under :func:`public_base_url`.

    Built with a URL adapter bound to the public address rather than the request's, so the
    result is the same inside and outside a request, whatever headers the request carried.
    """
    adapter = _adapter(current_app.url_map, public_base_url())
    anchor = values.pop("_anchor", None)
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{anchor}" if anchor else url


@lru_cache(maxsize=8)
def _adapter(url_map: Map, base_url: str):
    scheme, netloc, path = parse_base_url(base_url)
    return url_map.bind(netloc, script_name=path or "/", url_scheme=scheme)
