"""The demo's action plan in OGP's format, in a real browser: staff open the plan being
implemented, find its commitments frozen, and download it as a Word document and as JSON."""

from __future__ import annotations

import json
import re
from io import BytesIO
from pathlib import Path

import docx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

PLAN_TITLE = "Belize's First Open Government National Action Plan 2020–2022"


def test_staff_open_the_plan_and_download_it_in_ogps_format(live_server, demo_logins, page,
                                                             journey):
    steps = journey("action-plan")
    sign_in(steps, page, live_server.url, *demo_logins["staff"])
    steps.check(page, "home")
    page.goto(f"{live_server.url}/action-plans")
    steps.check(page, "action plans")
    page.locator("main").get_by_role("link", name=PLAN_TITLE).click()
    page.wait_for_url(re.compile(r"/action-plans/\d+$"))
    main = page.locator("main")
    expect(main).to_contain_text("In implementation")
    expect(main.get_by_role("button", name="Mark as completed")).to_be_visible()
    expect(main).to_contain_text("its commitments can no longer be changed")
    steps.check(page, "the plan")

    with page.expect_download() as download:
        main.get_by_role("link", name="Word document (.docx)").click()
    assert re.fullmatch(r"action-plan-\d+-en\.docx", download.value.suggested_filename)
    document = docx.Document(BytesIO(Path(download.value.path()).read_bytes()))
    assert PLAN_TITLE in [paragraph.text for paragraph in document.paragraphs]
    first = {row.cells[0].text: row.cells[-1].text for row in document.tables[0].rows}
    assert first["Commitment title and number"] == (
        "1. An online portal for information requests")
    assert first["Lead implementing agency"] == "Freedom of Information Unit"
    assert first["Transparency"].startswith("Yes.")

    with page.expect_download() as download:
        main.get_by_role("link", name="Data (JSON)").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["plan"]["title"] == PLAN_TITLE
    assert data["plan"]["state"] == "in_implementation"
    assert len(data["commitments"]) == 4
    assert all(milestone["starts_on"] for commitment in data["commitments"]
               for milestone in commitment["milestones"])

    main.get_by_role("link", name="Change the commitment").first.click()
    page.wait_for_url(re.compile(r"/staff/commitments/\d+/edit$"))
    expect(page.locator("main")).to_contain_text("its commitments can no longer be changed")
    expect(page.locator("main").get_by_role("button", name=re.compile("^Update"))
           .first).to_be_visible()
    steps.check(page, "a frozen commitment")
