"""Review operations: saving, submitting and revising reviews, and what they refuse."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.audit.models import AuditEntry
from core.errors import OperationError
from grants.reviews import operations
from grants.reviews.models import Review, ReviewAssignment, ReviewScore
from grants.reviews.states import Confidence, Recommendation, ReviewState
from tests.fixtures.applications import applicant_member
from tests.grants.reviews.conftest import _actions, _count, full_scores

# Reviews -----------------------------------------------------------------------------------

def test_save_a_draft_then_submit_then_revise(db_session, assignment, criteria):
    reviewer = assignment.reviewer
    relevance, partnership = criteria["Relevance"], criteria["Partnership"]
    review = operations.save_review(
        assignment, reviewer, scores={relevance.id: 8},
        comments={relevance.id: "Timely.", criteria["Feasibility"].id: "Check the budget."},
        overall_comment="Draft thoughts", recommendation=None, confidence=None, submit=False)
    assert review.state == ReviewState.draft and review.submitted_at is None
    rows = {row.criterion_id: row for row in review.scores}
    assert rows[relevance.id].score == 8 and rows[relevance.id].comment == "Timely."
    assert rows[criteria["Feasibility"].id].score is None  # a comment kept, not scored yet
    assert partnership.id not in rows

    review = operations.save_review(
        assignment, reviewer, scores=full_scores(criteria), comments={},
        overall_comment="Good.", recommendation="fund_with_conditions", confidence="medium",
        submit=True)
    assert review.state == ReviewState.submitted and review.submitted_at is not None
    assert review.recommendation == Recommendation.fund_with_conditions
    assert review.confidence == Confidence.medium
    assert {row.criterion_id: row.score for row in review.scores} == full_scores(criteria)
    submitted_at = review.submitted_at

    # A revision (even through "save draft") keeps it submitted, so it must stay complete.
    with pytest.raises(OperationError, match="before submitting"):
        operations.save_review(assignment, reviewer, scores={relevance.id: 9}, comments={},
                               overall_comment="", recommendation="fund", confidence="high",
                               submit=False)
    review = operations.save_review(
        assignment, reviewer, scores=full_scores(criteria, Relevance=10), comments={},
        overall_comment="Better than I thought.", recommendation="fund", confidence="high",
        submit=False)
    assert review.state == ReviewState.submitted and review.submitted_at == submitted_at
    assert _count(db_session, Review) == 1
    assert [a for a in _actions(db_session) if a.startswith("review.")] == [
        "review.save", "review.submit", "review.revise"]


@pytest.mark.parametrize("overrides, message", [
    ({"Relevance": 11}, "from 0 to 10"),
    ({"Relevance": -1}, "from 0 to 10"),
    ({"Partnership": 6}, "from 0 to 5"),
    ({"Relevance": None}, "not allowed"),
    ({"Relevance": "7"}, "from 0 to 10"),
    ({"Relevance": True}, "from 0 to 10"),
])
def test_bad_scores_are_refused_and_nothing_is_written(db_session, assignment, criteria,
                                                       overrides, message):
    with pytest.raises(OperationError, match=message) as error:
        operations.save_review(assignment, assignment.reviewer,
                               scores=full_scores(criteria, **overrides), comments={},
                               overall_comment="", recommendation="fund", confidence="low",
                               submit=False)
    name = next(iter(overrides))
    assert error.value.field == f"score_{criteria[name].id}"
    assert _count(db_session, Review) == 0 and _count(db_session, ReviewScore) == 0


def test_a_criterion_of_another_rubric_is_refused(db_session, assignment, criteria,
                                                  grant_factories):
    other = grant_factories.call().criteria[0]
    with pytest.raises(OperationError, match="rubric"):
        operations.save_review(assignment, assignment.reviewer, scores={other.id: 3},
                               comments={}, overall_comment="", recommendation=None,
                               confidence=None, submit=False)
    assert _count(db_session, Review) == 0


@pytest.mark.parametrize("missing, field", [
    ("Feasibility", None), ("recommendation", "recommendation"),
    ("confidence", "confidence")])
def test_submission_needs_everything(db_session, assignment, criteria, missing, field):
    scores = full_scores(criteria)
    values = {"recommendation": "fund", "confidence": "high"}
    if missing in criteria:
        del scores[criteria[missing].id]
        field = f"score_{criteria[missing].id}"
    else:
        values[missing] = None
    with pytest.raises(OperationError, match="before submitting") as error:
        operations.save_review(assignment, assignment.reviewer, scores=scores, comments={},
                               overall_comment="", submit=True, **values)
    assert error.value.field == field
    assert _count(db_session, Review) == 0


def test_unknown_recommendation_and_long_comments_are_refused(db_session, assignment,
                                                              criteria):
    with pytest.raises(OperationError, match="recommendation"):
        operations.save_review(assignment, assignment.reviewer, scores={}, comments={},
                               overall_comment="", recommendation="maybe", confidence=None,
                               submit=False)
    with pytest.raises(OperationError, match="at most"):
        operations.save_review(assignment, assignment.reviewer, scores={},
                               comments={criteria["Relevance"].id: "x" * 5001},
                               overall_comment="", recommendation=None, confidence=None,
                               submit=False)
    assert _count(db_session, Review) == 0


def test_a_comment_on_an_unscored_na_criterion_asks_for_a_choice(db_session, assignment,
                                                                 criteria):
    partnership = criteria["Partnership"]
    with pytest.raises(OperationError, match="not applicable") as error:
        operations.save_review(assignment, assignment.reviewer, scores={},
                               comments={partnership.id: "Unclear."}, overall_comment="",
                               recommendation=None, confidence=None, submit=False)
    assert error.value.field == f"score_{partnership.id}"


def test_only_the_assigned_unconflicted_reviewer_reviews(db_session, factories, assignment,
                                                         reviewers, criteria,
                                                         submit_review):
    with pytest.raises(OperationError, match="assigned to someone else"):
        submit_review(assignment, reviewer=reviewers[1])
    factories.member(assignment.application.counterpart, reviewers[0])
    with pytest.raises(OperationError, match="conflict of interest"):
        submit_review(assignment)
    assert _count(db_session, Review) == 0


def test_a_declined_assignment_cannot_be_reviewed(db_session, assignment, submit_review):
    operations.decline_assignment(assignment, assignment.reviewer, "No time.")
    with pytest.raises(OperationError, match="declined"):
        submit_review(assignment)


def test_a_second_review_of_the_same_assignment_is_refused(db_session, assignment):
    operations.create_review(assignment, assignment.reviewer)
    with pytest.raises(OperationError, match="already has a review"):
        operations.create_review(assignment, assignment.reviewer)
    assert _count(db_session, Review) == 1


def test_a_locked_panel_refuses_every_change(db_session, panel, assignment, staff, reviewers,
                                             applications, criteria, submit_review):
    submit_review(assignment)
    other = operations.assign(panel, applications[1], reviewers[1], staff)
    panel.is_locked = True
    db_session.flush()
    before = _count(db_session, AuditEntry)
    attempts = [
        lambda: submit_review(assignment, Relevance=2),
        lambda: operations.decline_assignment(other, reviewers[1], "Late."),
        lambda: operations.assign(panel, applications[2], reviewers[2], staff),
        lambda: operations.auto_assign(panel, staff),
        lambda: operations.reassign(other, reviewers[2], staff),
        lambda: operations.add_member(panel, reviewers[0], staff),
        lambda: operations.remove_member(panel, panel.members[3], staff),
        lambda: operations.set_chair(panel, reviewers[0], staff),
        lambda: operations.update_panel(panel, staff, due_at=None,
                                        reviewers_per_application=2),
        lambda: operations.declare_conflict(panel, reviewers[0], reason="Late news.",
                                            application=applications[2]),
    ]
    for attempt in attempts:
        with pytest.raises(OperationError, match="locked"):
            attempt()
    assert _count(db_session, AuditEntry) == before
    assert assignment.review.scores[0].score == 7


def test_applicant_members_are_never_reviewers_of_their_application(db_session, panel, staff,
                                                                    applications):
    """The auto-detected conflict also covers a reviewer who is an applicant member."""
    member = applicant_member(applications[0])
    from accounts.models import Role, UserRole
    member.role_rows.append(UserRole(role=Role.reviewer))
    db_session.flush()
    operations.add_member(panel, member, staff)
    operations.auto_assign(panel, staff)
    assert db_session.scalar(select(ReviewAssignment).where(
        ReviewAssignment.reviewer_id == member.id,
        ReviewAssignment.application_id == applications[0].id)) is None
