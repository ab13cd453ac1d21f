"""Merging a duplicate organisation into the one kept. Operations flush and never commit.

A look-alike organisation must not be a way into the real one, so the duplicate hands over
nothing by itself: staff choose, member by member, who joins the kept organisation (and the
kept organisation's owners are told), and, field by field, which of the duplicate's values
replace the kept ones. Everything else that refers to the duplicate (applications,
coalitions, events...) moves to the kept organisation.

Every table that refers to organisations declares here how the merge treats it (with
``handle_references``, from the package that owns the table). Rows that must stay unique per
organisation are first resolved by that package's receiver of ``organisation_merging``; a
reference nobody declared makes the merge refuse rather than guess.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from accounts.models import User
from accounts.organisations.models import Organisation, OrganisationMember
from accounts.organisations.operations import EDITABLE_FIELDS
from accounts.organisations.states import MemberRole
from accounts.policies import is_staff
from core.audit.models import AuditEntry
from core.audit.operations import record
from core.enums import TitledEnum
from core.errors import OperationError
from core.extensions import db
from core.locking import AlreadyDone
from core.outbox.operations import queue_email
from core.signals import organisation_merging
from core.urls import external_url

#: The duplicate's values staff may choose to take, one by one (by default none is taken).
MERGEABLE_FIELDS = EDITABLE_FIELDS


class MemberChoice(TitledEnum):
    """What becomes of one member of the duplicate."""

    skip = "skip"
    member = "member"
    owner = "owner"

    __titles__ = {
        skip: _l("Do not carry over"),
        member: _l("Add as member"),
        owner: _l("Add as owner"),
    }


class Handling(enum.StrEnum):
    """How the merge treats a column that refers to organisations."""

    #: The duplicate's rows move to the kept organisation.
    repoint = "repoint"
    #: The owning package's receiver of ``organisation_merging`` first removes the duplicate's
    #: rows that would clash with the kept organisation's; the rest move.
    deduplicated = "deduplicated"
    #: The organisation's members: staff choose, member by member.
    members = "members"
    #: The duplicate's rows are deleted with it: they must not pass to the kept organisation
    #: (pending invitations to join the duplicate, for instance).
    dropped = "dropped"


_HANDLED: dict[tuple[str, str], Handling] = {}


def handle_references(table_name: str, *columns: str, how: Handling = Handling.repoint) -> None:
    """Declare how the merge treats ``table_name``'s columns referring to organisations."""
    for column in columns:
        key = (table_name, column)
        if _HANDLED.get(key, how) != how:
            raise ValueError(f"{table_name}.{column} is already handled as {_HANDLED[key]}")
        _HANDLED[key] = Handling(how)


def forget_references(table_name: str) -> None:
    """Drop the declarations of a table (for tables that come and go, as in tests)."""
    for key in [key for key in _HANDLED if key[0] == table_name]:
        del _HANDLED[key]


def handled_references() -> dict[tuple[str, str], Handling]:
    return dict(_HANDLED)


handle_references(OrganisationMember.__tablename__, "organisation_id", how=Handling.members)
handle_references("organisation_invitations", "organisation_id", how=Handling.dropped)


def _organisation_references():
    """Every (table, column) holding a foreign key to organisations.id, from the metadata, so
    that tables added later are seen too."""
    target = f"{Organisation.__tablename__}.id"
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.target_fullname == target:
                yield table, fk.parent


# Checks -------------------------------------------------------------------------------------

ALREADY_MERGED = _l("The duplicate is already merged into this organisation.")


def merged_into(duplicate_id, kept: Organisation) -> bool:
    """Whether the organisation numbered ``duplicate_id`` was merged into ``kept`` (a repeat
    of the merge, sent twice at once, finds it so)."""
    if not isinstance(duplicate_id, int):
        return False
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "organisation.merged_away",
        AuditEntry.object_type == Organisation.__tablename__,
        AuditEntry.object_id == str(duplicate_id)))
    return any((entry.data or {}).get("kept_id") == kept.id for entry in entries)


