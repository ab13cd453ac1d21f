"""Every change to coalitions, their memberships and activity log. Operations flush and
never commit.

Membership history is kept, never overwritten: each ``CoalitionMembership`` row is one
period with one role. Ending a period sets its ``left_on``; changing a role ends the current
period on a date and starts a new period, with the new role, on that same date.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accounts.organisations.models import Organisation
from coalitions.coalitions.models import (
    Coalition,
    CoalitionActivity,
    CoalitionMembership,
    coalition_awards,
)
from coalitions.coalitions.states import ActivityKind, CoalitionState, MembershipRole
from core.audit.models import AuditEntry
from core.audit.operations import record
from core.database import MAX_ID, rows_by_ids
from core.errors import OperationError
from core.extensions import db
from core.locking import AlreadyDone, identical, lock, lock_key
from core.uploads.operations import DEFAULT_KINDS, store_upload
from core.validation import clean_text
from grants.awards.queries import award_id_by_reference

NAME_MAX = 200
PURPOSE_MAX = 10000
AREA_MAX = 120
MAX_AREAS = 30
DESCRIPTION_MAX = 10000
OUTCOME_MAX = 10000
MAX_ACTIVITY_ORGANISATIONS = 200
EVIDENCE_KINDS = DEFAULT_KINDS

COALITION_FIELDS = ("name", "purpose", "thematic_areas", "lead_organisation_id", "formed_on",
                    "state")


# Checks ------------------------------------------------------------------------------------

#: The texts typed in a text area, where line breaks belong.
_MULTILINE_FIELDS = frozenset({"purpose", "description", "outcome"})


def _text(value, field: str, limit: int, *, required_message=None) -> str:
    return clean_text(value, field=field, max_length=limit, required=required_message,
                      multiline=field in _MULTILINE_FIELDS)


def organisation_or_error(organisation_id, field: str) -> Organisation:
    """The organisation with this number, or an ``OperationError`` naming ``field``."""
    try:
        number = int(organisation_id)
    except (TypeError, ValueError):
        number = 0
    org = db.session.get(Organisation, number) if 0 < number <= MAX_ID else None
    if org is None:
        raise OperationError(_l("No organisation has the number %(number)s. Choose one from "
                                "the directory.", number=str(organisation_id)[:20]),
                             field=field)
    return org


def organisations_or_error(organisation_ids, field: str) -> list[Organisation]:
    """The organisations with these numbers (each once, in the given order)."""
    return rows_by_ids(Organisation, organisation_ids, field=field, message=lambda number: _l(
        "No organisation has the number %(number)s. Choose one from the directory.",
        number=number))


def _areas(values) -> list[str]:
    areas = []
    for value in values or []:
        value = (value or "").strip()
        if not value or value in areas:
            continue
        if len(value) > AREA_MAX:
            raise OperationError(_l("Keep each thematic area to %(count)s characters.",
                                    count=AREA_MAX), field="thematic_areas")
        areas.append(value)
    if len(areas) > MAX_AREAS:
        raise OperationError(_l("List at most %(count)s thematic areas.", count=MAX_AREAS),
                             field="thematic_areas")
    return areas


def _clean_coalition(fields: dict) -> dict:
    unknown = set(fields) - set(COALITION_FIELDS)
    if unknown:
        raise TypeError(f"unknown coalition fields: {', '.join(sorted(unknown))}")
    cleaned = {}
    if "name" in fields:
        cleaned["name"] = _text(fields["name"], "name", NAME_MAX,
                                required_message=_l("Enter the coalition's name."))
    if "purpose" in fields:
        cleaned["purpose"] = _text(fields["purpose"], "purpose", PURPOSE_MAX)
    if "thematic_areas" in fields:
        cleaned["thematic_areas"] = _areas(fields["thematic_areas"])
    if "lead_organisation_id" in fields:
        value = fields["lead_organisation_id"]
        cleaned["lead_organisation_id"] = (
            organisation_or_error(value, "lead_organisation_id").id
            if value not in (None, "") else None)
    if "formed_on" in fields:
        value = fields["formed_on"]
        if value is not None and not isinstance(value, date):
            raise OperationError(_l("Enter a date, for example 2026-03-31."), field="formed_on")
        cleaned["formed_on"] = value
    if "state" in fields:
        try:
            cleaned["state"] = CoalitionState(fields["state"] or CoalitionState.forming)
        except ValueError:
            raise OperationError(_l("Choose a state from the list."), field="state") from None
    return cleaned


# Coalitions --------------------------------------------------------------------------------

def create_coalition(actor, **fields) -> Coalition:
    fields.setdefault("state", CoalitionState.forming)
    cleaned = _clean_coalition(fields)
    if "name" not in cleaned:
        raise OperationError(_l("Enter the coalition's name."), field="name")
    lock_key(f"coalitions:{cleaned['name']}")  # the same coalition created twice at once
    existing = identical(Coalition, cleaned)
    if existing is not None:
        raise AlreadyDone(_l("The coalition %(name)s is already there.", name=existing.name),
                          existing=existing)
    coalition = Coalition(**cleaned)
    db.session.add(coalition)
    db.session.flush()
    record("coalition.create", coalition, actor=actor,
           summary=f"Coalition {coalition.name} created",
           data={key: value for key, value in cleaned.items() if value not in (None, "", [])})
    return coalition


def update_coalition(coalition: Coalition, actor, **fields) -> dict:
    """Change the coalition's details; returns the changes as ``{field: [old, new]}``."""
    lock(coalition)  # the same form sent twice at once: the second finds nothing to change
    cleaned = _clean_coalition(fields)
    changes = {name: [getattr(coalition, name), value] for name, value in cleaned.items()
               if getattr(coalition, name) != value}
    if not changes:
        return {}
    for name, (_old, new) in changes.items():
        setattr(coalition, name, list(new) if isinstance(new, list) else new)
    db.session.flush()
    record("coalition.update", coalition, actor=actor,
           summary=f"Coalition {coalition.name}: {', '.join(sorted(changes))} changed",
           data={"changes": changes})
    return changes


