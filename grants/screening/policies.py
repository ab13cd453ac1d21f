"""Who may screen applications."""

from __future__ import annotations

from core.access import Decision
from grants.applications import policies as application_policies


def can_screen(user, application=None) -> Decision:
    """Programme staff screen applications (the rule lives with the application workflow),
    never those of an organisation they belong to."""
    return application_policies.can_screen(user, application)


def can_view_screening(user, application=None) -> Decision:
    """The checklist and its recorded outcome are staff's working notes (readable by staff
    who may not screen this application themselves)."""
    return application_policies.can_screen(user)
