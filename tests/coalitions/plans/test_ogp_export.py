"""The plan in OGP's format: a Word document in the commitment template's layout and JSON
with the same fields, in the reader's language."""

from __future__ import annotations

import json
from io import BytesIO

import docx
import pytest

from coalitions.plans import operations
from coalitions.plans.ogp_docx import DOCX_MIMETYPE
from core.extensions import db


@pytest.fixture
def published(ogp_plan):
    db.session.commit()
    return ogp_plan


def _docx(client, plan, language="en"):
    response = client.get(f"/action-plans/{plan.id}/plan.docx",
                          headers={"Accept-Language": language})
    assert response.status_code == 200
    assert response.mimetype == DOCX_MIMETYPE
    assert "attachment" in response.headers["Content-Disposition"]
    assert "Content-Encoding" not in response.headers
    return docx.Document(BytesIO(response.get_data()))


def _rows(table) -> dict[str, str]:
    """The two-column table as ``{label: value}`` (a merged heading row is its label)."""
    return {row.cells[0].text: row.cells[-1].text for row in table.rows}


def test_the_docx_holds_a_title_page_introduction_and_the_commitment_table(client,
                                                                            published):
    document = _docx(client, published["plan"])
    paragraphs = [p.text for p in document.paragraphs]
    assert "First action plan" in paragraphs and "Introduction" in paragraphs
    assert any("runs from September 1, 2020 to August 31, 2022" in p for p in paragraphs)
    assert "Commitment 1: Open budgets" in paragraphs
    commitment, milestones, stakeholders = document.tables
    rows = _rows(commitment)
    assert rows["Commitment title and number"] == "1. Open budgets"
    assert rows["Lead implementing agency"] == "Freedom of Information Unit"
    assert rows["What is the public problem the commitment will address?"] == (
        "Budgets are hidden.")
    assert rows["What are the causes of the problem?"] == "No open data policy."
    assert rows["What is the commitment?"] == "Quarterly budget data."
    assert rows["How will the commitment contribute to solving the public problem?"] == (
        "Citizens follow spending.")
    assert rows["Transparency"] == "Yes. Budgets become public."
    assert rows["Civic participation"] == "No"
    assert rows["Public accountability"] == "Yes. Spending can be questioned."
    assert rows["Additional information"] == "Linked to the fiscal strategy."
    assert "Commitment description" in rows
    assert [cell.text for cell in milestones.rows[0].cells] == [
        "Milestone activity with a verifiable deliverable", "Expected outputs", "Start date",
        "End date"]
    assert [cell.text for cell in milestones.rows[1].cells] == [
        "1.1 First release", "A data set", "October 1, 2020", "January 31, 2021"]
    assert [cell.text for cell in milestones.rows[2].cells][:2] == [
        "1.2 Citizens' budget", "—"]
    supporting = _rows(stakeholders)
    assert supporting["Government"] == "Ministry of Finance"
    assert supporting["CSOs, private sector, multilaterals, working groups"] == (
        "Budget Watch\nChamber of Commerce\nOpen Data Coalition")


def test_the_docx_in_spanish(client, published):
    document = _docx(client, published["plan"], "es")
    paragraphs = [p.text for p in document.paragraphs]
    assert "Primer plan de acción" in paragraphs
    assert "Introducción" in paragraphs
    rows = _rows(document.tables[0])
    assert rows["Número y título del compromiso"] == "1. Presupuestos abiertos"
    assert rows["¿Cuál es el problema público que abordará el compromiso?"] == (
        "Los presupuestos están ocultos.")
    assert rows["Transparencia"] == "Sí. Los presupuestos se hacen públicos."
    # Not translated: the main language's text.
    assert rows["Información adicional"] == "Linked to the fiscal strategy."
    milestone = [cell.text for cell in document.tables[1].rows[1].cells]
    assert milestone[:2] == ["1.1 Primera publicación", "Un conjunto de datos"]
    assert "2020" in milestone[2] and "octubre" in milestone[2]


def test_the_json_structure_and_values(client, published):
    response = client.get(f"/action-plans/{published['plan'].id}/plan.json",
                          headers={"Accept-Language": "en"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = json.loads(response.get_data())
    assert {key: data[key] for key in ("format", "version", "language", "main_language")} == {
        "format": "ogp-action-plan", "version": 1, "language": "en", "main_language": "en"}
    assert data["plan"] == {"id": published["plan"].id, "title": "First action plan",
                            "country": "BZ", "starts_on": "2020-09-01",
                            "ends_on": "2022-08-31", "state": "drafting",
                            "in_main_language": []}
    (commitment,) = data["commitments"]
    assert commitment["number"] == 1 and commitment["title"] == "Open budgets"
    assert commitment["contribution"] == "Citizens follow spending."
    assert commitment["ogp_values"] == {
        "transparency": {"relevant": True, "explanation": "Budgets become public."},
        "civic_participation": {"relevant": False, "explanation": ""},
        "public_accountability": {"relevant": True,
                                  "explanation": "Spending can be questioned."}}
    assert (commitment["starts_on"], commitment["ends_on"]) == ("2020-10-01", "2022-06-30")
    assert commitment["lead_institution"] == {"id": published["lead"].id,
                                              "name": "Freedom of Information Unit",
                                              "sector": "government"}
    supporting = commitment["supporting_institutions"]
    assert [org["name"] for org in supporting["government"]] == ["Ministry of Finance"]
    assert [(org["name"], org["sector"]) for org in supporting["other_actors"]] == [
        ("Budget Watch", "civil_society"), ("Chamber of Commerce", "private")]
    assert [c["name"] for c in commitment["coalitions"]] == ["Open Data Coalition"]
    first = commitment["milestones"][0]
    assert {key: first[key] for key in ("number", "title", "expected_outputs", "starts_on",
                                        "ends_on", "state")} == {
        "number": "1.1", "title": "First release", "expected_outputs": "A data set",
        "starts_on": "2020-10-01", "ends_on": "2021-01-31", "state": "not_started"}


def test_the_json_in_spanish_names_what_is_in_the_main_language(client, published):
    data = json.loads(client.get(f"/action-plans/{published['plan'].id}/plan.json",
                                 headers={"Accept-Language": "es"}).get_data())
    assert data["language"] == "es" and data["plan"]["title"] == "Primer plan de acción"
    commitment = data["commitments"][0]
    assert commitment["title"] == "Presupuestos abiertos"
    assert commitment["in_main_language"] == ["additional_information"]
    assert commitment["milestones"][1]["in_main_language"] == ["title"]


def test_the_exports_are_validated_like_the_plan_page(client, published):
    url = f"/action-plans/{published['plan'].id}/plan.docx"
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    operations.update_plan(published["plan"], published["staff"], title="Renamed plan")
    db.session.commit()
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 200


def test_an_unpublished_plan_is_not_exported_to_the_public(client, published):
    operations.update_plan(published["plan"], published["staff"], is_public=False)
    db.session.commit()
    for name in ("plan.docx", "plan.json"):
        assert client.get(f"/action-plans/{published['plan'].id}/{name}").status_code == 404


def test_staff_see_the_export_links(client, login_as, published):
    login_as("staff")
    page = client.get(f"/action-plans/{published['plan'].id}").get_data(as_text=True)
    assert f"/action-plans/{published['plan'].id}/plan.docx" in page
    assert f"/action-plans/{published['plan'].id}/plan.json" in page