def _lock(kept: Organisation, duplicate: Organisation) -> None:
    """Lock both rows (in id order, so two merges cannot deadlock) and re-read them: a merge
    that ran meanwhile may have deleted either."""
    db.session.flush()
    ids = sorted({kept.id, duplicate.id})
    found = set(db.session.scalars(
        select(Organisation.id).where(Organisation.id.in_(ids)).order_by(Organisation.id)
        .with_for_update()))
    if kept.id not in found:
        raise OperationError(_l("This organisation no longer exists; it may have been merged "
                                "into another one."))
    if duplicate.id not in found:
        if merged_into(duplicate.id, kept):
            raise AlreadyDone(ALREADY_MERGED)
        raise OperationError(_l("No organisation has this number."), field="duplicate_id")
    db.session.expire(kept)
    db.session.expire(duplicate)


def _check_fields(take: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(take or ()))
    if any(name not in MERGEABLE_FIELDS for name in chosen):
        raise OperationError(_l("Choose the values to take from the list."), field="take")
    return chosen


def _check_member_choices(duplicate: Organisation,
                          members: Mapping[int, MemberChoice | str] | None) -> dict:
    members = dict(members or {})
    duplicate_members = {member.user_id for member in duplicate.members}
    choices = {}
    for user_id, choice in members.items():
        if user_id not in duplicate_members:
            raise OperationError(_l("Choose only among the duplicate's members."),
                                 field="members")
        try:
            choices[user_id] = MemberChoice(choice)
        except ValueError:
            raise OperationError(_l("Choose what becomes of each member from the list."),
                                 field="members") from None
    return choices


def _check_every_reference_is_handled(duplicate: Organisation) -> None:
    unhandled = sorted({
        table.name for table, column in _organisation_references()
        if (table.name, column.name) not in _HANDLED
        and db.session.scalar(select(func.count()).select_from(table)
                              .where(column == duplicate.id))
    })
    if unhandled:
        raise OperationError(_l(
            "The duplicate cannot be merged: its records in %(tables)s cannot be moved by the "
            "merge yet. Nothing was changed; ask the system's developers.",
            tables=", ".join(unhandled)))


# Steps --------------------------------------------------------------------------------------

def _merge_members(kept: Organisation, duplicate: Organisation, choices: dict) -> list[dict]:
    """Apply staff's choice to each member of the duplicate; members not chosen go with it."""
    kept_members = {member.user_id: member for member in kept.members}
    outcome = []
    for member in sorted(duplicate.members, key=lambda m: m.id):
        choice = choices.get(member.user_id, MemberChoice.skip)
        already = kept_members.get(member.user_id)
        user = member.user
        row = {"user_id": member.user_id, "email": user.email,
               "duplicate_role": MemberRole(member.role).value, "choice": choice.value}
        if choice is MemberChoice.skip:
            row["result"] = "not_carried_over"
        elif already is None:
            # The membership itself moves, so its history (joined_at) is kept.
            member.organisation = kept
            member.role = MemberRole(choice.value)
            row["result"] = "added"
            outcome.append(row)
            continue
        elif choice is MemberChoice.owner and already.role is not MemberRole.owner:
            already.role = MemberRole.owner
            row["result"] = "promoted"
        else:
            row["result"] = "unchanged"  # a choice never demotes someone already there
        duplicate.members.remove(member)
        db.session.delete(member)
        outcome.append(row)
    db.session.flush()
    return outcome


def _move_references(kept: Organisation, duplicate: Organisation) -> tuple[dict, dict]:
    """Repoint what moves and delete what must not pass; returns the row counts of each."""
    moved, dropped = {}, {}
    for table, column in _organisation_references():
        how = _HANDLED.get((table.name, column.name))
        if how is Handling.dropped:
            statement, counts = delete(table).where(column == duplicate.id), dropped
        elif how in (Handling.repoint, Handling.deduplicated):
            statement = (update(table).where(column == duplicate.id)
                         .values({column.name: kept.id}))
            counts = moved
        else:
            continue
        result = db.session.execute(statement)
        if result.rowcount:
            counts[f"{table.name}.{column.name}"] = result.rowcount
    return moved, dropped


