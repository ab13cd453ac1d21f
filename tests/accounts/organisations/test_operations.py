from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from accounts.organisations import operations, queries
from accounts.organisations.models import MemberRole, Organisation, OrganisationMember, Sector
from core.audit.models import AuditEntry
from core.errors import OperationError


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
