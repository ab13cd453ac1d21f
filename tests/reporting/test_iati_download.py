"""The IATI activity file on the open-data page: stored with the 360Giving files, served with
validators, never built from the request's host, and never served when it breaks the
schema."""

from __future__ import annotations

from lxml import etree

from reporting.iati.validation import file_errors
from reporting.opendata import store
from tests.fixtures.demo_numbers import PUBLIC_PROJECTS, reference_projects


def test_the_page_links_the_iati_file(client, demo_programme):
    page = client.get("/open-data").get_data(as_text=True)
    assert 'href="/open-data/iati.xml"' in page and "2.03" in page
    fund_id = reference_projects()[0].fund_id
    filtered = client.get(f"/open-data?fund={fund_id}").get_data(as_text=True)
    assert f'href="/open-data/iati.xml?fund={fund_id}"' in filtered


def test_download_and_revalidation(client, demo_programme):
    response = client.get("/open-data/iati.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "iati-ogbz-" in disposition
    assert disposition.endswith(".xml")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    body = response.get_data()
    assert file_errors(body) == []
    assert len(etree.fromstring(body).findall("iati-activity")) == 1 + PUBLIC_PROJECTS
    again = client.get("/open-data/iati.xml", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_links_never_come_from_the_host_header(client, demo_programme, app):
    response = client.get("/open-data/iati.xml", headers={"X-Forwarded-Host": "evil.example"},
                          base_url="http://127.0.0.1")
    assert response.status_code == 200
    body = response.get_data()
    assert b"evil.example" not in body and b"127.0.0.1" not in body
    base = app.config["PUBLIC_BASE_URL"].encode()
    for link in etree.fromstring(body).iter("document-link"):
        assert link.get("url").encode().startswith(base + b"/")


def test_a_file_that_breaks_the_schema_is_never_served(client, demo_programme, db_session,
                                                        monkeypatch):
    good = client.get("/open-data/iati.xml").get_data()
    row = store.files_for(None)

    def broken(fund_id=None):
        from reporting.iati.validation import InvalidActivityFile
        raise InvalidActivityFile(["line 1: broken"])

    logged = []
    monkeypatch.setattr(store, "build_file", broken)
    monkeypatch.setattr(store.log, "exception", lambda message, *args: logged.append(message))
    store.build(None)
    db_session.flush()
    assert row.iati_body == good
    assert logged and "the last valid file stays" in logged[0]
    assert row.grant_count == PUBLIC_PROJECTS  # the 360Giving files are rebuilt all the same
    assert client.get("/open-data/iati.xml").get_data() == good
