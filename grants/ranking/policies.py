"""Who may rank, decide, lock and export for a review panel.

Programme staff (administrators count as staff) may do everything. The panel's chair, a
reviewer, may read the ranking and the progress page, record decisions and choose the feedback
sent to applicants. Locking, unlocking and the scores workbook (which names the reviewers) are
for staff only. Krippendorff's alpha is shown to staff.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accounts.policies import is_staff
from core import contributions
from core.access import ALLOW, Decision
from core.extensions import db
from grants.applications.policies import check_disinterested
from grants.reviews.conflicts import can_see_assessment
from grants.reviews.models import Panel


def is_chair(user, panel) -> bool:
    return bool(user and user.is_authenticated and panel.chair_id is not None
                and panel.chair_id == user.id)


def _staff_or_chair(user, panel, message) -> Decision:
    if is_staff(user) or is_chair(user, panel):
        return ALLOW
    return False, str(message)


def can_view_ranking(user, panel) -> Decision:
    return _staff_or_chair(user, panel, _l("Only programme staff and the panel's chair can "
                                           "see the ranking."))


def can_decide(user, panel) -> Decision:
    return _staff_or_chair(user, panel, _l("Only programme staff and the panel's chair can "
                                           "record decisions."))


def can_choose_feedback(user, panel) -> Decision:
    return _staff_or_chair(user, panel, _l("Only programme staff and the panel's chair can "
                                           "choose the feedback sent to applicants."))


def can_view_progress(user, panel) -> Decision:
    return _staff_or_chair(user, panel, _l("Only programme staff and the panel's chair can "
                                           "follow the reviews' progress."))


def can_lock(user, panel=None) -> Decision:
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only programme staff can lock a panel."))


def can_unlock(user, panel=None) -> Decision:
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only programme staff can unlock a panel."))


def can_export_scores(user, panel=None) -> Decision:
    """The workbook names every reviewer beside their scores: staff only."""
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only programme staff can download the scores."))


def can_see_agreement(user, panel=None) -> Decision:
    """Krippendorff's alpha describes the reviewers as a group; it is staff's tool."""
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only programme staff can see the reviewers' agreement."))


@contributions.provide("application.can_decide")
def can_decide_application(user, application) -> Decision:
    """Whether ``user`` may award, waitlist or decline ``application``: staff, or the chair of
    the panel of the application's call, never for an organisation they belong to. Meant for
    the application workflow's decision transitions (``grants/applications/states.py``)."""
    allowed, reason = check_disinterested(user, application)
    if not allowed:
        return allowed, reason
    if is_staff(user):
        return ALLOW
    if user and user.is_authenticated:
        chair_id = db.session.scalar(select(Panel.chair_id).where(
            Panel.call_id == application.call_id))
        if chair_id is not None and chair_id == user.id:
            return ALLOW
    return False, str(_l("Only programme staff and the panel's chair can decide on "
                         "applications."))


def can_see_scores_of(user, panel, application) -> Decision:
    """Nobody sees the scores or reviews of an application they have a conflict of interest
    with (declared, or through membership of the applicant or counterpart organisation): the
    one rule of ``grants.reviews.conflicts.can_see_assessment``."""
    return can_see_assessment(user, application)
