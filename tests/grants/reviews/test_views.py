"""The reviewer's pages: the workspace and the review form, declining, attachments,
conflicts, the reviews of an application, and hostile review input."""

from __future__ import annotations

from io import BytesIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from core.audit.models import AuditEntry
from grants.applications.models import Attachment
from grants.reviews import operations
from grants.reviews.models import ConflictDeclaration, Review
from grants.reviews.states import AssignmentState, ReviewState
from tests.fixtures.applications import applicant_member
from tests.grants.reviews.conftest import _count

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"


def _review_data(criteria, action="submit", **overrides):
    data = {f"score_{criteria['Relevance'].id}": "7",
            f"score_{criteria['Feasibility'].id}": "6",
            f"score_{criteria['Partnership'].id}": "na",
            f"comment_{criteria['Relevance'].id}": "Well argued.",
            "overall_comment": "A good partnership.", "recommendation": "fund",
            "confidence": "high", "action": action}
    for name, value in overrides.items():
        key = f"score_{criteria[name].id}" if name in criteria else name
        data[key] = value
    return data


# The reviewer's workspace and the review form ------------------------------------------------

def test_workspace_lists_assignments_with_progress(client, login_as, assignment, panel):
    login_as(assignment.reviewer)
    page = client.get("/reviews")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "My reviews" in text  # the menu entry
    assert assignment.application.display_reference in text
    assert f"/reviews/{assignment.id}" in text and "Not started" in text
    assert f"/panels/{panel.id}/conflicts/new" in text


def test_workspace_is_for_reviewers_only(client, login_as):
    login_as("applicant")
    assert client.get("/reviews").status_code == 403


def test_review_page_shows_the_application_and_the_rubric(client, login_as, assignment,
                                                          criteria):
    login_as(assignment.reviewer)
    text = client.get(f"/reviews/{assignment.id}").get_data(as_text=True)
    application = assignment.application
    assert application.title in text and "Activities and results" in text
    attachment = application.attachments[0]
    assert f"/reviews/{assignment.id}/attachments/{attachment.id}" in text
    assert f"/applications/{application.id}/attachments" not in text
    for criterion in criteria.values():
        assert criterion.name in text and f'name="score_{criterion.id}"' in text
    assert text.count('value="na"') == 1  # only where N/A is allowed
    assert "Save draft" in text and "Submit review" in text


def test_save_a_draft_and_submit_through_the_page(client, login_as, assignment, criteria,
                                                  db_session):
    login_as(assignment.reviewer)
    url = f"/reviews/{assignment.id}"
    response = client.post(url, data={f"score_{criteria['Relevance'].id}": "5",
                                      "overall_comment": "Started.", "action": "draft"})
    assert response.status_code == 302
    review = db_session.scalar(select(Review))
    assert review.state == ReviewState.draft
    assert 'selected value="5"' in client.get(url).get_data(as_text=True)
    response = client.post(url, data=_review_data(criteria))
    assert response.status_code == 302
    db_session.refresh(review)
    assert review.state == ReviewState.submitted
    scores = {row.criterion_id: row.score for row in review.scores}
    assert scores[criteria["Partnership"].id] is None
    assert scores[criteria["Relevance"].id] == 7
    page = client.get(url).get_data(as_text=True)
    assert "Save the revised review" in page and "Read the other reviews" in page
    assert "Decline this assignment" not in page
    assert "/ 100" in page  # the total


