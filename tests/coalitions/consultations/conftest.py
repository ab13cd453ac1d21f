from __future__ import annotations

from datetime import date, timedelta

import pytest

from coalitions.consultations import operations
from coalitions.plans import operations as plan_operations
from core.timeutil import utcnow


@pytest.fixture
def staff(factories):
    return factories.user(roles=("staff",), name="Forum Secretariat")


@pytest.fixture
def plan(staff):
    return plan_operations.create_plan(staff, title="Draft plan", country="BZ",
                                       starts_on=date(2027, 1, 1), ends_on=date(2028, 12, 31))


@pytest.fixture
def commitment(plan, staff):
    return plan_operations.create_commitment(plan, staff, title="Open contracting",
                                             thematic_area="Procurement")


def open_consultation(staff, plan, **fields):
    now = utcnow()
    fields = {"plan_id": plan.id, "title": "Have your say", "description": "Tell us.",
              "opens_at": now - timedelta(days=1), "closes_at": now + timedelta(days=7),
              **fields}
    return operations.create_consultation(staff, **fields)


@pytest.fixture
def consultation(staff, plan):
    return open_consultation(staff, plan)


@pytest.fixture
def citizen(factories):
    return factories.user(name="Ana Citizen", email="ana.citizen@example.org")


PROPOSAL = {"title": "Publish contracts", "problem": "Contracts are secret.",
            "solution": "Publish them all.", "institution_name": "Ministry of Finance",
            "thematic_area": "Procurement", "milestones": "Portal by June"}


@pytest.fixture
def proposal(consultation, citizen):
    return operations.propose(consultation, citizen, **PROPOSAL)
