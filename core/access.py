"""Enforcing policy decisions in views.

Policies (``<package>/policies.py``) return ``(allowed, reason)``. Views pass the decision to
``require``: an anonymous visitor is sent to sign in, a signed-in user gets 403.
"""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user

from core.extensions import login_manager

Decision = tuple[bool, str]

ALLOW: Decision = (True, "")


def require(decision: Decision) -> None:
    allowed, _reason = decision
    if allowed:
        return
    if not current_user.is_authenticated:
        # Flask-Login's unauthorised handler redirects to the sign-in page with ?next=.
        abort(login_manager.unauthorized())
    abort(403)


def policy_required(policy):
    """Decorate a view whose policy needs only the current user."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            require(policy(current_user))
            return view(*args, **kwargs)

        # Read by core.components.may_open, so links to the view follow the same rule.
        wrapper.policy = policy
        return wrapper

    return decorator
