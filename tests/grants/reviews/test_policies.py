from __future__ import annotations

from flask_login import AnonymousUserMixin

from grants.reviews import operations
from grants.reviews.policies import (
    can_declare_conflict,
    can_decline,
    can_manage_panels,
    can_review,
    can_see_reviews,
    can_view_assignment,
    is_panel_member,
    is_reviewer,
    may_see_reviewer_names,
)


def allowed(decision) -> bool:
    return decision[0]


def test_panels_are_managed_by_staff(factories):
    assert allowed(can_manage_panels(factories.user(roles=("staff",))))
    assert allowed(can_manage_panels(factories.user(roles=("admin",))))
    for role in ("reviewer", "applicant", "donor", "finance"):
        assert not allowed(can_manage_panels(factories.user(roles=(role,))))
    assert not allowed(can_manage_panels(AnonymousUserMixin()))


def test_the_workspace_is_for_reviewers(factories):
    assert allowed(is_reviewer(factories.user(roles=("reviewer",))))
    assert not allowed(is_reviewer(factories.user(roles=("staff",))))
    assert not allowed(is_reviewer(AnonymousUserMixin()))


def test_members_and_the_chair_belong_to_the_panel(panel, reviewers, staff, factories):
    assert allowed(is_panel_member(reviewers[0], panel))
    assert not allowed(is_panel_member(staff, panel))
    assert not allowed(is_panel_member(factories.user(roles=("reviewer",)), panel))
    assert not allowed(is_panel_member(AnonymousUserMixin(), panel))
    assert allowed(can_declare_conflict(reviewers[0], panel))
    panel.is_locked = True
    assert not allowed(can_declare_conflict(reviewers[0], panel))


def test_only_the_assigned_unconflicted_reviewer_reviews_until_locked(factories, assignment,
                                                                      reviewers, staff):
    reviewer = reviewers[0]
    assert allowed(can_review(reviewer, assignment))
    assert allowed(can_decline(reviewer, assignment))
    for other in (reviewers[1], staff, AnonymousUserMixin()):
        assert not allowed(can_review(other, assignment))
        assert not allowed(can_view_assignment(other, assignment))
    assignment.panel.is_locked = True
    decision = can_review(reviewer, assignment)
    assert not allowed(decision) and "locked" in decision[1]
    assert allowed(can_view_assignment(reviewer, assignment))  # read-only
    assert not allowed(can_decline(reviewer, assignment))
    assignment.panel.is_locked = False
    factories.member(assignment.application.organisation, reviewer)
    assert not allowed(can_view_assignment(reviewer, assignment))
    assert not allowed(can_review(reviewer, assignment))


def test_a_submitted_review_can_no_longer_be_declined(assignment, submit_review):
    submit_review(assignment)
    decision = can_decline(assignment.reviewer, assignment)
    assert not allowed(decision) and "declined" in decision[1]


def test_reviewers_see_the_other_reviews_after_submitting_their_own(
        panel, staff, applications, reviewers, submit_review):
    application = applications[0]
    first = operations.assign(panel, application, reviewers[0], staff)
    operations.assign(panel, application, reviewers[1], staff)
    assert not allowed(can_see_reviews(reviewers[0], application, panel))
    operations.save_review(first, reviewers[0], scores={}, comments={}, overall_comment="",
                           recommendation=None, confidence=None, submit=False)
    assert not allowed(can_see_reviews(reviewers[0], application, panel))  # a draft
    submit_review(first)
    assert allowed(can_see_reviews(reviewers[0], application, panel))
    assert not allowed(can_see_reviews(reviewers[1], application, panel))
    assert not allowed(can_see_reviews(reviewers[2], application, panel))  # not assigned
    # Submitting a review of another application gives nothing here.
    assert not allowed(can_see_reviews(reviewers[0], applications[1], panel))


def test_staff_and_the_chair_see_reviews_unless_conflicted(factories, panel, staff,
                                                           applications, reviewers):
    application = applications[0]
    operations.set_chair(panel, reviewers[3], staff)
    assert allowed(can_see_reviews(staff, application, panel))
    assert allowed(can_see_reviews(reviewers[3], application, panel))
    assert may_see_reviewer_names(staff, panel)
    assert may_see_reviewer_names(reviewers[3], panel)
    assert not may_see_reviewer_names(reviewers[0], panel)
    factories.member(application.counterpart, reviewers[3])
    factories.member(application.organisation, staff)
    assert not allowed(can_see_reviews(reviewers[3], application, panel))
    assert not allowed(can_see_reviews(staff, application, panel))
    assert allowed(can_see_reviews(reviewers[3], applications[1], panel))


def test_a_reviewer_who_declares_a_conflict_after_submitting_loses_sight(
        assignment, reviewers, submit_review):
    submit_review(assignment)
    application, panel = assignment.application, assignment.panel
    assert allowed(can_see_reviews(reviewers[0], application, panel))
    operations.declare_conflict(panel, reviewers[0], application=application,
                                reason="I learnt that my cousin works there.")
    assert not allowed(can_see_reviews(reviewers[0], application, panel))
    assert not allowed(can_review(reviewers[0], assignment))


def test_applicants_never_see_reviews(panel, applications, factories):
    from tests.fixtures.applications import applicant_member
    member = applicant_member(applications[0])
    assert not allowed(can_see_reviews(member, applications[0], panel))
