"""Who may see the indicators and the lists behind them.

Programme staff (administrators count as staff) and donors see every number, and the lists
of events, organisations and grants behind them. Lists of people (names) are personal data:
staff only.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from accounts.policies import is_staff
from accounts.states import Role
from core.access import ALLOW, Decision

#: Lists that name people.
PERSONAL_METRICS = frozenset({"participants"})


def _is_donor(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(Role.donor))


def can_view_indicators(user) -> Decision:
    if is_staff(user) or _is_donor(user):
        return ALLOW
    return False, str(_l("Only programme staff and donors can see the indicators."))


def can_view_people(user) -> Decision:
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only programme staff can see the people behind the numbers."))


def can_view_detail(user, metric: str) -> Decision:
    allowed, reason = can_view_indicators(user)
    if not allowed:
        return allowed, reason
    if metric in PERSONAL_METRICS:
        return can_view_people(user)
    return ALLOW
