from __future__ import annotations

import pytest
from sqlalchemy import func, select

from accounts.models import User
from accounts.organisations.models import MemberRole, Organisation, OrganisationMember, Sector
from core.audit.models import AuditEntry
from core.outbox.models import OutboxMessage


def _count(session, model, *conditions) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*conditions))


def _valid_form(**overrides) -> dict:
    data = {
        "name": "Citizens for Transparency Belize", "acronym": "CTB",
        "sector": "civil_society", "country": "BZ", "district": "Belize",
        "registration_number": "NGO/2019/123", "org_id": "", "website": "https://ctb.example.org",
        "email": "info@ctb.example.org", "phone": "+501 822-0000",
        "address": "1 Regent Street\nBelize City",
    }
    data.update(overrides)
    return data


@pytest.fixture
def org(factories):
    return factories.organisation(name="Toledo Youth Voices", acronym="TYV")


ENDPOINTS = [
    ("get", "/organisations"),
    ("get", "/organisations/mine"),
    ("get", "/organisations/new"),
    ("get", "/organisations/{id}"),
    ("get", "/organisations/{id}/edit"),
    ("post", "/organisations/{id}/verify"),
    ("get", "/organisations/{id}/members/invite"),
    ("post", "/organisations/{id}/members/{member}/remove"),
    ("get", "/organisations/{id}/merge"),
]


# Access -------------------------------------------------------------------------------------

@pytest.mark.parametrize("method, url", ENDPOINTS)
def test_anonymous_visitors_are_sent_to_sign_in(client, factories, org, method, url):
    member = factories.member(org, factories.user(), "owner")
    response = getattr(client, method)(url.format(id=org.id, member=member.id))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("method, url", [e for e in ENDPOINTS if "{id}" in e[1]])
def test_outsiders_get_403(client, factories, login_as, org, method, url):
    member = factories.member(org, factories.user(), "owner")
    login_as("applicant")
    response = getattr(client, method)(url.format(id=org.id, member=member.id),
                                       data={"verified": "1"})
    assert response.status_code == 403


@pytest.mark.parametrize("method, url", [e for e in ENDPOINTS if "{id}" in e[1]])
@pytest.mark.parametrize("missing", [999999, 2**40])
def test_missing_organisations_get_404(client, login_as, method, url, missing):
    login_as("staff")
    response = getattr(client, method)(url.format(id=missing, member=1),
                                       data={"verified": "1"})
    assert response.status_code == 404


def test_members_of_another_organisation_cannot_be_removed_through_this_one(
        client, factories, login_as, org):
    owner = login_as("applicant")
    factories.member(org, owner, "owner")
    other = factories.organisation()
    stranger = factories.member(other, factories.user(), "owner")
    response = client.post(f"/organisations/{org.id}/members/{stranger.id}/remove")
    assert response.status_code == 404


def test_directory_is_for_staff_only(client, login_as):
    login_as("applicant")
    assert client.get("/organisations").status_code == 403


def test_navigation_entries(client, login_as):
    login_as("applicant")
    page = client.get("/organisations/mine").get_data(as_text=True)
    assert 'href="/organisations/mine"' in page
    assert 'href="/organisations"' not in page
    login_as("staff")
    page = client.get("/organisations/mine").get_data(as_text=True)
    assert 'href="/organisations"' in page


# Creating and editing -----------------------------------------------------------------------

def test_create_form_defaults_to_the_programme_country(client, login_as):
    login_as("applicant")
    response = client.get("/organisations/new")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<option selected value="BZ">Belize</option>' in page
    assert 'for="name"' in page and 'for="org_id"' in page


def test_country_names_follow_the_language(client, login_as):
    login_as("applicant", locale="es")
    page = client.get("/organisations/new").get_data(as_text=True)
    assert '<option selected value="BZ">Belice</option>' in page


def test_creating_makes_the_creator_owner(app, client, login_as, db_session):
    user = login_as("applicant")
    response = client.post("/organisations/new", data=_valid_form())
    assert response.status_code == 302
    org = db_session.scalar(select(Organisation).where(
        Organisation.name == "Citizens for Transparency Belize"))
    assert response.headers["Location"].endswith(f"/organisations/{org.id}")
    assert org.member_role(user) is MemberRole.owner
    assert org.address == "1 Regent Street\nBelize City"
    assert _count(db_session, AuditEntry, AuditEntry.action == "organisation.create") == 1
    page = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert f"360G-{app.config['OPEN_DATA_PREFIX']}-ORG-{org.id}" in page
    assert "Citizens for Transparency Belize" in page


