"""Who may do what with the forum, its meetings and the repository.

Every function returns ``(allowed, reason)``. The forum page, published meetings and the
repository are public; programme staff (and administrators) write them and also see the
meetings not yet published.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from accounts.policies import is_staff
from core.access import ALLOW, Decision


def can_browse(user) -> Decision:
    """The forum page and the repository: everyone, signed in or not."""
    return ALLOW


def can_view_meeting(user, meeting) -> Decision:
    if meeting.is_published or is_staff(user):
        return ALLOW
    return False, str(_l("This meeting is not published yet."))


def can_manage(user) -> Decision:
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only programme staff can change the forum."))
