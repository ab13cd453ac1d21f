"""The demo's results framework: its actuals are the indicators page's figures for the same
period, and the dashboard and the donor workbook show the results against targets."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl

from reporting.indicators.queries import Period, compute
from reporting.results.queries import results_against_targets

START, END = date(2018, 1, 1), date(2019, 12, 31)


def _by_code(rows):
    return {row.indicator.code: row for row in rows}


def test_the_actuals_are_the_indicators_figures(demo_programme):
    rows = _by_code(results_against_targets(START, END, language="en"))
    numbers = compute(Period(START, END))
    assert rows["1.1a"].actual == numbers.participants
    assert rows["1.1a"].target == 200
    assert rows["1.1a"].breakdown["sex"] == numbers.by_sex
    assert rows["1.1a"].breakdown["age"] == numbers.by_age
    assert sum(rows["1.1a"].breakdown["sector"].values()) == numbers.participants
    assert rows["1.1b"].actual == numbers.female
    assert sum(rows["1.1b"].breakdown["age"].values()) == numbers.female
    assert rows["1.1c"].actual == numbers.organisations
    assert rows["1.1c"].breakdown["sector"] == numbers.organisations_by_sector
    assert rows["1.2a"].actual == numbers.grants_awarded == 8
    assert rows["1.2a"].percent == Decimal("100.0")
    assert rows["1.2b"].target == Decimal("40000.00")
    # The manual indicator is a level: its latest value within the period.
    assert rows["1a"].actual == Decimal("55") and rows["1a"].percent == Decimal("91.7")
    assert rows["1a"].baseline == Decimal("35")


def test_the_results_page_and_the_dashboard_show_them(demo_programme, client, login_as):
    login_as(demo_programme["donor"])
    page = client.get("/reports/results?from=2018-01-01&to=2019-12-31")
    assert page.status_code == 200
    assert b"People trained in open government" in page.data
    board = client.get("/reports/dashboard?from=2018-01-01&to=2019-12-31")
    assert board.status_code == 200
    text = board.get_data(as_text=True)
    assert 'id="results-against-targets"' in text
    assert 'id="chart-results-title"' in text
    assert "Civil society and government co-create" in text or "People trained" in text


def test_the_spanish_pages_read_the_spanish_logframe(demo_programme, client, login_as):
    login_as("staff", locale="es")
    page = client.get("/reports/results").get_data(as_text=True)
    assert "Personas capacitadas en gobierno abierto" in page
    board = client.get("/reports/dashboard").get_data(as_text=True)
    assert board.count("Mujeres capacitadas") >= 2  # the table and the chart


def test_the_workbook_has_the_results_sheet(demo_programme, client, login_as):
    from reporting.workbook.builder import build_donor_workbook

    workbook = build_donor_workbook()
    buffer = io.BytesIO()
    workbook.save(buffer)
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    sheet = book["Results"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    flat = [value for row in values for value in row]
    assert "People trained in open government" in flat
    assert "Information requests answered within the legal deadline" in flat


def test_other_exports_take_the_results_through_the_registry(demo_programme):
    from core import contributions

    rows = contributions.ask("results.against_targets", START, END, language="es")
    assert [row.indicator.code for row in rows] == [
        "1a", "1.1a", "1.1b", "1.1c", "1.2a", "1.2b", "1.3a"]
    assert rows[1].indicator.title == "Personas capacitadas en gobierno abierto"
    assert rows[1].indicator.result_title == "Organizaciones de la sociedad civil capacitadas"
