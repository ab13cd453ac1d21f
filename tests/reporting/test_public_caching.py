"""Public project pages and QR codes carry validators and answer 304; the heavy public
downloads are limited per client, with a 429 page in the visitor's language."""

from __future__ import annotations

import pytest

from core.extensions import db, limiter
from grants.awards.models import Award
from reporting.portal.operations import update_publication
from reporting.portal.queries import public_projects


def _revalidate(client, path):
    first = client.get(path)
    assert first.status_code == 200, path
    etag = first.headers.get("ETag")
    assert etag, f"{path} sends no validator"
    again = client.get(path, headers={"If-None-Match": etag})
    return first, again


@pytest.fixture
def pages(demo_programme):
    reference = public_projects()[0].reference
    return ["/projects", "/projects?page=1", f"/projects/{reference}",
            f"/projects/{reference}/sheet", "/open-data"]


def test_public_pages_answer_304_on_revalidation(client, pages):
    for path in pages:
        first, again = _revalidate(client, path)
        assert again.status_code == 304 and again.get_data() == b"", path
        # The browser may keep it, but asks every time; shared caches never keep it.
        assert first.headers["Cache-Control"] == "private, no-cache", path
        assert "Cookie" in first.headers["Vary"], path


def test_a_publication_change_moves_the_validators_on(client, demo_programme, pages):
    etags = {path: client.get(path).headers["ETag"] for path in pages}
    project = public_projects()[0]
    update_publication(db.session.get(Award, project.award_id), demo_programme["staff"],
                       public_title="A title worded for the public")
    db.session.commit()
    for path in pages:
        response = client.get(path, headers={"If-None-Match": etags[path]})
        assert response.status_code == 200, path


def test_the_validator_depends_on_the_language(client, demo_programme):
    etag = client.get("/projects").headers["ETag"]
    client.post("/language", data={"locale": "es", "next": "/"})
    response = client.get("/projects", headers={"If-None-Match": etag})
    assert response.status_code == 200 and 'lang="es"' in response.get_data(as_text=True)


def test_a_page_with_a_flash_message_is_not_validated(client, demo_programme):
    etag = client.get("/projects").headers["ETag"]
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Saved.")]
    response = client.get("/projects", headers={"If-None-Match": etag})
    assert response.status_code == 200 and "Saved." in response.get_data(as_text=True)
    assert "ETag" not in response.headers


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_qr_codes_revalidate_and_do_not_depend_on_the_request(client, demo_programme, kind):
    path = f"/projects/{public_projects()[0].reference}/qr.{kind}"
    first, again = _revalidate(client, path)
    assert again.status_code == 304
    # Public caching is right only because the image is the same whoever asks, however.
    assert first.headers["Cache-Control"].startswith("public")
    other = client.get(path, headers={"Host": "127.0.0.1", "X-Forwarded-Host": "evil.example",
                                      "Accept-Language": "es"})
    assert other.get_data() == first.get_data()
    assert other.headers["ETag"] == first.headers["ETag"]


@pytest.fixture
def download_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_DOWNLOAD_RATE_LIMIT", "3 per minute")
    limiter.reset()
    yield
    limiter.reset()


def test_heavy_downloads_are_limited_per_client(client, app, demo_programme, download_limit):
    reference = public_projects()[0].reference
    paths = ["/open-data/360giving.json", "/open-data/360giving.xlsx",
             f"/projects/{reference}/qr.png"]
    for path in paths:  # one budget for all of them
        assert client.get(path).status_code == 200, path
    refused = client.get(f"/projects/{reference}/sheet")
    assert refused.status_code == 429
    assert "Too many requests" in refused.get_data(as_text=True)
    assert "Retry-After" in refused.headers
    # Another client (another address) has its own budget.
    other = app.test_client()
    response = other.get("/open-data/360giving.json",
                         environ_overrides={"REMOTE_ADDR": "192.0.2.10"})
    assert response.status_code == 200


def test_the_429_page_is_in_the_visitors_language(client, demo_programme, download_limit):
    for _ in range(3):
        client.get("/open-data/360giving.json")
    refused = client.get("/open-data/360giving.json", headers={"Accept-Language": "es"})
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert 'lang="es"' in page and "Demasiadas solicitudes" in page


def test_pages_are_not_limited(client, demo_programme, download_limit):
    for _ in range(6):
        assert client.get("/projects").status_code == 200
        assert client.get("/open-data").status_code == 200