# Memberships -------------------------------------------------------------------------------

def _role(value, field: str = "role") -> MembershipRole:
    try:
        return MembershipRole(value)
    except ValueError:
        raise OperationError(_l("Choose a role from the list."), field=field) from None


def _periods_of(coalition: Coalition, organisation_id: int) -> list[CoalitionMembership]:
    return [m for m in coalition.memberships if m.organisation_id == organisation_id]


def add_member(coalition: Coalition, actor, *, organisation_id, role=MembershipRole.member,
               joined_on: date | None) -> CoalitionMembership:
    """Start a membership period. An organisation has at most one open period in a
    coalition, and a new period cannot start before an earlier one ended."""
    org = organisation_or_error(organisation_id, "organisation_id")
    role = _role(role)
    if not isinstance(joined_on, date):
        raise OperationError(_l("Enter the date the organisation joined."), field="joined_on")
    lock(coalition)  # the same membership sent twice at once: the second finds the first
    periods = _periods_of(coalition, org.id)
    current = next((m for m in periods if m.left_on is None), None)
    if current is not None and current.role == role and current.joined_on == joined_on:
        raise AlreadyDone(_l("%(name)s is already a member since %(date)s.", name=org.name,
                             date=current.joined_on.isoformat()), field="organisation_id")
    if current is not None:
        raise OperationError(_l("%(name)s is already a member since %(date)s. To change its "
                                "role, end the current membership with a new role.",
                                name=org.name, date=current.joined_on.isoformat()),
                             field="organisation_id")
    last_left = max((m.left_on for m in periods), default=None)
    if last_left is not None and joined_on < last_left:
        raise OperationError(_l("%(name)s was a member until %(date)s: a new membership "
                                "cannot start before that.", name=org.name,
                                date=last_left.isoformat()), field="joined_on")
    membership = CoalitionMembership(organisation_id=org.id, role=role, joined_on=joined_on)
    coalition.memberships.append(membership)
    db.session.flush()
    record("coalition.add_member", coalition, actor=actor,
           summary=f"{org.name} joined {coalition.name} as {role.value} on {joined_on}",
           data={"membership_id": membership.id, "organisation_id": org.id,
                 "role": role.value, "joined_on": joined_on})
    return membership


def end_membership(coalition: Coalition, actor, membership: CoalitionMembership, *,
                   left_on: date | None, new_role=None
                   ) -> tuple[CoalitionMembership, CoalitionMembership | None]:
    """End a membership period on ``left_on``. With ``new_role``, a new period with that role
    starts on the same date (the old period is kept as it was). Returns
    ``(ended, new_period_or_None)``."""
    if membership.coalition_id != coalition.id:
        raise OperationError(_l("This membership belongs to another coalition."))
    lock(coalition)  # the same ending sent twice at once: the second finds it ended
    if membership.left_on is not None and membership.left_on == left_on:
        raise AlreadyDone(_l("This membership already ended on %(date)s.",
                             date=membership.left_on.isoformat()))
    if membership.left_on is not None:
        raise OperationError(_l("This membership already ended on %(date)s.",
                                date=membership.left_on.isoformat()))
    if not isinstance(left_on, date):
        raise OperationError(_l("Enter the date the membership ends."), field="left_on")
    if left_on < membership.joined_on:
        raise OperationError(_l("A membership cannot end before it started: this one started "
                                "on %(date)s.", date=membership.joined_on.isoformat()),
                             field="left_on")
    role = _role(new_role, "new_role") if new_role not in (None, "") else None
    if role is not None and role == membership.role:
        raise OperationError(_l("The organisation already has this role. Choose another role, "
                                "or none to end the membership."), field="new_role")
    membership.left_on = left_on
    successor = None
    if role is not None:
        successor = CoalitionMembership(organisation_id=membership.organisation_id, role=role,
                                        joined_on=left_on)
        coalition.memberships.append(successor)
    db.session.flush()
    org_name = membership.organisation.name
    if successor is None:
        summary = f"{org_name} left {coalition.name} on {left_on}"
    else:
        summary = (f"{org_name}'s role in {coalition.name} changed from "
                   f"{membership.role.value} to {role.value} on {left_on}")
    record("coalition.change_role" if successor else "coalition.end_membership", coalition,
           actor=actor, summary=summary,
           data={"membership_id": membership.id, "organisation_id": membership.organisation_id,
                 "left_on": left_on, "role": MembershipRole(membership.role).value,
                 "new_membership_id": successor.id if successor else None,
                 "new_role": role.value if role else None})
    return membership, successor


