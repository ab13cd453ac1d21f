"""Audit entries about an application are hidden from readers conflicted with it.

Review entries carry the scores, decision entries the rationale and the score at decision:
a reader with a conflict of interest with the application (``conflicts.can_see_assessment``)
sees who did what and when, not what was written. Registered with ``core.audit.visibility``.
"""

from __future__ import annotations

from sqlalchemy import select

from core.audit.models import AuditEntry
from core.extensions import db
from grants.applications.models import Application
from grants.reviews.conflicts import CONFLICT_REASON, viewer_conflicts
from grants.reviews.models import Decision, Review, ReviewAssignment

#: Object types (tables) whose rows belong to one application: how to find it.
_APPLICATION_OF = {
    "reviews": (select(Review.id, ReviewAssignment.application_id)
                .join(ReviewAssignment, ReviewAssignment.id == Review.assignment_id), Review.id),
    "review_assignments": (select(ReviewAssignment.id, ReviewAssignment.application_id),
                           ReviewAssignment.id),
    "decisions": (select(Decision.id, Decision.application_id), Decision.id),
}


def _object_id(entry: AuditEntry) -> int | None:
    value = entry.object_id or ""
    return int(value) if value.isdigit() else None


def application_of_entries(entries: list[AuditEntry]) -> dict[int, int]:
    """{entry id: application id} for the entries about an application or one of its parts:
    one query per kind of object on the page."""
    found: dict[int, int] = {}
    wanted: dict[str, dict[int, list[int]]] = {}
    for entry in entries:
        object_id = _object_id(entry)
        if entry.object_type == "applications" and object_id is not None:
            found[entry.id] = object_id
        elif isinstance(entry.data, dict) and str(entry.data.get("application_id", "")).isdigit():
            found[entry.id] = int(entry.data["application_id"])
        elif entry.object_type in _APPLICATION_OF and object_id is not None:
            wanted.setdefault(entry.object_type, {}).setdefault(object_id, []).append(entry.id)
    for object_type, by_object in wanted.items():
        query, key = _APPLICATION_OF[object_type]
        for object_id, application_id in db.session.execute(
                query.where(key.in_(list(by_object)))):
            for entry_id in by_object[object_id]:
                found[entry_id] = application_id
    return found


def redact_conflicted_entries(entries: list[AuditEntry], reader) -> dict[int, str]:
    conflicts = viewer_conflicts(reader)
    applications_of = application_of_entries(entries)
    if not applications_of:
        return {}
    reason = str(CONFLICT_REASON)
    hidden = {}
    for application_id, call_id, organisation_id, counterpart_id in db.session.execute(
            select(Application.id, Application.call_id, Application.organisation_id,
                   Application.counterpart_organisation_id)
            .where(Application.id.in_(set(applications_of.values())))):
        if conflicts.covers_ids(application_id, call_id, organisation_id, counterpart_id):
            hidden.update({entry_id: reason for entry_id, app_id in applications_of.items()
                           if app_id == application_id})
    return hidden