def test_org_id_list_code_is_upper_cased(client, login_as, db_session):
    login_as("applicant")
    response = client.post("/organisations/new", data=_valid_form(org_id="bz-coa-Ab.12"))
    assert response.status_code == 302
    assert db_session.scalar(select(Organisation.org_id)) == "BZ-COA-Ab.12"


@pytest.mark.parametrize("field, value", [
    ("name", ""),
    ("name", "   "),
    ("name", "x" * 201),
    ("name", "Tab\tname"),
    ("name", "<script>alert(1)</script>"),
    ("name", "'; DROP TABLE organisations; --"),
    ("name", "x' OR 1=1 --"),
    ("acronym", "A" * 31),
    ("sector", ""),
    ("sector", "aliens"),
    ("country", "ZZ"),
    ("country", ""),
    ("district", "<b>Cayo</b>"),
    ("registration_number", "12; DELETE FROM users"),
    ("org_id", "not an org id"),
    ("org_id", "bz coa 123"),
    ("org_id", "360G-ogbz-ORG-1"),
    ("website", "javascript:alert(1)"),
    ("website", "ctb.example.org"),
    ("website", "https://exa mple.org"),
    ("website", "https://" + "a" * 300 + ".org"),
    ("email", "not-an-email"),
    ("email", "a@b.c\r\nBcc: x@example.org"),
    ("phone", "call me maybe"),
    ("phone", "<img src=x>"),
    ("address", "<iframe src=x></iframe>"),
    ("address", "x" * 1001),
])
def test_invalid_input_answers_422_next_to_the_field_and_writes_nothing(
        client, login_as, db_session, field, value):
    login_as("applicant")
    before = (_count(db_session, Organisation), _count(db_session, OrganisationMember),
              _count(db_session, AuditEntry))
    response = client.post("/organisations/new", data=_valid_form(**{field: value}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert "<script>alert(1)</script>" not in page
    assert (_count(db_session, Organisation), _count(db_session, OrganisationMember),
            _count(db_session, AuditEntry)) == before


def test_duplicate_org_id_is_shown_next_to_the_field(client, factories, login_as, db_session):
    factories.organisation(org_id="BZ-COA-1")
    login_as("applicant")
    response = client.post("/organisations/new", data=_valid_form(org_id="BZ-COA-1"))
    assert response.status_code == 422
    assert 'id="org_id-error"' in response.get_data(as_text=True)
    assert _count(db_session, Organisation) == 1


def test_owner_edits_and_member_cannot(client, factories, login_as, org, db_session):
    owner = factories.user()
    factories.member(org, owner, "owner")
    member = factories.user()
    factories.member(org, member, "member")
    login_as(member)
    assert client.get(f"/organisations/{org.id}").status_code == 200
    assert client.get(f"/organisations/{org.id}/edit").status_code == 403
    login_as(owner)
    response = client.get(f"/organisations/{org.id}/edit")
    assert response.status_code == 200
    assert 'value="Toledo Youth Voices"' in response.get_data(as_text=True)
    response = client.post(f"/organisations/{org.id}/edit",
                           data=_valid_form(name="Toledo Youth Voices", district="Toledo"))
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Organisation, org.id).district == "Toledo"
    response = client.post(f"/organisations/{org.id}/edit", data=_valid_form(name=""))
    assert response.status_code == 422
    db_session.expire_all()
    assert db_session.get(Organisation, org.id).name == "Toledo Youth Voices"


def test_mine_lists_the_users_organisations(client, factories, login_as, org):
    user = login_as("applicant")
    factories.member(org, user, "member")
    factories.organisation(name="Someone else's")
    page = client.get("/organisations/mine").get_data(as_text=True)
    assert "Toledo Youth Voices" in page
    assert "Someone else" not in page
    assert 'href="/organisations/new"' in page


# Directory ----------------------------------------------------------------------------------

def test_staff_search_filter_and_paginate(client, factories, login_as):
    for n in range(30):
        factories.organisation(name=f"Government body {n:02d}", sector=Sector.government)
    factories.organisation(name="Belize Chamber of Commerce", acronym="BCCI",
                           sector=Sector.private, is_verified=True)
    factories.organisation(name="Guatemala Partners", sector=Sector.private, country="GT")
    login_as("staff")

    page1 = client.get("/organisations?sector=government").get_data(as_text=True)
    assert "Government body 00" in page1 and "Government body 24" in page1
    assert "Government body 25" not in page1
    assert "30 organisations found" in page1
    page2 = client.get("/organisations?sector=government&page=2").get_data(as_text=True)
    assert "Government body 25" in page2 and "Government body 29" in page2
    assert "Government body 00" not in page2

    found = client.get("/organisations?q=bcci").get_data(as_text=True)
    assert "Belize Chamber of Commerce" in found and "Government body" not in found
    verified = client.get("/organisations?verified=1").get_data(as_text=True)
    assert "Belize Chamber of Commerce" in verified and "Guatemala Partners" not in verified
    country = client.get("/organisations?country=GT").get_data(as_text=True)
    assert "Guatemala Partners" in country and "Belize Chamber" not in country
    injected = client.get("/organisations", query_string={"q": "' OR 1=1 --"})
    assert injected.status_code == 200
    assert "0 organisations found" in injected.get_data(as_text=True)
    counts = client.get("/organisations").get_data(as_text=True)
    assert "Government (30)" in counts and "Private sector (2)" in counts


@pytest.mark.parametrize("query", [
    {"sector": "aliens"}, {"verified": "maybe"}, {"country": "ZZ"}, {"q": "x" * 101},
    {"q": "bad\x00"},
])
def test_bad_directory_filters_answer_400(client, login_as, query):
    login_as("staff")
    assert client.get("/organisations", query_string=query).status_code == 400


@pytest.mark.parametrize("page", ["0", "abc", "999"])
def test_bad_pages_answer_404(client, login_as, page):
    login_as("staff")
    assert client.get("/organisations", query_string={"page": page}).status_code == 404


def test_detail_shows_likely_duplicates_to_staff_only(client, factories, login_as, org):
    duplicate = factories.organisation(name="TOLEDO YOUTH VOICES")
    owner = factories.user()
    factories.member(org, owner, "owner")
    login_as("staff")
    page = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert f"/organisations/{org.id}/merge?duplicate={duplicate.id}" in page
    login_as(owner)
    page = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert "merge" not in page


# Verification -------------------------------------------------------------------------------

def test_only_staff_verify(client, factories, login_as, org, db_session):
    owner = factories.user()
    factories.member(org, owner, "owner")
    login_as(owner)
    assert client.post(f"/organisations/{org.id}/verify", data={"verified": "1"}).status_code \
        == 403
    login_as("staff")
    assert client.post(f"/organisations/{org.id}/verify", data={"verified": "yes"}).status_code \
        == 400
    response = client.post(f"/organisations/{org.id}/verify", data={"verified": "1"})
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Organisation, org.id).is_verified is True
    client.post(f"/organisations/{org.id}/verify", data={"verified": "0"})
    db_session.expire_all()
    assert db_session.get(Organisation, org.id).is_verified is False
    assert _count(db_session, AuditEntry, AuditEntry.action.in_(
        ["organisation.verify", "organisation.unverify"])) == 2


