"""A person's list of their jobs (/jobs): their own only (staff too), newest first, paged,
each with its title, state, progress and a link to its page; in their account menu."""

from __future__ import annotations

from datetime import timedelta

from core.jobs import operations
from core.jobs.views import PER_PAGE
from core.timeutil import utcnow
from tests.core.jobs import kinds  # noqa: F401 - registers "test.count"
from tests.fixtures.jobs import run_jobs


def _queue(user, items):
    return operations.enqueue("test.count", {"items": items}, requested_by=user, locale="en")


def test_the_list_shows_ones_own_jobs_newest_first(client, login_as, factories, db_session):
    me = login_as("staff")
    someone = factories.user(roles=("staff",))
    older = _queue(me, 1)
    run_jobs()
    newer = _queue(me, 2)
    older.created_at = utcnow() - timedelta(hours=1)
    theirs = _queue(someone, 3)
    db_session.flush()
    html = client.get("/jobs").get_data(as_text=True)
    assert html.index(f'href="/jobs/{newer.id}"') < html.index(f'href="/jobs/{older.id}"')
    assert f'href="/jobs/{theirs.id}"' not in html  # staff see their own only here
    assert "Counting" in html and 'data-state="done"' in html and 'data-state="queued"' in html
    assert "100%" in html and "<progress" in html


def test_the_list_is_paged(client, login_as, db_session):
    me = login_as("applicant")
    for items in range(PER_PAGE + 1):
        _queue(me, items + 1)
    db_session.flush()
    first = client.get("/jobs").get_data(as_text=True)
    assert 'rel="next"' in first and first.count('href="/jobs/') == PER_PAGE
    assert client.get("/jobs?page=2").get_data(as_text=True).count('href="/jobs/') == 1
    assert client.get("/jobs?page=x").status_code == 404


def test_an_empty_list_and_the_links_to_it(client, login_as):
    login_as("reviewer")
    html = client.get("/jobs").get_data(as_text=True)
    assert "You have not asked for any file or import yet." in html
    account = client.get("/account").get_data(as_text=True)
    assert 'href="/jobs"' in account  # the account page links it for everyone
    assert account.count('href="/jobs"') == 1  # the menu does not: it stays short
    login_as("donor")
    assert client.get("/account").get_data(as_text=True).count('href="/jobs"') > 1


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/jobs")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
