from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from sqlalchemy import func, select

from accounts.organisations.models import Sector
from coalitions.coalitions import operations
from coalitions.coalitions.models import (
    Coalition,
    CoalitionActivity,
    CoalitionMembership,
    MembershipRole,
)


def _count(session, model, *conditions) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*conditions))


@pytest.fixture
def staff_user(factories):
    return factories.user(roles=("staff",))


@pytest.fixture
def coalition(staff_user):
    return operations.create_coalition(staff_user, name="Access to Information Coalition",
                                       thematic_areas=["Access to public information"])


@pytest.fixture
def membership(coalition, staff_user, factories):
    org = factories.organisation(name="Ministry of Public Service", sector=Sector.government)
    return operations.add_member(coalition, staff_user, organisation_id=org.id,
                                 role="observer", joined_on=date(2019, 5, 1))


ENDPOINTS = [
    ("get", "/coalitions"),
    ("get", "/coalitions/new"),
    ("get", "/coalitions/{id}"),
    ("get", "/coalitions/{id}/edit"),
    ("post", "/coalitions/{id}/members"),
    ("post", "/coalitions/{id}/members/{membership}/end"),
    ("get", "/coalitions/{id}/activities/new"),
]


@pytest.mark.parametrize("method, url", ENDPOINTS)
@pytest.mark.parametrize("role", ["applicant", "reviewer", "donor", "finance"])
def test_staff_pages_are_403_for_others(client, login_as, coalition, membership, role,
                                        method, url):
    login_as(role)
    response = getattr(client, method)(url.format(id=coalition.id, membership=membership.id))
    assert response.status_code == 403


@pytest.mark.parametrize("method, url", ENDPOINTS)
def test_anonymous_visitors_are_sent_to_sign_in(client, coalition, membership, method, url):
    response = getattr(client, method)(url.format(id=coalition.id, membership=membership.id))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_unknown_coalition_is_404(client, login_as):
    login_as("staff")
    assert client.get("/coalitions/987654").status_code == 404


def test_staff_create_a_coalition(client, login_as, factories, db_session):
    login_as("staff")
    lead = factories.organisation(name="Lead NGO")
    assert client.get("/coalitions/new").status_code == 200
    response = client.post("/coalitions/new", data={
        "name": "Youth for Open Government", "purpose": "Young people's voice",
        "thematic_areas": "Citizen participation\nEducation",
        "lead_organisation_id": str(lead.id), "formed_on": "2019-02-01", "state": "active"})
    assert response.status_code == 302
    coalition = db_session.scalar(select(Coalition).where(
        Coalition.name == "Youth for Open Government"))
    assert coalition.thematic_areas == ["Citizen participation", "Education"]
    assert coalition.lead_organisation_id == lead.id
    listing = client.get("/coalitions")
    assert b"Youth for Open Government" in listing.data


def test_create_with_unknown_lead_is_422_and_writes_nothing(client, login_as, db_session):
    login_as("staff")
    before = _count(db_session, Coalition)
    response = client.post("/coalitions/new", data={
        "name": "Ghost", "lead_organisation_id": "999999", "state": "forming"})
    assert response.status_code == 422
    assert b"No organisation has the number 999999" in response.data
    assert _count(db_session, Coalition) == before


def test_edit_a_coalition(client, login_as, coalition, db_session):
    login_as("staff")
    assert client.get(f"/coalitions/{coalition.id}/edit").status_code == 200
    response = client.post(f"/coalitions/{coalition.id}/edit", data={
        "name": "Renamed", "thematic_areas": "", "lead_organisation_id": "",
        "formed_on": "", "state": "dormant"})
    assert response.status_code == 302
    db_session.refresh(coalition)
    assert (coalition.name, coalition.state.value) == ("Renamed", "dormant")


