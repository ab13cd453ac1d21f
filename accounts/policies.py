"""Who may do what with accounts and users."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from accounts.states import Role
from core.access import ALLOW, Decision
from core.policies import signed_in


def is_signed_in(user) -> Decision:
    return ALLOW if signed_in(user) else (False, str(_l("Sign in first.")))


def is_applicant(user) -> Decision:
    """Applicants (and grantees) get their own menu entries; other roles reach those pages
    from their work."""
    if signed_in(user) and user.has_role(Role.applicant):
        return ALLOW
    return False, str(_l("This page is for applicants."))


def is_staff(user) -> bool:
    return signed_in(user) and user.has_role(Role.staff, Role.admin)


def can_manage_users(user) -> Decision:
    if signed_in(user) and user.has_role(Role.admin):
        return ALLOW
    return False, str(_l("Only administrators can manage users."))


def can_disable(actor, target) -> Decision:
    allowed, reason = can_manage_users(actor)
    if not allowed:
        return allowed, reason
    if actor.id == target.id:
        return False, str(_l("You cannot disable your own account."))
    return ALLOW


def may_apply(user) -> Decision:
    """Visitors and applicants: the people the open calls are for."""
    if not signed_in(user) or user.has_role(Role.applicant):
        return ALLOW
    return False, str(_l("This is for applicants."))


def is_staff_reader(user) -> Decision:
    """Programme staff and administrators, whose home page shows the programme's work."""
    if is_staff(user):
        return ALLOW
    return False, str(_l("This is for programme staff."))
