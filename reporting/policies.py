"""Who may read the programme's reports.

Staff (administrators count as staff), finance officers and donors read the dashboards and
download the donor workbook. The workbook's variant that names participants (names and
emails) is personal data: staff only. Publication settings are staff's to change. The
portal and the open data are public.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from accounts.policies import is_staff
from accounts.states import Role
from core.access import ALLOW, Decision


def _has_role(user, *roles: Role) -> bool:
    return bool(user and user.is_authenticated and user.has_role(*roles))


def can_view_reports(user) -> Decision:
    """Dashboards and the donor workbook (anonymised)."""
    if is_staff(user) or _has_role(user, Role.finance, Role.donor):
        return ALLOW
    return False, str(_l("Only programme staff, finance officers and donors can see reports."))


def can_download_named_participants(user) -> Decision:
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only programme staff can download the names of participants."))


def can_view_portal(user) -> Decision:
    """The funded projects are public: everyone, signed in or not."""
    return ALLOW


def can_manage_publication(user) -> Decision:
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only programme staff can decide what is published."))


def can_export_open_data(user) -> Decision:
    """The open data of one fund and period, made for staff on request (the public files
    are always of every period)."""
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only programme staff can make open data exports."))
