from __future__ import annotations

import pytest
from sqlalchemy import Column, ForeignKey, Integer, Table, event, func, insert, select

from accounts.models import User
from accounts.organisations import merging, operations, queries
from accounts.organisations.models import MemberRole, Organisation, OrganisationMember, Sector
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


# Creating -----------------------------------------------------------------------------------

def test_creator_becomes_owner_and_creation_is_audited(factories, db_session):
    user = factories.user()
    org = operations.create_organisation(user, name="  Citizens for Transparency ",
                                         acronym="CTB", sector="civil_society", country="BZ",
                                         website="", email="")
    assert org.id is not None
    assert org.name == "Citizens for Transparency"
    assert org.sector is Sector.civil_society
    assert org.website is None and org.email is None
    assert org.is_verified is False
    assert org.member_role(user) is MemberRole.owner
    [entry] = _audit(db_session, "organisation.create", org.id)
    assert entry.actor_id == user.id
    assert entry.data["owner_id"] == user.id
    assert entry.data["fields"]["name"] == "Citizens for Transparency"


def test_staff_creating_for_the_directory_does_not_become_owner(factories):
    staff = factories.user(roles=("staff",))
    org = operations.create_organisation(staff, name="Ministry of Education",
                                         sector=Sector.government)
    assert org.members == []
    assert org.country == "BZ"  # the configured default country
    own = operations.create_organisation(staff, as_owner=True, name="Staff's own",
                                         sector="other")
    assert own.member_role(staff) is MemberRole.owner


def test_open_data_identifier_uses_org_id_or_is_generated(factories, app):
    user = factories.user()
    registered = operations.create_organisation(user, name="Registered", sector="government",
                                                org_id="BZ-COA-12345")
    unregistered = operations.create_organisation(user, name="Unregistered",
                                                  sector="civil_society")
    assert registered.open_data_identifier == "BZ-COA-12345"
    prefix = app.config["OPEN_DATA_PREFIX"]
    assert unregistered.open_data_identifier == f"360G-{prefix}-ORG-{unregistered.id}"


def test_org_id_must_be_unique_and_well_formed(factories, db_session):
    user = factories.user()
    operations.create_organisation(user, name="First", sector="government",
                                   org_id="BZ-COA-1")
    before = _count(db_session, Organisation)
    with pytest.raises(OperationError) as error:
        operations.create_organisation(user, name="Second", sector="government",
                                       org_id="BZ-COA-1")
    assert error.value.field == "org_id"
    with pytest.raises(OperationError) as error:
        operations.create_organisation(user, name="Third", sector="government",
                                       org_id="not an org id")
    assert error.value.field == "org_id"
    assert _count(db_session, Organisation) == before


@pytest.mark.parametrize("fields, field", [
    ({"name": "", "sector": "government"}, "name"),
    ({"name": "   ", "sector": "government"}, "name"),
    ({"name": "X", "sector": "aliens"}, "sector"),
    ({"name": "X", "sector": "government", "country": "ZZ"}, "country"),
    ({"name": "X" * 201, "sector": "government"}, "name"),
])
def test_create_refuses_invalid_fields(factories, db_session, fields, field):
    user = factories.user()
    with pytest.raises(OperationError) as error:
        operations.create_organisation(user, **fields)
    assert error.value.field == field
    assert _count(db_session, Organisation) == 0


# Updating and verifying ---------------------------------------------------------------------

def test_update_records_the_changed_fields_only(factories, db_session):
    owner = factories.user()
    org = factories.organisation(name="Old name", district="Cayo")
    changes = operations.update_organisation(org, owner, name="New name", district="Cayo")
    assert changes == {"name": ["Old name", "New name"]}
    [entry] = _audit(db_session, "organisation.update", org.id)
    assert entry.data["changes"] == {"name": ["Old name", "New name"]}
    assert operations.update_organisation(org, owner, name="New name") == {}
    assert len(_audit(db_session, "organisation.update", org.id)) == 1


def test_owner_changing_identity_of_verified_organisation_withdraws_verification(factories):
    staff = factories.user(roles=("staff",))
    owner = factories.user()
    org = factories.organisation(name="Verified Org")
    factories.member(org, owner, "owner")
    operations.set_verified(org, staff, True)
    operations.update_organisation(org, owner, phone="+501 822 0000")
    assert org.is_verified is True  # contact details do not touch the identity
    operations.update_organisation(org, owner, name="Someone Else")
    assert org.is_verified is False and org.verified_at is None
    operations.set_verified(org, staff, True)
    operations.update_organisation(org, staff, name="Renamed by staff")
    assert org.is_verified is True


def test_set_verified_is_audited_and_staff_only(factories, db_session):
    staff = factories.user(roles=("staff",))
    org = factories.organisation()
    operations.set_verified(org, staff, True)
    assert org.is_verified and org.verified_at is not None
    operations.set_verified(org, staff, True)  # no change, no second entry
    assert len(_audit(db_session, "organisation.verify", org.id)) == 1
    operations.set_verified(org, staff, False)
    assert not org.is_verified and org.verified_at is None
    assert len(_audit(db_session, "organisation.unverify", org.id)) == 1
    with pytest.raises(OperationError):
        operations.set_verified(org, factories.user(), True)


