"""``flask export iati``: a valid file written in one step, bad input refused with no file."""

from __future__ import annotations

from lxml import etree

from reporting.iati.validation import file_errors
from tests.fixtures.demo_numbers import PUBLIC_PROJECTS, reference_projects


def _export(app, *args):
    return app.test_cli_runner().invoke(args=["export", "iati", *args])


def test_the_cli_writes_a_valid_file(app, demo_programme, tmp_path):
    out = tmp_path / "activities.xml"
    result = _export(app, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"Wrote {1 + PUBLIC_PROJECTS} activities" in result.output
    body = out.read_bytes()
    assert file_errors(body) == []
    assert [path.name for path in tmp_path.iterdir()] == ["activities.xml"]


def test_one_fund(app, demo_programme, tmp_path):
    fund_id = reference_projects()[0].fund_id
    out = tmp_path / "fund.xml"
    assert _export(app, "--out", str(out), "--fund", str(fund_id)).exit_code == 0
    root = etree.fromstring(out.read_bytes())
    assert len(root.findall("iati-activity")) == 1 + len(reference_projects())


def test_no_absolute_address_without_a_public_base_url(app, demo_programme, tmp_path,
                                                       monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "")
    out = tmp_path / "activities.xml"
    assert _export(app, "--out", str(out)).exit_code == 0
    assert b"document-link" not in out.read_bytes()


def test_links_use_the_public_base_url(app, demo_programme, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://grants.example.org")
    out = tmp_path / "activities.xml"
    assert _export(app, "--out", str(out)).exit_code == 0
    links = [link.get("url") for link in etree.fromstring(out.read_bytes()).iter("document-link")]
    if "portal.project" in app.view_functions:
        assert links and all(url.startswith("https://grants.example.org/") for url in links)


def test_bad_arguments_write_nothing(app, demo_programme, tmp_path):
    assert _export(app, "--out", str(tmp_path / "a.json")).exit_code != 0
    assert _export(app, "--out", str(tmp_path)).exit_code != 0
    assert _export(app, "--out", str(tmp_path / "missing" / "a.xml")).exit_code != 0
    assert _export(app, "--out", str(tmp_path / "a.xml"), "--fund", "999999").exit_code != 0
    assert list(tmp_path.iterdir()) == []
