from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coalitions.consultations import moderation, operations
from coalitions.consultations.models import Consultation, Proposal, Support
from core.timeutil import utcnow
from tests.coalitions.consultations.conftest import PROPOSAL, open_consultation

FORM = {**PROPOSAL, "institution_id": "", "sex": "", "organisation_id": ""}


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_public_pages_need_no_sign_in(client, consultation, proposal, commitment):
    cid = consultation.id
    for url in ("/consultations", f"/consultations/{cid}", f"/consultations/{cid}/proposals",
                f"/consultations/proposals/{proposal.id}",
                f"/consultations/{cid}/commitments/{commitment.id}"):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(f"/consultations/proposals/{proposal.id}").get_data(as_text=True)
    assert "Contracts are secret." in page and "Sign in" in page


def test_the_plan_page_links_to_its_consultation(client, consultation, plan):
    page = client.get(f"/action-plans/{plan.id}").get_data(as_text=True)
    assert f"/consultations/{consultation.id}" in page


def test_staff_open_a_consultation_in_two_languages(client, login_as, plan, db_session):
    login_as("staff")
    response = client.post("/staff/consultations/new", data={
        "plan_id": str(plan.id), "title": "Co-create the plan", "description": "Join in",
        "opens_at": "2027-01-05T09:00", "closes_at": "2027-02-05T17:00",
        "translations_es-title": "Co-creemos el plan", "translations_es-description": ""})
    assert response.status_code == 302
    item = db_session.scalar(select(Consultation))
    assert item.text_in("title", "es") == "Co-creemos el plan"
    assert item.opens_at.hour != 9 or item.opens_at.utcoffset() is not None


def test_closing_before_opening_is_shown_beside_the_field(client, login_as, plan):
    login_as("staff")
    response = client.post("/staff/consultations/new", data={
        "plan_id": str(plan.id), "title": "X", "opens_at": "2027-01-05T09:00",
        "closes_at": "2027-01-04T09:00"})
    assert response.status_code == 422
    assert "must close after it opens" in response.get_data(as_text=True)


def test_a_citizen_proposes(client, login_as, consultation, db_session):
    login_as("applicant")
    response = client.post(f"/consultations/{consultation.id}/propose", data=FORM)
    assert response.status_code == 302
    assert _count(db_session, Proposal) == 1


def test_bad_input_is_shown_beside_the_field(client, login_as, consultation):
    login_as("applicant")
    response = client.post(f"/consultations/{consultation.id}/propose",
                           data={**FORM, "problem": "", "institution_name": ""})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Describe the problem." in text and "Name the institution" in text


def test_an_unconfirmed_account_is_refused(client, login_as, consultation):
    login_as("applicant", confirmed=False)
    assert client.post(f"/consultations/{consultation.id}/propose",
                       data=FORM).status_code == 403


def test_outside_the_dates_the_refusal_is_explained(client, login_as, staff, plan):
    now = utcnow()
    closed = open_consultation(staff, plan, opens_at=now - timedelta(days=9),
                               closes_at=now - timedelta(days=2))
    login_as("applicant")
    response = client.post(f"/consultations/{closed.id}/propose", data=FORM,
                           follow_redirects=True)
    assert "are no longer accepted" in response.get_data(as_text=True)


def test_supporting_twice_counts_once_and_says_so_kindly(client, login_as, proposal,
                                                         db_session):
    login_as("applicant")
    url = f"/consultations/proposals/{proposal.id}/support"
    assert client.post(url).status_code == 302
    response = client.post(url, follow_redirects=True)
    assert "already counted" in response.get_data(as_text=True)
    assert _count(db_session, Support) == 1


def test_commenting_on_a_draft_commitment(client, login_as, consultation, commitment):
    login_as("applicant")
    url = f"/consultations/{consultation.id}/commitments/{commitment.id}"
    assert client.post(url + "/comments", data={"body": "Add a deadline"}).status_code == 302
    assert "Add a deadline" in client.get(url).get_data(as_text=True)
    empty = client.post(url + "/comments", data={"body": "  "})
    assert empty.status_code == 422 and "Write your comment." in empty.get_data(as_text=True)


def test_a_hidden_comment_shows_the_reason_not_the_text(client, consultation, proposal,
                                                        citizen, staff):
    comment = operations.comment(consultation, citizen, "Offensive words", proposal=proposal)
    moderation.hide_comment(comment, staff, "Personal attack")
    page = client.get(f"/consultations/proposals/{proposal.id}").get_data(as_text=True)
    assert "Hidden by the moderator: Personal attack" in page
    assert "Offensive words" not in page


