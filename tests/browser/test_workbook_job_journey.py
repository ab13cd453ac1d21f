"""The donor workbook made in the background, in a real browser: the form queues it, the
page shows its progress and, with JavaScript, notices by itself when the worker is done and
offers the file."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_a_donor_asks_for_the_workbook_and_downloads_it(live_server, demo_logins, page,
                                                        journey):
    steps = journey("workbook-job")
    sign_in(steps, page, live_server.url, *demo_logins["donor"])
    steps.check(page, "home")
    page.goto(f"{live_server.url}/reports/workbook")
    steps.check(page, "workbook form")
    page.locator("main").get_by_label("From").fill("2019-01-01")
    page.locator("main").get_by_label("To", exact=True).fill("2019-12-31")
    page.locator("main").get_by_role("button", name="Download the workbook").click()
    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    expect(page.locator("main progress")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Waiting for the worker to start.")
    steps.check(page, "workbook queued")

    assert live_server.run_jobs() == 1
    link = page.locator("main").get_by_role("link", name="Download the file")
    expect(link).to_be_visible(timeout=10_000)  # the page's script saw the job finish
    steps.check(page, "workbook ready")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "donor-workbook_2019-01-01_2019-12-31.xlsx"
