"""The demo's forum: twelve members across the sectors, rules in both languages, four
meetings of 2020 with attendance, minutes and decisions, and the repository's documents;
loading twice changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from coalitions.forum import queries
from coalitions.forum.models import ForumMember, Meeting, MeetingDecision, RepositoryDocument


def _counts(session) -> tuple[int, ...]:
    return tuple(session.scalar(select(func.count()).select_from(model))
                 for model in (ForumMember, Meeting, MeetingDecision, RepositoryDocument))


def test_the_demo_forum(app, client, db_session):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    first = _counts(db_session)
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert _counts(db_session) == first == (12, 4, 8, 1)

    forum = queries.forum()
    assert forum.text_in("rules", "es").startswith("## Quiénes participan")
    assert len(queries.members_by_sector(forum)) >= 4
    meetings = queries.meetings(forum)
    assert {meeting.held_on.year for meeting in meetings} == {2020}
    assert all(meeting.attendees and meeting.minutes and meeting.decisions
               for meeting in meetings)
    with app.test_request_context():
        rows = queries.search_documents(per_page=50).items
    kinds = {row.kind.value for row in rows}
    # The plan and the consultation's "What we heard" are listed from their own packages.
    assert kinds == {"draft_plan", "minutes", "consultation_report", "plan"}
    assert {row.source for row in rows} == {"forum.documents", "forum.minutes", "plans.plans",
                                            "consultations.what_we_heard"}
    assert client.get("/forum/documents?q=co-creation&year=2020").status_code == 200
    for url in ("/forum", f"/forum/meetings/{meetings[0].id}", "/forum/documents?year=2020"):
        assert client.get(url).status_code == 200, url
