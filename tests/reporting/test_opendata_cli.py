"""``flask export 360giving``: both formats, the fund filter, and bad input refused with a
clear message, a non-zero exit and no file."""

from __future__ import annotations

import json

import openpyxl
import pytest

from reporting.opendata.validation import package_errors
from tests.fixtures.demo_numbers import PUBLIC_PROJECTS, REFERENCE_PROJECTS, reference_projects
from tests.fixtures.grants import GrantFactories


def _export(app, *args):
    return app.test_cli_runner().invoke(args=["export", "360giving", *args])


def test_json_export(app, demo_programme, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "")
    out = tmp_path / "grants.json"
    result = _export(app, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"Wrote {PUBLIC_PROJECTS} grants" in result.output
    package = json.loads(out.read_text(encoding="utf-8"))
    assert package_errors(package) == []
    assert len(package["grants"]) == PUBLIC_PROJECTS
    # No development address in published data when no public base URL is configured.
    assert "url" not in package["grants"][0] and "dataSource" not in package["grants"][0]
    assert [path.name for path in tmp_path.iterdir()] == ["grants.json"]


def test_json_export_links_to_public_pages_with_a_base_url(app, demo_programme, tmp_path,
                                                           monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://grants.example.org")
    out = tmp_path / "grants.json"
    assert _export(app, "--out", str(out)).exit_code == 0
    package = json.loads(out.read_text(encoding="utf-8"))
    assert package_errors(package) == []
    grant = package["grants"][0]
    assert grant["dataSource"] == "https://grants.example.org/open-data/360giving.json"
    if "portal.project" in app.view_functions:
        assert grant["url"].startswith("https://grants.example.org/")
        assert grant["url"].endswith(grant["id"].removeprefix("360G-ogbz-"))
    assert package["accessURL"] == "https://grants.example.org/open-data"
    assert package["publisher"]["website"] == "https://grants.example.org"


def test_xlsx_export_for_one_fund(app, demo_programme, tmp_path):
    fund_id = reference_projects()[0].fund_id
    out = tmp_path / "GRANTS.XLSX"
    result = _export(app, "--out", str(out), "--fund", str(fund_id))
    assert result.exit_code == 0, result.output
    assert f"Wrote {REFERENCE_PROJECTS} grants" in result.output
    sheet = openpyxl.load_workbook(out)["grants"]
    assert sheet.max_row == REFERENCE_PROJECTS + 1
    assert sheet["A1"].value == "Identifier"


def test_an_existing_file_is_replaced_whole(app, demo_programme, tmp_path):
    out = tmp_path / "grants.json"
    out.write_text("old")
    assert _export(app, "--out", str(out)).exit_code == 0
    assert json.loads(out.read_text())["grants"]


@pytest.mark.parametrize("name, message", [
    ("grants.csv", ".json or .xlsx"),
    ("grants", ".json or .xlsx"),
    ("missing/grants.json", "does not exist"),
])
def test_bad_file_names_are_refused(app, demo_programme, tmp_path, name, message):
    result = _export(app, "--out", str(tmp_path / name))
    assert result.exit_code != 0
    assert message in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_folder_is_refused(app, demo_programme, tmp_path):
    folder = tmp_path / "grants.json"
    folder.mkdir()
    result = _export(app, "--out", str(folder))
    assert result.exit_code != 0 and "is a folder" in result.output
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("fund", ["999999", "-1", "99999999999999999999", "abc"])
def test_an_unknown_fund_is_refused_and_nothing_is_written(app, demo_programme, tmp_path,
                                                           fund):
    out = tmp_path / "grants.json"
    out.write_text("old")
    result = _export(app, "--out", str(out), "--fund", fund)
    assert result.exit_code != 0
    assert "--fund" in result.output
    assert out.read_text() == "old"
    assert [path.name for path in tmp_path.iterdir()] == ["grants.json"]


def test_a_fund_without_grants_and_an_empty_database_write_nothing(app, db_session, tmp_path):
    out = tmp_path / "grants.xlsx"
    result = _export(app, "--out", str(out))
    assert result.exit_code != 0
    assert "nothing was written" in result.output
    fund = GrantFactories(db_session).fund(name="A fund with no grants")
    result = _export(app, "--out", str(out), "--fund", str(fund.id))
    assert result.exit_code != 0
    assert list(tmp_path.iterdir()) == []