def test_moderator_hides_through_the_page(client, login_as, consultation, proposal, citizen):
    comment = operations.comment(consultation, citizen, "Spam spam", proposal=proposal)
    login_as("staff")
    response = client.post(f"/staff/consultations/comments/{comment.id}/hide",
                           data={"reason": "Advertising"})
    assert response.status_code == 302 and comment.is_hidden


def test_reports_queue_and_dismissal(client, login_as, proposal, factories):
    report = operations.report_abuse(factories.user(), proposal=proposal, reason="Spam")
    login_as("staff")
    assert "Spam" in client.get("/staff/consultations/reports").get_data(as_text=True)
    client.post(f"/staff/consultations/reports/{report.id}/dismiss")
    assert report.outcome == "dismissed"


def test_what_we_heard_is_staff_only_until_published(client, login_as, consultation,
                                                     proposal, staff, db_session):
    url = f"/consultations/{consultation.id}/what-we-heard"
    login_as("applicant")
    assert client.get(url).status_code == 403
    login_as(staff)
    consultation.closes_at = utcnow() - timedelta(minutes=1)
    consultation.opens_at = utcnow() - timedelta(days=5)
    db_session.flush()
    publish = f"/staff/consultations/{consultation.id}/what-we-heard/publish"
    response = client.post(publish, follow_redirects=True)
    assert "1 proposal still has no response" in response.get_data(as_text=True)
    client.post(f"/staff/consultations/proposals/{proposal.id}/respond",
                data={"kind": "declined", "text": "Out of scope", "commitment_id": ""})
    client.post(publish)
    assert consultation.summary_published_at is not None
    login_as("applicant")
    page = client.get(url).get_data(as_text=True)
    assert "Out of scope" in page and "Not taken up" in page


def test_declining_without_a_reason_is_shown_beside_the_field(client, login_as, proposal):
    login_as("staff")
    response = client.post(f"/staff/consultations/proposals/{proposal.id}/respond",
                           data={"kind": "declined", "text": "", "commitment_id": ""})
    assert response.status_code == 422
    assert "Give the reason" in response.get_data(as_text=True)


def test_filters_and_paging(client, consultation, proposal):
    url = f"/consultations/{consultation.id}/proposals"
    assert client.get(url + "?sort=date&status=awaiting&area=Procurement").status_code == 200
    assert client.get(url + "?sort=votes").status_code == 400
    assert client.get(url + "?page=5").status_code == 404


def test_participation_posts_are_rate_limited(app, client, login_as, proposal, monkeypatch):
    from core.extensions import limiter
    monkeypatch.setitem(app.config, "CONSULTATION_RATE_LIMIT", "2 per minute")
    limiter.reset()
    try:
        login_as("applicant")
        url = f"/consultations/proposals/{proposal.id}/comments"
        assert client.post(url, data={"body": "one"}).status_code == 302
        assert client.post(url, data={"body": "two"}).status_code == 302
        assert client.post(url, data={"body": "three"}).status_code == 429
    finally:
        limiter.reset()


def test_the_daily_cap_stops_a_flood(app, client, login_as, proposal, monkeypatch):
    monkeypatch.setitem(app.config, "CONSULTATION_DAILY_CAP", 2)
    login_as("applicant")
    url = f"/consultations/proposals/{proposal.id}/comments"
    client.post(url, data={"body": "one"})
    client.post(url, data={"body": "two"})
    response = client.post(url, data={"body": "three"}, follow_redirects=True)
    assert "the most one person may send in a day" in response.get_data(as_text=True)


@pytest.mark.parametrize("email", ["twin@gmail.com", "t.w.i.n+2@googlemail.com"])
def test_re_registered_mailbox_cannot_support_twice(client, login_as, proposal, factories,
                                                    db_session, email):
    operations.support(proposal.consultation, factories.user(email="tw.in@gmail.com"),
                       proposal=proposal)
    login_as(factories.user(email=email))
    client.post(f"/consultations/proposals/{proposal.id}/support")
    assert _count(db_session, Support) == 1


def test_an_area_named_like_a_calls_reads_in_the_readers_language(
        client, consultation, proposal, db_session, factories):
    """A proposal's area is what its author wrote; one named like a call's thematic area is
    shown in the reader's language, in the list, its filter and on the proposal's page."""
    from tests.fixtures.grants import GrantFactories

    call = GrantFactories(db_session, factories).call(areas=["Open data"])
    call.thematic_areas[0].set_translation("es", {"name": "Datos abiertos"})
    proposal.thematic_area = "Open data"
    db_session.commit()
    for url in (f"/consultations/{consultation.id}/proposals",
                f"/consultations/proposals/{proposal.id}"):
        spanish = client.get(url, headers={"Accept-Language": "es"}).get_data(as_text=True)
        assert "Datos abiertos" in spanish and ">Open data<" not in spanish, url
        english = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert "Open data" in english, url
