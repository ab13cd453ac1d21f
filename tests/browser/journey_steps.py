"""The staff journey's steps in the browser, each checked by the quality checks as it goes."""

from __future__ import annotations

import re
from datetime import date, timedelta

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.journey_data import CALL, FINANCE, FUND, PDF, REVIEWERS, attendance_sheet


def sign_in(page, live_server, steps, email, password, who):
    page.goto(f"{live_server.url}/login")
    steps.check(page, f"{who}-sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.locator("main").get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    steps.check(page, f"{who}-home")


def flash(page):
    expect(page.locator(".flash-success").first).to_be_visible()


def programme_today(live_server) -> date:
    """Today on the programme's calendar (in Belize the day changes six hours after UTC's):
    what "today" means in the forms."""
    from core.timeutil import to_programme_time, utcnow

    with live_server.app.app_context():
        return to_programme_time(utcnow()).date()


def programme_time(live_server, days: int) -> str:
    """A time ``days`` from now as typed in the forms: the programme's wall clock."""
    from core.timeutil import to_programme_time, utcnow

    with live_server.app.app_context():
        when = to_programme_time(utcnow()) + timedelta(days=days)
    return when.strftime("%Y-%m-%dT%H:%M")


def create_and_publish_call(page, live_server, steps):
    page.goto(f"{live_server.url}/staff/funds/new")
    steps.check(page, "new-fund")
    page.get_by_label("Name", exact=True).fill(FUND)
    page.get_by_label("Donor").select_option(label="Embassy of the Donor Country")
    page.get_by_label("Total budget").fill("10000.00")
    page.get_by_role("button", name="Add the fund").click()
    flash(page)
    steps.check(page, "fund-added")

    page.goto(f"{live_server.url}/staff/calls")
    steps.check(page, "calls")
    page.locator("main").get_by_role("link", name="New call").click()
    steps.check(page, "new-call")
    page.get_by_label("Fund", exact=True).select_option(label=f"{FUND} (USD)")
    page.get_by_label("Title (English)").fill(CALL)
    page.get_by_label("Summary (English)").fill("Mini-grants for civil society and government "
                                                "partnerships that publish open data.")
    page.get_by_label("Full text (English)").fill("Apply with a **government counterpart**.")
    # The call in Spanish too, side by side; its lists are left to translate later.
    page.get_by_label("Title (Spanish)").fill(f"{CALL} (ES)")
    page.get_by_label("Summary (Spanish)").fill("Pequeñas subvenciones para alianzas entre la "
                                                "sociedad civil y el gobierno.")
    page.get_by_label("Opens").fill(programme_time(live_server, 0))
    page.get_by_label("Closes").fill(programme_time(live_server, 21))
    page.get_by_label("Maximum number of awards").fill("2")
    page.get_by_role("button", name="Save the draft").click()
    flash(page)
    expect(page.get_by_role("heading", name=CALL)).to_be_visible()
    steps.check(page, "call-draft")

    page.get_by_role("link", name="Change the rubric").click()
    steps.check(page, "rubric")
    rows = page.locator("fieldset.rubric-row")
    for row, (name, weight) in zip((rows.nth(0), rows.nth(1)),
                                   (("Relevance", "2"), ("Partnership", "1")), strict=True):
        row.get_by_label("Criterion (English)").fill(name)
        row.get_by_label("Weight").fill(weight)
        row.get_by_label("Maximum score").fill("10")
    page.get_by_role("button", name="Save the rubric").click()
    flash(page)
    steps.check(page, "rubric-saved")

    # Not every list is in Spanish yet: publishing asks first.
    page.locator("summary", has_text="Publish").click()
    expect(page.get_by_text("not complete in every language")).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    flash(page)
    expect(page.locator("h1 .badge")).to_have_text("Published")
    steps.check(page, "call-published")
    page.goto(f"{live_server.url}/calls")
    expect(page.get_by_role("heading", name=CALL)).to_be_visible()
    steps.check(page, "public-calls")


def close_and_start_review(page, live_server, steps):
    page.goto(f"{live_server.url}/staff/calls")
    steps.check(page, "calls-after-deadline")
    page.locator("main").get_by_role("link", name=CALL).click()
    steps.check(page, "call-after-deadline")
    page.get_by_role("button", name="Close the call").click()
    flash(page)
    steps.check(page, "call-closed")
    page.get_by_role("button", name="Start the review").click()
    flash(page)
    expect(page.locator("h1 .badge")).to_have_text("In review")
    steps.check(page, "call-in-review")


def screen(page, live_server, steps, reference, eligible):
    page.goto(f"{live_server.url}/staff/applications?q={reference}")
    steps.check(page, f"applications-{reference}")
    page.get_by_role("link", name=reference).click()
    steps.check(page, f"application-{reference}")
    page.get_by_role("link", name="Screen eligibility").click()
    steps.check(page, f"screening-{reference}")
    if eligible:
        page.get_by_label("Eligible: it goes on to review").check()
    else:
        page.get_by_label("Ineligible", exact=True).check()
        page.get_by_label("Reason").fill("The organisation is not registered in Belize.")
    page.get_by_role("button", name="Record the outcome").click()
    flash(page)
    steps.check(page, f"screened-{reference}")
    if eligible:
        page.get_by_role("link", name="Back to the application").click()
        steps.check(page, f"eligible-{reference}")
        page.get_by_role("button", name="In review").click()
        flash(page)
        steps.check(page, f"sent-to-review-{reference}")


def panel_and_assignments(page, live_server, steps):
    page.goto(f"{live_server.url}/staff/panels/new")
    steps.check(page, "new-panel")
    page.get_by_label("Call").select_option(label=CALL)
    page.get_by_label("Reviews due").fill(programme_time(live_server, 14))
    page.get_by_label("Reviewers per application").fill("2")
    page.get_by_role("button", name="Create the panel").click()
    flash(page)
    steps.check(page, "panel")
    for name in REVIEWERS:
        reviewer = page.get_by_role("region", name="Members").get_by_label("Reviewer")
        reviewer.select_option(reviewer.locator("option", has_text=name).get_attribute("value"))
        page.get_by_role("button", name="Add to the panel").click()
        flash(page)
        steps.check(page, f"member-{name}")
    page.get_by_role("button", name="Assign reviewers automatically").click()
    expect(page.locator(".flash-success").first).to_contain_text("4 assignments made")
    steps.check(page, "assigned")


def rank_and_decide(page, steps, first, second):
    page.get_by_role("link", name="Ranking and decisions").click()
    steps.check(page, "ranking")
    rows = page.locator("tbody tr", has=page.locator("th[scope=row]"))
    expect(rows.first).to_contain_text(first)
    for reference, outcome, rationale in ((first, "Award a grant", "The strongest proposal."),
                                          (second, "Decline the application",
                                           "Scores below the line.")):
        page.get_by_label(f"Select {reference}").check()
        page.get_by_label(outcome, exact=True).check()
        page.get_by_label("Rationale").fill(rationale)
        page.get_by_role("button", name="Record the decision").click()
        flash(page)
        steps.check(page, f"decided-{reference}")


def issue_and_sign(page, live_server, steps, first, tmp_path) -> int:
    page.goto(f"{live_server.url}/staff/applications?q={first}")
    steps.check(page, "awarded-application-search")
    page.get_by_role("link", name=first).click()
    steps.check(page, "awarded-application")
    page.get_by_role("link", name="Issue the grant agreement").click()
    steps.check(page, "issue-agreement")
    today = programme_today(live_server)
    page.get_by_label("Start date").fill(today.isoformat())
    page.get_by_label("End date").fill((today + timedelta(days=180)).isoformat())
    page.get_by_role("button", name="Issue the grant agreement").click()
    flash(page)
    steps.check(page, "agreement-issued")
    award_id = int(re.search(r"/awards/(\d+)", page.url).group(1))
    page.get_by_role("link", name="Record the signed agreement").click()
    steps.check(page, "sign")
    agreement = tmp_path / "signed-agreement.pdf"
    agreement.write_bytes(PDF)
    page.get_by_label("The signed agreement").set_input_files(str(agreement))
    page.get_by_label("Date of signature").fill(programme_today(live_server).isoformat())
    page.get_by_role("button", name="Record the signature").click()
    flash(page)
    steps.check(page, "signed")
    return award_id


def request_disbursement(page, steps):
    page.get_by_role("link", name=re.compile("Request a disbursement")).first.click()
    steps.check(page, "request-disbursement")
    page.get_by_label("Amount", exact=True).fill("2500.00")
    page.get_by_label("Planned payment date").fill(date.today().isoformat())
    page.get_by_label("Payee account reference").fill("Belize Bank 000123")
    page.get_by_role("button", name="Request the disbursement").click()
    flash(page)
    # The requester cannot approve their own request: no approve button for staff.
    expect(page.get_by_role("button", name=re.compile("^Approve"))).to_have_count(0)
    steps.check(page, "requested")


def finance_approves_and_pays(finance, live_server, steps, award_reference):
    sign_in(finance, live_server, steps, *FINANCE, who="finance")
    finance.goto(f"{live_server.url}/finance/disbursements")
    steps.check(finance, "finance-queue")
    row = finance.locator("tr", has_text=award_reference)
    row.get_by_role("button", name=re.compile("^Approve")).click()
    expect(finance.get_by_text(re.compile("approved", re.IGNORECASE)).first).to_be_visible()
    steps.check(finance, "approved")
    finance.goto(f"{live_server.url}/finance/disbursements")
    steps.check(finance, "finance-queue-approved")
    finance.locator("tr", has_text=award_reference).get_by_role(
        "link", name=re.compile("Record the payment")).click()
    steps.check(finance, "pay")
    finance.get_by_label("Date paid").fill(programme_today(live_server).isoformat())
    finance.get_by_label("Bank reference").fill("BB-2026-0042")
    finance.get_by_label("Currency paid").select_option("BZD")
    finance.get_by_label("Exchange rate").fill("2.00")
    finance.get_by_role("button", name="Record the payment").click()
    flash(finance)
    steps.check(finance, "paid")


def fund_row(page) -> str:
    return page.locator("tr", has_text=FUND).first.inner_text()


def accept_report(page, live_server, steps, report_id):
    page.goto(f"{live_server.url}/staff/reports/{report_id}/review")
    steps.check(page, "report-review")
    page.get_by_label("Comment").fill("Thank you: clear and complete.")
    page.get_by_role("button", name="Accept the report").click()
    flash(page)
    steps.check(page, "report-accepted")


def indicator(page, label: str) -> int:
    section = page.locator("section", has=page.locator("#participants-heading"))
    value = section.locator("dt", has_text=re.compile(f"^{label}$")).locator(
        "xpath=following-sibling::dd[1]").inner_text()
    return int(re.sub(r"\D", "", value))


def import_attendance(page, live_server, steps, event_id, tmp_path):
    page.goto(f"{live_server.url}/indicators")
    steps.check(page, "indicators-before")
    before = {label: indicator(page, label)
              for label in ("Unique participants", "Women", "Under 30")}

    # A dry run first: nothing is written.
    page.goto(f"{live_server.url}/staff/events/{event_id}/import")
    steps.check(page, "import")
    page.get_by_label("Attendance sheet").set_input_files(str(attendance_sheet(tmp_path)))
    page.get_by_label(re.compile("Only check the file")).check()
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_text(re.compile("3")).first).to_be_visible()
    steps.check(page, "import-checked")
    page.goto(f"{live_server.url}/indicators")
    steps.check(page, "indicators-after-dry-run")
    assert indicator(page, "Unique participants") == before["Unique participants"]

    page.goto(f"{live_server.url}/staff/events/{event_id}/import")
    steps.check(page, "import-again")
    page.get_by_label("Attendance sheet").set_input_files(str(attendance_sheet(tmp_path)))
    page.get_by_role("button", name="Check and import").click()
    flash(page)
    steps.check(page, "imported")
    page.goto(f"{live_server.url}/indicators")
    steps.check(page, "indicators-after")
    # Three new people, two of them women, one under 30 on the event's first day.
    assert indicator(page, "Unique participants") == before["Unique participants"] + 3
    assert indicator(page, "Women") == before["Women"] + 2
    assert indicator(page, "Under 30") == before["Under 30"] + 1


def download_workbook(page, live_server, steps, award_reference, tmp_path):
    page.goto(f"{live_server.url}/reports/workbook")
    steps.check(page, "workbook")
    page.get_by_role("button", name="Download the workbook").click()
    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    steps.check(page, "workbook queued")
    live_server.run_jobs()  # the worker makes it; the page notices by itself
    link = page.locator("main").get_by_role("link", name="Download the file")
    expect(link).to_be_visible(timeout=10_000)
    steps.check(page, "workbook ready")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(str(path))
    workbook = load_workbook(path, read_only=True)
    try:
        assert "Awards" in workbook.sheetnames, workbook.sheetnames
        awards = {cell for row in workbook["Awards"].iter_rows(values_only=True)
                  for cell in row}
    finally:
        workbook.close()
    assert award_reference in awards, "the new award is missing from the donor workbook"
