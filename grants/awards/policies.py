"""Who may do what with grant agreements and their disbursement ledger.

Programme staff (administrators count as staff) issue and manage awards and request
disbursements. Users with the finance role approve or reject requests, record payments,
cancel unpaid requests and record reversals; nobody approves or rejects a request they made
themselves (maker-checker: the operations enforce it too). Nobody, whatever their roles,
issues, signs, changes or acts on the money of an award to an organisation they belong to, as
grantee or as counterpart (``grants.applications.policies.check_disinterested``). Members of
the grantee organisation see their own award, read-only. Donors and everyone else see nothing
here.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from accounts.policies import is_staff
from accounts.states import Role
from core import contributions
from core.access import ALLOW, Decision
from core.policies import signed_in
from grants.applications.policies import check_disinterested


def is_finance(user) -> bool:
    return signed_in(user) and user.has_role(Role.finance)


def is_grantee_member(user, award) -> bool:
    """Whether ``user`` belongs to the organisation the award was made to."""
    if not signed_in(user):
        return False
    organisation_id = award.application.organisation_id
    return any(membership.organisation_id == organisation_id
               for membership in user.memberships)


# Awards ------------------------------------------------------------------------------------

def can_list_awards(user) -> Decision:
    if is_staff(user) or is_finance(user):
        return ALLOW
    return False, str(_l("Only programme staff and finance can see every award."))


def can_manage_awards(user, award=None) -> Decision:
    """Issue an award, change it while it waits for signature, record the signature,
    suspend, resume or terminate it (never for one's own organisation)."""
    if not is_staff(user):
        return False, str(_l("Only programme staff can manage grant agreements."))
    if award is not None:
        return check_disinterested(user, award.application)
    return ALLOW


@contributions.provide("application.can_issue_award")
def can_issue_award(user, application) -> Decision:
    """Issue the grant agreement of an awarded application."""
    allowed, reason = can_manage_awards(user)
    if not allowed:
        return allowed, reason
    return check_disinterested(user, application)


def can_view_award(user, award) -> Decision:
    if is_staff(user) or is_finance(user) or is_grantee_member(user, award):
        return ALLOW
    return False, str(_l("You cannot see this award."))


def can_download_agreement(user, award) -> Decision:
    return can_view_award(user, award)


# Disbursements -----------------------------------------------------------------------------

def can_request_disbursement(user, award=None) -> Decision:
    if not is_staff(user):
        return False, str(_l("Only programme staff can request a disbursement."))
    if award is not None:
        return check_disinterested(user, award.application)
    return ALLOW


def is_finance_user(user) -> Decision:
    if is_finance(user):
        return ALLOW
    return False, str(_l("Only finance can do this."))


def _finance_acting_on(user, disbursement) -> Decision:
    """Finance, and never on the money of an organisation they belong to."""
    allowed, reason = is_finance_user(user)
    if not allowed or disbursement is None:
        return allowed, reason
    return check_disinterested(user, disbursement.award.application)


def can_decide_disbursement(user, disbursement=None) -> Decision:
    """Approve or reject a request: finance, and never the person who requested it."""
    allowed, reason = _finance_acting_on(user, disbursement)
    if not allowed:
        return allowed, reason
    if disbursement is not None and disbursement.requested_by_id == user.id:
        return False, str(_l("You requested this disbursement: another finance user must "
                             "approve or reject it."))
    return ALLOW


def can_record_payment(user, disbursement=None) -> Decision:
    return _finance_acting_on(user, disbursement)


def can_cancel_disbursement(user, disbursement=None) -> Decision:
    return _finance_acting_on(user, disbursement)


def can_reverse_disbursement(user, disbursement=None) -> Decision:
    return _finance_acting_on(user, disbursement)


def can_view_finance_queue(user) -> Decision:
    if is_finance(user) or is_staff(user):
        return ALLOW
    return False, str(_l("Only finance and programme staff can see the payments queue."))


def is_finance_nav(user) -> Decision:
    """The "Payments" menu entry is for finance (staff reach the page from the awards)."""
    return is_finance_user(user)
