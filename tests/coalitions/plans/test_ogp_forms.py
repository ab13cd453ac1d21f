"""Staff write a commitment in OGP's template, side by side in each language; bad input is
answered next to its field; the public reads it in its language."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from coalitions.plans.models import Commitment, Milestone
from core.extensions import db


def _error_after(page: str, field_id: str) -> str:
    """The error message shown in the field whose input has ``field_id``."""
    match = re.search(rf'id="{re.escape(field_id)}"[^>]*>.*?<p class="error-message"[^>]*>'
                      rf'([^<]+)</p>', page, re.S)
    assert match, f"no error after {field_id}"
    return match.group(1)


def test_every_text_of_the_template_is_written_side_by_side(client, login_as, ogp_plan):
    db.session.commit()
    login_as("staff")
    page = client.get(f"/staff/commitments/{ogp_plan['commitment'].id}/edit").get_data(
        as_text=True)
    for name in ("problem", "cause", "description", "ambition", "transparency_note",
                 "participation_note", "accountability_note", "additional_information"):
        assert f'name="{name}"' in page and f'name="translations_es-{name}"' in page, name
    assert "How will the commitment contribute to solving the public problem? (English)" in page
    assert "What are the causes of the problem? (Spanish)" in page
    assert "No hay política de datos abiertos." in page
    for name in ("transparency", "participation", "accountability", "starts_on", "ends_on"):
        assert f'name="{name}"' in page
    assert 'name="milestone-starts_on"' in page
    assert 'name="milestone-translations_es-outputs"' in page


def test_staff_add_a_commitment_in_the_template(client, login_as, ogp_plan, db_session):
    plan = ogp_plan["plan"]
    db.session.commit()
    login_as("staff")
    response = client.post(f"/staff/action-plans/{plan.id}/commitments/new", data={
        "title": "School data", "problem": "Parents lack data.",
        "cause": "Results stay in the ministry.", "description": "Publish school results.",
        "ambition": "Parents take part.", "participation": "y",
        "participation_note": "School boards discuss results.",
        "starts_on": "2021-01-01", "ends_on": "2022-06-30",
        "translations_es-title": "Datos escolares",
        "translations_es-cause": "Los resultados quedan en el ministerio."})
    assert response.status_code == 302
    commitment = db_session.scalar(select(Commitment).where(Commitment.title == "School data"))
    assert commitment.participation and not commitment.transparency
    assert commitment.cause == "Results stay in the ministry."
    assert commitment.text_in("cause", "es") == "Los resultados quedan en el ministerio."
    assert commitment.starts_on.isoformat() == "2021-01-01"
    response = client.post(f"/staff/commitments/{commitment.id}/milestones", data={
        "milestone-title": "Data agreed", "milestone-starts_on": "2021-01-01",
        "milestone-due_on": "2021-03-31", "milestone-outputs": "A list of figures",
        "milestone-state": "not_started",
        "milestone-translations_es-outputs": "Una lista de cifras"})
    assert response.status_code == 302
    milestone = db_session.scalar(select(Milestone).where(Milestone.title == "Data agreed"))
    assert milestone.starts_on.isoformat() == "2021-01-01"
    assert milestone.text_in("outputs", "es") == "Una lista de cifras"


@pytest.mark.parametrize("data, field_id, message", [
    ({"transparency": "y"}, "transparency_note",
     "Explain how the commitment is relevant to transparency."),
    ({"starts_on": "2022-01-01", "ends_on": "2021-01-01"}, "ends_on",
     "The commitment cannot end before it starts."),
    ({"starts_on": "first of May"}, "starts_on", "Enter a date, for example 2026-03-31."),
    ({"translations_es-cause": "x" * 10001}, "translations_es-cause", "10000"),
])
def test_bad_commitment_input_is_answered_next_to_its_field(client, login_as, ogp_plan,
                                                            db_session, data, field_id,
                                                            message):
    plan = ogp_plan["plan"]
    db.session.commit()
    login_as("staff")
    response = client.post(f"/staff/action-plans/{plan.id}/commitments/new",
                           data={"title": "Refused", **data})
    assert response.status_code == 422
    assert message in _error_after(response.get_data(as_text=True), field_id)
    assert db_session.scalar(select(Commitment).where(Commitment.title == "Refused")) is None


def test_a_milestone_ending_before_it_starts_is_refused(client, login_as, ogp_plan,
                                                        db_session):
    commitment = ogp_plan["commitment"]
    db.session.commit()
    login_as("staff")
    response = client.post(f"/staff/commitments/{commitment.id}/milestones", data={
        "milestone-title": "Backwards", "milestone-starts_on": "2021-05-01",
        "milestone-due_on": "2021-03-31", "milestone-state": "not_started"})
    assert response.status_code == 422
    assert "The milestone cannot end before it starts." in _error_after(
        response.get_data(as_text=True), "milestone-due_on")


def test_the_public_reads_the_template_in_its_language(client, ogp_plan):
    db.session.commit()
    url = f"/action-plans/{ogp_plan['plan'].id}"
    spanish = client.get(url, headers={"Accept-Language": "es"}).get_data(as_text=True)
    for text in ("¿Cuáles son las causas del problema?", "No hay política de datos abiertos.",
                 "Los presupuestos se hacen públicos.", "Un conjunto de datos",
                 "Instituciones de gobierno que apoyan"):
        assert text in spanish, text
    # Not translated: shown in English, and the page says so.
    assert "Linked to the fiscal strategy." in spanish and 'class="fallback-note"' in spanish
    english = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "No open data policy." in english and "fallback-note" not in english
    assert "Supporting government institutions" in english
    assert "Ministry of Finance" in english and "Budget Watch, Chamber of Commerce" in english