# Activities --------------------------------------------------------------------------------

def add_activity(coalition: Coalition, actor, *, kind, happened_on: date | None,
                 description: str, outcome: str = "", organisation_ids=(),
                 file_storage=None) -> CoalitionActivity:
    """Log a meeting, advocacy action, policy submission, campaign or joint project, with
    the organisations involved and, optionally, an evidence file."""
    try:
        kind = ActivityKind(kind)
    except ValueError:
        raise OperationError(_l("Choose a kind of activity from the list."),
                             field="kind") from None
    if not isinstance(happened_on, date):
        raise OperationError(_l("Enter the date of the activity."), field="happened_on")
    description = _text(description, "description", DESCRIPTION_MAX,
                        required_message=_l("Describe the activity."))
    outcome = _text(outcome, "outcome", OUTCOME_MAX)
    if len(organisation_ids or ()) > MAX_ACTIVITY_ORGANISATIONS:
        raise OperationError(_l("Choose at most %(count)s organisations.",
                                count=MAX_ACTIVITY_ORGANISATIONS), field="organisation_ids")
    organisations = organisations_or_error(organisation_ids, "organisation_ids")
    lock(coalition)  # the same activity logged twice at once: the second finds the first
    same = identical(CoalitionActivity, {"coalition_id": coalition.id, "kind": kind,
                                         "happened_on": happened_on,
                                         "description": description, "outcome": outcome})
    if same is not None and {org.id for org in same.organisations} == \
            {org.id for org in organisations}:
        raise AlreadyDone(_l("This activity is already logged."))
    stored = None
    if file_storage is not None and getattr(file_storage, "filename", None):
        stored = store_upload(file_storage, uploaded_by=actor, allowed_kinds=EVIDENCE_KINDS,
                              field="evidence")
    activity = CoalitionActivity(kind=kind, happened_on=happened_on, description=description,
                                 outcome=outcome, organisations=organisations,
                                 evidence_file=stored)
    coalition.activities.append(activity)
    db.session.flush()
    record("coalition.add_activity", coalition, actor=actor,
           summary=f"{coalition.name}: {kind.value} on {happened_on} logged",
           data={"activity_id": activity.id, "kind": kind.value, "happened_on": happened_on,
                 "organisation_ids": [org.id for org in organisations],
                 "evidence_file_id": stored.id if stored else None})
    return activity


# Linked grant awards -----------------------------------------------------------------------
# Awards are found through grants' query functions; the link table is the coalition's own.

def _award_id(reference: str) -> int:
    award_id = award_id_by_reference(reference)
    if award_id is None:
        raise OperationError(_l("No grant award has the reference %(reference)s.",
                                reference=reference.strip()), field="reference")
    return award_id


def link_award(coalition: Coalition, actor, *, reference: str) -> None:
    award_id = _award_id(reference)
    lock(coalition)  # the same link sent twice at once: the second finds the first
    linked = db.session.scalar(select(coalition_awards.c.award_id).where(
        coalition_awards.c.coalition_id == coalition.id,
        coalition_awards.c.award_id == award_id))
    if linked is not None:
        raise AlreadyDone(_l("This award is already linked to the coalition."),
                          field="reference")
    db.session.execute(coalition_awards.insert().values(coalition_id=coalition.id,
                                                        award_id=award_id))
    record("coalition.link_award", coalition, actor=actor,
           summary=f"Award {reference.strip().upper()} linked to {coalition.name}",
           data={"award_id": award_id})


def _last_link_change(coalition: Coalition, award_id: int) -> str | None:
    """The audit action that last linked or unlinked the award and the coalition."""
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action.in_(("coalition.link_award", "coalition.unlink_award")),
        AuditEntry.object_type == Coalition.__tablename__,
        AuditEntry.object_id == str(coalition.id)).order_by(AuditEntry.id.desc()))
    return next((entry.action for entry in entries
                 if (entry.data or {}).get("award_id") == award_id), None)


def unlink_award(coalition: Coalition, actor, *, award_id: int) -> None:
    """Under the coalition's row lock: of the same request sent twice at once, the second
    finds the link gone, unlinked last (``AlreadyDone``), and records nothing."""
    lock(coalition)
    result = db.session.execute(coalition_awards.delete().where(
        coalition_awards.c.coalition_id == coalition.id,
        coalition_awards.c.award_id == award_id))
    if result.rowcount == 0:
        if _last_link_change(coalition, award_id) == "coalition.unlink_award":
            raise AlreadyDone(_l("The grant award is no longer linked to the coalition."))
        raise OperationError(_l("This award is not linked to the coalition."))
    record("coalition.unlink_award", coalition, actor=actor,
           summary=f"Award #{award_id} unlinked from {coalition.name}",
           data={"award_id": award_id})
