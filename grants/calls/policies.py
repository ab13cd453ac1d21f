"""Who may do what with funds and calls."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from accounts.policies import is_staff
from core.access import ALLOW, Decision


def can_manage_calls(user) -> Decision:
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only programme staff can manage funds and calls."))
