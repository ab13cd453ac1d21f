"""The public action plan pages carry validators: a kept copy is answered with 304 until
something the pages show changes (a plan, a commitment, a milestone's state, the name of an
organisation they list)."""

from __future__ import annotations

from datetime import date

import pytest

from coalitions.plans import operations
from coalitions.plans.states import PlanState
from core.extensions import db
from core.freshness import PLANS, current_version
from tests.coalitions.plans import implement


@pytest.fixture
def plan(factories):
    staff = factories.user(roles=("staff",))
    plan = operations.create_plan(staff, title="Belize Action Plan", country="BZ",
                                  starts_on=date(2020, 1, 1), ends_on=date(2022, 6, 30))
    lead = factories.organisation(name="Ministry of Transparency")
    commitment = operations.create_commitment(plan, staff, title="Open contracting",
                                              thematic_area="Open data")
    commitment.lead_organisation_id = lead.id
    milestone = operations.add_milestone(commitment, staff, title="Portal launched",
                                         due_on=date(2020, 3, 1), state="not_started")
    implement(plan, staff)
    db.session.commit()
    return {"plan": plan, "staff": staff, "lead": lead, "milestone": milestone}


def _paths(plan):
    return ("/action-plans", f"/action-plans/{plan.id}")


def _etags(client, plan):
    return {path: client.get(path).headers["ETag"] for path in _paths(plan)}


def test_plan_pages_answer_304_while_nothing_changes(client, plan):
    for path, etag in _etags(client, plan["plan"]).items():
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.get_data() == b"", path


@pytest.mark.parametrize("change", ["milestone", "plan", "organisation"])
def test_a_change_to_what_the_pages_show_moves_the_validators_on(client, plan, change):
    etags = _etags(client, plan["plan"])
    before = current_version(PLANS)
    if change == "milestone":
        operations.update_milestone(plan["milestone"], plan["staff"], state="complete")
    elif change == "plan":
        # Implemented, the plan keeps its texts; its state still moves on.
        operations.transition_plan(plan["plan"], PlanState.completed, plan["staff"])
    else:
        plan["lead"].name = "Ministry of Open Government"
    db.session.commit()
    assert current_version(PLANS) > before
    for path, etag in etags.items():
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 200, path


def test_an_unrelated_organisation_change_keeps_them(client, plan):
    etags = _etags(client, plan["plan"])
    plan["lead"].website = "https://transparency.example.org"
    db.session.commit()
    for path, etag in etags.items():
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304, path

