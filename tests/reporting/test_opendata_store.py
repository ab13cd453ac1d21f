"""The stored open-data files: built once, revalidated with 304, marked stale in the
transaction that changes the published data, served as they were until rebuilt, and
rebuilt by one worker process at its next turn (never in a visitor's request)."""

from __future__ import annotations

import gzip
import json

import pytest
from sqlalchemy import select

from core.extensions import db
from core.freshness import PROJECTS, current_version
from core.timeutil import utcnow
from grants.awards.models import Award
from reporting.opendata import store
from reporting.opendata.models import OpenDataFile
from reporting.opendata.validation import package_errors
from reporting.portal.operations import update_publication
from tests.fixtures.demo_numbers import PUBLIC_PROJECTS, REFERENCE_PROJECTS, reference_projects

JSON = "/open-data/360giving.json"
XLSX = "/open-data/360giving.xlsx"


def _hold_back_amount(demo_programme) -> str:
    """Staff hold back one project's amount (it leaves the open data); its reference."""
    project = reference_projects()[0]
    award = db.session.get(Award, project.award_id)
    update_publication(award, demo_programme["staff"], amount=False)
    db.session.commit()
    return project.reference


def _grant_ids(response) -> set[str]:
    return {grant["id"] for grant in json.loads(response.get_data())["grants"]}


