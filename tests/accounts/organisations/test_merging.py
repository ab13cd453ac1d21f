"""Merging a duplicate organisation: staff choose, member by member and field by field, what
the kept organisation takes from the duplicate; nothing is taken by default."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, ForeignKey, Integer, Table, delete, func, insert, select

from accounts.organisations import merging
from accounts.organisations.merging import Handling, MemberChoice
from accounts.organisations.models import MemberRole, Organisation, OrganisationMember
from core.audit.models import AuditEntry
from core.errors import OperationError
from core.extensions import db
from core.outbox.models import OutboxMessage
from core.signals import organisation_merging


def _count(session, model, *conditions) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*conditions))


def _audit(session, action, object_id=None):
    query = select(AuditEntry).where(AuditEntry.action == action)
    if object_id is not None:
        query = query.where(AuditEntry.object_id == str(object_id))
    return list(session.scalars(query.order_by(AuditEntry.id)))


def _roles(session, org_id) -> dict:
    return {member.user_id: MemberRole(member.role) for member in session.scalars(
        select(OrganisationMember).where(OrganisationMember.organisation_id == org_id))}


@pytest.fixture
def staff(factories):
    return factories.user(roles=("staff",))


@pytest.fixture
def real(factories):
    """The genuine organisation, verified, with an owner and some empty fields."""
    org = factories.organisation(name="Citizens for Transparency Belize", acronym="CTB",
                                 registration_number="NGO-101", is_verified=True,
                                 email=None, website=None, org_id=None)
    factories.member(org, factories.user(email="real.owner@example.org"), "owner")
    return org


@pytest.fixture
def look_alike(factories):
    return factories.organisation(name="Citizens for Transparency Belize", acronym="C.T.B.",
                                  email="attacker@example.org",
                                  website="https://attacker.example.org",
                                  org_id="BZ-COA-666", registration_number="NGO-999",
                                  address="Somewhere else")


# The look-alike attack ----------------------------------------------------------------------

def test_duplicates_members_gain_nothing_by_default(factories, db_session, staff, real,
                                                   look_alike):
    attacker = factories.user()
    factories.member(look_alike, attacker, "owner")
    real_id, outbox_before = real.id, _count(db_session, OutboxMessage)

    merging.merge_organisations(real, look_alike, staff)

    db_session.expire_all()
    assert attacker.id not in _roles(db_session, real_id)
    assert _count(db_session, OrganisationMember,
                  OrganisationMember.user_id == attacker.id) == 0
    # Nobody was added, so there is nothing to tell the owners.
    assert _count(db_session, OutboxMessage) == outbox_before


def test_no_identity_field_is_copied_by_default(db_session, staff, real, look_alike):
    real_id = real.id
    merging.merge_organisations(real, look_alike, staff)
    db_session.expire_all()
    kept = db_session.get(Organisation, real_id)
    assert (kept.name, kept.acronym, kept.registration_number) == (
        "Citizens for Transparency Belize", "CTB", "NGO-101")
    assert kept.email is None and kept.website is None and kept.org_id is None
    assert kept.address is None
    assert kept.is_verified


def test_verification_is_not_taken_from_the_duplicate(factories, db_session, staff):
    kept = factories.organisation(is_verified=False)
    duplicate = factories.organisation(is_verified=True)
    merging.merge_organisations(kept, duplicate, staff)
    assert kept.is_verified is False


def test_staff_choose_the_fields_to_take(db_session, staff, real, look_alike):
    real_id = real.id
    merging.merge_organisations(real, look_alike, staff,
                                take=["website", "org_id", "acronym"])
    db_session.expire_all()
    kept = db_session.get(Organisation, real_id)
    assert kept.website == "https://attacker.example.org"
    assert kept.org_id == "BZ-COA-666"
    assert kept.acronym == "C.T.B."  # a chosen value replaces the kept one
    assert kept.email is None and kept.registration_number == "NGO-101"
    [entry] = _audit(db_session, "organisation.merge", real_id)
    assert entry.data["fields"] == {"acronym": ["CTB", "C.T.B."],
                                    "org_id": [None, "BZ-COA-666"],
                                    "website": [None, "https://attacker.example.org"]}


def test_unknown_fields_are_refused(db_session, staff, real, look_alike):
    with pytest.raises(OperationError) as error:
        merging.merge_organisations(real, look_alike, staff, take=["is_verified"])
    assert error.value.field == "take"
    assert db_session.get(Organisation, look_alike.id) is not None


def test_staff_choose_member_by_member_and_the_owners_are_told(factories, db_session, staff,
                                                               real, look_alike):
    new_owner, new_member, left_out = factories.user(), factories.user(), factories.user()
    promoted = factories.user()
    factories.member(real, promoted, "member")
    for user, role in ((new_owner, "member"), (new_member, "owner"), (left_out, "owner"),
                       (promoted, "owner")):
        factories.member(look_alike, user, role)
    real_id, look_alike_id = real.id, look_alike.id

    merging.merge_organisations(real, look_alike, staff, members={
        new_owner.id: MemberChoice.owner, new_member.id: "member",
        promoted.id: MemberChoice.owner})

    db_session.expire_all()
    roles = _roles(db_session, real_id)
    assert roles[new_owner.id] is MemberRole.owner
    assert roles[new_member.id] is MemberRole.member  # staff's choice, not the old role
    assert roles[promoted.id] is MemberRole.owner
    assert left_out.id not in roles
    # The kept organisation's owner (before the merge) is told, by email through the outbox.
    [message] = db_session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == "real.owner@example.org"))
    assert new_owner.email in message.body_text and new_member.email in message.body_text
    assert left_out.email not in message.body_text
    assert not list(db_session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient.in_([new_owner.email, new_member.email]),
        OutboxMessage.kind.like("%merge%"))))
    [entry] = _audit(db_session, "organisation.merge", real_id)
    members = {row["user_id"]: row for row in entry.data["members"]}
    assert members[new_owner.id]["choice"] == "owner"
    assert members[left_out.id]["choice"] == "skip"
    assert members[promoted.id]["result"] == "promoted"
    assert entry.data["owners_told"] == ["real.owner@example.org"]
    assert entry.data["duplicate_id"] == look_alike_id


def test_member_choices_for_people_outside_the_duplicate_are_refused(factories, staff, real,
                                                                   look_alike, db_session):
    stranger = factories.user()
    with pytest.raises(OperationError) as error:
        merging.merge_organisations(real, look_alike, staff,
                                    members={stranger.id: MemberChoice.owner})
    assert error.value.field == "members"
    assert _count(db_session, OrganisationMember,
                  OrganisationMember.user_id == stranger.id) == 0


def test_a_member_already_in_the_kept_organisation_is_never_demoted(factories, db_session,
                                                                   staff, real, look_alike):
    owner = factories.user()
    factories.member(real, owner, "owner")
    factories.member(look_alike, owner, "member")
    merging.merge_organisations(real, look_alike, staff, members={owner.id: "member"})
    assert _roles(db_session, real.id)[owner.id] is MemberRole.owner


# Safety -------------------------------------------------------------------------------------

def test_merging_into_itself_is_refused(factories, db_session, staff):
    org = factories.organisation()
    with pytest.raises(OperationError) as error:
        merging.merge_organisations(org, org, staff)
    assert error.value.field == "duplicate_id"
    assert db_session.get(Organisation, org.id) is not None
    assert _audit(db_session, "organisation.merge") == []


def test_merge_is_staff_only(factories):
    owner = factories.user()
    kept, duplicate = factories.organisation(), factories.organisation()
    factories.member(kept, owner, "owner")
    factories.member(duplicate, owner, "owner")
    with pytest.raises(OperationError):
        merging.merge_organisations(kept, duplicate, owner)


def test_a_duplicate_merged_meanwhile_gets_a_message_not_a_500(factories, db_session, staff):
    kept, duplicate = factories.organisation(), factories.organisation()
    # Another request merged (deleted) it after this one loaded it.
    db_session.execute(delete(Organisation).where(Organisation.id == duplicate.id))
    with pytest.raises(OperationError) as error:
        merging.merge_organisations(kept, duplicate, staff)
    assert error.value.field == "duplicate_id"
    assert _audit(db_session, "organisation.merge") == []


def test_merge_sends_the_signal_first(factories, staff):
    kept, duplicate = factories.organisation(), factories.organisation()
    seen = []

    def receiver(sender, duplicate):
        # The duplicate still exists when the signal arrives.
        seen.append((sender.id, duplicate.id, db.session.get(Organisation, duplicate.id)))

    organisation_merging.connect(receiver)
    try:
        merging.merge_organisations(kept, duplicate, staff)
    finally:
        organisation_merging.disconnect(receiver)
    assert seen and seen[0][:2] == (kept.id, duplicate.id) and seen[0][2] is not None


def test_merge_keeps_earlier_audit_history_of_both(factories, db_session, staff):
    from accounts.organisations import operations

    kept = operations.create_organisation(staff, name="Kept", sector="government")
    duplicate = operations.create_organisation(staff, name="Kept (copy)",
                                               sector="government")
    duplicate_id = duplicate.id
    merging.merge_organisations(kept, duplicate, staff)
    assert len(_audit(db_session, "organisation.create", kept.id)) == 1
    assert len(_audit(db_session, "organisation.create", duplicate_id)) == 1
    [away] = _audit(db_session, "organisation.merged_away", duplicate_id)
    assert away.object_type == "organisations" and away.data["kept_id"] == kept.id


# References from other tables ---------------------------------------------------------------

@pytest.fixture
def reference_table(db_session):
    """A table from a 'future package' that refers to organisations."""
    table = Table("test_org_references", db.metadata,
                  Column("id", Integer, primary_key=True),
                  Column("organisation_id", ForeignKey("organisations.id")),
                  Column("partner_id", ForeignKey("organisations.id")))
    table.create(db_session.connection())
    try:
        yield table
    finally:
        merging.forget_references(table.name)
        table.drop(db_session.connection())
        db.metadata.remove(table)


def test_declared_references_move_to_the_kept_organisation(factories, db_session, staff,
                                                           reference_table):
    merging.handle_references(reference_table.name, "organisation_id", "partner_id")
    kept, duplicate = factories.organisation(), factories.organisation()
    db_session.execute(insert(reference_table), [
        {"organisation_id": duplicate.id, "partner_id": kept.id},
        {"organisation_id": duplicate.id, "partner_id": duplicate.id},
        {"organisation_id": kept.id, "partner_id": None},
    ])
    kept_id = kept.id
    result = merging.merge_organisations(kept, duplicate, staff)
    rows = db_session.execute(select(reference_table.c.organisation_id,
                                     reference_table.c.partner_id)).all()
    assert sorted(rows, key=str) == sorted([(kept_id, kept_id), (kept_id, kept_id),
                                            (kept_id, None)], key=str)
    assert result["references"] == {"test_org_references.organisation_id": 2,
                                    "test_org_references.partner_id": 1}


def test_an_undeclared_reference_refuses_the_merge(factories, db_session, staff,
                                                  reference_table):
    kept, duplicate = factories.organisation(), factories.organisation()
    db_session.execute(insert(reference_table), [{"organisation_id": duplicate.id}])
    with pytest.raises(OperationError) as error:
        merging.merge_organisations(kept, duplicate, staff)
    assert "test_org_references" in str(error.value.message)
    assert db_session.get(Organisation, duplicate.id) is not None


def test_declaring_a_reference_twice_differently_is_a_mistake():
    with pytest.raises(ValueError):
        merging.handle_references("organisation_members", "organisation_id",
                                  how=Handling.repoint)


def test_both_organisations_are_locked_before_anything_changes(factories, db_session, staff):
    """Two staff merging at once must not interleave: the rows are locked (FOR UPDATE on
    PostgreSQL; SQLite takes one writer at a time anyway), in id order, before any write."""
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter")
    from sqlalchemy import event

    kept, duplicate = factories.organisation(), factories.organisation()
    statements = []

    def capture(conn, cursor, statement, *args):
        statements.append(statement)

    connection = db_session.connection()
    event.listen(connection, "before_cursor_execute", capture)
    try:
        merging.merge_organisations(kept, duplicate, staff)
    finally:
        event.remove(connection, "before_cursor_execute", capture)
    first_write = next(i for i, s in enumerate(statements)
                       if s.lstrip().upper().startswith(("UPDATE", "DELETE", "INSERT")))
    assert any("FOR UPDATE" in s and "organisations" in s for s in statements[:first_write])
