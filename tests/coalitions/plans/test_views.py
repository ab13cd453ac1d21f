from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from accounts.organisations.models import Sector
from coalitions.coalitions.operations import create_coalition
from coalitions.plans import operations
from coalitions.plans.models import ActionPlan, Commitment, Milestone, MilestoneState
from tests.coalitions.plans import implement


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def staff_user(factories):
    return factories.user(roles=("staff",))


@pytest.fixture
def plan(staff_user):
    return operations.create_plan(staff_user, title="Belize Action Plan", country="BZ",
                                  starts_on=date(2020, 1, 1), ends_on=date(2022, 6, 30))


@pytest.fixture
def commitment(plan, staff_user):
    commitment = operations.create_commitment(plan, staff_user, title="Open contracting",
                                              thematic_area="Open data")
    for n, state in enumerate(("complete", "in_progress", "not_started", "delayed")):
        operations.add_milestone(commitment, staff_user, title=f"Milestone {n}",
                                 due_on=date(2020, n + 2, 1), state=state)
    return commitment


STAFF_ENDPOINTS = [
    ("get", "/staff/action-plans/new"),
    ("get", "/staff/action-plans/{plan}/edit"),
    ("get", "/staff/action-plans/{plan}/commitments/new"),
    ("get", "/staff/commitments/{commitment}/edit"),
    ("post", "/staff/commitments/{commitment}/milestones"),
    ("post", "/staff/milestones/{milestone}"),
]


def _url(url, plan, commitment):
    return url.format(plan=plan.id, commitment=commitment.id,
                      milestone=commitment.milestones[0].id)


