"""Repeating rows in a real browser: a budget line is added and another removed in place,
and saving keeps exactly what the page shows."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_budget_lines_are_added_and_removed_without_a_round_trip(live_server, demo_logins,
                                                                 page, journey):
    from core.extensions import db
    from grants.applications.models import Application

    steps = journey("repeating-rows")
    sign_in(steps, page, live_server.url, *demo_logins["applicant"])
    steps.check(page, "home")
    # The draft on the applicant's home page.
    href = page.locator("#work-applications-mine").locator("xpath=..").locator(
        "a[href^='/applications/']").first.get_attribute("href")
    draft_id = int(href.rsplit("/", 1)[1])
    with live_server.app.app_context():
        kept = [line.description for line in db.session.get(Application, draft_id).budget_lines][1:]
    page.goto(f"{live_server.url}/applications/{draft_id}/sections/budget")
    steps.check(page, "budget")
    rows = page.locator("table.js-repeat tbody tr")
    before = rows.count()
    page.locator("button.repeat-add").click()
    assert rows.count() == before + 1
    last = rows.last
    last.locator("select").select_option(index=1)
    last.locator("input").nth(0).fill("Printing the guide")
    last.locator("input").nth(1).fill("12.50")
    rows.first.locator(".repeat-remove button").click()
    assert rows.count() == before
    page.click("button[name=then]")
    steps.check(page, "saved")
    with live_server.app.app_context():
        saved = db.session.get(Application, draft_id)
        assert [line.description for line in saved.budget_lines] == \
            kept + ["Printing the guide"]