@pytest.mark.parametrize("path", [JSON, XLSX])
def test_downloads_revalidate_with_304(client, demo_programme, path):
    first = client.get(path)
    assert first.status_code == 200
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.headers["Cache-Control"] == "no-cache"

    by_etag = client.get(path, headers={"If-None-Match": etag})
    assert by_etag.status_code == 304 and by_etag.get_data() == b""
    assert by_etag.headers["ETag"] == etag
    by_date = client.get(path, headers={"If-Modified-Since": modified})
    assert by_date.status_code == 304
    assert client.get(path, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_the_stored_file_validates_against_the_standard(client, demo_programme):
    client.get(JSON)
    row = db.session.scalar(select(OpenDataFile).where(OpenDataFile.scope == "all"))
    assert row.grant_count == PUBLIC_PROJECTS and row.data_version == current_version(PROJECTS)
    assert package_errors(json.loads(row.json_body)) == []
    assert client.get(JSON).get_data() == row.json_body


def test_a_publication_change_marks_the_files_stale_in_its_own_transaction(
        app, client, demo_programme):
    client.get(JSON)
    built = current_version(PROJECTS)
    with app.app_context():  # a session and transaction of its own, as a request has
        _hold_back_amount_uncommitted(demo_programme)
        db.session.rollback()
    assert current_version(PROJECTS) == built  # rolled back with the change
    with app.app_context():
        _hold_back_amount_uncommitted(demo_programme)
        assert current_version(PROJECTS) == built  # not before the transaction ends
        db.session.commit()
    assert current_version(PROJECTS) == built + 1  # committed with the change


def _hold_back_amount_uncommitted(demo_programme) -> None:
    award = db.session.get(Award, reference_projects()[0].award_id)
    update_publication(award, demo_programme["staff"], amount=False)
    db.session.flush()


@pytest.mark.parametrize("change", ["publication", "amount", "organisation", "unpublish"])
def test_changes_to_published_data_mark_the_files_stale(client, demo_programme, change):
    client.get(JSON)
    built = current_version(PROJECTS)
    project = reference_projects()[0]
    award = db.session.get(Award, project.award_id)
    if change == "publication":
        update_publication(award, demo_programme["staff"], public_title="A clearer title")
    elif change == "amount":
        award.amount = award.amount + 1
    elif change == "organisation":
        award.application.organisation.name = "A renamed organisation"
    else:
        update_publication(award, demo_programme["staff"], is_published=False)
    db.session.commit()
    assert current_version(PROJECTS) > built


def test_a_change_elsewhere_does_not_mark_them_stale(client, demo_programme, factories):
    client.get(JSON)
    built = current_version(PROJECTS)
    factories.user(roles=("applicant",))
    db.session.commit()
    assert current_version(PROJECTS) == built


def test_the_old_file_is_served_until_the_new_one_is_built(
        client, demo_programme, monkeypatch):
    old = client.get(JSON)
    old_ids, old_etag = _grant_ids(old), old.headers["ETag"]
    reference = _hold_back_amount(demo_programme)

    def no_building_while_the_visitor_waits(fund_id):
        raise AssertionError("the file was rebuilt during the request")

    with monkeypatch.context() as patch:
        patch.setattr(store, "build", no_building_while_the_visitor_waits)
        stale = client.get(JSON)
        assert stale.status_code == 200
        assert stale.headers["ETag"] == old_etag and _grant_ids(stale) == old_ids
        assert client.get(JSON, headers={"If-None-Match": old_etag}).status_code == 304
        stale.close()  # nothing is rebuilt once the response is sent either
    assert store.refresh_task() is True  # the worker's turn
    assert store.refresh_task() is False  # nothing left to do

    fresh = client.get(JSON)
    assert fresh.headers["ETag"] != old_etag
    assert _grant_ids(fresh) == old_ids - {f"360G-ogbz-{reference}"}
    assert client.get(JSON, headers={"If-None-Match": old_etag}).status_code == 200
    page = client.get("/open-data").get_data(as_text=True)
    assert "1 published project is not in the open data" in page


def test_only_the_worker_holding_the_claim_rebuilds(app, client, demo_programme, db_session):
    client.get(JSON)
    _hold_back_amount(demo_programme)
    row = db_session.scalar(select(OpenDataFile).where(OpenDataFile.scope == "all"))
    row.refreshing_since = utcnow()  # another worker is rebuilding
    db_session.flush()
    assert store.rebuild_claimed(app, None) is False
    db_session.expire_all()
    assert len(json.loads(client.get(JSON).get_data())["grants"]) == PUBLIC_PROJECTS
    row = db_session.scalar(select(OpenDataFile).where(OpenDataFile.scope == "all"))
    row.refreshing_since = utcnow() - store.CLAIM_TIMEOUT * 2  # that worker died
    db_session.flush()
    assert store.rebuild_claimed(app, None) is True
    db_session.expire_all()
    assert len(json.loads(client.get(JSON).get_data())["grants"]) == PUBLIC_PROJECTS - 1


def test_the_page_counts_come_from_the_stored_files(client, demo_programme, monkeypatch):
    client.get("/open-data")
    monkeypatch.setattr(store.package, "collect",
                        lambda *args, **kwargs: pytest.fail("records rebuilt for the page"))
    page = client.get("/open-data").get_data(as_text=True)
    assert "Grants in the open data" in page


def test_the_command_rebuilds_stale_files(app, client, demo_programme):
    fund_id = reference_projects()[0].fund_id
    client.get(JSON)
    client.get(f"{JSON}?fund={fund_id}")
    _hold_back_amount(demo_programme)
    result = app.test_cli_runner().invoke(args=["opendata", "refresh"])
    assert result.exit_code == 0, result.output
    assert "all" in result.output and f"fund-{fund_id}" in result.output
    assert len(json.loads(client.get(JSON).get_data())["grants"]) == PUBLIC_PROJECTS - 1
    fund_grants = json.loads(client.get(f"{JSON}?fund={fund_id}").get_data())["grants"]
    assert len(fund_grants) == REFERENCE_PROJECTS - 1


def test_a_failing_rebuild_keeps_the_last_file_and_waits_before_trying_again(
        app, client, demo_programme, monkeypatch):
    old = client.get(JSON).get_data()
    _hold_back_amount(demo_programme)
    calls = []

    def broken(fund_id):
        calls.append(fund_id)
        raise RuntimeError("the build failed")

    monkeypatch.setattr(store, "build", broken)
    for _ in range(3):
        assert store.refresh_task() is False
        response = client.get(JSON)
        assert response.status_code == 200 and response.get_data() == old
        response.close()
    assert calls == [None]  # tried once; the claim holds the next tries back


def test_the_worker_builds_the_all_funds_files_before_anyone_asks(client, demo_programme,
                                                                  db_session, monkeypatch):
    assert db_session.scalar(select(OpenDataFile)) is None
    assert store.refresh_task() is True
    monkeypatch.setattr(store, "build", lambda fund_id: pytest.fail("built in the request"))
    response = client.get(JSON)
    assert response.status_code == 200
    assert len(json.loads(response.get_data())["grants"]) == PUBLIC_PROJECTS


def test_the_worker_loop_rebuilds_stale_files(app, client, demo_programme):
    client.get(JSON)
    _hold_back_amount(demo_programme)
    result = app.test_cli_runner().invoke(args=["outbox", "send", "--once"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(client.get(JSON).get_data())["grants"]) == PUBLIC_PROJECTS - 1


@pytest.mark.parametrize("path, body, packed", [
    (JSON, "json_body", "json_gzip"),
    ("/open-data/iati.xml", "iati_body", "iati_gzip"),
])
def test_a_client_accepting_gzip_gets_the_copy_compressed_when_built(
        client, demo_programme, path, body, packed):
    plain = client.get(path)
    row = db.session.scalar(select(OpenDataFile).where(OpenDataFile.scope == "all"))
    stored, compressed = getattr(row, body), getattr(row, packed)
    assert gzip.decompress(compressed) == stored == plain.get_data()

    for accepted in ("gzip", "gzip, deflate, br"):
        response = client.get(path, headers={"Accept-Encoding": accepted})
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "gzip"
        assert response.get_data() == compressed  # sent as stored, not compressed again
        assert response.headers["ETag"] == plain.headers["ETag"][:-1] + ':gzip"'
        assert "Accept-Encoding" in response.headers["Vary"]
    tag = response.headers["ETag"]
    for headers in ({"If-None-Match": tag}, {"If-None-Match": tag, "Accept-Encoding": "gzip"}):
        again = client.get(path, headers=headers)
        assert again.status_code == 304 and again.headers["ETag"] == tag
    identity = client.get(path, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in identity.headers


def test_a_file_built_before_its_compressed_copy_is_compressed_on_the_fly(
        client, demo_programme, db_session):
    client.get(JSON)
    row = db.session.scalar(select(OpenDataFile).where(OpenDataFile.scope == "all"))
    row.set_body("json_gzip", None)
    db.session.commit()
    response = client.get(JSON, headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.get_data()) == row.json_body
