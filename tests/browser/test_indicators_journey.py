"""Staff import an event's attendance sheet in a real browser and see the indicators change:
new participants, women, young people and organisations are counted from the records."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "sofia.staff@example.org", "tamarind ferry beacon 64"
HEADER = ["Full name", "Email", "Sex", "Year of birth", "Organisation", "Sector", "Role",
          "Country", "Attended"]
ROWS = [
    ["Ana Pop", "ana.pop@example.org", "Female", 2001, "Toledo Youth Voices", "Civil society",
     "Participant", "BZ", "Yes"],
    ["Luis Chen", "luis.chen@example.org", "Male", 1975, "Ministry of Education", "Government",
     "Participant", "BZ", ""],
    ["Maria Garcia", "", "Female", 1990, "Belize Bank", "Private sector", "Participant", "BZ",
     "Yes"],
]


def _event(live_server) -> int:
    from werkzeug.security import generate_password_hash

    from accounts.models import Role, User, UserRole
    from coalitions.events.models import Event, EventType
    from core.extensions import db
    from core.timeutil import utcnow

    app = live_server.app
    with app.app_context():
        staff = User(email=EMAIL, name="Sofia Staff", session_version=1, failed_login_count=0,
                     is_enabled=True, email_confirmed_at=utcnow(), locale="en",
                     password_hash=generate_password_hash(
                         PASSWORD, method=app.config["PASSWORD_HASH_METHOD"]))
        staff.role_rows.append(UserRole(role=Role.staff))
        event = Event(type=EventType.workshop, title="Open data workshop",
                      starts_on=date(date.today().year, 1, 20),
                      ends_on=date(date.today().year, 1, 21), district="Cayo", country="BZ")
        db.session.add_all([staff, event])
        db.session.commit()
        return event.id


def _sheet(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    path = tmp_path / "attendance.xlsx"
    buffer = BytesIO()
    workbook.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def _number(page, label: str) -> str:
    section = page.locator("section", has=page.locator("#participants-heading"))
    return section.locator("dt", has_text=re.compile(f"^{label}$")).locator(
        "xpath=following-sibling::dd[1]").inner_text().strip()


def test_import_attendance_and_see_indicators_change(live_server, page, page_problems,
                                                      artifacts_dir, tmp_path):
    event_id = _event(live_server)
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()

    page.goto(f"{live_server.url}/indicators")
    assert _number(page, "Unique participants") == "0"
    page.screenshot(path=str(artifacts_dir / "indicators-01-before.png"), full_page=True)

    # A dry run first: nothing is written.
    page.goto(f"{live_server.url}/staff/events/{event_id}/import")
    page.get_by_label("Attendance sheet").set_input_files(str(_sheet(tmp_path)))
    page.get_by_label(re.compile("Only check the file")).check()
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_text(re.compile("3")).first).to_be_visible()
    page.goto(f"{live_server.url}/indicators")
    assert _number(page, "Unique participants") == "0"

    # The real import.
    page.goto(f"{live_server.url}/staff/events/{event_id}/import")
    page.get_by_label("Attendance sheet").set_input_files(str(_sheet(tmp_path)))
    page.get_by_role("button", name="Check and import").click()
    expect(page.locator(".flash-success")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "indicators-02-imported.png"), full_page=True)

    page.goto(f"{live_server.url}/indicators")
    assert _number(page, "Unique participants") == "3"
    assert _number(page, "Women") == "2"
    assert _number(page, "Under 30") == "1"
    page.screenshot(path=str(artifacts_dir / "indicators-03-after.png"), full_page=True)
    assert page_problems.errors == []
