"""Who may do what with coalitions.

Every function returns ``(allowed, reason)``. Coalitions are tracked by programme staff (and
administrators); nobody else sees these pages.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from accounts.policies import is_staff
from core.access import ALLOW, Decision


def can_list(user) -> Decision:
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only programme staff can see the coalitions."))


def can_view(user, coalition=None) -> Decision:
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only programme staff can see the coalitions."))


def can_manage(user, coalition=None) -> Decision:
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only programme staff can change coalitions."))
