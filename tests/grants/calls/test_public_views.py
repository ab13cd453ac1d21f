"""The public call pages: the list of open and upcoming calls, a call's page, and what
stays hidden from the public (drafts, missing calls)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.timeutil import utcnow
from grants.calls.models import DEFAULT_THEMATIC_AREAS
from grants.calls.states import CallState

# Public pages -------------------------------------------------------------------------------

def test_public_list_shows_open_and_upcoming_calls_with_the_time_zone(client,
                                                                      grant_factories):
    now = utcnow()
    open_call = grant_factories.call(title="Open call", closes_at=now + timedelta(days=12,
                                                                                 hours=5))
    soon = grant_factories.call(title="Closing soon",
                                closes_at=now + timedelta(hours=3, minutes=20))
    upcoming = grant_factories.call(title="Upcoming call", opens_at=now + timedelta(days=3),
                                    closes_at=now + timedelta(days=40))
    grant_factories.call(title="Secret draft", state=CallState.draft)
    grant_factories.call(title="Past call", opens_at=now - timedelta(days=60),
                         closes_at=now - timedelta(days=30))
    grant_factories.call(title="Archived call", state=CallState.archived,
                         opens_at=now - timedelta(days=400), closes_at=now - timedelta(days=300))

    response = client.get("/calls")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Open call" in page and "Closing soon" in page and "Upcoming call" in page
    assert "12 days left" in page and "3 hours left" in page
    assert "(CST)" in page  # deadlines name the programme's time zone
    assert "Secret draft" not in page and "Archived call" not in page
    # Soonest deadline first; upcoming calls in their own section; past calls marked closed.
    assert (page.index(">Closing soon<") < page.index(">Open call<")
            < page.index(">Upcoming call<"))
    assert "in 3 days" in page or "in 2 days" in page
    past = page[page.index("Past calls"):]
    assert "Past call" in past and "Closed" in past
    for call in (open_call, soon, upcoming):
        assert f'href="/calls/{call.id}"' in page


def test_public_list_without_calls(client):
    page = client.get("/calls").get_data(as_text=True)
    assert "No call is open at the moment." in page


def test_calls_menu_entry_is_public_and_staff_entry_is_not(client, login_as):
    page = client.get("/calls").get_data(as_text=True)
    assert 'href="/calls"' in page and 'href="/staff/calls"' not in page
    login_as("applicant")
    page = client.get("/calls").get_data(as_text=True)
    assert 'href="/staff/calls"' not in page
    login_as("staff")
    page = client.get("/calls").get_data(as_text=True)
    assert 'href="/calls"' in page and 'href="/staff/calls"' in page


def test_public_call_page(client, grant_factories):
    call = grant_factories.call(
        title="Mini-grants 2026",
        body_markdown="## Who can apply\n\nCSOs. <script>alert(1)</script> "
                      "[bad](javascript:alert(1)) [portal](https://example.org)")
    response = client.get(f"/calls/{call.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>Mini-grants 2026</h1>" in page
    assert call.summary in page
    assert "<h2>Who can apply</h2>" in page
    assert "<script>alert" not in page and "javascript:" not in page
    assert '<a href="https://example.org" rel="noopener noreferrer">portal</a>' in page
    for area in DEFAULT_THEMATIC_AREAS:
        assert f"<li>{area}</li>" in page
    for statement in call.eligibility_statements:
        assert statement.text in page
    for document in call.required_documents:
        assert f"<li>{document.name}</li>" in page
    assert "$5,000.00" in page and "Up to 8" in page
    assert "(CST)" in page and "days left" in page
    assert f'href="/calls/{call.id}/apply"' in page and ">Apply<" in page


def test_public_page_of_a_closed_call(client, grant_factories):
    now = utcnow()
    past_deadline = grant_factories.call(opens_at=now - timedelta(days=20),
                                         closes_at=now - timedelta(minutes=1))
    closed = grant_factories.call(state=CallState.closed, opens_at=now - timedelta(days=20),
                                  closes_at=now - timedelta(days=2))
    for call in (past_deadline, closed):
        page = client.get(f"/calls/{call.id}").get_data(as_text=True)
        assert "Closed" in page and "no longer accepts applications" in page
        assert f"/calls/{call.id}/apply" not in page and "days left" not in page


def test_public_page_of_an_upcoming_call(client, grant_factories):
    now = utcnow()
    call = grant_factories.call(opens_at=now + timedelta(days=5, hours=1),
                                closes_at=now + timedelta(days=35))
    page = client.get(f"/calls/{call.id}").get_data(as_text=True)
    assert "Opens soon" in page and "Applications open on" in page and "in 5 days" in page
    assert f"/calls/{call.id}/apply" not in page


@pytest.mark.parametrize("role", [None, "applicant", "reviewer", "donor"])
def test_drafts_are_not_found_for_the_public(client, login_as, grant_factories, role):
    call = grant_factories.call(state=CallState.draft)
    if role:
        login_as(role)
    assert client.get(f"/calls/{call.id}").status_code == 404


def test_staff_preview_drafts(client, login_as, grant_factories):
    call = grant_factories.call(state=CallState.draft, title="Preview me")
    login_as("staff")
    response = client.get(f"/calls/{call.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Preview me" in page and "Draft" in page
    assert f"/calls/{call.id}/apply" not in page


@pytest.mark.parametrize("missing", [999999, 2**40])
def test_missing_calls_are_not_found(client, login_as, missing):
    assert client.get(f"/calls/{missing}").status_code == 404
    login_as("staff")
    for url in (f"/calls/{missing}", f"/staff/calls/{missing}", f"/staff/calls/{missing}/edit",
                f"/staff/calls/{missing}/rubric", f"/staff/funds/{missing}/edit"):
        assert client.get(url).status_code == 404
    assert client.post(f"/staff/calls/{missing}/transition",
                       data={"target": "published"}).status_code == 404


def test_markdown_filter_is_registered(app):
    assert "markdown" in app.jinja_env.filters
    html = app.jinja_env.from_string("{{ text|markdown }}").render(text="<b>x</b> **y**")
    assert html == "<p>&lt;b&gt;x&lt;/b&gt; <strong>y</strong></p>"
