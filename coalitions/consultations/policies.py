"""Who may do what in a consultation.

Every function returns ``(allowed, reason)``. Reading is public; taking part (proposing,
commenting, supporting) needs an account with a confirmed email while the consultation is
open; programme staff open consultations, moderate and respond.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from accounts.policies import is_staff
from coalitions.consultations.states import Phase, phase_at
from core.access import ALLOW, Decision
from core.policies import signed_in
from core.timeutil import to_programme_time, utcnow


def can_browse(user) -> Decision:
    """Consultations, proposals and comments: everyone, signed in or not."""
    return ALLOW


def can_manage(user) -> Decision:
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only programme staff can open and change consultations."))


def can_moderate(user) -> Decision:
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only the programme's moderators can hide contributions."))


def can_respond(user) -> Decision:
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only the forum's secretariat can respond to proposals."))


def has_confirmed_account(user) -> Decision:
    if not signed_in(user):
        return False, str(_l("Sign in to take part."))
    if not user.is_confirmed:
        return False, str(_l("Confirm your email address to take part: follow the link we "
                             "sent you."))
    return ALLOW


def can_take_part(user, consultation, now: datetime | None = None) -> Decision:
    """Proposing, commenting and supporting: a confirmed account, while it is open."""
    allowed, reason = has_confirmed_account(user)
    if not allowed:
        return allowed, reason
    return is_open(consultation, now)


def is_open(consultation, now: datetime | None = None) -> Decision:
    phase = phase_at(consultation, now or utcnow())
    if phase == Phase.upcoming:
        return False, str(_l("This consultation opens on %(moment)s: proposals, comments and "
                             "supports are accepted from then.",
                             moment=_moment(consultation.opens_at)))
    if phase == Phase.closed:
        return False, str(_l("This consultation closed on %(moment)s: proposals, comments and "
                             "supports are no longer accepted.",
                             moment=_moment(consultation.closes_at)))
    return ALLOW


def can_report(user) -> Decision:
    """Reporting abuse: any confirmed account, whatever the phase."""
    return has_confirmed_account(user)


def can_view_summary(user, consultation) -> Decision:
    """"What we heard": public once published, staff before."""
    if consultation.summary_published_at is not None or is_staff(user):
        return ALLOW
    return False, str(_l("What we heard is not published yet."))


def _moment(value: datetime) -> str:
    return to_programme_time(value).strftime("%Y-%m-%d %H:%M")
