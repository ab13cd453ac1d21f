"""The public open-data page and downloads, for an anonymous visitor."""

from __future__ import annotations

import json
from io import BytesIO

import openpyxl
import pytest

from reporting.opendata.validation import package_errors
from reporting.portal.queries import public_projects
from tests.fixtures.demo_numbers import PUBLIC_PROJECTS, REFERENCE_PROJECTS, reference_projects
from tests.fixtures.grants import GrantFactories
from tests.reporting.conftest import set_publication

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_the_page_explains_and_links_the_files(client, demo_programme):
    fund_id = reference_projects()[0].fund_id
    response = client.get("/open-data")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "360Giving" in page and "1.4.3" in page
    assert "https://creativecommons.org/licenses/by/4.0/" in page
    assert "360G-ogbz-" in page and "360G-ogbz-ORG-" in page
    assert 'href="/open-data/360giving.json"' in page
    assert 'href="/open-data/360giving.xlsx"' in page
    assert f'<option value="{fund_id}"' in page
    filtered = client.get(f"/open-data?fund={fund_id}").get_data(as_text=True)
    assert f'href="/open-data/360giving.json?fund={fund_id}"' in filtered


def test_everyone_sees_the_navigation_entry(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/open-data">Open data</a>' in page


def test_json_download(client, demo_programme):
    response = client.get("/open-data/360giving.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "360giving-ogbz-" in disposition
    assert disposition.endswith(".json")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    package = json.loads(response.get_data())
    assert package_errors(package) == []
    assert len(package["grants"]) == PUBLIC_PROJECTS
    grant = package["grants"][0]
    assert grant["dataSource"] == "http://localhost/open-data/360giving.json"
    if "portal.project" in client.application.view_functions:
        assert grant["url"].startswith("http://localhost/")


def test_xlsx_download(client, demo_programme):
    fund_id = reference_projects()[0].fund_id
    response = client.get(f"/open-data/360giving.xlsx?fund={fund_id}")
    assert response.status_code == 200
    assert response.mimetype == XLSX
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"fund-{fund_id}" in disposition
    assert disposition.endswith(".xlsx")
    sheet = openpyxl.load_workbook(BytesIO(response.get_data()))["grants"]
    titles = [cell.value for cell in sheet[1]]
    assert titles[:3] == ["Identifier", "Title", "Description"]
    has_pages = "portal.project" in client.application.view_functions
    assert titles[-3:] == ["Last Modified", "URL", "Data Source"] if has_pages else \
        titles[-2:] == ["Last Modified", "Data Source"]
    assert sheet.max_row == REFERENCE_PROJECTS + 1


def test_held_back_projects_are_counted_on_the_page(client, demo_programme, db_session):
    project = reference_projects()[0]
    set_publication(db_session, project.award_id, is_amount_public=False)
    db_session.flush()
    page = client.get("/open-data").get_data(as_text=True)
    assert "1 published project is not in the open data" in page
    assert "its amount is not public" in page
    package = json.loads(client.get("/open-data/360giving.json").get_data())
    assert len(package["grants"]) == PUBLIC_PROJECTS - 1
    assert not [g for g in package["grants"] if g["id"].endswith(project.reference)]


@pytest.mark.parametrize("query, status", [
    ("fund=abc", 400), ("fund=-1", 400), ("fund=1.5", 400), ("fund=%00", 400),
    ("fund=" + "9" * 40, 400), ("fund=999999", 404), ("fund=99999999999", 400),
])
@pytest.mark.parametrize("path", ["/open-data", "/open-data/360giving.json",
                                  "/open-data/360giving.xlsx"])
def test_bad_fund_filters(client, demo_programme, path, query, status):
    assert client.get(f"{path}?{query}").status_code == status


def test_nothing_to_download_yet(client, db_session):
    fund = GrantFactories(db_session).fund(name="A fund with no grants")
    page = client.get("/open-data").get_data(as_text=True)
    assert "No grants are published as open data yet" in page
    assert "/open-data/360giving.json" not in page
    for path in ("/open-data/360giving.json", "/open-data/360giving.xlsx",
                 f"/open-data/360giving.json?fund={fund.id}"):
        response = client.get(path)
        assert response.status_code == 404
        assert "No grants are published as open data yet" in response.get_data(as_text=True)


def test_hostile_text_is_escaped_on_the_page(client, demo_programme, db_session):
    GrantFactories(db_session).fund(name="<script>alert(1)</script>")
    page = client.get("/open-data").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_queries_do_not_grow_with_the_projects(app, client, demo_programme, db_session):
    from sqlalchemy import event

    from core.extensions import db
    from reporting.opendata import store

    def statements(action):
        seen = []

        def count(*args):
            seen.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            action()
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    def served(path):
        return lambda: client.get(path).status_code == 200 or pytest.fail(path)

    paths = ("/open-data", "/open-data/360giving.json", "/open-data/360giving.xlsx")
    client.get("/open-data")  # the first visit builds the files
    with_all = [statements(served(path)) for path in paths]
    building_all = statements(lambda: store.build(None))
    assert all(with_all)
    for project in public_projects()[:PUBLIC_PROJECTS - 2]:
        set_publication(db_session, project.award_id, is_published=False)
    db_session.flush()
    assert len(public_projects()) == 2
    assert statements(lambda: store.build(None)) == building_all
    assert [statements(served(path)) for path in paths] == with_all
