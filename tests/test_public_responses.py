"""Every page an anonymous visitor can GET travels light: compressed when the client accepts
it, with a validator, and answered 304 with an empty body when the client's copy is current.
Pages never go to shared caches; static files carry a fingerprint and are kept a year.

The routes come from the access policy (``access_policy.py``), so a new public route is
walked as soon as it has its entry.
"""

from __future__ import annotations

import gzip

import pytest
from flask import url_for

from core.extensions import db
from core.static_files import IMMUTABLE, SHORT
from tests.access_policy import POLICY
from tests.test_access_policy import context  # noqa: F401  (the fixture)

#: Anonymous GET routes that are never validated, and why.
NOT_VALIDATED = {
    # A probe: it must reach the database on every request.
    "core.health",
}
#: What the compression applies to.
COMPRESSED_TYPES = {"text/html", "text/css", "text/csv", "text/plain", "text/javascript",
                    "application/javascript", "application/json", "application/xml",
                    "image/svg+xml"}


def _public_routes() -> list[str]:
    return sorted(endpoint for endpoint, access in POLICY.items()
                  if "anonymous" in access.allowed and access.method == "GET"
                  and access.ok_for.get("anonymous", access.ok) == 200)


def test_the_walk_covers_the_public_routes():
    routes = _public_routes()
    for endpoint in ("core.home", "calls.public_list", "plans.public_plan", "portal.project",
                     "portal.qr_svg", "opendata.download_iati", "static"):
        assert endpoint in routes


def _body(response) -> bytes:
    data = response.get_data()
    return gzip.decompress(data) if response.headers.get("Content-Encoding") == "gzip" else data


def _check_compression(endpoint: str, response, minimum: int) -> None:
    body = _body(response)
    if response.mimetype in COMPRESSED_TYPES and len(body) >= minimum:
        assert response.headers.get("Content-Encoding") == "gzip", endpoint
        assert len(response.get_data()) < len(body), endpoint
        assert "Accept-Encoding" in response.headers.get("Vary", ""), endpoint
    elif response.mimetype not in COMPRESSED_TYPES:
        assert "Content-Encoding" not in response.headers, endpoint


def _check_caching(endpoint: str, response) -> None:
    cache_control = response.headers.get("Cache-Control", "")
    if response.mimetype == "text/html":
        # A page may carry a form token and the visitor's language: never a shared cache.
        assert "private" in cache_control or "no-store" in cache_control, endpoint
        assert "public" not in cache_control, endpoint


def _revalidate(client, endpoint: str, url: str, first) -> None:
    etag = first.headers.get("ETag")
    last_modified = first.headers.get("Last-Modified")
    assert etag or last_modified, f"{endpoint} sends no validator"
    headers = {"Accept-Encoding": "gzip"}
    headers.update({"If-None-Match": etag} if etag else {"If-Modified-Since": last_modified})
    again = client.get(url, headers=headers)
    assert again.status_code == 304, endpoint
    assert again.get_data() == b"", endpoint
    if etag:  # the 304 repeats the tag the client holds (its compressed copy's tag)
        assert again.headers.get("ETag") == etag, endpoint


@pytest.mark.parametrize("endpoint", _public_routes())
def test_public_route_is_compressed_and_revalidated(app, context, endpoint):  # noqa: F811
    url = POLICY[endpoint].url(context)
    client = app.test_client()
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200, endpoint
    _check_compression(endpoint, first, app.config["COMPRESS_MIN_SIZE"])
    _check_caching(endpoint, first)
    if endpoint in NOT_VALIDATED:
        assert "ETag" not in first.headers, endpoint
    else:
        _revalidate(client, endpoint, url, first)
    first.close()


def test_a_compressed_copys_tag_also_revalidates_a_plain_request(client, context):  # noqa: F811
    url = POLICY["portal.project"].url(context)
    tag = client.get(url, headers={"Accept-Encoding": "gzip"}).headers["ETag"]
    assert tag.endswith(':gzip"')
    plain = client.get(url)
    assert plain.headers["ETag"] == tag.replace(":gzip", "")
    assert "Content-Encoding" not in plain.headers
    assert client.get(url, headers={"If-None-Match": tag}).status_code == 304


def test_brotli_is_preferred_when_accepted(client, context):  # noqa: F811
    response = client.get(POLICY["portal.projects"].url(context),
                          headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.headers["Content-Encoding"] == "br"


def test_spreadsheets_are_not_compressed_again(client, context):  # noqa: F811
    response = client.get("/open-data/360giving.xlsx", headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert response.get_data()[:2] == b"PK"


def test_a_signed_in_home_page_is_neither_validated_nor_kept(client, login_as, context):  # noqa: F811
    login_as("applicant")
    response = client.get("/")
    assert response.status_code == 200
    assert "ETag" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_a_flash_message_is_never_kept(client, context):  # noqa: F811
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Shown once.")]
    response = client.get("/action-plans")
    assert "Shown once." in response.get_data(as_text=True)
    assert "ETag" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_the_visitors_home_page_revalidates_and_a_call_moves_it_on(client, db_session,
                                                                   factories):
    from tests.fixtures.grants import GrantFactories

    etag = client.get("/").headers["ETag"]
    assert client.get("/", headers={"If-None-Match": etag}).status_code == 304
    GrantFactories(db_session, factories).call(title="Mini-grants 2027")
    db.session.commit()
    assert client.get("/", headers={"If-None-Match": etag}).status_code == 200


# Static files --------------------------------------------------------------------------------

def test_static_addresses_carry_a_content_fingerprint(app):
    with app.test_request_context():
        url = url_for("static", filename="css/app.css")
    digest = app.extensions["static_fingerprints"]["css/app.css"]
    assert url == f"/static/css/app.css?v={digest}" and len(digest) == 12
    assert all(path.startswith(("css/", "js/")) for path in app.extensions["static_fingerprints"])


def test_every_template_links_static_files_through_url_for(app):
    from pathlib import Path

    for path in Path(app.root_path, "templates").rglob("*.html"):
        text = path.read_text()
        for quote in ('"', "'"):
            assert f"{quote}/static/" not in text, path


@pytest.mark.parametrize(("query", "cache_control"), [
    ("?v={digest}", IMMUTABLE), ("", SHORT), ("?v=000000000000", SHORT)])
def test_only_the_current_fingerprint_is_kept_a_year(app, client, query, cache_control):
    digest = app.extensions["static_fingerprints"]["css/app.css"]
    response = client.get("/static/css/app.css" + query.format(digest=digest),
                          headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == cache_control
    assert response.headers["Content-Encoding"] == "gzip"
    assert b"body" in gzip.decompress(response.get_data())
    response.close()


def test_a_byte_range_of_a_static_file_is_sent_as_it_is(client):
    response = client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip",
                                                          "Range": "bytes=0-9"})
    assert response.status_code == 206
    assert "Content-Encoding" not in response.headers
    assert len(response.get_data()) == 10
    response.close()
