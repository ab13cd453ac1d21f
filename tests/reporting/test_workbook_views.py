"""The donor workbook page and download: who may use them, the variant with names, bad
periods shown on the form, the reader's language."""

from __future__ import annotations

import io

import openpyxl
import pytest
from flask_babel import force_locale, gettext

from core.spreadsheets import XLSX_MIMETYPE
from tests.fixtures.jobs import download_through_job

FORM = "/reports/workbook"
DOWNLOAD = "/reports/workbook/download"


def download(client, query: dict | None = None):
    """The workbook the form asks for: queued, made by the worker, downloaded."""
    return download_through_job(client, DOWNLOAD, query)


def workbook_of(response) -> openpyxl.Workbook:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == XLSX_MIMETYPE
    return openpyxl.load_workbook(io.BytesIO(response.data))


@pytest.mark.parametrize("role", ["donor", "finance", "staff", "admin"])
def test_readers_of_reports_get_the_form_and_the_workbook(client, login_as, role):
    login_as(role)
    page = client.get(FORM)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Donor workbook" in html and 'action="/reports/workbook/download"' in html
    response = download(client, {"from": "2019-01-01", "to": "2019-12-31"})
    book = workbook_of(response)
    assert book.sheetnames[:2] == ["About", "Summary"]
    assert "donor-workbook_2019-01-01_2019-12-31.xlsx" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("role", ["applicant", "reviewer"])
def test_others_are_refused(client, login_as, role):
    login_as(role)
    assert client.get(FORM).status_code == 403
    assert download(client).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for response in (client.get(FORM), client.post(DOWNLOAD)):
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_menu_shows_the_workbook_to_readers_of_reports(client, login_as):
    login_as("donor")
    assert 'href="/reports/workbook"' in client.get(FORM).get_data(as_text=True)


def test_only_staff_get_the_variant_with_names(client, login_as, demo_programme):
    login_as("donor")
    assert 'name="names"' not in client.get(FORM).get_data(as_text=True)
    assert download(client, {"names": "1"}).status_code == 403
    # Even with a bad period: the names are refused first.
    assert download(client, {"names": "1", "from": "x"}).status_code == 403
    book = workbook_of(download(client, {"names": "0"}))
    assert "Email" not in [cell.value for cell in book["Participants"][1]]

    login_as("staff")
    assert 'name="names"' in client.get(FORM).get_data(as_text=True)
    response = download(client, {"names": "1"})
    book = workbook_of(response)
    assert [cell.value for cell in book["Participants"][1]][:3] == ["Person", "Full name",
                                                                    "Email"]
    assert "_names.xlsx" in response.headers["Content-Disposition"]


@pytest.mark.parametrize("query, field, message", [
    ({"from": "2019-12-31", "to": "2019-01-01"}, "to",
     "The last day cannot be before the first day."),
    ({"from": "banana"}, "from", "Enter a date, for example 2026-03-31."),
    ({"to": "2019-02-30"}, "to", "Enter a date, for example 2026-03-31."),
    ({"from": "0001-01-01"}, "from", "Enter a year between 1950 and 2100."),
    ({"fund": "abc"}, "fund", "Choose a fund from the list."),
    ({"fund": "99999999999999999999999"}, "fund", "Choose a fund from the list."),
    ({"fund": "<script>"}, "fund", "Choose a fund from the list."),
])
def test_a_bad_period_or_fund_shows_the_form_with_the_message(client, login_as, query, field,
                                                              message):
    login_as("donor")
    response = download(client, query)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert f'id="{field}-error"' in html  # next to its field
    assert "<script>" not in html.split("<main", 1)[1]


def test_a_fund_from_the_list_narrows_the_grants(client, login_as, demo_programme,
                                                 db_session):
    from grants.calls.models import Fund

    fund = db_session.query(Fund).first()
    login_as("donor")
    assert fund.name in client.get(FORM).get_data(as_text=True)
    response = download(client, {"fund": str(fund.id), "from": "2018-01-01",
                                                  "to": "2019-12-31"})
    book = workbook_of(response)
    about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True) if row[0]}
    assert about["Fund"] == fund.name
    assert book["Awards"].max_row == 10  # header, 8 awards, totals


def test_the_workbook_follows_the_readers_language(client, login_as):
    login_as("donor", locale="es")
    book = workbook_of(download(client))
    with force_locale("es"):
        assert book.sheetnames[2] == gettext("Calls")
        assert book.sheetnames[-2] == gettext("Results")
    assert book.sheetnames[2] != "Calls"


def english_content_texts(session, language: str = "es") -> dict[str, str]:
    """English text → its translation, for every translated text staff wrote (calls, their
    thematic areas and criteria, plans and commitments, results...) whose translation differs
    (and which is not itself some translation, as a name may read the same in both)."""
    from sqlalchemy import select

    from core.extensions import db
    from core.translations import Translatable

    texts, translated = {}, set()
    models = [mapper.class_ for mapper in db.Model.registry.mappers
              if issubclass(mapper.class_, Translatable)]
    for model in models:
        for row in session.scalars(select(model)):
            for field in model.__translatable__:
                english, spanish = (getattr(row, field) or "").strip(), row.text_in(field,
                                                                                   language)
                translated.add(spanish.strip())
                if english and spanish and english != spanish.strip():
                    texts[english] = spanish
    return {english: spanish for english, spanish in texts.items() if english not in translated}


def test_no_category_is_left_in_english_in_the_spanish_workbook(client, login_as,
                                                                demo_programme, app,
                                                                db_session):
    from reporting.workbook.queries import SEPARATOR
    from tests.demo.test_spanish_labels import english_category_titles

    english = english_category_titles(app)
    assert english["Female"] == "Femenino"  # the catalogue is compiled: the check can fail
    content = english_content_texts(db_session)
    # The demo's areas, calls and plans are in Spanish too: the check can fail.
    assert content["Access to public information"] == "Acceso a la información pública"
    english.update(content)
    login_as("staff", locale="es")
    book = workbook_of(download(client, {"from": "2018-01-01",
                                                          "to": "2019-12-31"}))
    found = {f"{sheet.title}!{cell.coordinate}: {cell.value}"
             for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str)
             and any(part.strip() in english
                     for part in [cell.value, *cell.value.split(SEPARATOR)])}
    assert not found, sorted(found)[:20]


def test_calls_and_thematic_areas_are_named_in_the_readers_language(client, login_as,
                                                                    demo_programme):
    from grants.calls.models import DEFAULT_THEMATIC_AREAS
    from reporting.workbook.queries import SEPARATOR

    period = {"from": "2018-01-01", "to": "2019-12-31"}

    def cells(locale) -> set[str]:
        """The grant sheets' texts (a coalition's focus is free text, in one language)."""
        login_as("staff", locale=locale)
        book = workbook_of(download(client, period))
        with force_locale(locale):
            grant_sheets = {gettext("Summary"), gettext("Calls"), gettext("Applications"),
                            gettext("Awards")}
        assert grant_sheets <= set(book.sheetnames)
        return {part for sheet in book.worksheets if sheet.title in grant_sheets
                for row in sheet.iter_rows() for cell in row
                if isinstance(cell.value, str) for part in cell.value.split(SEPARATOR)}

    spanish, english = cells("es"), cells("en")
    assert {"Acceso a la información pública",
            "Pequeñas subvenciones para el gobierno abierto 2018"} <= spanish
    assert not spanish & set(DEFAULT_THEMATIC_AREAS), spanish & set(DEFAULT_THEMATIC_AREAS)
    assert "Access to public information" in english
    assert "Pequeñas subvenciones para el gobierno abierto 2018" not in english
