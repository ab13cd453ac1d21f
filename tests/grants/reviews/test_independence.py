"""Review independence: no revision after reading colleagues' reviews, except during a
discussion phase that staff or the chair open and close; revisions keep the earlier scores."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from core.audit.models import AuditEntry
from core.errors import OperationError
from core.timeutil import utcnow
from grants.reviews import discussion, operations
from grants.reviews.models import ReviewAssignment, ReviewVersion
from tests.grants.reviews.conftest import full_scores


def _count(session, model, *conditions) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*conditions))


def _actions(session, action) -> int:
    return _count(session, AuditEntry, AuditEntry.action == action)


@pytest.fixture
def three_reviews(panel, staff, applications, reviewers):
    return [operations.assign(panel, applications[0], reviewer, staff)
            for reviewer in reviewers[:3]]


def _form(criteria, relevance, feasibility, partnership="na"):
    return {f"score_{criteria['Relevance'].id}": str(relevance),
            f"score_{criteria['Feasibility'].id}": str(feasibility),
            f"score_{criteria['Partnership'].id}": str(partnership),
            "overall_comment": "Reviewed.", "recommendation": "fund", "confidence": "high",
            "action": "submit"}


def _scores(assignment):
    return sorted((row.criterion_id, row.score) for row in assignment.review.scores)


# The attack, through the pages -------------------------------------------------------------

def test_a_reviewer_who_read_the_others_cannot_rescore(client, login_as, db_session, criteria,
                                                       three_reviews, submit_review,
                                                       reviewers):
    first, second, third = three_reviews
    submit_review(second, Relevance=10, Feasibility=10)
    submit_review(third, Relevance=10, Feasibility=10)
    login_as(reviewers[0])
    url = f"/reviews/{first.id}"
    assert client.post(url, data=_form(criteria, 0, 0)).status_code == 302
    before = _scores(first)
    page = client.get(f"/reviews/applications/{first.application_id}")
    assert page.status_code == 200  # the reviewer reads 10/10 twice
    response = client.post(url, data=_form(criteria, 9, 9, 5))
    assert 400 <= response.status_code < 500
    assert "discussion" in response.get_data(as_text=True)
    db_session.expire_all()
    assert _scores(db_session.get(ReviewAssignment, first.id)) == before
    assert _actions(db_session, "review.revise") == 0
    # The page says why instead of offering a form that cannot be sent.
    text = client.get(url).get_data(as_text=True)
    assert "can no longer be revised" in text and 'name="action"' not in text


def test_revising_before_reading_the_others_is_still_allowed(client, login_as, db_session,
                                                             criteria, assignment):
    login_as(assignment.reviewer)
    url = f"/reviews/{assignment.id}"
    assert client.post(url, data=_form(criteria, 1, 1)).status_code == 302
    assert client.post(url, data=_form(criteria, 2, 2)).status_code == 302
    db_session.expire_all()
    review = db_session.get(ReviewAssignment, assignment.id).review
    assert [v.scores[str(criteria["Relevance"].id)] for v in review.versions] == [1, 2]
    assert not any(v.in_discussion for v in review.versions)


# The operation refuses it, whatever the page showed -----------------------------------------

def test_the_operation_refuses_a_revision_after_reading(db_session, criteria, three_reviews,
                                                        submit_review, reviewers, panel):
    first = three_reviews[0]
    submit_review(first, Relevance=0, Feasibility=0)
    discussion.record_colleagues_seen(reviewers[0], panel, [first.application_id])
    with pytest.raises(OperationError, match="discussion"):
        submit_review(first, Relevance=9, Feasibility=9, Partnership=5)
    assert _scores(first)[0][1] == 0


def test_the_check_is_repeated_on_the_locked_row(db_session, criteria, three_reviews,
                                                 submit_review, panel):
    """A request whose copy of the assignment predates the reading is still refused."""
    first = three_reviews[0]
    submit_review(first, Relevance=0)
    db_session.execute(update(ReviewAssignment).where(ReviewAssignment.id == first.id)
                       .values(colleagues_seen_at=utcnow())
                       .execution_options(synchronize_session=False))
    assert first.colleagues_seen_at is None  # the stale copy
    with pytest.raises(OperationError, match="discussion"):
        submit_review(first, Relevance=9)


def test_the_first_reading_is_kept(db_session, three_reviews, reviewers, panel):
    first = three_reviews[0]
    discussion.record_colleagues_seen(reviewers[0], panel, [first.application_id])
    db_session.expire_all()
    seen = db_session.get(ReviewAssignment, first.id).colleagues_seen_at
    assert seen is not None
    discussion.record_colleagues_seen(reviewers[0], panel)
    db_session.expire_all()
    assert db_session.get(ReviewAssignment, first.id).colleagues_seen_at == seen
    # Someone else's reading does not count for this reviewer.
    assert db_session.get(ReviewAssignment, three_reviews[1].id).colleagues_seen_at is None


def test_the_chair_reading_the_ranking_has_read_the_others(client, login_as, db_session, staff,
                                                            panel, three_reviews, reviewers):
    operations.set_chair(panel, reviewers[0], staff)
    login_as(reviewers[0])
    assert client.get(f"/staff/panels/{panel.id}/ranking").status_code == 200
    db_session.expire_all()
    assert db_session.get(ReviewAssignment, three_reviews[0].id).colleagues_seen_at is not None



def test_reading_one_page_of_the_ranking_is_reading_its_whole_order(
        client, login_as, db_session, staff, panel, applications, reviewers, monkeypatch):
    from grants.applications.states import ApplicationState
    from grants.ranking import queries

    monkeypatch.setattr(queries, "ROWS_PER_PAGE", 1)
    operations.set_chair(panel, reviewers[0], staff)
    own = [operations.assign(panel, application, reviewers[0], staff)
           for application in applications[:3]]
    for application in applications[:2]:
        application.state = ApplicationState.in_review
    applications[2].state = ApplicationState.withdrawn
    db_session.commit()
    login_as(reviewers[0])
    page = client.get(f"/staff/panels/{panel.id}/ranking").get_data(as_text=True)
    assert "page 1 of 2" in page
    db_session.expire_all()
    seen = {assignment.application_id: db_session.get(ReviewAssignment, assignment.id)
            .colleagues_seen_at for assignment in own}
    # Both ranked applications, the one on page 2 too; not the one outside the ranking.
    assert seen[applications[0].id] is not None and seen[applications[1].id] is not None
    assert seen[applications[2].id] is None

# The discussion phase ----------------------------------------------------------------------

def test_during_discussion_a_revision_keeps_the_earlier_scores(db_session, criteria, staff,
                                                               three_reviews, submit_review,
                                                               reviewers, panel):
    first = three_reviews[0]
    submit_review(first, Relevance=0, Feasibility=0)
    discussion.record_colleagues_seen(reviewers[0], panel, [first.application_id])
    discussion.open_discussion(panel, staff)
    submit_review(first, Relevance=9, Feasibility=9, Partnership=5)
    versions = first.review.versions
    relevance = str(criteria["Relevance"].id)
    assert [(v.number, v.scores[relevance], v.in_discussion) for v in versions] == [
        (1, 0, False), (2, 9, True)]
    [revision] = discussion.discussion_revisions(panel)[first.application_id]
    assert revision.reviewer_id == reviewers[0].id
    assert revision.was == 0 and revision.now > 80
    discussion.close_discussion(panel, staff)
    with pytest.raises(OperationError, match="discussion"):
        submit_review(first, Relevance=10)
    assert _actions(db_session, "panel.open_discussion") == 1
    assert _actions(db_session, "panel.close_discussion") == 1


def test_a_review_from_before_versions_keeps_its_scores(db_session, criteria, staff,
                                                        three_reviews, submit_review, panel):
    first = three_reviews[0]
    submit_review(first, Relevance=2)
    db_session.execute(ReviewVersion.__table__.delete())  # as written before versions
    db_session.expire_all()
    submit_review(first, Relevance=4)
    relevance = str(criteria["Relevance"].id)
    assert [v.scores[relevance] for v in first.review.versions] == [2, 4]


def test_only_staff_and_the_chair_run_the_discussion(db_session, staff, panel, reviewers):
    with pytest.raises(OperationError):
        discussion.open_discussion(panel, reviewers[1])
    operations.set_chair(panel, reviewers[1], staff)
    discussion.open_discussion(panel, reviewers[1])
    with pytest.raises(OperationError, match="already open"):
        discussion.open_discussion(panel, staff)
    discussion.close_discussion(panel, reviewers[1])
    with pytest.raises(OperationError, match="not open"):
        discussion.close_discussion(panel, staff)
    panel.is_locked = True
    db_session.flush()
    with pytest.raises(OperationError, match="locked"):
        discussion.open_discussion(panel, staff)


def test_discussion_through_the_pages(client, login_as, db_session, criteria, staff, panel,
                                      three_reviews, submit_review, reviewers):
    first = three_reviews[0]
    submit_review(first, Relevance=0, Feasibility=0)
    submit_review(three_reviews[1], Relevance=10, Feasibility=10)
    discussion.record_colleagues_seen(reviewers[0], panel, [first.application_id])
    login_as(reviewers[2])  # a member, not the chair
    assert client.post(f"/staff/panels/{panel.id}/discussion/open").status_code == 403
    login_as(staff)
    assert client.post(f"/staff/panels/{panel.id}/discussion/open").status_code == 302
    assert "discussion is open" in client.get(
        f"/staff/panels/{panel.id}/ranking").get_data(as_text=True)
    login_as(reviewers[0])
    assert client.post(f"/reviews/{first.id}",
                       data=_form(criteria, 9, 9, 5)).status_code == 302
    login_as(staff)
    for url in (f"/staff/panels/{panel.id}/ranking",
                f"/reviews/applications/{first.application_id}"):
        text = client.get(url).get_data(as_text=True)
        assert "Revised during discussion" in text, url
        assert "was 0.0, now" in text, url
    assert client.post(f"/staff/panels/{panel.id}/discussion/close").status_code == 302
    login_as(reviewers[0])
    response = client.post(f"/reviews/{first.id}", data=_form(criteria, 1, 1))
    assert 400 <= response.status_code < 500


def test_a_double_submission_leaves_one_coherent_history(db_session, criteria, three_reviews,
                                                         submit_review):
    first = three_reviews[0]
    submit_review(first)
    submit_review(first)  # the same form sent twice
    assert [v.number for v in first.review.versions] == [1, 2]
    assert first.review.versions[0].scores == first.review.versions[1].scores
    assert _count(db_session, ReviewVersion) == 2
    assert full_scores(criteria)[criteria["Relevance"].id] == 7