# Members ------------------------------------------------------------------------------------

@pytest.mark.parametrize("data, field", [
    ({"name": "", "email": "new@example.org", "role": "member"}, "name"),
    ({"name": "X", "email": "nope", "role": "member"}, "email"),
    ({"name": "X", "email": "new@example.org", "role": "emperor"}, "role"),
    ({"name": "<b>X</b>", "email": "new@example.org", "role": "member"}, "name"),
])
def test_invalid_invitations_answer_422(client, factories, login_as, org, db_session,
                                        data, field):
    owner = login_as("applicant")
    factories.member(org, owner, "owner")
    users = _count(db_session, User)
    response = client.post(f"/organisations/{org.id}/members/invite", data=data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert _count(db_session, User) == users
    assert _count(db_session, OutboxMessage) == 0


def test_removing_the_last_owner_is_refused(client, factories, login_as, org, db_session):
    owner = login_as("applicant")
    ownership = factories.member(org, owner, "owner")
    response = client.post(f"/organisations/{org.id}/members/{ownership.id}/remove")
    assert response.status_code == 409
    assert "at least one owner" in response.get_data(as_text=True)
    assert db_session.get(OrganisationMember, ownership.id) is not None


def test_owner_removes_a_member(client, factories, login_as, org, db_session):
    owner = login_as("applicant")
    factories.member(org, owner, "owner")
    plain = factories.member(org, factories.user(), "member")
    plain_id = plain.id
    response = client.post(f"/organisations/{org.id}/members/{plain_id}/remove")
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(OrganisationMember, plain_id) is None


# Merging ------------------------------------------------------------------------------------

def test_staff_merge_a_duplicate_taking_nothing_by_default(client, factories, login_as, org,
                                                           db_session):
    duplicate = factories.organisation(name="Toledo Youth Voices", org_id="BZ-COA-9")
    person = factories.user()
    factories.member(duplicate, person, "owner")
    duplicate_id = duplicate.id
    login_as("staff")
    response = client.post(f"/organisations/{org.id}/merge",
                           data={"duplicate_id": str(duplicate_id), "confirm": "y"})
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Organisation, duplicate_id) is None
    kept = db_session.get(Organisation, org.id)
    assert kept.org_id is None
    assert kept.member_role(person) is None
    entry = db_session.scalar(select(AuditEntry).where(
        AuditEntry.action == "organisation.merge"))
    assert entry.object_id == str(org.id) and entry.data["duplicate_id"] == duplicate_id