def _plain(value):
    return value.value if isinstance(value, enum.Enum) else value


def _take_fields(kept: Organisation, duplicate: Organisation, chosen: list[str]) -> dict:
    changes = {name: [_plain(getattr(kept, name)), _plain(getattr(duplicate, name))]
               for name in chosen if getattr(kept, name) != getattr(duplicate, name)}
    if "org_id" in changes:
        # The identifier is unique: free it on the duplicate before giving it to the kept one.
        duplicate.org_id = None
        db.session.flush()
    for name, (_old, new) in changes.items():
        setattr(kept, name, getattr(duplicate, name) if name != "org_id" else new)
    return changes


def _tell_owners(kept: Organisation, owners: list[User], duplicate_name: str, actor: User,
                 outcome: list[dict]) -> list[str]:
    joined = [row for row in outcome if row["result"] in ("added", "promoted")]
    if not joined:
        return []
    url = external_url("organisations.detail", organisation_id=kept.id)
    told = []
    for owner in owners:
        if not owner.is_enabled:
            continue
        queue_email(owner.email, "accounts/organisations/merge_members_added",
                    locale=owner.locale, user=owner, organisation=kept, actor=actor,
                    duplicate_name=duplicate_name, joined=joined, organisation_url=url)
        told.append(owner.email)
    return told


# The merge ----------------------------------------------------------------------------------

def merge_organisations(kept: Organisation, duplicate: Organisation, actor: User, *,
                        members: Mapping[int, MemberChoice | str] | None = None,
                        take: Iterable[str] = ()) -> dict:
    """Merge ``duplicate`` into ``kept`` and delete it.

    ``members`` maps a duplicate member's user id to what becomes of them (not carried over
    when absent); ``take`` names the duplicate's values that replace the kept ones (none by
    default). Everything referring to the duplicate moves to ``kept``."""
    if kept is None or duplicate is None:
        raise OperationError(_l("No organisation has this number."), field="duplicate_id")
    if kept.id == duplicate.id:
        raise OperationError(_l("An organisation cannot be merged into itself. Choose the "
                                "duplicate."), field="duplicate_id")
    if not is_staff(actor):
        raise OperationError(_l("Only programme staff can merge organisations."))
    _lock(kept, duplicate)
    chosen_fields = _check_fields(take)
    choices = _check_member_choices(duplicate, members)
    _check_every_reference_is_handled(duplicate)
    owners = [member.user for member in kept.members if member.role is MemberRole.owner]
    duplicate_id, duplicate_name = duplicate.id, duplicate.name
    snapshot = {name: _plain(getattr(duplicate, name)) for name in EDITABLE_FIELDS}
    snapshot["is_verified"] = duplicate.is_verified

    # Packages whose rows must stay unique per organisation resolve clashes first.
    resolved = {}
    for _receiver, summary in organisation_merging.send(kept, duplicate=duplicate):
        resolved.update(summary or {})
    member_outcome = _merge_members(kept, duplicate, choices)
    references, dropped = _move_references(kept, duplicate)
    fields = _take_fields(kept, duplicate, chosen_fields)
    db.session.delete(duplicate)
    db.session.flush()
    # Rows changed above by bulk statements: objects loaded before must be read again.
    db.session.expire_all()
    told = _tell_owners(kept, owners, duplicate_name, actor, member_outcome)
    result = {"members": member_outcome, "references": references, "resolved": resolved,
              "dropped": dropped, "fields": fields, "owners_told": told}
    record("organisation.merge", kept, actor=actor,
           summary=f"{actor.email} merged {duplicate_name} (#{duplicate_id}) into "
                   f"{kept.name} (#{kept.id})",
           data={"kept_id": kept.id, "duplicate_id": duplicate_id, "duplicate": snapshot,
                 **result})
    record("organisation.merged_away", actor=actor,
           object_type=Organisation.__tablename__, object_id=duplicate_id,
           summary=f"{duplicate_name} (#{duplicate_id}) was merged into {kept.name} "
                   f"(#{kept.id})",
           data={"kept_id": kept.id, "duplicate_id": duplicate_id})
    return result
