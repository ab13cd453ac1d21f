from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from accounts.organisations.models import Sector
from coalitions.coalitions import operations, queries
from coalitions.coalitions.models import (
    ActivityKind,
    CoalitionActivity,
    CoalitionMembership,
    CoalitionState,
    MembershipRole,
)
from core.audit.models import AuditEntry
from core.errors import OperationError


def _audit(session, action) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def staff(factories):
    return factories.user(roles=("staff",))


@pytest.fixture
def coalition(staff, factories):
    return operations.create_coalition(
        staff, name="Open Data Coalition", purpose="Publish data",
        thematic_areas=["Open data", " ", "Open data", "E-government"],
        lead_organisation_id=factories.organisation().id, formed_on=date(2019, 3, 1))


def test_create_cleans_fields_and_is_audited(coalition, db_session):
    assert coalition.state is CoalitionState.forming
    assert coalition.thematic_areas == ["Open data", "E-government"]
    assert _audit(db_session, "coalition.create")[0].object_id == str(coalition.id)


def test_create_refuses_missing_name_and_unknown_lead(staff, db_session):
    with pytest.raises(OperationError) as error:
        operations.create_coalition(staff, name="  ")
    assert error.value.field == "name"
    with pytest.raises(OperationError) as error:
        operations.create_coalition(staff, name="X", lead_organisation_id=999999)
    assert error.value.field == "lead_organisation_id"
    assert "999999" in str(error.value.message)


def test_update_records_only_changes(coalition, staff, db_session):
    changes = operations.update_coalition(coalition, staff, name="Open Data Coalition",
                                          state="active")
    assert changes == {"state": [CoalitionState.forming, CoalitionState.active]}
    assert operations.update_coalition(coalition, staff, state="active") == {}
    assert len(_audit(db_session, "coalition.update")) == 1


def test_changing_a_role_keeps_the_history(coalition, staff, factories, db_session):
    org = factories.organisation(sector=Sector.government)
    first = operations.add_member(coalition, staff, organisation_id=org.id,
                                  role="observer", joined_on=date(2019, 4, 1))
    ended, second = operations.end_membership(coalition, staff, first,
                                              left_on=date(2020, 1, 15), new_role="member")
    assert ended is first
    assert (first.role, first.joined_on, first.left_on) == (
        MembershipRole.observer, date(2019, 4, 1), date(2020, 1, 15))
    assert (second.role, second.joined_on, second.left_on) == (
        MembershipRole.member, date(2020, 1, 15), None)
    periods = db_session.scalars(select(CoalitionMembership).where(
        CoalitionMembership.organisation_id == org.id)).all()
    assert len(periods) == 2
    assert _audit(db_session, "coalition.change_role")[0].data["new_role"] == "member"


def test_membership_cannot_end_before_it_starts(coalition, staff, factories):
    org = factories.organisation()
    membership = operations.add_member(coalition, staff, organisation_id=org.id,
                                       joined_on=date(2020, 5, 1))
    with pytest.raises(OperationError) as error:
        operations.end_membership(coalition, staff, membership, left_on=date(2020, 4, 30))
    assert error.value.field == "left_on"
    assert membership.left_on is None


def test_ending_twice_or_same_role_is_refused(coalition, staff, factories):
    org = factories.organisation()
    membership = operations.add_member(coalition, staff, organisation_id=org.id,
                                       role="member", joined_on=date(2020, 5, 1))
    with pytest.raises(OperationError) as error:
        operations.end_membership(coalition, staff, membership, left_on=date(2020, 6, 1),
                                  new_role="member")
    assert error.value.field == "new_role"
    operations.end_membership(coalition, staff, membership, left_on=date(2020, 6, 1))
    with pytest.raises(OperationError):
        operations.end_membership(coalition, staff, membership, left_on=date(2020, 7, 1))


def test_one_open_period_per_organisation_and_no_overlap(coalition, staff, factories):
    org = factories.organisation()
    membership = operations.add_member(coalition, staff, organisation_id=org.id,
                                       joined_on=date(2020, 1, 1))
    with pytest.raises(OperationError) as error:
        operations.add_member(coalition, staff, organisation_id=org.id,
                              joined_on=date(2021, 1, 1))
    assert error.value.field == "organisation_id"
    operations.end_membership(coalition, staff, membership, left_on=date(2020, 12, 31))
    with pytest.raises(OperationError) as error:
        operations.add_member(coalition, staff, organisation_id=org.id,
                              joined_on=date(2020, 6, 1))
    assert error.value.field == "joined_on"
    again = operations.add_member(coalition, staff, organisation_id=org.id,
                                  joined_on=date(2022, 1, 1))
    assert again.left_on is None


def test_add_member_refuses_unknown_organisation_and_role(coalition, staff, factories,
                                                         db_session):
    before = _count(db_session, CoalitionMembership)
    with pytest.raises(OperationError) as error:
        operations.add_member(coalition, staff, organisation_id=424242,
                              joined_on=date(2020, 1, 1))
    assert error.value.field == "organisation_id"
    with pytest.raises(OperationError) as error:
        operations.add_member(coalition, staff, organisation_id=factories.organisation().id,
                              role="boss", joined_on=date(2020, 1, 1))
    assert error.value.field == "role"
    assert _count(db_session, CoalitionMembership) == before


def test_members_by_sector_separates_current_and_past(coalition, staff, factories):
    ngo = factories.organisation(sector=Sector.civil_society, name="NGO")
    ministry = factories.organisation(sector=Sector.government, name="Ministry")
    operations.add_member(coalition, staff, organisation_id=ngo.id, joined_on=date(2020, 1, 1))
    past = operations.add_member(coalition, staff, organisation_id=ministry.id,
                                 joined_on=date(2020, 1, 1))
    operations.end_membership(coalition, staff, past, left_on=date(2020, 2, 1))
    groups = {group.sector: group for group in queries.members_by_sector(coalition)}
    assert [m.organisation.name for m in groups[Sector.civil_society].current] == ["NGO"]
    assert groups[Sector.government].current == []
    assert [m.organisation.name for m in groups[Sector.government].past] == ["Ministry"]
    listed = dict((c.id, n) for c, n in queries.coalition_list())
    assert listed[coalition.id] == 1


def test_add_activity_with_organisations_and_evidence(coalition, staff, factories, db_session):
    org = factories.organisation()
    pdf = FileStorage(BytesIO(b"%PDF-1.4\n%%EOF\n"), filename="minutes.pdf")
    activity = operations.add_activity(
        coalition, staff, kind="policy_submission", happened_on=date(2020, 3, 3),
        description="Submitted the draft access-to-information bill.",
        outcome="Accepted for consultation", organisation_ids=[str(org.id), org.id],
        file_storage=pdf)
    assert activity.kind is ActivityKind.policy_submission
    assert activity.organisations == [org]
    assert activity.evidence_file.original_name == "minutes.pdf"
    assert queries.timeline(coalition) == [activity]
    assert _audit(db_session, "coalition.add_activity")


def test_add_activity_refuses_unknown_organisation(coalition, staff, db_session):
    with pytest.raises(OperationError) as error:
        operations.add_activity(coalition, staff, kind="meeting", happened_on=date(2020, 1, 1),
                                description="Met", organisation_ids=["77777"])
    assert error.value.field == "organisation_ids"
    with pytest.raises(OperationError) as error:
        operations.add_activity(coalition, staff, kind="meeting", happened_on=None,
                                description="Met")
    assert error.value.field == "happened_on"
    assert _count(db_session, CoalitionActivity) == 0


def test_linked_awards_empty_without_links(coalition):
    assert queries.linked_awards(coalition) == []
