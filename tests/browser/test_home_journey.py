"""Every role's home page in a real browser, on the demo programme: the first screen, at
1280×800 and at 360×740, lists that person's pending work, and each item opens in one click.
The ranking and the application form are looked at on a phone too. Every page goes through
the quality checks (``quality.py``), which keep a screenshot at both widths."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

SCREENS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 360, "height": 740}}


def first_screen_shows_work(page) -> None:
    """The first section of work and its first item start within the first screen."""
    item = page.locator(".work-section .work-item a").first
    expect(item).to_be_visible()
    box = item.bounding_box()
    assert box is not None and box["y"] + box["height"] <= page.viewport_size["height"], box


@pytest.mark.parametrize("role", ["applicant", "reviewer", "staff", "finance", "donor",
                                  "admin"])
def test_each_role_opens_on_its_work(live_server, demo_logins, page, journey, role):
    steps = journey(f"home-{role}")
    sign_in(steps, page, live_server.url, *demo_logins[role])
    for screen, size in SCREENS.items():
        page.set_viewport_size(size)
        first_screen_shows_work(page)
        page.screenshot(path=str(steps.artifacts / f"home-{role}-{screen}-first-screen.png"))
    page.set_viewport_size({"width": 1280, "height": 900})
    steps.check(page, "home")
    item = page.locator(".work-section .work-item a").first
    item.click()
    page.wait_for_load_state("load")
    assert page.url != f"{live_server.url}/"
    steps.check(page, "first item")


def test_the_ranking_and_the_application_form_on_a_phone(live_server, demo_logins, page,
                                                         journey):
    steps = journey("phone-pages")
    sign_in(steps, page, live_server.url, *demo_logins["staff"])
    steps.check(page, "home")
    page.goto(f"{live_server.url}/staff/panels")
    steps.check(page, "panels")
    page.get_by_role("link", name="Open the panel").first.click()
    steps.check(page, "panel")
    page.locator("main a[href$=\"/ranking\"]").first.click()
    steps.check(page, "ranking")
    page.set_viewport_size(SCREENS["phone"])
    page.screenshot(path=str(steps.artifacts / "ranking-phone.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SCREENS["phone"]["width"], width
