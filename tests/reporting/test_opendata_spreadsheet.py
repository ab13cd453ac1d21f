"""The 360Giving spreadsheet: the standard's column titles, one row per grant, real numbers
and dates, and user text that stays text."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import openpyxl

from grants.awards.models import Award
from reporting.opendata.package import build_package, collect
from reporting.opendata.spreadsheet import build_workbook, columns_for, schema_title
from tests.fixtures.demo_numbers import PUBLIC_PROJECTS, reference_projects

#: The 360Giving template's titles for the fields the export fills.
STANDARD_TITLES = [
    "Identifier", "Title", "Description", "Currency", "Amount Awarded", "Amount Disbursed",
    "Award Date", "Planned Dates:Start Date", "Planned Dates:End Date",
    "Planned Dates:Duration (months)", "Recipient Org:Identifier", "Recipient Org:Name",
    "Funding Org:Identifier", "Funding Org:Name", "Beneficiary Location:Name",
    "Beneficiary Location:Country Code", "Grant Programme:Code", "Grant Programme:Title",
    "From An Open Call?", "Classifications:Vocabulary", "Classifications:Code",
    "Classifications:Title", "Last Modified",
]


def _sheet(grants):
    buffer = BytesIO()
    build_workbook(grants).save(buffer)
    book = openpyxl.load_workbook(BytesIO(buffer.getvalue()))
    assert book.sheetnames == ["grants"]
    return book["grants"]


def _rows(sheet):
    header = [cell.value for cell in sheet[1]]
    return header, [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]


def test_titles_come_from_the_schema():
    assert schema_title(("plannedDates", "duration")) == "Planned Dates:Duration (months)"
    assert schema_title(("currency",)) == "Currency"
    assert schema_title(("beneficiaryLocation", 1, "countryCode")) == \
        "Beneficiary Location:1:Country Code"
    assert schema_title(("dataSource",)) == "Data Source"


def test_demo_sheet_has_the_standard_columns_and_types(demo_programme, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "")
    grants = build_package(collect())["grants"]
    header, rows = _rows(_sheet(grants))
    assert header == STANDARD_TITLES  # no url/dataSource without a base URL
    assert len(rows) == PUBLIC_PROJECTS
    by_id = {row["Identifier"].value: row for row in rows}
    grant = next(grant for grant in grants
                 if grant["id"] == f"360G-ogbz-{reference_projects()[0].reference}")
    row = by_id[grant["id"]]
    assert row["Amount Awarded"].value == 5000 and row["Amount Awarded"].data_type == "n"
    assert row["Amount Awarded"].number_format == "#,##0.00"
    assert Decimal(str(row["Amount Disbursed"].value)) == grant["amountDisbursed"]
    assert isinstance(row["Award Date"].value, datetime)
    assert row["Award Date"].value.date() == date.fromisoformat(grant["awardDate"])
    assert row["Award Date"].number_format == "yyyy-mm-dd"
    assert row["Planned Dates:Duration (months)"].value == 6
    modified = row["Last Modified"].value
    assert isinstance(modified, datetime)
    # Written in UTC, as in the JSON.
    assert modified.strftime("%Y-%m-%dT%H:%M") == grant["dateModified"][:16]
    assert row["From An Open Call?"].value == "Yes"
    assert row["Beneficiary Location:Country Code"].value == "BZ"
    assert row["Recipient Org:Identifier"].value.startswith("360G-ogbz-ORG-")


def test_several_districts_and_areas_get_numbered_columns(demo_programme, db_session):
    project = reference_projects()[0]
    application = db_session.get(Award, project.award_id).application
    application.districts = ["Cayo", "Toledo", "Corozal"]
    application.thematic_areas = list(application.call.thematic_areas[:2])
    db_session.flush()
    grants = build_package(collect())["grants"]
    titles = [column.title for column in columns_for(grants)]
    assert "Beneficiary Location:Name" not in titles
    assert titles[titles.index("Funding Org:Name") + 1:titles.index("Grant Programme:Code")] == [
        "Beneficiary Location:0:Name", "Beneficiary Location:0:Country Code",
        "Beneficiary Location:1:Name", "Beneficiary Location:1:Country Code",
        "Beneficiary Location:2:Name", "Beneficiary Location:2:Country Code"]
    assert titles[titles.index("From An Open Call?") + 1:titles.index("Last Modified")] == [
        "Classifications:0:Vocabulary", "Classifications:0:Code", "Classifications:0:Title",
        "Classifications:1:Vocabulary", "Classifications:1:Code", "Classifications:1:Title"]
    header, rows = _rows(_sheet(grants))
    row = next(row for row in rows if row["Identifier"].value.endswith(project.reference))
    assert [row[f"Beneficiary Location:{n}:Name"].value for n in range(3)] == [
        "Cayo District", "Toledo District", "Corozal District"]
    assert row["Classifications:1:Title"].value == application.call.thematic_areas[1].name
    other = next(row for row in rows if not row["Identifier"].value.endswith(project.reference))
    assert other["Beneficiary Location:0:Name"].value
    assert other["Beneficiary Location:1:Name"].value is None


def test_user_text_stays_text(demo_programme, db_session):
    project = reference_projects()[0]
    application = db_session.get(Award, project.award_id).application
    application.title = '=HYPERLINK("http://evil.example","click")'
    application.summary = "+1 " + "long " * 10_000
    application.organisation.name = "@SUM(A1)\x07"
    db_session.flush()
    header, rows = _rows(_sheet(build_package(collect())["grants"]))
    row = next(row for row in rows if row["Identifier"].value.endswith(project.reference))
    assert row["Title"].data_type == "s"
    assert row["Title"].value == "'" + application.title
    assert row["Recipient Org:Name"].value == "'@SUM(A1)"
    description = row["Description"].value
    assert description.startswith("'+1 long") and len(description) <= 32_767
    assert description.endswith("…")
