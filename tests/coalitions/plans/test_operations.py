from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from accounts.organisations.models import Sector
from coalitions.coalitions.operations import create_coalition
from coalitions.plans import operations, queries
from coalitions.plans.models import Commitment, Milestone, MilestoneState
from core.audit.models import AuditEntry
from core.errors import OperationError
from tests.coalitions.plans import implement


@pytest.fixture
def staff(factories):
    return factories.user(roles=("staff",))


@pytest.fixture
def plan(staff):
    return operations.create_plan(staff, title="First OGP Action Plan", country="bz",
                                  starts_on=date(2020, 1, 1), ends_on=date(2022, 6, 30))


@pytest.fixture
def commitment(plan, staff):
    return operations.create_commitment(plan, staff, title="Open budget data")


def _milestones(commitment, staff, *states):
    return [operations.add_milestone(commitment, staff, title=f"Step {n}",
                                     due_on=date(2020, 1 + n, 1), state=state)
            for n, state in enumerate(states)]


def test_create_plan_normalises_country_and_is_audited(plan, db_session):
    assert plan.country == "BZ"
    assert db_session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "action_plan.create")) == 1


@pytest.mark.parametrize("fields, field", [
    ({"title": ""}, "title"),
    ({"country": "XX"}, "country"),
    ({"ends_on": date(2019, 12, 31)}, "ends_on"),
    ({"starts_on": None}, "starts_on"),
])
def test_create_plan_refuses_bad_fields(staff, fields, field):
    values = {"title": "Plan", "country": "BZ", "starts_on": date(2020, 1, 1),
              "ends_on": date(2021, 1, 1), **fields}
    with pytest.raises(OperationError) as error:
        operations.create_plan(staff, **values)
    assert error.value.field == field


def test_update_plan_checks_the_period(plan, staff):
    with pytest.raises(OperationError) as error:
        operations.update_plan(plan, staff, ends_on=date(2019, 1, 1))
    assert error.value.field == "ends_on"
    assert operations.update_plan(plan, staff, title="Renamed") == {
        "title": ["First OGP Action Plan", "Renamed"]}


def test_progress_is_completed_over_all_milestones(commitment, staff):
    assert commitment.progress is None
    assert queries.percent(commitment.progress) is None
    _milestones(commitment, staff, "complete", "in_progress", "delayed", "complete")
    assert commitment.progress == 0.5
    assert queries.percent(commitment.progress) == 50


def test_progress_arithmetic_rounds_percentages(commitment, staff):
    _milestones(commitment, staff, "complete", "not_started", "not_started")
    assert queries.percent(commitment.progress) == 33
    implement(commitment.plan, staff)
    milestone = commitment.milestones[1]
    operations.update_milestone(milestone, staff, state="complete", evidence="Published")
    assert queries.percent(commitment.progress) == 67
    operations.update_milestone(commitment.milestones[2], staff, state="complete")
    assert commitment.progress == 1


def test_plan_progress_counts_every_milestone(plan, commitment, staff):
    other = operations.create_commitment(plan, staff, title="Second")
    assert queries.plan_progress([commitment, other]) is None
    _milestones(commitment, staff, "complete")
    _milestones(other, staff, "not_started", "delayed", "complete")
    assert queries.plan_progress(queries.plan_commitments(plan)) == 0.5
    assert [c.position for c in queries.plan_commitments(plan)] == [1, 2]


def test_milestone_without_date_is_refused(commitment, staff, db_session):
    with pytest.raises(OperationError) as error:
        operations.add_milestone(commitment, staff, title="Launch", due_on=None)
    assert error.value.field == "due_on"
    assert "due date" in str(error.value.message)
    assert db_session.scalar(select(func.count()).select_from(Milestone)) == 0


def test_milestone_refuses_unknown_state(commitment, staff):
    with pytest.raises(OperationError) as error:
        operations.add_milestone(commitment, staff, title="Launch", due_on=date(2020, 1, 1),
                                 state="finished")
    assert error.value.field == "state"


def test_commitment_links_lead_supporters_and_coalitions(plan, staff, factories):
    ministry = factories.organisation(sector=Sector.government)
    ngo = factories.organisation()
    coalition = create_coalition(staff, name="Open Data Coalition")
    commitment = operations.create_commitment(
        plan, staff, title="Access to information", lead_organisation_id=str(ministry.id),
        supporter_ids=[str(ngo.id)], coalition_ids=[coalition.id])
    assert commitment.lead_organisation is ministry
    assert commitment.supporters == [ngo]
    assert commitment.coalitions == [coalition]
    changes = operations.update_commitment(commitment, staff, supporter_ids=[],
                                           coalition_ids=[coalition.id])
    assert changes == {"supporter_ids": [[ngo.id], []]}
    assert commitment.supporters == []


@pytest.mark.parametrize("fields, field", [
    ({"lead_organisation_id": "999999"}, "lead_organisation_id"),
    ({"supporter_ids": ["999999"]}, "supporter_ids"),
    ({"coalition_ids": ["999999"]}, "coalition_ids"),
    ({"supporter_ids": ["abc"]}, "supporter_ids"),
])
def test_commitment_refuses_unknown_ids(plan, staff, db_session, fields, field):
    with pytest.raises(OperationError) as error:
        operations.create_commitment(plan, staff, title="X", **fields)
    assert error.value.field == field
    assert db_session.scalar(select(func.count()).select_from(Commitment)) == 0


def test_commitment_lead_must_be_government(plan, staff, factories):
    ngo = factories.organisation(sector=Sector.civil_society, name="An NGO")
    with pytest.raises(OperationError) as error:
        operations.create_commitment(plan, staff, title="X", lead_organisation_id=ngo.id)
    assert error.value.field == "lead_organisation_id"


def test_update_milestone_records_state_and_evidence(commitment, staff, db_session):
    (milestone,) = _milestones(commitment, staff, "not_started")
    implement(commitment.plan, staff)
    changes = operations.update_milestone(milestone, staff, state="complete",
                                          evidence="https://example.org/report")
    assert changes["state"] == ["not_started", "complete"]
    assert milestone.state is MilestoneState.complete
    assert operations.update_milestone(milestone, staff, state="complete",
                                       evidence="https://example.org/report") == {}
