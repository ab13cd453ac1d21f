"""The forum's pages through the test client."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from coalitions.forum import operations, queries
from coalitions.forum.models import Meeting
from core.extensions import db
from tests.coalitions.forum.conftest import meeting_fields


def test_the_public_page_shows_members_by_sector_rules_and_published_meetings(
        client, members, staff):
    operations.update_forum(staff, name="Belize OGP Forum",
                            rules="## Who may join\n\nAny organisation. <script>x()</script>",
                            translations={"es": {"name": "Foro OGP", "rules": "Todas."}})
    operations.create_meeting(staff, **meeting_fields())
    operations.create_meeting(staff, **meeting_fields(title="Secret draft",
                                                      is_published=False))
    db.session.commit()
    html = client.get("/forum").get_data(as_text=True)
    assert "Belize OGP Forum" in html
    assert "Government (2)" in html and "Civil society (1)" in html
    assert "3 member organisations." in html
    assert "<h2>Who may join</h2>" in html and "<script>" not in html
    assert "First forum meeting" in html and "Secret draft" not in html
    spanish = client.get("/forum", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Foro OGP" in spanish


def test_staff_see_the_six_month_warning_and_drafts(client, login_as, members, staff,
                                                    monkeypatch):
    import coalitions.forum.views as views

    operations.create_meeting(staff, **meeting_fields(
        starts_at=datetime(2020, 2, 3, 15, tzinfo=UTC), is_published=False))
    db.session.commit()
    monkeypatch.setattr(views, "programme_today", lambda: date(2020, 9, 1))
    login_as("staff")
    html = client.get("/forum").get_data(as_text=True)
    assert "The forum has not met for six months" in html
    assert "Not published" in html
    monkeypatch.setattr(views, "programme_today", lambda: date(2020, 7, 1))
    assert "has not met for six months" not in client.get("/forum").get_data(as_text=True)


def test_an_unpublished_meeting_is_not_found_by_the_public(client, members, staff):
    meeting = operations.create_meeting(staff, **meeting_fields(is_published=False))
    db.session.commit()
    assert client.get(f"/forum/meetings/{meeting.id}").status_code == 404


def test_a_meeting_page_shows_attendance_minutes_and_decisions(client, members, staff):
    meeting = operations.create_meeting(staff, **meeting_fields(
        attendee_ids=[members[0].id], minutes="**Quorum** reached."))
    operations.set_decisions(meeting, staff, text="Adopt the rules")
    db.session.commit()
    html = client.get(f"/forum/meetings/{meeting.id}").get_data(as_text=True)
    assert "Ministry of Finance" in html and "Citizens Watch" not in html
    assert "<strong>Quorum</strong>" in html and "Adopt the rules" in html


def test_staff_add_a_meeting_with_decisions_in_both_languages(client, login_as, members):
    login_as("staff")
    response = client.post("/staff/forum/meetings/new", data={
        "title": "Second meeting", "starts_at": "2020-05-04T10:00", "format": "hybrid",
        "place": "Belize City", "agenda": "Plan", "minutes": "Met", "other_attendees": "3",
        "attendee_ids": [str(members[1].id)], "decisions": "First\nSecond",
        "translations_es-title": "Segunda reunión", "translations_es-decisions": "Primera",
        "is_published": "y"})
    assert response.status_code == 302
    meeting = db.session.scalar(select(Meeting).where(Meeting.title == "Second meeting"))
    assert [d.text for d in meeting.decisions] == ["First", "Second"]
    assert meeting.decisions[0].text_in("text", "es") == "Primera"
    assert meeting.text_in("title", "es") == "Segunda reunión"


def test_a_bad_meeting_form_answers_next_to_the_field(client, login_as, members):
    login_as("staff")
    response = client.post("/staff/forum/meetings/new", data={
        "title": "", "starts_at": "tomorrow", "format": "in_person", "other_attendees": "-2"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Enter the meeting&#39;s title." in html or "Enter the meeting's title." in html
    assert "Enter a date and time" in html


def test_staff_add_and_end_a_membership(client, login_as, factories):
    organisation = factories.organisation(name="University of Belize")
    login_as("staff")
    response = client.post("/staff/forum/members/new", data={
        "organisation_id": str(organisation.id), "joined_on": "2020-01-10",
        "representative_name": "Dr Ana", "representative_role": "Dean"})
    assert response.status_code == 302
    again = client.post("/staff/forum/members/new", data={
        "organisation_id": str(organisation.id), "joined_on": "2020-01-10"})
    assert again.status_code == 302  # already a member: said kindly
    member = queries.members_by_sector(queries.forum())[0].members[0]
    bad = client.post(f"/staff/forum/members/{member.id}/end", data={"left_on": "2019-01-01"})
    assert bad.status_code == 422
    ended = client.post(f"/staff/forum/members/{member.id}/end", data={"left_on": "2020-12-31"})
    assert ended.status_code == 302
    assert queries.members_by_sector(queries.forum()) == []


def test_staff_write_the_rules(client, login_as):
    login_as("staff")
    response = client.post("/staff/forum/edit", data={
        "name": "Forum", "rules": "Be on time.", "translations_es-rules": "Sea puntual."})
    assert response.status_code == 302
    assert queries.forum().text_in("rules", "es") == "Sea puntual."


def test_others_may_not_write(client, login_as):
    login_as("applicant")
    assert client.get("/staff/forum/edit").status_code == 403
    assert client.post("/staff/forum/meetings/new", data={}).status_code == 403


def test_the_forum_page_costs_the_same_statements_with_more_members_and_meetings(
        client, factories, members, staff):
    from tests.coalitions.forum.test_repository import counting_statements

    def statements() -> int:
        db.session.commit()
        with counting_statements() as seen:
            assert client.get("/forum").status_code == 200
        return len(seen)

    operations.create_meeting(staff, **meeting_fields(attendee_ids=[members[0].id]))
    few = statements()
    for index in range(6):
        organisation = factories.organisation(name=f"Extra {index}")
        member = operations.add_member(staff, organisation_id=organisation.id,
                                       joined_on=date(2020, 2, 1))
        meeting = operations.create_meeting(staff, **meeting_fields(
            title=f"Meeting {index}", attendee_ids=[member.id]))
        operations.set_decisions(meeting, staff, text="One\nTwo")
    assert statements() == few
