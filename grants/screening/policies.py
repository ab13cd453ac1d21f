"""Who may screen applications."""

from __future__ import annotations

from core.access import Decision
from grants.applications import policies as application_policies


def can_screen(user, application=None) -> Decision:
    """Programme staff screen applications (the rule lives with the application workflow)."""
    return application_policies.can_screen(user, application)


def can_view_screening(user, application=None) -> Decision:
    """The checklist and its recorded outcome are staff's working notes."""
    return application_policies.can_screen(user, application)