@pytest.mark.parametrize("overrides, message", [
    ({"Relevance": "11"}, "Choose a score from 0 to 10."),
    ({"Relevance": "-1"}, "Choose a score from 0 to 10."),
    ({"Partnership": "6"}, "Choose a score from 0 to 5."),
    ({"Relevance": "na"}, "is not allowed for this criterion"),
    ({"Relevance": "seven"}, "Choose a score from 0 to 10."),
    ({"Feasibility": ""}, "Score this criterion before submitting."),
    ({"recommendation": ""}, "Choose a recommendation."),
    ({"confidence": ""}, "Choose your confidence level."),
    ({"recommendation": "maybe"}, "Choose from the list."),
])
def test_bad_review_input_gets_422_and_writes_nothing(client, login_as, assignment, criteria,
                                                      db_session, overrides, message):
    login_as(assignment.reviewer)
    audit = _count(db_session, AuditEntry)
    response = client.post(f"/reviews/{assignment.id}", data=_review_data(criteria, **overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count(db_session, Review) == 0 and _count(db_session, AuditEntry) == audit


def test_another_reviewer_cannot_open_or_write_the_review(client, login_as, assignment,
                                                          reviewers, criteria, db_session):
    login_as(reviewers[1])
    assert client.get(f"/reviews/{assignment.id}").status_code == 403
    assert client.post(f"/reviews/{assignment.id}",
                       data=_review_data(criteria)).status_code == 403
    assert _count(db_session, Review) == 0


def test_a_conflicted_reviewer_cannot_open_the_application(client, login_as, factories,
                                                           assignment, criteria, db_session):
    factories.member(assignment.application.organisation, assignment.reviewer)
    login_as(assignment.reviewer)
    assert client.get(f"/reviews/{assignment.id}").status_code == 403
    attachment = assignment.application.attachments[0]
    assert client.get(f"/reviews/{assignment.id}/attachments/{attachment.id}").status_code == 403
    page = client.get("/reviews").get_data(as_text=True)
    assert "Conflict of interest" in page and f'href="/reviews/{assignment.id}"' not in page


def test_unknown_assignment_is_404(client, login_as):
    login_as("reviewer")
    assert client.get("/reviews/999999").status_code == 404


def test_changes_after_lock_are_refused(client, login_as, assignment, criteria, db_session,
                                        submit_review):
    submit_review(assignment)
    assignment.panel.is_locked = True
    db_session.flush()
    login_as(assignment.reviewer)
    url = f"/reviews/{assignment.id}"
    response = client.post(url, data=_review_data(criteria, Relevance="1"))
    assert response.status_code == 409
    assert "locked" in response.get_data(as_text=True)
    db_session.refresh(assignment.review)
    assert {row.criterion_id: row.score for row in assignment.review.scores}[
        criteria["Relevance"].id] == 7
    page = client.get(url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'name="action"' not in text and "A good partnership" not in text
    assert "7 / 10" in text


# Declining ---------------------------------------------------------------------------------

def test_decline_with_a_reason(client, login_as, assignment, db_session):
    login_as(assignment.reviewer)
    url = f"/reviews/{assignment.id}/decline"
    response = client.post(url, data={"reason": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Give the reason." in page
    # The reason and its error stay in view; only the final button waits behind the question.
    assert page.index("Give the reason.") < page.index("Decline this assignment?")
    assert assignment.state == AssignmentState.assigned
    response = client.post(url, data={"reason": "I am travelling."})
    assert response.status_code == 302
    db_session.refresh(assignment)
    assert assignment.state == AssignmentState.declined
    assert assignment.decline_reason == "I am travelling."
    assert client.get(f"/reviews/{assignment.id}").status_code == 403


def test_decline_after_submitting_is_refused(client, login_as, assignment, submit_review,
                                             db_session):
    submit_review(assignment)
    login_as(assignment.reviewer)
    response = client.post(f"/reviews/{assignment.id}/decline", data={"reason": "Oops."})
    assert response.status_code == 409
    db_session.refresh(assignment)
    assert assignment.state == AssignmentState.assigned


# Attachments -------------------------------------------------------------------------------

@pytest.fixture
def stored_attachment(app, monkeypatch, tmp_path, db_session, assignment):
    from werkzeug.datastructures import FileStorage

    from core.uploads.operations import store_upload

    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    application = assignment.application
    member = applicant_member(application)
    stored = store_upload(FileStorage(BytesIO(PDF_BYTES), filename="workplan.pdf"),
                          uploaded_by=member)
    attachment = Attachment(application=application, stored_file=stored,
                            uploaded_by_id=member.id)
    db_session.add(attachment)
    db_session.flush()
    return attachment


def test_the_assigned_reviewer_downloads_attachments(client, login_as, assignment,
                                                     stored_attachment, reviewers,
                                                     applications, staff, panel):
    url = f"/reviews/{assignment.id}/attachments/{stored_attachment.id}"
    login_as(assignment.reviewer)
    response = client.get(url)
    assert response.status_code == 200 and response.data == PDF_BYTES
    assert response.headers["Content-Disposition"].startswith("attachment")
    # An attachment of another application, through this assignment: 404.
    other = applications[1].attachments[0]
    assert client.get(f"/reviews/{assignment.id}/attachments/{other.id}").status_code == 404
    login_as(reviewers[1])
    assert client.get(url).status_code == 403
    # The applications' own download stays closed to reviewers.
    application = assignment.application
    login_as(assignment.reviewer)
    assert client.get(f"/applications/{application.id}/attachments/"
                      f"{stored_attachment.id}").status_code == 403


# Conflicts ---------------------------------------------------------------------------------

def test_declare_a_conflict_through_the_page(client, login_as, assignment, db_session):
    panel, application = assignment.panel, assignment.application
    login_as(assignment.reviewer)
    url = f"/panels/{panel.id}/conflicts/new"
    page = client.get(url)
    assert page.status_code == 200 and application.display_reference in page.get_data(as_text=True)
    response = client.post(url, data={"application_id": str(application.id), "reason": ""})
    assert response.status_code == 422 and "Give the reason." in response.get_data(as_text=True)
    response = client.post(url, data={"reason": "Friends."})
    assert response.status_code == 422
    assert "Choose an application or an organisation." in response.get_data(as_text=True)
    response = client.post(url, data={"application_id": "abc", "reason": "Friends."})
    assert response.status_code == 422
    assert _count(db_session, ConflictDeclaration) == 0
    response = client.post(url, data={"application_id": str(application.id),
                                      "reason": "I chair its board."})
    assert response.status_code == 302
    db_session.refresh(assignment)
    assert assignment.state == AssignmentState.declined
    assert _count(db_session, ConflictDeclaration) == 1


def test_declare_a_conflict_with_an_organisation(client, login_as, panel, reviewers,
                                                 applications, db_session):
    login_as(reviewers[2])
    organisation = applications[2].counterpart
    response = client.post(f"/panels/{panel.id}/conflicts/new", data={
        "organisation_id": str(organisation.id), "reason": "Former employer."})
    assert response.status_code == 302
    declaration = db_session.scalar(select(ConflictDeclaration))
    assert declaration.organisation_id == organisation.id and declaration.application_id is None


def test_only_members_declare_conflicts(client, login_as, panel):
    login_as("reviewer")
    assert client.get(f"/panels/{panel.id}/conflicts/new").status_code == 403


# The reviews of an application ---------------------------------------------------------------

@pytest.fixture
def three_reviews(panel, staff, applications, reviewers):
    return [operations.assign(panel, applications[0], reviewer, staff)
            for reviewer in reviewers[:3]]


def test_reviewers_see_others_only_after_submitting_and_without_names(
        client, login_as, three_reviews, submit_review, reviewers):
    first, second, _third = three_reviews
    url = f"/reviews/applications/{first.application_id}"
    submit_review(second, Relevance=3)
    login_as(reviewers[0])
    assert client.get(url).status_code == 403  # not submitted yet
    submit_review(first)
    response = client.get(url)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Your review" in text and "Reviewer 2" in text
    for reviewer in reviewers:
        assert reviewer.name not in text
    assert "Not started" not in text  # others' progress is not shown to reviewers
    login_as(reviewers[2])
    assert client.get(url).status_code == 403


def test_staff_and_the_chair_see_names(client, login_as, three_reviews, submit_review,
                                       reviewers, staff, panel):
    first = three_reviews[0]
    submit_review(first)
    operations.set_chair(panel, reviewers[3], staff)
    url = f"/reviews/applications/{first.application_id}"
    for viewer in (staff, reviewers[3]):
        login_as(viewer)
        text = client.get(url).get_data(as_text=True)
        assert reviewers[0].name in text and reviewers[1].name in text
        assert "Not started" in text
    login_as(reviewers[3])
    assert f"/reviews/applications/{first.application_id}" in client.get(
        "/reviews").get_data(as_text=True)


def test_conflicted_chair_and_applicants_get_403(client, login_as, factories, three_reviews,
                                                 reviewers, staff, panel):
    application = three_reviews[0].application
    operations.set_chair(panel, reviewers[3], staff)
    factories.member(application.counterpart, reviewers[3])
    url = f"/reviews/applications/{application.id}"
    login_as(reviewers[3])
    assert client.get(url).status_code == 403
    login_as(applicant_member(application))
    assert client.get(url).status_code == 403


def test_an_application_without_a_panel_is_404(client, login_as, grant_factories):
    application = grant_factories.application(grant_factories.call(), state="eligible")
    login_as("staff")
    assert client.get(f"/reviews/applications/{application.id}").status_code == 404


# Hostile input -----------------------------------------------------------------------------

HOSTILE = st.one_of(st.sampled_from([
    "", " ", "\x00", "na", "NA", "-0", "0", "10", "11", "1e1", "٣", "9" * 40, "<script>",
    "fund", "high", "submit", "draft", "x" * 20000]), st.text(max_size=50))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(values=st.fixed_dictionaries({
    "relevance": HOSTILE, "partnership": HOSTILE, "comment": HOSTILE, "overall": HOSTILE,
    "recommendation": HOSTILE, "confidence": HOSTILE,
    "action": st.sampled_from(["draft", "submit", "", "other"])}))
def test_hostile_review_input_never_breaks(client, login_as, assignment, criteria, db_session,
                                          values):
    login_as(assignment.reviewer)
    audit = _count(db_session, AuditEntry)
    response = client.post(f"/reviews/{assignment.id}", data={
        f"score_{criteria['Relevance'].id}": values["relevance"],
        f"score_{criteria['Partnership'].id}": values["partnership"],
        f"comment_{criteria['Relevance'].id}": values["comment"],
        "overall_comment": values["overall"], "recommendation": values["recommendation"],
        "confidence": values["confidence"], "action": values["action"]})
    assert response.status_code in (302, 400, 422)
    if response.status_code in (400, 422):
        assert _count(db_session, AuditEntry) == audit
