"""Who may do what with endorsements.

Answering through the emailed link needs no account: the link itself is the permission, so
the public page has no policy function; the token is checked by the operations.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from accounts.policies import is_staff
from core import contributions
from core.access import ALLOW, Decision
from grants.applications.policies import can_view, check_disinterested, is_applicant_member


@contributions.provide("application.can_resend_endorsement")
def can_resend(user, application) -> Decision:
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only programme staff can send the endorsement link again."))


@contributions.provide("application.can_record_paper_endorsement")
def can_record_paper(user, application) -> Decision:
    """Staff record a letter received on paper, unless they belong to the applicant or the
    counterpart organisation (the letter is the counterpart's word)."""
    if not is_staff(user):
        return False, str(_l("Only programme staff can record an endorsement received on "
                             "paper."))
    return check_disinterested(user, application)


def can_request_early(user, application) -> Decision:
    """Members of the applicant organisation may ask for the counterpart's endorsement before
    they submit (submission asks for it anyway)."""
    return is_applicant_member(user, application)


def can_view_status(user, application) -> Decision:
    """The endorsement's status is shown to the applicant's members and to staff."""
    return can_view(user, application)


def can_download_letter(user, application) -> Decision:
    return can_view(user, application)
