"""Who may do what with applications."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from accounts.organisations.states import Sector
from accounts.policies import is_staff
from accounts.states import Role
from core.access import ALLOW, Decision
from grants.applications.states import ApplicationState


def _member_of(user, organisation_id: int) -> bool:
    if not (user and user.is_authenticated):
        return False
    return any(membership.organisation_id == organisation_id
               for membership in user.memberships)


def is_applicant_member(user, application) -> Decision:
    """A member of the applicant organisation acts for it."""
    if _member_of(user, application.organisation_id):
        return ALLOW
    return False, str(_l("Only members of the applicant organisation can do this."))


def _finance_reading(user, application) -> bool:
    """Finance read (never edit) the awarded applications whose money they approve and pay."""
    return bool(user and user.is_authenticated and user.has_role(Role.finance)
                and application.state == ApplicationState.awarded)


def can_view(user, application) -> Decision:
    if is_staff(user) or _member_of(user, application.organisation_id) \
            or _finance_reading(user, application):
        return ALLOW
    return False, str(_l("You cannot see this application."))


def can_edit(user, application) -> Decision:
    allowed, reason = is_applicant_member(user, application)
    if not allowed:
        return allowed, reason
    if not application.is_editable:
        return False, str(_l("A submitted application can no longer be changed."))
    return ALLOW


def can_start(user, organisation) -> Decision:
    """Members of a civil-society organisation apply on its behalf."""
    if not _member_of(user, organisation.id):
        return False, str(_l("Only members of the organisation can apply for it."))
    if organisation.sector != Sector.civil_society:
        return False, str(_l("Only civil-society organisations can apply to this call."))
    return ALLOW


def can_list_all(user) -> Decision:
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only programme staff can see every application."))


def can_screen(user, application=None) -> Decision:
    if not is_staff(user):
        return False, str(_l("Only programme staff can screen applications."))
    if application is not None:
        return check_disinterested(user, application)
    return ALLOW


# Separation of duties ------------------------------------------------------------------------
# One rule for every decision about an application and the money that follows it (screening,
# decisions, paper endorsements, agreements, disbursements, reports, close-out): nobody acts
# for an application of an organisation they belong to, as applicant or as counterpart,
# whatever their roles.

def interested_organisation_ids(user) -> frozenset[int]:
    """The organisations ``user`` belongs to (loaded once per request with the user)."""
    if not (user and user.is_authenticated):
        return frozenset()
    return frozenset(membership.organisation_id for membership in user.memberships)


def has_interest(user, application) -> bool:
    """Whether ``user`` belongs to the applicant or the counterpart organisation."""
    organisations = interested_organisation_ids(user)
    return (application.organisation_id in organisations
            or application.counterpart_organisation_id in organisations)


def check_disinterested(user, application) -> Decision:
    """Refuse anyone who belongs to the applicant or counterpart organisation of
    ``application``; the reason is shown beside the disabled button."""
    organisations = interested_organisation_ids(user)
    if application.organisation_id in organisations:
        return False, str(_l("You belong to the applicant organisation: someone else must "
                             "do this."))
    if application.counterpart_organisation_id in organisations:
        return False, str(_l("You belong to the counterpart organisation: someone else must "
                             "do this."))
    return ALLOW