def test_the_merge_page_compares_values_and_staff_choose(client, factories, login_as, org,
                                                        db_session):
    owner = factories.user(email="kept.owner@example.org")
    factories.member(org, owner, "owner")
    duplicate = factories.organisation(name="Toledo Youth Voices", org_id="BZ-COA-9",
                                       website="https://tyv.example.org")
    person = factories.user(name="Dana Duplicate")
    factories.member(duplicate, person, "owner")
    duplicate_id = duplicate.id
    login_as("staff")
    page = client.get(f"/organisations/{org.id}/merge?duplicate={duplicate_id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "BZ-COA-9" in text and "https://tyv.example.org" in text
    assert 'name="take" value="org_id"' in text and "checked" not in text
    assert f'name="member-{person.id}"' in text and "Dana Duplicate" in text
    response = client.post(f"/organisations/{org.id}/merge", data={
        "duplicate_id": str(duplicate_id), "confirm": "y", "take": ["org_id"],
        f"member-{person.id}": "member"})
    assert response.status_code == 302
    db_session.expire_all()
    kept = db_session.get(Organisation, org.id)
    assert kept.org_id == "BZ-COA-9" and kept.website is None
    assert kept.member_role(person) is MemberRole.member
    assert _count(db_session, OutboxMessage,
                  OutboxMessage.recipient == "kept.owner@example.org") == 1


@pytest.mark.parametrize("data", [
    {"take": ["is_verified"]},
    {"take": ["name\x00"]},
    {"member-PERSON": "admin"},
])
def test_bad_merge_choices_answer_422_and_change_nothing(client, factories, login_as, org,
                                                        db_session, data):
    duplicate = factories.organisation(name="Other")
    person = factories.user()
    factories.member(duplicate, person, "owner")
    data = {key.replace("PERSON", str(person.id)): value for key, value in data.items()}
    login_as("staff")
    response = client.post(f"/organisations/{org.id}/merge", data={
        "duplicate_id": str(duplicate.id), "confirm": "y", **data})
    assert response.status_code in (400, 422)
    db_session.expire_all()
    assert db_session.get(Organisation, duplicate.id) is not None
    assert _count(db_session, AuditEntry, AuditEntry.action == "organisation.merge") == 0


@pytest.mark.parametrize("data", [
    {"duplicate_id": "SELF", "confirm": "y"},
    {"duplicate_id": "OTHER"},
    {"duplicate_id": "999999", "confirm": "y"},
    {"duplicate_id": "abc", "confirm": "y"},
    {"duplicate_id": "-1", "confirm": "y"},
    {"duplicate_id": str(2**40), "confirm": "y"},
    {"confirm": "y"},
])
def test_bad_merges_answer_422_and_change_nothing(client, factories, login_as, org,
                                                  db_session, data):
    other = factories.organisation(name="Other")
    data = {key: value.replace("SELF", str(org.id)).replace("OTHER", str(other.id))
            for key, value in data.items()}
    login_as("staff")
    before = _count(db_session, Organisation)
    response = client.post(f"/organisations/{org.id}/merge", data=data)
    assert response.status_code == 422
    assert "error-message" in response.get_data(as_text=True)
    assert _count(db_session, Organisation) == before
    assert _count(db_session, AuditEntry, AuditEntry.action == "organisation.merge") == 0


def test_csrf_is_required(client, login_as, csrf_enabled, db_session):
    login_as("applicant")
    response = client.post("/organisations/new", data=_valid_form())
    assert response.status_code == 400
    assert _count(db_session, Organisation) == 0


def test_action_buttons_carry_the_csrf_token(client, factories, login_as, org, csrf_enabled):
    owner = factories.user()
    factories.member(org, owner, "owner")
    login_as("staff")
    page = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    verify_form = page[page.index(f'action="/organisations/{org.id}/verify"'):]
    assert 'name="csrf_token"' in verify_form[:verify_form.index("</form>")]
    remove_form = page[page.index("/remove"):]
    assert 'name="csrf_token"' in remove_form[:remove_form.index("</form>")]