# Members ------------------------------------------------------------------------------------

def test_inviting_a_new_person_creates_an_invited_user_and_an_invitation(factories, db_session):
    owner = factories.user()
    org = factories.organisation(name="Toledo Youth Voices")
    factories.member(org, owner, "owner")
    member, invited = operations.invite_member(org, owner, email="New.Person@Example.org",
                                               name="New Person", role="member")
    assert invited is True
    user = db_session.scalar(select(User).where(User.email == "new.person@example.org"))
    assert user is not None and user.password_hash is None
    assert member.user_id == user.id and member.role is MemberRole.member
    [message] = db_session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == "new.person@example.org"))
    assert message.kind == "accounts.invitation"
    assert "Toledo Youth Voices" in message.body_text
    [entry] = _audit(db_session, "organisation.add_member", org.id)
    assert entry.data["invited"] is True and entry.data["user_id"] == user.id


def test_inviting_an_existing_user_adds_them_and_tells_them(factories, db_session):
    owner = factories.user()
    existing = factories.user(email="colleague@example.org", name="Colleague")
    org = factories.organisation(name="Amandala")
    factories.member(org, owner, "owner")
    member, invited = operations.invite_member(org, owner, email="colleague@example.org",
                                               name="Whatever", role=MemberRole.owner)
    assert invited is False
    assert member.user_id == existing.id and member.role is MemberRole.owner
    [message] = db_session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == "colleague@example.org"))
    assert message.kind == "accounts.organisations.added_to_organisation"
    assert "Amandala" in message.subject
    assert f"/organisations/{org.id}" in message.body_text


def test_inviting_someone_twice_is_refused(factories, db_session):
    owner = factories.user(email="owner@example.org")
    org = factories.organisation()
    factories.member(org, owner, "owner")
    with pytest.raises(OperationError) as error:
        operations.invite_member(org, owner, email="OWNER@example.org", name="Me",
                                 role="member")
    assert error.value.field == "email"
    assert _count(db_session, OutboxMessage) == 0


def test_the_last_owner_cannot_be_removed(factories, db_session):
    owner = factories.user()
    org = factories.organisation()
    ownership = factories.member(org, owner, "owner")
    plain = factories.member(org, factories.user(), "member")
    with pytest.raises(OperationError):
        operations.remove_member(org, owner, ownership)
    assert _count(db_session, OrganisationMember,
                  OrganisationMember.organisation_id == org.id) == 2
    operations.remove_member(org, owner, plain)
    second = factories.member(org, factories.user(), "owner")
    operations.remove_member(org, owner, ownership)  # another owner remains
    assert [m.id for m in queries.members_of(org)] == [second.id]
    assert len(_audit(db_session, "organisation.remove_member", org.id)) == 2


def test_removing_a_member_of_another_organisation_is_refused(factories):
    org = factories.organisation()
    other = factories.organisation()
    stranger = factories.member(other, factories.user(), "member")
    with pytest.raises(OperationError):
        operations.remove_member(org, factories.user(roles=("staff",)), stranger)


# Merging ------------------------------------------------------------------------------------

@pytest.fixture
def reference_table(db_session):
    """A table from a 'future package' that refers to organisations."""
    table = Table("test_org_references", db.metadata,
                  Column("id", Integer, primary_key=True),
                  Column("organisation_id", ForeignKey("organisations.id")),
                  Column("partner_id", ForeignKey("organisations.id")))
    connection = db_session.connection()
    table.create(connection)
    try:
        yield table
    finally:
        table.drop(db_session.connection())
        db.metadata.remove(table)