def test_public_pages_are_open_to_anonymous_visitors(client, plan, commitment):
    listing = client.get("/action-plans")
    assert listing.status_code == 200
    assert b"Belize Action Plan" in listing.data
    response = client.get(f"/action-plans/{plan.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Open contracting" in page
    assert '<progress max="100" value="25"' in page
    assert "25% complete" in page
    assert "Milestone 3" in page


def test_commitment_without_milestones_shows_no_progress(client, plan, staff_user):
    operations.create_commitment(plan, staff_user, title="Civic tech")
    page = client.get(f"/action-plans/{plan.id}").get_data(as_text=True)
    assert "No milestones yet" in page


def test_unpublished_plan_is_hidden_from_the_public(client, login_as, plan, staff_user):
    operations.update_plan(plan, staff_user, is_public=False)
    assert client.get(f"/action-plans/{plan.id}").status_code == 404
    assert b"Belize Action Plan" not in client.get("/action-plans").data
    login_as("staff")
    assert client.get(f"/action-plans/{plan.id}").status_code == 200
    assert b"Belize Action Plan" in client.get("/action-plans").data


def test_unknown_plan_is_404(client):
    assert client.get("/action-plans/999999").status_code == 404


@pytest.mark.parametrize("method, url", STAFF_ENDPOINTS)
@pytest.mark.parametrize("role", ["applicant", "reviewer", "donor", "finance"])
def test_staff_pages_are_403_for_others(client, login_as, plan, commitment, role, method,
                                        url):
    login_as(role)
    response = getattr(client, method)(_url(url, plan, commitment))
    assert response.status_code == 403


@pytest.mark.parametrize("method, url", STAFF_ENDPOINTS)
def test_staff_pages_send_anonymous_visitors_to_sign_in(client, plan, commitment, method,
                                                        url):
    response = getattr(client, method)(_url(url, plan, commitment))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_staff_create_a_plan(client, login_as, db_session):
    login_as("staff")
    assert client.get("/staff/action-plans/new").status_code == 200
    response = client.post("/staff/action-plans/new", data={
        "title": "Second plan", "country": "BZ", "starts_on": "2023-01-01",
        "ends_on": "2024-12-31", "is_public": "y"})
    assert response.status_code == 302
    plan = db_session.scalar(select(ActionPlan).where(ActionPlan.title == "Second plan"))
    assert plan.is_public and plan.ends_on == date(2024, 12, 31)


def test_plan_ending_before_it_starts_is_422(client, login_as, db_session):
    login_as("staff")
    response = client.post("/staff/action-plans/new", data={
        "title": "Backwards", "country": "BZ", "starts_on": "2023-01-01",
        "ends_on": "2022-12-31"})
    assert response.status_code == 422
    assert b"cannot end before it starts" in response.data
    assert _count(db_session, ActionPlan) == 0


def test_edit_plan(client, login_as, plan, db_session):
    login_as("staff")
    assert client.get(f"/staff/action-plans/{plan.id}/edit").status_code == 200
    response = client.post(f"/staff/action-plans/{plan.id}/edit", data={
        "title": "Renamed plan", "country": "BZ", "starts_on": "2020-01-01",
        "ends_on": "2022-06-30", "is_public": "y"})
    assert response.status_code == 302
    db_session.refresh(plan)
    assert plan.title == "Renamed plan"


def test_staff_add_a_commitment_with_supporters_and_coalitions(client, login_as, plan,
                                                               staff_user, factories,
                                                               db_session):
    ministry = factories.organisation(sector=Sector.government, name="Ministry of Finance")
    ngo = factories.organisation(name="Budget Watch")
    coalition = create_coalition(staff_user, name="Fiscal Transparency Coalition")
    login_as("staff")
    page = client.get(f"/staff/action-plans/{plan.id}/commitments/new")
    assert page.status_code == 200
    assert b"Ministry of Finance" in page.data
    response = client.post(f"/staff/action-plans/{plan.id}/commitments/new", data={
        "title": "Citizens' budget", "problem": "Budgets are hard to read",
        "ambition": "A readable budget", "thematic_area": "Open data",
        "lead_organisation_id": str(ministry.id), "supporter_ids": [str(ngo.id)],
        "coalition_ids": [str(coalition.id)]})
    assert response.status_code == 302
    commitment = db_session.scalar(select(Commitment))
    assert commitment.lead_organisation_id == ministry.id
    assert [o.id for o in commitment.supporters] == [ngo.id]
    assert [c.id for c in commitment.coalitions] == [coalition.id]
    public = client.get(f"/action-plans/{plan.id}").get_data(as_text=True)
    assert "Budget Watch" in public and "Fiscal Transparency Coalition" in public


def test_commitment_with_unknown_supporter_is_422(client, login_as, plan, db_session):
    login_as("staff")
    response = client.post(f"/staff/action-plans/{plan.id}/commitments/new", data={
        "title": "Ghost support", "supporter_ids": ["424242"]})
    assert response.status_code == 422
    assert b"No organisation has the number 424242" in response.data
    assert _count(db_session, Commitment) == 0


def test_edit_commitment_page_and_update(client, login_as, commitment, factories,
                                         db_session):
    ngo = factories.organisation(name="Transparency NGO")
    login_as("staff")
    page = client.get(f"/staff/commitments/{commitment.id}/edit")
    assert page.status_code == 200
    assert b"Milestone 0" in page.data
    response = client.post(f"/staff/commitments/{commitment.id}/edit", data={
        "title": "Open contracting data", "supporter_ids": [str(ngo.id)]})
    assert response.status_code == 302
    db_session.refresh(commitment)
    assert commitment.title == "Open contracting data"
    assert [o.id for o in commitment.supporters] == [ngo.id]


def test_add_milestone(client, login_as, commitment, db_session):
    login_as("staff")
    response = client.post(f"/staff/commitments/{commitment.id}/milestones", data={
        "milestone-title": "Portal launched", "milestone-due_on": "2021-05-01",
        "milestone-state": "not_started"})
    assert response.status_code == 302
    assert db_session.scalar(select(Milestone).where(Milestone.title == "Portal launched"))


def test_milestone_without_date_is_422(client, login_as, commitment, db_session):
    login_as("staff")
    before = _count(db_session, Milestone)
    response = client.post(f"/staff/commitments/{commitment.id}/milestones", data={
        "milestone-title": "Portal launched", "milestone-due_on": "",
        "milestone-state": "not_started"})
    assert response.status_code == 422
    assert "due date" in response.get_data(as_text=True)
    assert _count(db_session, Milestone) == before


def test_update_milestone_state_and_evidence(client, login_as, commitment, db_session,
                                             factories):
    login_as("staff")
    implement(commitment.plan, factories.user(roles=("staff",)))
    milestone = commitment.milestones[1]
    response = client.post(f"/staff/milestones/{milestone.id}", data={
        "state": "complete", "evidence": "https://example.org/contracts"})
    assert response.status_code == 302
    db_session.refresh(milestone)
    assert milestone.state is MilestoneState.complete
    page = client.get(f"/action-plans/{commitment.plan_id}").get_data(as_text=True)
    assert "50% complete" in page


def test_update_milestone_with_unknown_state_is_422(client, login_as, commitment,
                                                    db_session):
    login_as("staff")
    milestone = commitment.milestones[0]
    response = client.post(f"/staff/milestones/{milestone.id}", data={"state": "done"})
    assert response.status_code == 422
    db_session.refresh(milestone)
    assert milestone.state is MilestoneState.complete
