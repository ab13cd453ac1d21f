"""Who may do what with review panels, assignments and reviews.

Conflicts of interest override every role: a conflicted reviewer, chair or staff member
cannot open, review or see the reviews of the application they are conflicted with.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from accounts.policies import is_staff
from accounts.states import Role
from core.access import ALLOW, Decision
from core.extensions import db
from core.policies import signed_in
from grants.reviews.conflicts import is_conflicted
from grants.reviews.models import PanelMember, Review, ReviewAssignment
from grants.reviews.states import AssignmentState, ReviewState


def _refuse(message) -> Decision:
    return False, str(message)


def can_manage_panels(user) -> Decision:
    if is_staff(user):
        return ALLOW
    return _refuse(_l("Only programme staff can manage review panels."))


def is_reviewer(user) -> Decision:
    """Users holding the reviewer role have a reviewing workspace."""
    if signed_in(user) and user.has_role(Role.reviewer):
        return ALLOW
    return _refuse(_l("Only reviewers have a reviewing workspace."))


def is_panel_member(user, panel) -> Decision:
    """A member of the panel (the chair is one too)."""
    if not signed_in(user):
        return _refuse(_l("Sign in first."))
    if panel.chair_id == user.id or db.session.scalar(select(exists().where(
            PanelMember.panel_id == panel.id, PanelMember.user_id == user.id))):
        return ALLOW
    return _refuse(_l("Only members of this review panel can do this."))


def is_chair(user, panel) -> bool:
    return signed_in(user) and panel.chair_id is not None and panel.chair_id == user.id


def _unlocked(panel) -> Decision:
    if panel.is_locked:
        return _refuse(_l("The panel is locked: reviews can no longer be changed."))
    return ALLOW


def can_view_assignment(user, assignment: ReviewAssignment) -> Decision:
    """The assignment's reviewer opens the application and their own review (read-only once
    the panel is locked), unless they declined it or are conflicted."""
    if not signed_in(user) or assignment.reviewer_id != user.id:
        return _refuse(_l("This review is assigned to someone else."))
    if assignment.state != AssignmentState.assigned:
        return _refuse(_l("You declined this assignment."))
    if is_conflicted(assignment.panel, user, assignment.application):
        return _refuse(_l("You have a conflict of interest with this application."))
    return ALLOW


def can_review(user, assignment: ReviewAssignment) -> Decision:
    """Write or revise the review: the assignment's reviewer, not conflicted, panel not
    locked; and a submitted review whose reviewer has read colleagues' reviews only during
    the panel's discussion phase."""
    allowed, reason = can_view_assignment(user, assignment)
    if not allowed:
        return allowed, reason
    allowed, reason = _unlocked(assignment.panel)
    if not allowed:
        return allowed, reason
    return independence_allows_revision(assignment)


def independence_allows_revision(assignment: ReviewAssignment) -> Decision:
    """Review independence: after reading colleagues' reviews of the application, a reviewer
    revises their submitted review only while the panel discusses (the revision is then
    shown to staff beside the earlier scores)."""
    review = assignment.review
    if (review is not None and review.state == ReviewState.submitted
            and assignment.colleagues_seen_at is not None
            and assignment.panel.discussion_opened_at is None):
        return _refuse(_l("You have read your colleagues' reviews of this application, so "
                          "your review can no longer be revised, unless the panel opens a "
                          "discussion phase."))
    return ALLOW


def can_run_discussion(user, panel) -> Decision:
    """Programme staff and the panel's chair open and close the discussion phase."""
    if is_staff(user) or is_chair(user, panel):
        return ALLOW
    return _refuse(_l("Only programme staff and the panel's chair can open or close the "
                      "discussion."))


def can_resolve_late_conflict(user, panel, application) -> Decision:
    """Programme staff decide on a review whose reviewer became conflicted after writing it,
    unless they are conflicted with the application themselves."""
    if not is_staff(user):
        return _refuse(_l("Only programme staff can decide on a conflict that arose after a "
                          "review."))
    if is_conflicted(panel, user, application):
        return _refuse(_l("You have a conflict of interest with this application."))
    return ALLOW


def can_decline(user, assignment: ReviewAssignment) -> Decision:
    """The reviewer may decline an assignment while no review of it has been submitted."""
    if not signed_in(user) or assignment.reviewer_id != user.id:
        return _refuse(_l("This review is assigned to someone else."))
    if assignment.state != AssignmentState.assigned:
        return _refuse(_l("You declined this assignment."))
    allowed, reason = _unlocked(assignment.panel)
    if not allowed:
        return allowed, reason
    review = assignment.review
    if review is not None and review.state == ReviewState.submitted:
        return _refuse(_l("You have submitted your review: it can be revised but no longer "
                          "declined."))
    return ALLOW


def has_submitted_review(user, application, panel) -> bool:
    return bool(db.session.scalar(select(exists().where(
        ReviewAssignment.panel_id == panel.id,
        ReviewAssignment.application_id == application.id,
        ReviewAssignment.reviewer_id == user.id,
        ReviewAssignment.state == AssignmentState.assigned,
        Review.assignment_id == ReviewAssignment.id,
        Review.state == ReviewState.submitted))))


def can_see_reviews(user, application, panel) -> Decision:
    """The reviews of an application: staff and the chair see them, a reviewer only after
    submitting their own review of it; nobody who is conflicted with it."""
    if not signed_in(user):
        return _refuse(_l("Sign in first."))
    if application.call_id != panel.call_id:
        return _refuse(_l("This application is not reviewed by this panel."))
    privileged = is_staff(user) or is_chair(user, panel)
    if not privileged and not has_submitted_review(user, application, panel):
        return _refuse(_l("Submit your own review of this application to see the others."))
    if is_conflicted(panel, user, application):
        return _refuse(_l("You have a conflict of interest with this application."))
    return ALLOW


def may_see_reviewer_names(user, panel) -> bool:
    """Staff and the chair see who wrote each review; other reviewers see numbers."""
    return is_staff(user) or is_chair(user, panel)


def can_declare_conflict(user, panel) -> Decision:
    allowed, reason = is_panel_member(user, panel)
    if not allowed:
        return allowed, reason
    if panel.is_locked:
        return _refuse(_l("The panel is locked: ask the programme team to record the "
                          "conflict."))
    return ALLOW
