"""Who may use the platform pages (audit log, outbox); whether a user is signed in."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.access import Decision


def signed_in(user) -> bool:
    """Whether ``user`` is a signed-in account (not None, not the anonymous user)."""
    return bool(user and user.is_authenticated)


def _has_role(user, *roles: str) -> bool:
    return signed_in(user) and user.has_role(*roles)


def can_view_audit_log(user) -> Decision:
    if _has_role(user, "staff", "admin"):
        return True, ""
    return False, str(_l("Only programme staff can read the audit log."))


def can_manage_outbox(user) -> Decision:
    if _has_role(user, "admin"):
        return True, ""
    return False, str(_l("Only administrators can see the outbox."))