def test_merge_moves_members_references_and_fills_empty_fields(factories, db_session,
                                                               reference_table):
    staff = factories.user(roles=("staff",))
    kept = factories.organisation(name="Citizens for Transparency", acronym=None)
    duplicate = factories.organisation(name="citizens for transparency", acronym="CTB",
                                       org_id="BZ-COA-777", website="https://ctb.example.org",
                                       is_verified=False)
    only_dup, both, owner_in_dup = factories.user(), factories.user(), factories.user()
    kept_owner = factories.user()
    factories.member(kept, kept_owner, "owner")
    factories.member(kept, both, "member")
    factories.member(kept, owner_in_dup, "member")
    factories.member(duplicate, only_dup, "member")
    factories.member(duplicate, both, "member")
    factories.member(duplicate, owner_in_dup, "owner")
    db_session.execute(insert(reference_table), [
        {"organisation_id": duplicate.id, "partner_id": kept.id},
        {"organisation_id": duplicate.id, "partner_id": duplicate.id},
        {"organisation_id": kept.id, "partner_id": None},
    ])
    kept_id, duplicate_id = kept.id, duplicate.id

    moved = merging.merge_organisations(kept, duplicate, staff)

    db_session.expire_all()
    assert db_session.get(Organisation, duplicate_id) is None
    kept = db_session.get(Organisation, kept_id)
    roles = {m.user_id: m.role for m in queries.members_of(kept)}
    assert roles == {kept_owner.id: MemberRole.owner, both.id: MemberRole.member,
                     owner_in_dup.id: MemberRole.owner, only_dup.id: MemberRole.member}
    assert _count(db_session, OrganisationMember,
                  OrganisationMember.organisation_id == duplicate_id) == 0
    rows = db_session.execute(select(reference_table.c.organisation_id,
                                     reference_table.c.partner_id)).all()
    assert sorted(rows, key=str) == sorted([(kept_id, kept_id), (kept_id, kept_id),
                                            (kept_id, None)], key=str)
    assert moved["references"] == {"test_org_references.organisation_id": 2,
                                   "test_org_references.partner_id": 1}
    # Empty fields of the kept record are filled; its own values win.
    assert kept.name == "Citizens for Transparency"
    assert kept.acronym == "CTB"
    assert kept.org_id == "BZ-COA-777"
    assert kept.website == "https://ctb.example.org"

    [entry] = _audit(db_session, "organisation.merge", kept_id)
    assert entry.data["kept_id"] == kept_id and entry.data["duplicate_id"] == duplicate_id
    assert entry.data["moved"]["memberships"]["moved"] == [only_dup.id]
    assert owner_in_dup.id in entry.data["moved"]["memberships"]["promoted"]
    [away] = _audit(db_session, "organisation.merged_away", duplicate_id)
    assert away.object_type == "organisations" and away.data["kept_id"] == kept_id


def test_merge_keeps_earlier_audit_history_of_both(factories, db_session):
    staff = factories.user(roles=("staff",))
    kept = operations.create_organisation(staff, name="Kept", sector="government")
    duplicate = operations.create_organisation(staff, name="Kept", sector="government")
    duplicate_id = duplicate.id
    merging.merge_organisations(kept, duplicate, staff)
    assert len(_audit(db_session, "organisation.create", kept.id)) == 1
    assert len(_audit(db_session, "organisation.create", duplicate_id)) == 1
    actions = {entry.action for entry in db_session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "organisations",
        AuditEntry.object_id.in_([str(kept.id), str(duplicate_id)])))}
    assert {"organisation.merge", "organisation.merged_away"} <= actions


def test_merge_sends_the_signal_first(factories):
    staff = factories.user(roles=("staff",))
    kept = factories.organisation()
    duplicate = factories.organisation()
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


def test_merging_into_itself_is_refused(factories, db_session):
    staff = factories.user(roles=("staff",))
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


# Queries ------------------------------------------------------------------------------------

def test_directory_query_searches_and_filters(factories, db_session):
    a = factories.organisation(name="Belize Chamber of Commerce", acronym="BCCI",
                               sector=Sector.private, is_verified=True)
    b = factories.organisation(name="Ministry of Education", sector=Sector.government,
                               registration_number="GOV-42", org_id="BZ-COA-MOE")
    c = factories.organisation(name="Guatemalan 100% Partners", sector=Sector.private,
                               country="GT")

    def names(**filters):
        return [org.name for org in db_session.scalars(queries.directory_query(**filters))]

    assert names(search="bcci") == [a.name]
    assert names(search="chamber") == [a.name]
    assert names(search="gov-42") == [b.name]
    assert names(search="bz-coa") == [b.name]
    assert names(search="100%") == [c.name]
    assert names(search="%") == [c.name]  # wildcards are searched for literally
    assert names(sector=Sector.private) == [a.name, c.name]
    assert names(verified=True) == [a.name]
    assert names(verified=False) == [c.name, b.name]
    assert names(country="GT") == [c.name]
    assert names(search="'; DROP TABLE organisations; --") == []
    counts = queries.sector_counts()
    assert counts[Sector.private] == 2 and counts[Sector.government] == 1
    assert counts[Sector.media] == 0


def test_likely_duplicates(factories):
    org = factories.organisation(name="Toledo Youth Voices", acronym="TYV")
    same_name = factories.organisation(name="TOLEDO YOUTH VOICES")
    same_acronym = factories.organisation(name="Something else", acronym="tyv")
    factories.organisation(name="Unrelated", acronym="UN")
    assert {o.id for o in queries.likely_duplicates(org)} == {same_name.id, same_acronym.id}


def test_members_of_loads_users_with_the_members(factories, db_session):
    org = factories.organisation()
    for role in ("member", "owner", "member"):
        factories.member(org, factories.user(), role)
    db_session.expire_all()
    members = queries.members_of(org)
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    connection = db_session.connection()
    event.listen(connection, "before_cursor_execute", count)
    try:
        names = [member.user.name for member in members]
        emails = [member.user.email for member in members]
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert len(names) == len(emails) == 3
    assert members[0].role is MemberRole.owner
    assert statements == []  # no query per member


def test_organisations_of(factories):
    user = factories.user()
    first = factories.organisation(name="B org")
    second = factories.organisation(name="A org")
    factories.organisation(name="Not mine")
    factories.member(first, user, "owner")
    factories.member(second, user, "member")
    assert queries.organisations_of(user) == [(second, MemberRole.member),
                                              (first, MemberRole.owner)]
