"""Arbitrary input thrown at the consultation forms: never a 500, and nothing is written when
the input is refused."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from coalitions.consultations.models import Comment, Consultation, Proposal
from tests.test_hostile_input import SETTINGS, TEXT, rows

CHOICE = st.one_of(st.just(""), TEXT)


@SETTINGS
@given(fields=st.fixed_dictionaries({
    "title": TEXT, "problem": TEXT, "solution": TEXT, "institution_id": CHOICE,
    "institution_name": TEXT, "thematic_area": TEXT, "milestones": TEXT,
    "sex": st.one_of(st.just("female"), CHOICE), "organisation_id": CHOICE}))
def test_proposal_form(app, client, login_as, db_session, consultation, fields):
    app.config["CONSULTATION_DAILY_CAP"] = 10_000
    login_as("applicant")
    before = rows(db_session, Proposal)
    response = client.post(f"/consultations/{consultation.id}/propose", data=fields)
    assert response.status_code in (302, 400, 422)
    if response.status_code in (400, 422):
        assert rows(db_session, Proposal) == before


@SETTINGS
@given(body=TEXT, sex=CHOICE, organisation_id=CHOICE)
def test_comment_form(app, client, login_as, db_session, consultation, commitment, body, sex,
                      organisation_id):
    app.config["CONSULTATION_DAILY_CAP"] = 10_000
    login_as("applicant")
    before = rows(db_session, Comment)
    response = client.post(
        f"/consultations/{consultation.id}/commitments/{commitment.id}/comments",
        data={"body": body, "sex": sex, "organisation_id": organisation_id})
    assert response.status_code in (302, 400, 422)
    if response.status_code in (400, 422):
        assert rows(db_session, Comment) == before


@SETTINGS
@given(kind=st.one_of(st.sampled_from(["merged", "accepted", "declined"]), TEXT), text=TEXT,
       commitment_id=CHOICE)
def test_response_form(client, login_as, proposal, kind, text, commitment_id):
    login_as("staff")
    response = client.post(f"/staff/consultations/proposals/{proposal.id}/respond",
                           data={"kind": kind, "text": text, "commitment_id": commitment_id})
    assert response.status_code in (302, 400, 422)


@SETTINGS
@given(fields=st.fixed_dictionaries({
    "plan_id": CHOICE, "title": TEXT, "description": TEXT, "opens_at": TEXT,
    "closes_at": TEXT, "translations_es-title": TEXT, "translations_es-description": TEXT}))
def test_consultation_form(client, login_as, db_session, plan, fields):
    login_as("staff")
    before = rows(db_session, Consultation)
    response = client.post("/staff/consultations/new", data=fields)
    assert response.status_code in (302, 400, 422)
    if response.status_code in (400, 422):
        assert rows(db_session, Consultation) == before


@SETTINGS
@given(reason=TEXT)
def test_reason_forms(client, login_as, proposal, reason):
    login_as("staff")
    assert client.post(f"/consultations/proposals/{proposal.id}/report",
                       data={"reason": reason}).status_code in (302, 400)
    assert client.post(f"/staff/consultations/proposals/{proposal.id}/hide",
                       data={"reason": reason}).status_code in (302, 400)
