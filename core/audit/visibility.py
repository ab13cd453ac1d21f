"""Which audit entries a reader may see in full.

The audit log belongs to the platform, but whether an entry may be shown depends on rules of
the packages that wrote it (a reviewer's scores are hidden from anyone with a conflict of
interest with the application). Those packages register a redactor here, as they register
menu entries; the log's pages ask every registered redactor before showing a page of entries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Blueprint, current_app

from core.audit.models import AuditEntry

#: (entries, reader) -> {entry id: the reason shown instead of the entry's summary and data}
Redactor = Callable[[list[AuditEntry], object], dict[int, str]]

EXTENSION_KEY = "audit_redactors"


def register(blueprint: Blueprint, redactor: Redactor) -> None:
    """Ask ``redactor`` about every page of audit entries once ``blueprint`` is registered."""

    @blueprint.record_once
    def _add_redactor(state):
        redactors = state.app.extensions.setdefault(EXTENSION_KEY, [])
        if redactor not in redactors:
            redactors.append(redactor)


def redactions(entries: Iterable[AuditEntry], reader) -> dict[int, str]:
    """{entry id: reason} for the entries ``reader`` may not read in full. Each redactor
    looks at the whole page at once, so a page costs a few queries, not one per entry."""
    entries = list(entries)
    hidden: dict[int, str] = {}
    if not entries:
        return hidden
    for redactor in current_app.extensions.get(EXTENSION_KEY, []):
        for entry_id, reason in redactor(entries, reader).items():
            hidden.setdefault(entry_id, reason)
    return hidden
