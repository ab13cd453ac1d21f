"""Who may do what with action plans and their commitments.

Every function returns ``(allowed, reason)``. Published plans are public; programme staff
(and administrators) write them and also see the plans not yet published.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from accounts.policies import is_staff
from core.access import ALLOW, Decision


def can_browse(user) -> Decision:
    """The public list of action plans: everyone, signed in or not."""
    return ALLOW


def can_view_plan(user, plan) -> Decision:
    if plan.is_public or is_staff(user):
        return ALLOW
    return False, str(_l("This action plan is not published yet."))


def can_manage(user) -> Decision:
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only programme staff can change action plans."))
