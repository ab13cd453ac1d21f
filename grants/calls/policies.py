"""Who may do what with funds and calls."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from accounts.policies import is_staff
from core.access import ALLOW, Decision


def can_manage_calls(user) -> Decision:
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only programme staff can manage funds and calls."))


def can_browse_calls(user) -> Decision:
    """The list of calls is public: everyone, signed in or not, may read it."""
    return ALLOW


def can_view_call(user, call) -> Decision:
    """Staff see every call; everyone else sees calls once they have been published (and
    afterwards: closed, in review, decided and archived calls stay readable)."""
    from grants.calls.states import CallState

    if is_staff(user) or call.state != CallState.draft:
        return ALLOW
    return False, str(_l("This call has not been published."))
