"""Staff's panel pages: the overview, creating and editing panels, members, assignments,
and the number of queries the panel pages take."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.timeutil import utcnow
from grants.applications.states import ApplicationState
from grants.reviews import operations
from grants.reviews.models import Panel, PanelMember, ReviewAssignment
from grants.reviews.states import AssignmentState
from tests.grants.reviews.conftest import _count

# Staff pages -------------------------------------------------------------------------------

def test_overview_lists_calls_with_and_without_panels(client, login_as, panel,
                                                      grant_factories):
    other = grant_factories.call(title="Second call")
    login_as("staff")
    text = client.get("/staff/panels").get_data(as_text=True)
    assert "Review panels" in text
    assert f"/staff/panels/{panel.id}" in text
    assert f"/staff/panels/new?call_id={other.id}" in text


def test_create_a_panel_with_a_due_date_in_programme_time(client, login_as, call, db_session):
    login_as("staff")
    page = client.get(f"/staff/panels/new?call_id={call.id}").get_data(as_text=True)
    assert f'<option selected value="{call.id}">' in page or \
        f'<option value="{call.id}" selected' in page
    response = client.post("/staff/panels/new", data={
        "call_id": str(call.id), "due_at": "2026-07-01T17:00",
        "reviewers_per_application": "2"})
    assert response.status_code == 302
    panel = db_session.scalar(select(Panel))
    assert panel.reviewers_per_application == 2
    assert panel.due_at == datetime(2026, 7, 1, 23, 0, tzinfo=UTC)  # Belize is UTC−6


@pytest.mark.parametrize("k", ["0", "21", "2.5", "three"])
def test_bad_panel_settings_get_422(client, login_as, call, db_session, k):
    login_as("staff")
    response = client.post("/staff/panels/new", data={"call_id": str(call.id),
                                                        "reviewers_per_application": k})
    assert response.status_code == 422
    assert _count(db_session, Panel) == 0


def test_edit_the_panel_and_choose_the_chair(client, login_as, panel, reviewers, db_session):
    login_as("staff")
    url = f"/staff/panels/{panel.id}/edit"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"due_at": "", "reviewers_per_application": "3",
                                      "chair_id": str(reviewers[1].id)})
    assert response.status_code == 302
    db_session.refresh(panel)
    assert panel.chair_id == reviewers[1].id and panel.due_at is None
    outsider_id = reviewers[0].id + 1000
    response = client.post(url, data={"reviewers_per_application": "3",
                                      "chair_id": str(outsider_id)})
    assert response.status_code == 422


def test_detail_shows_loads_late_reviews_and_conflicts(client, login_as, factories, panel,
                                                       staff, applications, reviewers,
                                                       db_session):
    operations.auto_assign(panel, staff)
    factories.member(applications[3].organisation, reviewers[0])
    # Reviewer 2 was given applications 1, 2 and 4: the declaration withdraws the second.
    operations.declare_conflict(panel, reviewers[1], application=applications[1],
                                reason="Former colleague of the director.")
    panel.due_at = utcnow() - timedelta(days=1)
    db_session.flush()
    login_as("staff")
    response = client.get(f"/staff/panels/{panel.id}")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    for reviewer in reviewers:
        assert reviewer.name in text
    assert f"Member of {applications[3].organisation.name}" in text
    assert "Declared: Former colleague of the director." in text
    assert "Late" in text
    assert "Conflict of interest: Former colleague" in text  # the declined assignment


def test_add_and_remove_members(client, login_as, panel, factories, db_session):
    login_as("staff")
    newcomer = factories.user(roles=("reviewer",), name="Newcomer")
    applicant = factories.user(roles=("applicant",))
    url = f"/staff/panels/{panel.id}/members"
    response = client.post(url, data={"user_id": str(applicant.id)})
    assert response.status_code == 422 and "reviewer role" in response.get_data(as_text=True)
    response = client.post(url, data={"user_id": "nonsense"})
    assert response.status_code == 422
    assert client.post(url, data={"user_id": str(newcomer.id)}).status_code == 302
    member = db_session.scalar(select(PanelMember).where(PanelMember.user_id == newcomer.id))
    assert member is not None
    page = client.get(f"/staff/panels/{panel.id}").get_data(as_text=True)
    assert "Remove Newcomer from the panel?" in page  # asked before the form is shown
    response = client.post(f"/staff/panels/{panel.id}/members/{member.id}/remove")
    assert response.status_code == 302
    assert _count(db_session, PanelMember, PanelMember.user_id == newcomer.id) == 0


def test_removing_a_member_with_submitted_reviews_is_refused(client, login_as, assignment,
                                                             submit_review, panel,
                                                             db_session):
    submit_review(assignment)
    member = next(m for m in panel.members if m.user_id == assignment.reviewer_id)
    login_as("staff")
    response = client.post(f"/staff/panels/{panel.id}/members/{member.id}/remove")
    assert response.status_code == 422
    assert "submitted reviews" in response.get_data(as_text=True)
    assert db_session.get(PanelMember, member.id) is not None


def test_manual_assignment(client, login_as, panel, applications, reviewers, factories,
                           db_session):
    login_as("staff")
    url = f"/staff/panels/{panel.id}/assign"
    application = applications[0]
    factories.member(application.organisation, reviewers[0])
    response = client.post(url, data={"application_id": str(application.id),
                                      "reviewer_id": str(reviewers[0].id)})
    assert response.status_code == 422
    assert "conflict of interest" in response.get_data(as_text=True)
    assert _count(db_session, ReviewAssignment) == 0
    db_session.refresh(application)
    assert application.state == ApplicationState.eligible
    response = client.post(url, data={"application_id": str(application.id),
                                      "reviewer_id": str(reviewers[1].id)})
    assert response.status_code == 302
    db_session.refresh(application)
    assert application.state == ApplicationState.in_review
    assert client.post(url, data={"application_id": "", "reviewer_id": ""}).status_code == 422


def test_auto_assign_and_reassign_through_the_pages(client, login_as, panel, applications,
                                                    reviewers, db_session):
    login_as("staff")
    response = client.post(f"/staff/panels/{panel.id}/auto-assign")
    assert response.status_code == 302
    assert _count(db_session, ReviewAssignment) == 12
    assignment = db_session.scalars(select(ReviewAssignment).where(
        ReviewAssignment.application_id == applications[0].id)).first()
    login_as(assignment.reviewer)
    assert client.post(f"/reviews/{assignment.id}/decline",
                       data={"reason": "On leave."}).status_code == 302
    login_as("staff")
    assigned = set(db_session.scalars(select(ReviewAssignment.reviewer_id).where(
        ReviewAssignment.application_id == applications[0].id)))
    free = next(r for r in reviewers if r.id not in assigned)
    url = f"/staff/panels/{panel.id}/assignments/{assignment.id}/reassign"
    assert client.post(url, data={"reviewer_id": str(assignment.reviewer_id)}).status_code == 422
    response = client.post(url, data={"reviewer_id": str(free.id)})
    assert response.status_code == 302
    assert db_session.scalar(select(ReviewAssignment).where(
        ReviewAssignment.application_id == applications[0].id,
        ReviewAssignment.reviewer_id == free.id)).state == AssignmentState.assigned


def test_auto_assign_reports_applications_left_short(client, login_as, panel, applications,
                                                     staff, reviewers):
    for reviewer in reviewers[:2]:
        operations.declare_conflict(panel, reviewer, application=applications[0],
                                    reason="Conflict.")
    login_as("staff")
    client.post(f"/staff/panels/{panel.id}/auto-assign")
    text = client.get(f"/staff/panels/{panel.id}").get_data(as_text=True)
    assert f"{applications[0].display_reference} is still 1 reviewer short" in text


def test_staff_actions_on_a_locked_panel_get_409(client, login_as, panel, applications,
                                                 reviewers, db_session):
    panel.is_locked = True
    db_session.flush()
    login_as("staff")
    response = client.post(f"/staff/panels/{panel.id}/assign", data={
        "application_id": str(applications[0].id), "reviewer_id": str(reviewers[0].id)})
    assert response.status_code == 409 and "locked" in response.get_data(as_text=True)
    assert client.post(f"/staff/panels/{panel.id}/auto-assign").status_code == 409
    assert client.post(f"/staff/panels/{panel.id}/edit", data={
        "reviewers_per_application": "2"}).status_code == 409
    assert _count(db_session, ReviewAssignment) == 0
    db_session.refresh(panel)
    assert panel.reviewers_per_application == 3


# Query counts ------------------------------------------------------------------------------

def _queries_for(client, url) -> int:
    from sqlalchemy import event

    from core.extensions import db

    statements = []

    def listener(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements)


def test_panel_and_workspace_query_counts_do_not_grow(client, login_as, panel, staff,
                                                      applications, reviewers, factories,
                                                      make_application):
    operations.auto_assign(panel, staff)
    factories.member(applications[0].organisation, reviewers[0])
    operations.declare_conflict(panel, reviewers[1], application=applications[1], reason="X")
    login_as("staff")
    detail, overview = (_queries_for(client, f"/staff/panels/{panel.id}"),
                        _queries_for(client, "/staff/panels"))
    login_as(reviewers[2])
    workspace = _queries_for(client, "/reviews")
    for _ in range(4):
        make_application()
    operations.auto_assign(panel, staff)
    operations.declare_conflict(panel, reviewers[3], application=applications[3], reason="Y")
    login_as("staff")
    assert _queries_for(client, f"/staff/panels/{panel.id}") == detail
    assert _queries_for(client, "/staff/panels") == overview
    login_as(reviewers[2])
    assert _queries_for(client, "/reviews") == workspace
