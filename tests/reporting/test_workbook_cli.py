"""``flask export donor-workbook``: the file, its one-line summary, bad input refused with a
clear message and no file left behind, the language of the sheets."""

from __future__ import annotations

import openpyxl
import pytest
from flask_babel import force_locale, gettext

ENGLISH_TITLES = ["About", "Summary", "Calls", "Applications", "Awards", "Disbursements",
                  "Budget vs actual", "Reports", "Coalitions", "Memberships", "Commitments",
                  "Events", "Participants", "Organisations", "Results", "Reconciliation"]


def export(app, *args):
    return app.test_cli_runner().invoke(args=["export", "donor-workbook", *args])


def test_writes_the_workbook_and_says_what_it_wrote(app, demo_programme, tmp_path):
    path = tmp_path / "donors.xlsx"
    result = export(app, "--out", str(path), "--from", "2018-01-01", "--to", "2019-12-31")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Wrote {path}: 16 sheets, ")
    assert "anonymised" in lines[0]
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ENGLISH_TITLES
    assert book["Participants"].max_row == 213  # header and 212 participants
    assert [cell.value for cell in book["Participants"][1]][:2] == ["Person", "Sex"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["donors.xlsx"]


def test_the_fund_and_the_variant_with_names(app, demo_programme, db_session, tmp_path):
    from grants.calls.models import Fund

    fund = db_session.query(Fund).first()
    path = tmp_path / "named.xlsx"
    result = export(app, "--out", str(path), "--fund", str(fund.id), "--with-names")
    assert result.exit_code == 0, result.output
    assert "with names" in result.output
    book = openpyxl.load_workbook(path)
    assert [cell.value for cell in book["Participants"][1]][:3] == ["Person", "Full name",
                                                                    "Email"]
    about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True) if row[0]}
    assert about["Fund"] == fund.name


def test_an_existing_file_is_replaced_whole(app, db_session, tmp_path):
    path = tmp_path / "donors.xlsx"
    path.write_bytes(b"old")
    assert export(app, "--out", str(path)).exit_code == 0
    assert openpyxl.load_workbook(path).sheetnames == ENGLISH_TITLES


@pytest.mark.parametrize("args, message", [
    (["--from", "2019-13-01"], "is not a date"),
    (["--from", "31/12/2019"], "is not a date"),
    (["--to", "yesterday"], "is not a date"),
    (["--to", "9999-12-31"], "give a year between 1950 and 2100"),
    (["--from", "2019-12-01", "--to", "2019-01-01"], "ends (2019-01-01) before it starts"),
    (["--fund", "999999"], "no fund has the number 999999"),
    (["--fund", "99999999999999999999999"], "no fund has the number"),
    (["--fund", "many"], "is not a valid integer"),
    (["--language", "fr"], "'fr' is not one of en, es"),
])
def test_bad_input_is_refused_and_writes_nothing(app, db_session, tmp_path, args, message):
    result = export(app, "--out", str(tmp_path / "donors.xlsx"), *args)
    assert result.exit_code != 0
    assert message in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["donors.xls", "donors.csv", "donors"])
def test_the_output_must_be_an_xlsx(app, db_session, tmp_path, name):
    result = export(app, "--out", str(tmp_path / name))
    assert result.exit_code != 0 and "does not end in .xlsx" in result.output
    assert list(tmp_path.iterdir()) == []


def test_the_output_folder_must_exist(app, db_session, tmp_path):
    result = export(app, "--out", str(tmp_path / "missing" / "donors.xlsx"))
    assert result.exit_code != 0 and "does not exist" in result.output
    assert list(tmp_path.iterdir()) == []


def test_out_is_required(app, db_session):
    result = export(app)
    assert result.exit_code != 0 and "--out" in result.output


def test_a_failure_while_writing_leaves_no_file_behind(app, db_session, tmp_path,
                                                       monkeypatch):
    from core.spreadsheets import Workbook

    def broken_save(self, target):
        target.write(b"half a workbook")
        raise OSError("disk full")

    monkeypatch.setattr(Workbook, "save", broken_save)
    path = tmp_path / "donors.xlsx"
    path.write_bytes(b"previous version")
    result = export(app, "--out", str(path))
    assert result.exit_code != 0
    assert path.read_bytes() == b"previous version"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["donors.xlsx"]


def test_the_language_of_the_sheets(app, db_session, tmp_path):
    """Titles and headers go through gettext in the language asked for; the Spanish
    catalogue already translates some of them (the rest follow as it grows)."""
    path = tmp_path / "es.xlsx"
    result = export(app, "--out", str(path), "--language", "es")
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(path)
    with force_locale("es"):
        expected = [gettext(title) for title in ENGLISH_TITLES]
        person, sex = gettext("Person"), gettext("Sex")
    assert book.sheetnames == expected
    assert expected != ENGLISH_TITLES  # "Calls", "Events"… are in the catalogue
    participants = book[expected[ENGLISH_TITLES.index("Participants")]]
    assert [cell.value for cell in participants[1]][:2] == [person, sex]
    english = tmp_path / "en.xlsx"
    assert export(app, "--out", str(english), "--language", "en").exit_code == 0
    assert openpyxl.load_workbook(english).sheetnames == ENGLISH_TITLES
