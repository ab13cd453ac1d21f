"""Who may do what with events, people and attendance.

Every function returns ``(allowed, reason)``. Events, people and attendance are managed by
programme staff and administrators only: the people records hold personal data.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from accounts.policies import is_staff
from core.access import ALLOW, Decision


def can_manage_events(user) -> Decision:
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only programme staff can manage events."))


def can_view_people(user) -> Decision:
    """Names, emails, sex and ages of participants: personal data, staff only."""
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only programme staff can see the people who attend events."))


def can_import_attendance(user) -> Decision:
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only programme staff can import attendance."))


def can_merge_people(user) -> Decision:
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only programme staff can merge people."))


def can_erase_people(user) -> Decision:
    """Erasing a person's personal data at their request: staff."""
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only programme staff can erase people's personal data."))
