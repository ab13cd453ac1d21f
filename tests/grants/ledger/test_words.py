"""One set of words for the money: the pages' labels, the donor workbook's About sheet and
the README's "Money" section all say what ``grants.ledger.money.AMOUNTS`` says."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl

from grants.ledger.money import AMOUNTS, definition, label
from reporting.workbook.builder import build_donor_workbook

ROOT = Path(__file__).resolve().parents[3]
#: Words the pages used for these amounts before they had one definition.
OLD_WORDS = ("Committed", "Disbursed", "Outstanding", "Still to be disbursed",
             "Remaining to request", "Received so far", "Not yet disbursed",
             "Committed, not yet disbursed")


def _readme_money() -> dict[str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Money\n", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^- \*\*(.+?)\*\*: (.+)$", section, re.M))


def test_the_readme_defines_every_amount_as_the_code_does(app):
    with app.test_request_context():
        expected = {label(name): definition(name) for name in AMOUNTS}
    assert _readme_money() == expected


def test_the_about_sheet_gives_the_same_definitions(app, db_session):
    buffer = io.BytesIO()
    with app.test_request_context():
        build_donor_workbook(None, None).save(buffer)
        expected = {label(name): definition(name) for name in AMOUNTS}
    about = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))["About"]
    rows = {row[0]: row[1] for row in about.iter_rows(values_only=True) if row[0]}
    assert {name: rows.get(name) for name in expected} == expected
    assert {name: rows[name] for name in expected} == _readme_money()


def test_no_page_names_an_amount_in_its_own_words():
    """The money's labels come from ``money_label``; a template that writes one of the
    amounts' names itself would drift from the definitions."""
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for word in OLD_WORDS:
            if re.search(r'_\("' + re.escape(word) + r'"\)', text):
                offenders.append(f"{path.relative_to(ROOT)}: {word}")
    assert not offenders, offenders
