"""Merging a duplicate organisation into the one kept. Operations flush and never commit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from accounts.models import User
from accounts.organisations.models import MemberRole, Organisation, OrganisationMember
from accounts.organisations.operations import EDITABLE_FIELDS
from accounts.policies import is_staff
from core.audit.operations import record
from core.errors import OperationError
from core.extensions import db
from core.signals import organisation_merging
from core.timeutil import utcnow

#: Copied from a duplicate into the kept organisation where the kept one has no value.
FILLABLE_FIELDS = ("acronym", "district", "registration_number", "org_id", "website",
                   "email", "phone", "address")

_ROLE_STRENGTH = {MemberRole.member: 1, MemberRole.owner: 2}


# Merging duplicates ------------------------------------------------------------------------

def _organisation_references():
    """Every (table, column) holding a foreign key to organisations.id, except the
    memberships (merged separately). Tables added by later packages are found too."""
    target = f"{Organisation.__tablename__}.id"
    for table in db.metadata.sorted_tables:
        if table.name == OrganisationMember.__tablename__:
            continue
        for fk in table.foreign_keys:
            if fk.target_fullname == target:
                yield table, fk.parent


def _merge_memberships(kept: Organisation, duplicate: Organisation) -> dict:
    kept_members = {member.user_id: member for member in kept.members}
    moved, merged, promoted = [], [], []
    for member in list(duplicate.members):
        already = kept_members.get(member.user_id)
        if already is None:
            member.organisation = kept  # moves it from one collection to the other
            moved.append(member.user_id)
            continue
        if _ROLE_STRENGTH[MemberRole(member.role)] > _ROLE_STRENGTH[MemberRole(already.role)]:
            already.role = member.role
            promoted.append(member.user_id)
        duplicate.members.remove(member)
        db.session.delete(member)
        merged.append(member.user_id)
    db.session.flush()
    return {"moved": moved, "merged": merged, "promoted": promoted}


def _move_references(kept: Organisation, duplicate: Organisation) -> dict:
    moved = {}
    updated_tables = set()
    for table, column in _organisation_references():
        result = db.session.execute(
            update(table).where(column == duplicate.id).values({column.name: kept.id})
        )
        if result.rowcount:
            moved[f"{table.name}.{column.name}"] = result.rowcount
            updated_tables.add(table)
    if updated_tables:
        # Objects already loaded from those tables still hold the old id: reload them.
        for obj in list(db.session.identity_map.values()):
            mapped_table = getattr(type(obj), "__table__", None)
            if mapped_table is not None and mapped_table in updated_tables:
                db.session.expire(obj)
    return moved


def _fill_empty_fields(kept: Organisation, duplicate: Organisation) -> list[str]:
    filled = []
    for name in FILLABLE_FIELDS:
        if getattr(kept, name) in (None, "") and getattr(duplicate, name) not in (None, ""):
            filled.append(name)
    if "org_id" in filled:
        # The identifier is unique: free it on the duplicate before giving it to the kept one.
        org_id = duplicate.org_id
        duplicate.org_id = None
        db.session.flush()
        kept.org_id = org_id
    for name in filled:
        if name != "org_id":
            setattr(kept, name, getattr(duplicate, name))
    return filled


def merge_organisations(kept: Organisation, duplicate: Organisation, actor: User) -> dict:
    """Merge ``duplicate`` into ``kept``: members and every reference move to ``kept``,
    ``kept``'s empty fields are filled from the duplicate, and the duplicate is deleted."""
    if kept is None or duplicate is None:
        raise OperationError(_l("No organisation has this number."), field="duplicate_id")
    if kept.id == duplicate.id:
        raise OperationError(_l("An organisation cannot be merged into itself. Choose the "
                                "duplicate."), field="duplicate_id")
    if not is_staff(actor):
        raise OperationError(_l("Only programme staff can merge organisations."))
    db.session.flush()
    # Packages whose rows must stay unique per organisation resolve clashes first.
    organisation_merging.send(kept, duplicate=duplicate)
    duplicate_id, duplicate_name = duplicate.id, duplicate.name
    snapshot = {name: getattr(duplicate, name) for name in EDITABLE_FIELDS}
    snapshot["is_verified"] = duplicate.is_verified
    memberships = _merge_memberships(kept, duplicate)
    references = _move_references(kept, duplicate)
    filled = _fill_empty_fields(kept, duplicate)
    if duplicate.is_verified and not kept.is_verified:
        kept.is_verified = True
        kept.verified_at = duplicate.verified_at or utcnow()
        filled.append("is_verified")
    db.session.delete(duplicate)
    db.session.flush()
    moved = {"memberships": memberships, "references": references, "filled": filled}
    record("organisation.merge", kept, actor=actor,
           summary=f"{actor.email} merged {duplicate_name} (#{duplicate_id}) into "
                   f"{kept.name} (#{kept.id})",
           data={"kept_id": kept.id, "duplicate_id": duplicate_id, "duplicate": snapshot,
                 "moved": moved})
    record("organisation.merged_away", actor=actor,
           object_type=Organisation.__tablename__, object_id=duplicate_id,
           summary=f"{duplicate_name} (#{duplicate_id}) was merged into {kept.name} "
                   f"(#{kept.id})",
           data={"kept_id": kept.id, "duplicate_id": duplicate_id})
    return moved
