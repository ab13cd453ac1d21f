"""Who may see the open data: everyone. It holds only what staff published, and 360Giving
data is meant to be read and reused by anyone."""

from __future__ import annotations

from core.access import ALLOW, Decision


def can_view_open_data(user) -> Decision:
    return ALLOW