def test_detail_lists_members_by_sector_and_timeline(client, login_as, coalition, membership,
                                                     staff_user, factories):
    ngo = factories.organisation(name="Citizens Watch", sector=Sector.civil_society)
    operations.add_member(coalition, staff_user, organisation_id=ngo.id,
                          joined_on=date(2019, 6, 1))
    operations.end_membership(coalition, staff_user, membership, left_on=date(2020, 1, 1),
                              new_role="member")
    operations.add_activity(coalition, staff_user, kind="campaign",
                            happened_on=date(2020, 2, 2), description="Right to know week",
                            organisation_ids=[ngo.id])
    login_as("staff")
    response = client.get(f"/coalitions/{coalition.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Government" in page and "Civil society" in page
    assert "Past period" in page  # the observer period is kept
    assert "Right to know week" in page
    assert 'class="table-wrap table-key"' in page


def test_add_member_and_change_role_keep_history(client, login_as, coalition, factories,
                                                 db_session):
    login_as("staff")
    org = factories.organisation()
    response = client.post(f"/coalitions/{coalition.id}/members", data={
        "organisation_id": str(org.id), "role": "observer", "joined_on": "2020-01-01"})
    assert response.status_code == 302
    membership = db_session.scalar(select(CoalitionMembership).where(
        CoalitionMembership.organisation_id == org.id))
    response = client.post(f"/coalitions/{coalition.id}/members/{membership.id}/end",
                           data={"left_on": "2021-01-01", "new_role": "lead"})
    assert response.status_code == 302
    periods = db_session.scalars(select(CoalitionMembership).where(
        CoalitionMembership.organisation_id == org.id)
        .order_by(CoalitionMembership.id)).all()
    assert [(p.role, p.left_on) for p in periods] == [
        (MembershipRole.observer, date(2021, 1, 1)), (MembershipRole.lead, None)]


def test_membership_ending_before_it_starts_is_422(client, login_as, coalition, membership,
                                                   db_session):
    login_as("staff")
    response = client.post(f"/coalitions/{coalition.id}/members/{membership.id}/end",
                           data={"left_on": "2019-04-30", "new_role": "member"})
    assert response.status_code == 422
    assert b"cannot end before it started" in response.data
    db_session.refresh(membership)
    assert membership.left_on is None
    assert _count(db_session, CoalitionMembership,
                  CoalitionMembership.coalition_id == coalition.id) == 1


def test_add_member_with_unknown_organisation_is_422(client, login_as, coalition, db_session):
    login_as("staff")
    response = client.post(f"/coalitions/{coalition.id}/members", data={
        "organisation_id": "31337", "role": "member", "joined_on": "2020-01-01"})
    assert response.status_code == 422
    assert b"No organisation has the number 31337" in response.data
    assert _count(db_session, CoalitionMembership) == 0


def test_add_member_without_date_is_422(client, login_as, coalition, factories, db_session):
    login_as("staff")
    org = factories.organisation()
    response = client.post(f"/coalitions/{coalition.id}/members", data={
        "organisation_id": str(org.id), "role": "member", "joined_on": ""})
    assert response.status_code == 422
    assert b"Enter the date the organisation joined." in response.data


def test_membership_of_another_coalition_is_404(client, login_as, membership, staff_user):
    other = operations.create_coalition(staff_user, name="Other")
    login_as("staff")
    response = client.post(f"/coalitions/{other.id}/members/{membership.id}/end",
                           data={"left_on": "2020-01-01"})
    assert response.status_code == 404


def test_add_activity_with_evidence_and_download(client, login_as, coalition, factories,
                                                 db_session):
    login_as("staff")
    org = factories.organisation()
    assert client.get(f"/coalitions/{coalition.id}/activities/new").status_code == 200
    response = client.post(f"/coalitions/{coalition.id}/activities/new", data={
        "kind": "meeting", "happened_on": "2020-03-10", "description": "First meeting",
        "outcome": "Agreed the terms of reference", "organisation_ids": [str(org.id)],
        "evidence": (BytesIO(b"%PDF-1.4\n%%EOF\n"), "minutes.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    activity = db_session.scalar(select(CoalitionActivity))
    assert activity.organisations == [org]
    download = client.get(f"/coalitions/{coalition.id}/activities/{activity.id}/evidence")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")


def test_add_activity_with_unknown_organisation_is_422(client, login_as, coalition,
                                                       db_session):
    login_as("staff")
    response = client.post(f"/coalitions/{coalition.id}/activities/new", data={
        "kind": "meeting", "happened_on": "2020-03-10", "description": "Meeting",
        "organisation_ids": ["55555"]})
    assert response.status_code == 422
    assert b"No organisation has the number 55555" in response.data
    assert _count(db_session, CoalitionActivity) == 0


def test_evidence_missing_is_404(client, login_as, coalition, staff_user):
    activity = operations.add_activity(coalition, staff_user, kind="meeting",
                                       happened_on=date(2020, 1, 1), description="Met")
    login_as("staff")
    assert client.get(f"/coalitions/{coalition.id}/activities/{activity.id}/evidence"
                      ).status_code == 404


def _award(db_session, factories):
    """A grant award row, written through the awards table (coalitions never import grants)."""
    from decimal import Decimal

    from core.extensions import db
    from tests.fixtures.applications import make_submitted_application

    application = make_submitted_application(db_session, factories)
    awards = db.metadata.tables["awards"]
    db_session.execute(awards.insert().values(
        application_id=application.id, reference="OGB-G-2026-001", amount=Decimal("5000.00"),
        currency="USD", state="active", deobligated_amount=Decimal("0.00"),
        deobligation_reason="", termination_reason="", conditions="",
        created_at=application.created_at, updated_at=application.created_at))
    return db_session.scalar(awards.select().with_only_columns(awards.c.id))


def test_link_and_unlink_a_grant_award(client, login_as, coalition, db_session, factories):
    from sqlalchemy import select

    from coalitions.coalitions.models import coalition_awards
    from core.audit.models import AuditEntry

    award_id = _award(db_session, factories)
    login_as("staff")
    response = client.post(f"/coalitions/{coalition.id}/awards",
                           data={"reference": "ogb-g-2026-001"})
    assert response.status_code == 302
    assert b"OGB-G-2026-001" in client.get(f"/coalitions/{coalition.id}").data
    # Linking it again (a double click) is answered as the first link was, with a note.
    again = client.post(f"/coalitions/{coalition.id}/awards", data={"reference": "OGB-G-2026-001"})
    assert again.status_code == 302
    assert b"already linked" in client.get(again.location).data
    unknown = client.post(f"/coalitions/{coalition.id}/awards", data={"reference": "NOPE-1"})
    assert unknown.status_code == 422 and b"No grant award has the reference" in unknown.data
    assert client.post(f"/coalitions/{coalition.id}/awards/{award_id}/unlink").status_code == 302
    assert db_session.scalar(select(coalition_awards.c.award_id)) is None
    actions = set(db_session.scalars(select(AuditEntry.action)))
    assert {"coalition.link_award", "coalition.unlink_award"} <= actions
