"""Who may read and write the results framework. Every function returns
``(allowed, reason)``: donors and staff read it (as they read the reports), staff write it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from accounts.policies import is_staff
from core.access import ALLOW, Decision
from reporting.policies import can_view_reports


def can_view_results(user) -> Decision:
    """The logframe and its results against targets: whoever may read the reports."""
    return can_view_reports(user)


def can_manage_results(user) -> Decision:
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only programme staff can change the results framework."))
