"""The donor workbook on paper: every sheet has its page setup (A4, fitted to the page's
width, header row repeated, header and footer), and the 2018–2019 workbook of the demo
programme, rendered to PDF by LibreOffice as a donor would print it, stays short with every
header on paper. The PDF and its page images are kept in test-artifacts/workbook/ for a
look."""

from __future__ import annotations

import io
import re
import shutil
import subprocess  # nosec B404: runs LibreOffice with fixed arguments
from pathlib import Path

import openpyxl
import pytest

from tests.reporting.test_workbook_views import download

PERIOD = {"from": "2018-01-01", "to": "2019-12-31"}
SOFFICE = "/usr/bin/soffice"
PDFTOPPM, PDFTOTEXT = "/usr/bin/pdftoppm", "/usr/bin/pdftotext"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "workbook"
#: It printed on 93 pages before it had a page setup.
MAX_PAGES = 25


@pytest.mark.parametrize("locale", ["en", "es"])
def test_every_sheet_has_its_page_setup(client, login_as, demo_programme, locale):
    login_as("donor", locale=locale)
    response = download(client, PERIOD)
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    page_of = "Page &P of &N" if locale == "en" else "Página &P de &N"
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert setup.paperSize == 9, sheet.title  # A4
        assert setup.orientation in ("portrait", "landscape"), sheet.title
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.print_title_rows.replace("$", "") == "1:1", sheet.title
        assert "donor workbook" in sheet.oddHeader.center.text or (
            "donantes" in sheet.oddHeader.center.text), sheet.title
        assert sheet.oddHeader.right.text == ("2018-01-01 to 2019-12-31" if locale == "en"
                                              else "2018-01-01 a 2019-12-31"), sheet.title
        assert sheet.oddFooter.right.text == page_of, sheet.title
        assert sheet["A1"].alignment.wrap_text, sheet.title
    # Wide sheets lie down; the About sheet reads upright with its long texts wrapped.
    assert book.worksheets[4].page_setup.orientation == "landscape"  # Awards
    about = book.worksheets[0]
    assert about.page_setup.orientation == "portrait"
    wrapped = [row[1] for row in about.iter_rows(min_row=3) if row[1].alignment.wrap_text]
    assert len(wrapped) > 20


def test_yes_no_columns_are_words_in_the_readers_language(client, login_as, demo_programme):
    for locale, words in (("en", {"Yes", "No"}), ("es", {"Sí", "No"})):
        login_as("donor", locale=locale)
        book = openpyxl.load_workbook(io.BytesIO(download(client, PERIOD)
                                                 .data))
        # Organisations: attended, member, applied, counterpart.
        sheet = book["Organisations" if locale == "en" else "Organizaciones"]
        values = {cell.value for column in sheet.iter_cols(min_col=6, max_col=9, min_row=2)
                  for cell in column}
        assert values <= words | {None} and values & words, (locale, values)


@pytest.mark.skipif(not (Path(SOFFICE).exists() and Path(PDFTOPPM).exists()),
                    reason="LibreOffice or poppler-utils is not installed (make libreoffice)")
@pytest.mark.parametrize("locale", ["en", "es"])
def test_the_demo_workbook_prints_on_few_pages(client, login_as, demo_programme, tmp_path,
                                               locale):
    login_as("donor", locale=locale)
    response = download(client, PERIOD)
    source = tmp_path / "donor-workbook.xlsx"
    source.write_bytes(response.data)
    # A profile of its own, so runs in parallel do not share (and lock) one.
    profile = tmp_path / "profile"
    subprocess.run(  # nosec B603: fixed executable and arguments
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180)
    pdf = (tmp_path / "donor-workbook.pdf").read_bytes()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(tmp_path / "donor-workbook.pdf",
                    ARTIFACTS / f"donor-workbook-2018-2019-{locale}.pdf")
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    assert 0 < pages <= MAX_PAGES, f"{pages} pages"
    # The page images, as a donor would see them printed.
    images = ARTIFACTS / f"pages-{locale}"
    shutil.rmtree(images, ignore_errors=True)
    images.mkdir()
    subprocess.run(  # nosec B603: fixed executable and arguments
        [PDFTOPPM, "-r", "60", "-png", str(tmp_path / "donor-workbook.pdf"),
         str(images / "page")], check=True, capture_output=True, timeout=180)
    assert len(list(images.glob("page-*.png"))) == pages
    # Nothing cut off: every word of every column header and sheet title is on paper.
    text = subprocess.run(  # nosec B603: fixed executable and arguments
        [PDFTOTEXT, str(tmp_path / "donor-workbook.pdf"), "-"], check=True,
        capture_output=True, timeout=180).stdout.decode()
    printed = set(re.findall(r"\w+", text))
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    for sheet in book.worksheets[1:]:  # the About sheet has no header row
        header = " ".join(str(cell.value) for cell in sheet[1] if cell.value)
        missing = set(re.findall(r"\w+", header)) - printed
        assert not missing, (sheet.title, missing)
