"""Who may do what in the organisations directory.

Every function returns ``(allowed, reason)``. Programme staff and administrators may do
everything; owners manage their own organisation; members may see it.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from accounts.organisations.models import Organisation, OrganisationInvitation
from accounts.organisations.states import MemberRole
from accounts.policies import is_signed_in, is_staff
from core.access import ALLOW, Decision
from core.policies import signed_in


def _member_role(user, org: Organisation) -> MemberRole | None:
    if not signed_in(user) or org is None:
        return None
    return org.member_role(user)


def can_list_directory(user) -> Decision:
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only programme staff can browse the organisations directory."))


def can_create(user) -> Decision:
    allowed, _reason = is_signed_in(user)
    if allowed:
        return ALLOW
    return False, str(_l("Sign in to add an organisation."))


def can_view(user, org: Organisation) -> Decision:
    if is_staff(user) or _member_role(user, org) is not None:
        return ALLOW
    return False, str(_l("Only the organisation's members and programme staff can see it."))


def can_edit(user, org: Organisation) -> Decision:
    if is_staff(user) or _member_role(user, org) is MemberRole.owner:
        return ALLOW
    return False, str(_l("Only the organisation's owners and programme staff can change it."))


def can_verify(user) -> Decision:
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only programme staff can verify organisations."))


def can_manage_members(user, org: Organisation) -> Decision:
    if is_staff(user) or _member_role(user, org) is MemberRole.owner:
        return ALLOW
    return False, str(_l("Only the organisation's owners and programme staff can manage "
                         "its members."))


def can_merge(user) -> Decision:
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only programme staff can merge organisations."))


def can_answer_invitation(user, invitation: OrganisationInvitation) -> Decision:
    """Only the invited person answers: signed in as the (confirmed) account with the invited
    address. Staff and the organisation's owners cannot answer for them."""
    if (signed_in(user) and user.is_confirmed
            and user.email.strip().lower() == invitation.email):
        return ALLOW
    return False, str(_l("This invitation is for another email address. Sign in as the "
                         "person it was sent to."))
