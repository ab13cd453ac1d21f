"""An action plan in each language of the programme: staff write the plan, its commitments
and milestones side by side; the public reads its language, or the main one, told so."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from coalitions.plans import operations
from coalitions.plans.models import Commitment, Milestone
from core.audit.models import AuditEntry
from core.errors import OperationError


@pytest.fixture
def staff(factories):
    return factories.user(roles=("staff",))


@pytest.fixture
def plan(staff):
    return operations.create_plan(
        staff, title="First action plan", country="BZ", starts_on=date(2020, 9, 1),
        ends_on=date(2022, 8, 31), translations={"es": {"title": "Primer plan de acción"}})


def test_a_commitment_is_written_and_audited_in_each_language(plan, staff, db_session):
    commitment = operations.create_commitment(
        plan, staff, title="Open budgets", problem="Budgets are hidden.",
        thematic_area="Open data",
        translations={"es": {"title": "Presupuestos abiertos", "problem": "",
                             "ambition": "", "thematic_area": "Datos abiertos"}})
    assert plan.text_in("title", "es") == "Primer plan de acción"
    assert commitment.translated("es") == {"title": "Presupuestos abiertos",
                                           "thematic_area": "Datos abiertos"}
    assert commitment.missing_in("es") == ["problem"]
    changes = operations.update_commitment(
        commitment, staff, translations={"es": {"title": "Presupuestos abiertos",
                                                "problem": "Los presupuestos se ocultan.",
                                                "ambition": "", "thematic_area": ""}})
    assert list(changes) == ["translations.es"]
    assert commitment.translated("es")["problem"] == "Los presupuestos se ocultan."
    assert operations.update_commitment(commitment, staff, translations={
        "es": commitment.translated("es")}) == {}
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action ==
                                                        "commitment.update")).one()
    assert entry.data["changes"]["translations.es"][1]["problem"]


@pytest.mark.parametrize("translations, field", [
    ({"es": {"title": "x" * 201}}, "translations_es-title"),
    ({"es": {"title": "con\x00nulo"}}, "translations_es-title"),
])
def test_a_bad_translation_is_named_by_its_field(plan, staff, translations, field):
    with pytest.raises(OperationError) as refused:
        operations.create_commitment(plan, staff, title="Open budgets",
                                     translations=translations)
    assert refused.value.field == field


def test_only_the_programmes_other_languages_are_taken(plan, staff):
    with pytest.raises(TypeError):
        operations.update_plan(plan, staff, translations={"fr": {"title": "Plan"}})


def test_staff_write_the_commitment_and_milestones_side_by_side(client, login_as, plan,
                                                                db_session):
    login_as("staff")
    page = client.get(f"/staff/action-plans/{plan.id}/commitments/new").get_data(as_text=True)
    assert 'name="translations_es-title"' in page and "Title (Spanish)" in page
    response = client.post(f"/staff/action-plans/{plan.id}/commitments/new", data={
        "title": "Open budgets", "translations_es-title": "Presupuestos abiertos",
        "translations_es-thematic_area": "Datos abiertos"})
    assert response.status_code == 302
    commitment = db_session.scalar(select(Commitment))
    assert commitment.text_in("title", "es") == "Presupuestos abiertos"
    response = client.post(f"/staff/commitments/{commitment.id}/milestones", data={
        "milestone-title": "First release", "milestone-due_on": "2021-01-31",
        "milestone-state": "not_started",
        "milestone-translations_es-title": "Primera publicación"})
    assert response.status_code == 302
    milestone = db_session.scalar(select(Milestone))
    assert milestone.text_in("title", "es") == "Primera publicación"
    edit = client.get(f"/staff/commitments/{commitment.id}/edit").get_data(as_text=True)
    assert 'value="Presupuestos abiertos"' in edit
    too_long = client.post(f"/staff/commitments/{commitment.id}/edit", data={
        "title": "Open budgets", "translations_es-title": "x" * 201})
    assert too_long.status_code == 422
    db_session.refresh(commitment)
    assert commitment.text_in("title", "es") == "Presupuestos abiertos"


def test_the_public_reads_the_plan_in_its_language(client, plan, staff):
    commitment = operations.create_commitment(
        plan, staff, title="Open budgets", problem="Budgets are hidden.",
        translations={"es": {"title": "Presupuestos abiertos"}})
    operations.add_milestone(commitment, staff, title="First release",
                             due_on=date(2021, 1, 31),
                             translations={"es": {"title": "Primera publicación"}})
    spanish = client.get(f"/action-plans/{plan.id}",
                         headers={"Accept-Language": "es"}).get_data(as_text=True)
    for text in ("Primer plan de acción", "Presupuestos abiertos", "Primera publicación"):
        assert text in spanish
    assert "Open budgets" not in spanish and "First release" not in spanish
    # The problem is in English only: the page says so.
    assert "Budgets are hidden." in spanish and 'class="fallback-note"' in spanish
    english = client.get(f"/action-plans/{plan.id}",
                         headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Open budgets" in english and "fallback-note" not in english
