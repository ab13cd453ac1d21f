"""An action plan written in OGP's template, in English and Spanish."""

from __future__ import annotations

from datetime import date

import pytest

from accounts.organisations.states import Sector
from coalitions.coalitions.operations import create_coalition
from coalitions.plans import operations


@pytest.fixture
def ogp_plan(factories):
    """A drafted plan with one commitment in OGP's template (Spanish for most of its texts)
    and two milestones; returns ``{"plan", "commitment", "staff", "milestones", ...}``."""
    staff = factories.user(roles=("staff",))
    lead = factories.organisation(name="Freedom of Information Unit", sector=Sector.government)
    ministry = factories.organisation(name="Ministry of Finance", sector=Sector.government)
    ngo = factories.organisation(name="Budget Watch", sector=Sector.civil_society)
    firm = factories.organisation(name="Chamber of Commerce", sector=Sector.private)
    coalition = create_coalition(staff, name="Open Data Coalition")
    plan = operations.create_plan(
        staff, title="First action plan", country="BZ", starts_on=date(2020, 9, 1),
        ends_on=date(2022, 8, 31), translations={"es": {"title": "Primer plan de acción"}})
    commitment = operations.create_commitment(
        plan, staff, title="Open budgets", thematic_area="Open data",
        problem="Budgets are hidden.", cause="No open data policy.",
        description="Quarterly budget data.", ambition="Citizens follow spending.",
        transparency=True, transparency_note="Budgets become public.",
        participation=False, accountability=True,
        accountability_note="Spending can be questioned.",
        additional_information="Linked to the fiscal strategy.",
        starts_on=date(2020, 10, 1), ends_on=date(2022, 6, 30),
        lead_organisation_id=lead.id, supporter_ids=[ministry.id, ngo.id, firm.id],
        coalition_ids=[coalition.id],
        translations={"es": {
            "title": "Presupuestos abiertos", "thematic_area": "Datos abiertos",
            "problem": "Los presupuestos están ocultos.",
            "cause": "No hay política de datos abiertos.",
            "description": "Datos presupuestarios trimestrales.",
            "ambition": "La ciudadanía sigue el gasto.",
            "transparency_note": "Los presupuestos se hacen públicos.",
            "accountability_note": "El gasto puede cuestionarse."}})
    milestones = [
        operations.add_milestone(
            commitment, staff, title="First release", outputs="A data set",
            starts_on=date(2020, 10, 1), due_on=date(2021, 1, 31),
            translations={"es": {"title": "Primera publicación",
                                 "outputs": "Un conjunto de datos"}}),
        operations.add_milestone(commitment, staff, title="Citizens' budget",
                                 starts_on=date(2021, 2, 1), due_on=date(2021, 6, 30)),
    ]
    return {"plan": plan, "commitment": commitment, "staff": staff, "milestones": milestones,
            "lead": lead, "ministry": ministry, "ngo": ngo, "firm": firm,
            "coalition": coalition}
