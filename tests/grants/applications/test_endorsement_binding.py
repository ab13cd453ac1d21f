"""An endorsement binds to what the counterpart was asked to endorse: the counterpart, the
contact, the title, the summary, the budget total and the period. Changing any of them voids
it; the contact is never someone of the applicant organisation; submission carries only an
endorsement of the application as it is."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from accounts.organisations.models import Sector
from core.audit.models import AuditEntry
from core.errors import OperationError
from core.outbox.models import OutboxMessage
from grants.applications import operations
from grants.applications.models import EndorsementState
from grants.applications.states import ApplicationState
from grants.endorsements import operations as endorsements

LINK = re.compile(r"/endorse/([A-Za-z0-9_-]+)")
ANSWER = {"answer": "endorse", "name": "Carlos Chan", "position": "Director", "comment": ""}
FIRST_CONTACT = "carlos@gov.example.bz"


@pytest.fixture
def other_ministry(factories):
    return factories.organisation(name="Ministry of Health", sector=Sector.government,
                                  website="https://www.health.gov.bz")


def _messages(session, recipient, kind=None):
    query = select(OutboxMessage).where(OutboxMessage.recipient == recipient)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(session.scalars(query.order_by(OutboxMessage.id)))


def _token(session, recipient=FIRST_CONTACT) -> str:
    [*_, message] = _messages(session, recipient, "grants.endorsements.request")
    return LINK.search(message.body_text).group(1)


def _voids(session, application) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(
        AuditEntry.action == "endorsement.void",
        AuditEntry.object_id == str(application.id))))


@pytest.fixture
def endorsed(db_session, draft, applicant, complete):
    """A complete draft whose counterpart endorsed it through the link, before submission."""
    complete(draft, applicant)
    endorsements.request_early(draft, applicant)
    endorsement = endorsements.endorsement_for_token(_token(db_session))
    endorsements.respond(endorsement, endorse=True, name="Carlos Chan", position="Director",
                         comment="")
    assert draft.endorsement.state is EndorsementState.endorsed
    return draft


def _save_counterpart(application, actor, organisation, **contact):
    fields = {"contact_name": "Carlos Chan", "contact_position": "Director",
              "contact_email": FIRST_CONTACT, **contact}
    return operations.save_counterpart(application, actor, organisation=organisation,
                                       proposed_name="", **fields)


# Voiding on change -------------------------------------------------------------------------

def test_moving_the_endorsement_to_another_ministry_voids_it(db_session, endorsed, applicant,
                                                              other_ministry):
    voided = _save_counterpart(endorsed, applicant, other_ministry, contact_name="Rosa Pop",
                               contact_email="rosa@health.gov.bz")
    assert voided is True
    endorsement = endorsed.endorsement
    assert endorsement.state is EndorsementState.voided and endorsement.voided_at
    [entry] = _voids(db_session, endorsed)
    assert entry.data["previous_state"] == "endorsed"
    assert {"counterpart_organisation", "contact_email"} <= set(entry.data["changed"])
    assert _messages(db_session, applicant.email, "grants.endorsements.voided")
    told = _messages(db_session, FIRST_CONTACT, "grants.endorsements.voided_counterpart")
    assert told and "no longer applies" in told[0].body_text
    # The new ministry's contact was never asked; nothing went to them.
    assert not _messages(db_session, "rosa@health.gov.bz")


CHANGES = {
    "title": lambda a, u, call: operations.save_project(
        a, u, title="Another project", summary=a.summary, problem=a.problem,
        objectives=a.objectives, duration_months=a.duration_months,
        thematic_areas=call.thematic_areas[:1]),
    "summary": lambda a, u, call: operations.save_project(
        a, u, title=a.title, summary="Something else entirely.", problem=a.problem,
        objectives=a.objectives, duration_months=a.duration_months,
        thematic_areas=call.thematic_areas[:1]),
    "period": lambda a, u, call: operations.save_project(
        a, u, title=a.title, summary=a.summary, problem=a.problem, objectives=a.objectives,
        duration_months=24, thematic_areas=call.thematic_areas[:1]),
    "budget total": lambda a, u, call: operations.save_budget(
        a, u, requested_amount=Decimal("4000.00"), lines=[
            {"category": "activities", "description": "Workshops",
             "amount": Decimal("4000.00")}]),
    "contact email": lambda a, u, call: _save_counterpart(
        a, u, a.counterpart, contact_email="someone.else@gov.example.bz"),
    "contact name": lambda a, u, call: _save_counterpart(a, u, a.counterpart,
                                                         contact_name="Someone Else"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_every_endorsed_term_voids_it(db_session, endorsed, applicant, change):
    assert CHANGES[change](endorsed, applicant, endorsed.call) is True
    assert endorsed.endorsement.state is EndorsementState.voided
    assert len(_voids(db_session, endorsed)) == 1


UNRELATED = {
    "problem and objectives": lambda a, u, call: operations.save_project(
        a, u, title=a.title, summary=a.summary, problem="Another problem.",
        objectives="Other objectives.", duration_months=a.duration_months,
        thematic_areas=call.thematic_areas),
    "plan": lambda a, u, call: operations.save_plan(a, u, activities=[], results=[]),
    "beneficiaries": lambda a, u, call: operations.save_beneficiaries(
        a, u, total=500, women=1, youth=1, description="Others", districts=["Toledo"]),
    "budget lines with the same total": lambda a, u, call: operations.save_budget(
        a, u, requested_amount=Decimal("5000.00"), lines=[
            {"category": "travel", "description": "Travel", "amount": Decimal("5000.00")}]),
    "contact position and spelling": lambda a, u, call: _save_counterpart(
        a, u, a.counterpart, contact_position="Permanent Secretary",
        contact_email="  Carlos@GOV.example.bz "),
    "declarations": lambda a, u, call: operations.save_declarations(a, u, statements=[]),
}


@pytest.mark.parametrize("change", sorted(UNRELATED))
def test_editing_other_sections_keeps_it(db_session, endorsed, applicant, change):
    assert not UNRELATED[change](endorsed, applicant, endorsed.call)
    assert endorsed.endorsement.state is EndorsementState.endorsed
    assert _voids(db_session, endorsed) == []


def test_a_pending_request_cannot_be_answered_once_the_application_changed(
        db_session, draft, applicant, complete, other_ministry):
    complete(draft, applicant)
    endorsements.request_early(draft, applicant)
    token = _token(db_session)
    endorsement = endorsements.endorsement_for_token(token)
    _save_counterpart(draft, applicant, other_ministry, contact_email="rosa@health.gov.bz")

    with pytest.raises(endorsements.EndorsementLinkError, match="withdrawn") as error:
        endorsements.endorsement_for_token(token)
    assert error.value.status == 410
    with pytest.raises(endorsements.EndorsementLinkError, match="withdrawn"):
        endorsements.respond(endorsement, endorse=True, name="Carlos Chan",
                             position="Director", comment="")
    assert draft.endorsement.state is EndorsementState.voided
    assert _messages(db_session, FIRST_CONTACT, "grants.endorsements.voided_counterpart")


def test_a_request_for_other_terms_is_refused_even_without_the_save_that_voids(
        db_session, draft, applicant, complete):
    complete(draft, applicant)
    endorsements.request_early(draft, applicant)
    endorsement = endorsements.endorsement_for_token(_token(db_session))
    draft.title = "Changed behind the form's back"
    db_session.flush()
    with pytest.raises(endorsements.EndorsementLinkError, match="withdrawn"):
        endorsements.respond(endorsement, endorse=True, name="Carlos Chan",
                             position="Director", comment="")
    assert draft.endorsement.state is EndorsementState.pending


def test_asking_again_after_a_change_binds_the_new_terms(db_session, endorsed, applicant,
                                                         other_ministry):
    _save_counterpart(endorsed, applicant, other_ministry, contact_email="rosa@health.gov.bz")
    endorsement = endorsements.request_early(endorsed, applicant)
    assert endorsement.state is EndorsementState.pending
    assert endorsement.recipient_email == "rosa@health.gov.bz"
    assert endorsement.responder_name == "" and endorsement.responded_at is None
    assert endorsement.terms["counterpart_organisation"] == "Ministry of Health"
    assert endorsement.terms["contact_email"] == "rosa@health.gov.bz"
    assert endorsement.terms["budget_total"] == "5000.00"


# Submission --------------------------------------------------------------------------------

def test_submission_never_carries_an_endorsement_of_another_version(
        db_session, endorsed, applicant, other_ministry):
    # The section saved without the operation (an import, a future form): the submit
    # operation checks the fingerprint under the row lock all the same.
    endorsed.counterpart = other_ministry
    endorsed.counterpart_contact_email = "rosa@health.gov.bz"
    db_session.flush()
    operations.submit(endorsed, applicant)
    assert endorsed.state is ApplicationState.submitted
    endorsement = endorsed.endorsement
    assert endorsement.state is EndorsementState.pending
    assert endorsement.recipient_email == "rosa@health.gov.bz"
    assert len(_voids(db_session, endorsed)) == 1


def test_submission_keeps_an_endorsement_of_the_current_version(db_session, endorsed,
                                                                 applicant):
    operations.submit(endorsed, applicant)
    assert endorsed.endorsement.state is EndorsementState.endorsed
    assert _voids(db_session, endorsed) == []


def test_an_endorsement_without_terms_does_not_travel_with_the_submission(
        db_session, endorsed, applicant):
    endorsed.endorsement.terms_hash = None
    db_session.flush()
    operations.submit(endorsed, applicant)
    assert endorsed.endorsement.state is EndorsementState.pending


# The contact is not the applicant ----------------------------------------------------------

@pytest.mark.parametrize("spelling", ["{email}", "  {upper}  ", "{plus}"])
def test_the_applicant_cannot_name_themselves_as_the_contact(draft, applicant, ministry,
                                                             spelling):
    local, domain = applicant.email.split("@")
    address = spelling.format(email=applicant.email, upper=applicant.email.upper(),
                              plus=f"{local}+ministry@{domain}")
    with pytest.raises(OperationError) as error:
        _save_counterpart(draft, applicant, ministry, contact_email=address)
    assert error.value.field == "contact_email"
    assert draft.counterpart is None and draft.counterpart_contact_email == ""


def test_no_member_of_the_applicant_organisation_can_be_the_contact(draft, applicant,
                                                                    applicant_org, ministry,
                                                                    factories):
    colleague = factories.user(name="Colleague")
    factories.member(applicant_org, colleague, "member")
    with pytest.raises(OperationError) as error:
        _save_counterpart(draft, applicant, ministry, contact_email=colleague.email)
    assert error.value.field == "contact_email"


def test_the_contact_is_checked_again_when_asked_and_at_submission(db_session, draft,
                                                                   applicant, complete):
    complete(draft, applicant)
    draft.counterpart_contact_email = applicant.email.upper()
    db_session.flush()
    with pytest.raises(OperationError, match="not a member of the applicant"):
        endorsements.request_early(draft, applicant)
    with pytest.raises(OperationError):
        operations.submit(draft, applicant)
    assert draft.state is ApplicationState.draft


# Through the pages -------------------------------------------------------------------------

def test_the_counterpart_page_refuses_the_applicants_address_next_to_the_field(
        client, login_as, draft, applicant, ministry):
    login_as(applicant)
    response = client.post(f"/applications/{draft.id}/sections/counterpart", data={
        "organisation_id": str(ministry.id), "contact_name": "Me",
        "contact_position": "Director", "contact_email": applicant.email.upper()})
    assert response.status_code == 422
    assert b"not a member of the applicant organisation" in response.data
    assert draft.counterpart_contact_email == ""


def test_changing_the_counterpart_through_the_page_voids_and_says_so(
        client, login_as, db_session, endorsed, applicant, other_ministry):
    login_as(applicant)
    response = client.post(f"/applications/{endorsed.id}/sections/counterpart", data={
        "organisation_id": str(other_ministry.id), "contact_name": "Rosa Pop",
        "contact_position": "Director", "contact_email": "rosa@health.gov.bz",
        "then": "stay"}, follow_redirects=True)
    assert response.status_code == 200
    assert "endorsement no longer applies" in response.get_data(as_text=True)
    assert endorsed.endorsement.state is EndorsementState.voided
    page = client.get(f"/applications/{endorsed.id}").get_data(as_text=True)
    assert "Endorsement needed again" in page


def test_the_withdrawn_link_says_why_and_takes_no_answer(client, db_session, draft, applicant,
                                                         complete, login_as, uploads):
    complete(draft, applicant)
    endorsements.request_early(draft, applicant)
    token = _token(db_session)
    login_as(applicant)
    client.post(f"/applications/{draft.id}/sections/project", data={
        "title": "A different project", "summary": draft.summary, "problem": draft.problem,
        "objectives": draft.objectives, "duration_months": "6",
        "thematic_areas": [str(draft.call.thematic_areas[0].id)]})
    assert draft.endorsement.state is EndorsementState.voided
    with client.session_transaction() as session:
        session.clear()
    shown = client.get(f"/endorse/{token}")
    assert shown.status_code == 410
    assert "withdrawn because the application changed" in shown.get_data(as_text=True)
    answered = client.post(f"/endorse/{token}", data=ANSWER)
    assert answered.status_code == 410
    assert draft.endorsement.state is EndorsementState.voided


def test_submitting_through_the_page_after_a_change_shows_no_endorsement(
        client, login_as, db_session, endorsed, applicant, other_ministry, uploads):
    endorsed.counterpart = other_ministry
    endorsed.counterpart_contact_email = "rosa@health.gov.bz"
    db_session.flush()
    login_as(applicant)
    assert client.post(f"/applications/{endorsed.id}/submit").status_code == 302
    assert endorsed.endorsement.state is EndorsementState.pending
    page = client.get(f"/applications/{endorsed.id}").get_data(as_text=True)
    assert "Awaiting the counterpart" in page and ">Endorsed<" not in page


def test_staff_see_the_contact_and_a_domain_warning(client, login_as, db_session, factories):
    from tests.fixtures.applications import make_submitted_application

    application = make_submitted_application(db_session, factories,
                                             contact_email="maria@gmail.com")
    application.counterpart.website = "https://www.publicservice.gov.bz"
    db_session.flush()
    login_as("staff")
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "maria@gmail.com" in page and "Maria Chen" in page
    assert 'id="contact-warning"' in page and "gmail.com" in page
    assert "publicservice.gov.bz" in page


def test_applicants_see_their_contact_without_the_staff_warning(client, login_as, db_session,
                                                                factories):
    from tests.fixtures.applications import applicant_member, make_submitted_application

    application = make_submitted_application(db_session, factories,
                                             contact_email="maria@gmail.com")
    login_as(applicant_member(application))
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "maria@gmail.com" in page and 'id="contact-warning"' not in page
