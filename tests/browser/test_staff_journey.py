"""The programme team's journey in a real browser, on top of the demo programme: staff add a
fund, create a call with its rubric and publish it; once applications are in and the deadline
has passed they close the call, screen, send to review, build the panel and assign reviewers,
rank and decide, issue and sign the grant agreement and request the first tranche, which a
finance officer (another person) approves and pays; then staff accept a progress report,
import an event's attendance sheet and download the donor workbook.

What is not the point of the journey is put in the database directly: the applications that
arrive while the call is open, the passing of the deadline, the reviewers' scores and the
grantee's report. Every page goes through the quality checks (``quality.py``).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

STAFF = ("staff@demo.example.org", "pine valley kettle 31")
FINANCE = ("finance@demo.example.org", "copper lagoon harbour 58")
REVIEWERS = ["Rosa Reviewer", "Hugo Harsh", "Lucía Lenient"]
FUND = "Open Data Fund 2026"
CALL = "Open data mini-grants 2026"
APPLICANTS = ["Cayo Budget Watch", "Stann Creek Data Lab", "Orange Walk Civic Forum"]
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
ATTENDANCE_HEADER = ["Full name", "Email", "Sex", "Year of birth", "Organisation", "Sector",
                     "Role", "Country", "Attended"]
ATTENDANCE = [
    ["Ana Pop", "ana.pop@example.org", "Female", 2001, "Toledo Youth Voices", "Civil society",
     "Participant", "BZ", "Yes"],
    ["Luis Chen", "luis.chen@example.org", "Male", 1975, "Ministry of Education", "Government",
     "Participant", "BZ", ""],
    ["Maria Garcia", "", "Female", 1990, "Belize Bank", "Private sector", "Participant", "BZ",
     "Yes"],
]


# What is put in the database directly --------------------------------------------------------

def _demo_programme(live_server) -> None:
    """The demo programme, with known passwords for its staff and finance officers."""
    from sqlalchemy import select
    from werkzeug.security import generate_password_hash

    from accounts.models import User
    from core.extensions import db

    app = live_server.app
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        for email, password in (STAFF, FINANCE):
            user = db.session.scalar(select(User).where(User.email == email))
            user.password_hash = generate_password_hash(
                password, method=app.config["PASSWORD_HASH_METHOD"])
        db.session.commit()


def _applications_arrive_and_deadline_passes(live_server, call_title: str) -> list[str]:
    """Three complete, endorsed applications are submitted; then the call's closing time
    passes. Returns their references."""
    import hashlib
    import secrets

    from sqlalchemy import select

    from accounts.organisations.models import Organisation, Sector
    from core.extensions import db
    from core.references import next_reference
    from core.timeutil import utcnow
    from demo.grants import stored_pdf
    from grants.applications.models import (
        Application,
        Attachment,
        BudgetLine,
        Endorsement,
        EndorsementState,
    )
    from grants.applications.states import ApplicationState
    from grants.calls.models import Call

    with live_server.app.app_context():
        call = db.session.scalar(select(Call).where(Call.title == call_title))
        ministry = db.session.scalar(select(Organisation).where(
            Organisation.name == "Ministry of Education"))
        now = utcnow()
        references = []
        for index, name in enumerate(APPLICANTS):
            submitted_at = now - timedelta(hours=3 - index)
            application = Application(
                call=call, state=ApplicationState.submitted, counterpart=ministry,
                organisation=Organisation(name=name, sector=Sector.civil_society, country="BZ",
                                          is_verified=True),
                title=f"Open budgets by {name}", summary=f"{name} publishes budgets.",
                problem="Budgets are hard to find.", objectives="Publish them every quarter.",
                duration_months=6, districts=["Cayo"], requested_amount=Decimal("5000.00"),
                beneficiaries_total=100, beneficiaries_women=55, beneficiaries_youth=30,
                counterpart_contact_name="Carlos Chan",
                counterpart_contact_position="Director",
                counterpart_contact_email=f"contact{index}@gov.example.bz",
                thematic_areas=[call.thematic_areas[index]],
                affirmed_statements=list(call.eligibility_statements),
                budget_lines=[BudgetLine(position=0, category="activities",
                                         description="Workshops", amount=Decimal("5000.00"))],
                submitted_at=submitted_at,
                reference=next_reference(call.reference_prefix, submitted_at.year))
            application.attachments = [
                Attachment(required_document=document, uploaded_at=submitted_at,
                           stored_file=stored_pdf(f"{document.name}.pdf"))
                for document in call.required_documents]
            application.endorsement = Endorsement(
                state=EndorsementState.endorsed, recipient_email="contact@gov.example.bz",
                sent_at=submitted_at, expires_at=submitted_at + timedelta(days=21),
                responded_at=submitted_at + timedelta(minutes=30),
                responder_name="Carlos Chan", responder_position="Director",
                token_hash=hashlib.sha256(secrets.token_bytes(32)).hexdigest())
            db.session.add(application)
            references.append(application.reference)
        call.closes_at = now - timedelta(minutes=5)
        call.opens_at = now - timedelta(days=30)
        db.session.commit()
        return references


def _reviewers_score(live_server, call_title: str, first_reference: str) -> None:
    """Every assigned reviewer submits a review; the first application scores best."""
    from sqlalchemy import select

    from core.extensions import db
    from core.timeutil import utcnow
    from grants.calls.models import Call
    from grants.reviews.models import Panel, Review, ReviewScore
    from grants.reviews.states import Confidence, Recommendation, ReviewState

    with live_server.app.app_context():
        call = db.session.scalar(select(Call).where(Call.title == call_title))
        panel = db.session.scalar(select(Panel).where(Panel.call_id == call.id))
        assert panel.assignments, "the panel has no assignments to review"
        for assignment in panel.assignments:
            best = assignment.application.reference == first_reference
            assignment.review = Review(
                state=ReviewState.submitted, submitted_at=utcnow(),
                overall_comment="Clear and feasible." if best else "Too vague.",
                recommendation=Recommendation.fund if best else Recommendation.do_not_fund,
                confidence=Confidence.high,
                scores=[ReviewScore(criterion_id=criterion.id,
                                    score=criterion.max_score - (0 if best else 5))
                        for criterion in call.criteria])
        db.session.commit()


def _grantee_reports(live_server, award_id: int) -> int:
    """The grantee submits the mid-term report; returns its id."""
    from sqlalchemy import select

    from core.extensions import db
    from core.timeutil import utcnow
    from grants.monitoring.models import Expenditure, ProgressReport, ReportVersion
    from grants.monitoring.states import ReportState

    with live_server.app.app_context():
        report = db.session.scalars(select(ProgressReport).where(
            ProgressReport.award_id == award_id).order_by(ProgressReport.due_on)).first()
        report.state = ReportState.submitted
        report.versions.append(ReportVersion(
            number=1, submitted_at=utcnow(), activities="Two workshops held.",
            results="The district budget is online.", challenges="None so far.",
            women_under_30=10, women_30_and_over=12, men_under_30=8, men_30_and_over=9,
            expenditures=[Expenditure(position=0, category="activities", spent_on=date.today(),
                                      description="Workshops", amount=Decimal("1200.00"))]))
        db.session.commit()
        return report.id


def _award_reference(live_server, award_id: int) -> str:
    from core.extensions import db
    from grants.awards.models import Award

    with live_server.app.app_context():
        return db.session.get(Award, award_id).reference


def _assert_paid_in_belize_dollars(live_server, award_id: int) -> None:
    from sqlalchemy import select

    from core.extensions import db
    from grants.awards.models import Disbursement

    with live_server.app.app_context():
        [entry] = db.session.scalars(select(Disbursement).where(
            Disbursement.award_id == award_id)).all()
        assert entry.paid_amount == Decimal("5000.00") and entry.paid_currency == "BZD"
        assert entry.usd_equivalent == Decimal("2500.00")


def _event(live_server) -> int:
    from coalitions.events.models import Event, EventType
    from core.extensions import db

    with live_server.app.app_context():
        event = Event(type=EventType.workshop, title="Open data workshop 2026",
                      starts_on=date(date.today().year, 1, 20),
                      ends_on=date(date.today().year, 1, 21), district="Cayo", country="BZ")
        db.session.add(event)
        db.session.commit()
        return event.id


def _attendance_sheet(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(ATTENDANCE_HEADER)
    for row in ATTENDANCE:
        sheet.append(row)
    path = tmp_path / "attendance.xlsx"
    buffer = BytesIO()
    workbook.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


# Steps in the browser ------------------------------------------------------------------------

def _sign_in(page, live_server, steps, email, password, who):
    page.goto(f"{live_server.url}/login")
    steps.check(page, f"{who}-sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.locator("main").get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    steps.check(page, f"{who}-home")


def _flash(page):
    expect(page.locator(".flash-success").first).to_be_visible()


def _programme_time(live_server, days: int) -> str:
    """A time ``days`` from now as typed in the forms: the programme's wall clock."""
    from core.timeutil import to_programme_time, utcnow

    with live_server.app.app_context():
        when = to_programme_time(utcnow()) + timedelta(days=days)
    return when.strftime("%Y-%m-%dT%H:%M")


def _create_and_publish_call(page, live_server, steps):
    page.goto(f"{live_server.url}/staff/funds/new")
    steps.check(page, "new-fund")
    page.get_by_label("Name", exact=True).fill(FUND)
    page.get_by_label("Donor").select_option(label="Embassy of the Donor Country")
    page.get_by_label("Total budget").fill("10000.00")
    page.get_by_role("button", name="Add the fund").click()
    _flash(page)
    steps.check(page, "fund-added")

    page.goto(f"{live_server.url}/staff/calls")
    steps.check(page, "calls")
    page.locator("main").get_by_role("link", name="New call").click()
    steps.check(page, "new-call")
    page.get_by_label("Fund", exact=True).select_option(label=f"{FUND} (USD)")
    page.get_by_label("Title").fill(CALL)
    page.get_by_label("Summary").fill("Mini-grants for civil society and government "
                                      "partnerships that publish open data.")
    page.get_by_label("Full text").fill("Apply with a **government counterpart**.")
    page.get_by_label("Opens").fill(_programme_time(live_server, 0))
    page.get_by_label("Closes").fill(_programme_time(live_server, 21))
    page.get_by_label("Maximum number of awards").fill("2")
    page.get_by_role("button", name="Save the draft").click()
    _flash(page)
    expect(page.get_by_role("heading", name=CALL)).to_be_visible()
    steps.check(page, "call-draft")

    page.get_by_role("link", name="Change the rubric").click()
    steps.check(page, "rubric")
    rows = page.locator("fieldset.rubric-row")
    for row, (name, weight) in zip((rows.nth(0), rows.nth(1)),
                                   (("Relevance", "2"), ("Partnership", "1")), strict=True):
        row.get_by_label("Criterion").fill(name)
        row.get_by_label("Weight").fill(weight)
        row.get_by_label("Maximum score").fill("10")
    page.get_by_role("button", name="Save the rubric").click()
    _flash(page)
    steps.check(page, "rubric-saved")

    page.get_by_role("button", name="Publish").click()
    _flash(page)
    expect(page.locator("h1 .badge")).to_have_text("Published")
    steps.check(page, "call-published")
    page.goto(f"{live_server.url}/calls")
    expect(page.get_by_role("heading", name=CALL)).to_be_visible()
    steps.check(page, "public-calls")


def _close_and_start_review(page, live_server, steps):
    page.goto(f"{live_server.url}/staff/calls")
    steps.check(page, "calls-after-deadline")
    page.locator("main").get_by_role("link", name=CALL).click()
    steps.check(page, "call-after-deadline")
    page.get_by_role("button", name="Close the call").click()
    _flash(page)
    steps.check(page, "call-closed")
    page.get_by_role("button", name="Start the review").click()
    _flash(page)
    expect(page.locator("h1 .badge")).to_have_text("In review")
    steps.check(page, "call-in-review")


def _screen(page, live_server, steps, reference, eligible):
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
    _flash(page)
    steps.check(page, f"screened-{reference}")
    if eligible:
        page.get_by_role("link", name="Back to the application").click()
        steps.check(page, f"eligible-{reference}")
        page.get_by_role("button", name="In review").click()
        _flash(page)
        steps.check(page, f"sent-to-review-{reference}")


def _panel_and_assignments(page, live_server, steps):
    page.goto(f"{live_server.url}/staff/panels/new")
    steps.check(page, "new-panel")
    page.get_by_label("Call").select_option(label=CALL)
    page.get_by_label("Reviews due").fill(_programme_time(live_server, 14))
    page.get_by_label("Reviewers per application").fill("2")
    page.get_by_role("button", name="Create the panel").click()
    _flash(page)
    steps.check(page, "panel")
    for name in REVIEWERS:
        reviewer = page.get_by_role("region", name="Members").get_by_label("Reviewer")
        reviewer.select_option(reviewer.locator("option", has_text=name).get_attribute("value"))
        page.get_by_role("button", name="Add to the panel").click()
        _flash(page)
        steps.check(page, f"member-{name}")
    page.get_by_role("button", name="Assign reviewers automatically").click()
    expect(page.locator(".flash-success").first).to_contain_text("4 assignments made")
    steps.check(page, "assigned")


def _rank_and_decide(page, steps, first, second):
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
        _flash(page)
        steps.check(page, f"decided-{reference}")


def _issue_and_sign(page, live_server, steps, first, tmp_path) -> int:
    page.goto(f"{live_server.url}/staff/applications?q={first}")
    steps.check(page, "awarded-application-search")
    page.get_by_role("link", name=first).click()
    steps.check(page, "awarded-application")
    page.get_by_role("link", name="Issue the grant agreement").click()
    steps.check(page, "issue-agreement")
    page.get_by_label("Start date").fill(date.today().isoformat())
    page.get_by_label("End date").fill((date.today() + timedelta(days=180)).isoformat())
    page.get_by_role("button", name="Issue the grant agreement").click()
    _flash(page)
    steps.check(page, "agreement-issued")
    award_id = int(re.search(r"/awards/(\d+)", page.url).group(1))
    page.get_by_role("link", name="Record the signed agreement").click()
    steps.check(page, "sign")
    agreement = tmp_path / "signed-agreement.pdf"
    agreement.write_bytes(PDF)
    page.get_by_label("The signed agreement").set_input_files(str(agreement))
    page.get_by_label("Date of signature").fill(date.today().isoformat())
    page.get_by_role("button", name="Record the signature").click()
    _flash(page)
    steps.check(page, "signed")
    return award_id


def _request_disbursement(page, steps):
    page.get_by_role("link", name=re.compile("Request a disbursement")).first.click()
    steps.check(page, "request-disbursement")
    page.get_by_label("Amount", exact=True).fill("2500.00")
    page.get_by_label("Planned payment date").fill(date.today().isoformat())
    page.get_by_label("Payee account reference").fill("Belize Bank 000123")
    page.get_by_role("button", name="Request the disbursement").click()
    _flash(page)
    # The requester cannot approve their own request: no approve button for staff.
    expect(page.get_by_role("button", name=re.compile("^Approve"))).to_have_count(0)
    steps.check(page, "requested")


def _finance_approves_and_pays(finance, live_server, steps, award_reference):
    _sign_in(finance, live_server, steps, *FINANCE, who="finance")
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
    finance.get_by_label("Date paid").fill(date.today().isoformat())
    finance.get_by_label("Bank reference").fill("BB-2026-0042")
    finance.get_by_label("Currency paid").select_option("BZD")
    finance.get_by_label("Exchange rate").fill("2.00")
    finance.get_by_role("button", name="Record the payment").click()
    _flash(finance)
    steps.check(finance, "paid")


def _fund_row(page) -> str:
    return page.locator("tr", has_text=FUND).first.inner_text()


def _accept_report(page, live_server, steps, report_id):
    page.goto(f"{live_server.url}/staff/reports/{report_id}/review")
    steps.check(page, "report-review")
    page.get_by_label("Comment").fill("Thank you: clear and complete.")
    page.get_by_role("button", name="Accept the report").click()
    _flash(page)
    steps.check(page, "report-accepted")


def _indicator(page, label: str) -> int:
    section = page.locator("section", has=page.locator("#participants-heading"))
    value = section.locator("dt", has_text=re.compile(f"^{label}$")).locator(
        "xpath=following-sibling::dd[1]").inner_text()
    return int(re.sub(r"\D", "", value))


def _import_attendance(page, live_server, steps, event_id, tmp_path):
    page.goto(f"{live_server.url}/indicators")
    steps.check(page, "indicators-before")
    before = {label: _indicator(page, label)
              for label in ("Unique participants", "Women", "Under 30")}

    # A dry run first: nothing is written.
    page.goto(f"{live_server.url}/staff/events/{event_id}/import")
    steps.check(page, "import")
    page.get_by_label("Attendance sheet").set_input_files(str(_attendance_sheet(tmp_path)))
    page.get_by_label(re.compile("Only check the file")).check()
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_text(re.compile("3")).first).to_be_visible()
    steps.check(page, "import-checked")
    page.goto(f"{live_server.url}/indicators")
    steps.check(page, "indicators-after-dry-run")
    assert _indicator(page, "Unique participants") == before["Unique participants"]

    page.goto(f"{live_server.url}/staff/events/{event_id}/import")
    steps.check(page, "import-again")
    page.get_by_label("Attendance sheet").set_input_files(str(_attendance_sheet(tmp_path)))
    page.get_by_role("button", name="Check and import").click()
    _flash(page)
    steps.check(page, "imported")
    page.goto(f"{live_server.url}/indicators")
    steps.check(page, "indicators-after")
    # Three new people, two of them women, one under 30 on the event's first day.
    assert _indicator(page, "Unique participants") == before["Unique participants"] + 3
    assert _indicator(page, "Women") == before["Women"] + 2
    assert _indicator(page, "Under 30") == before["Under 30"] + 1


def _download_workbook(page, live_server, steps, award_reference, tmp_path):
    page.goto(f"{live_server.url}/reports/workbook")
    steps.check(page, "workbook")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the workbook").click()
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


# The journey ---------------------------------------------------------------------------------

def test_staff_run_a_call_from_publication_to_donor_report(live_server, page, new_page,
                                                           page_problems, journey, tmp_path):
    _demo_programme(live_server)
    steps = journey("staff")

    _sign_in(page, live_server, steps, *STAFF, who="staff")
    _create_and_publish_call(page, live_server, steps)

    first, second, third = _applications_arrive_and_deadline_passes(live_server, CALL)
    _close_and_start_review(page, live_server, steps)
    _screen(page, live_server, steps, first, eligible=True)
    _screen(page, live_server, steps, second, eligible=True)
    _screen(page, live_server, steps, third, eligible=False)

    _panel_and_assignments(page, live_server, steps)
    _reviewers_score(live_server, CALL, first)
    _rank_and_decide(page, steps, first, second)

    award_id = _issue_and_sign(page, live_server, steps, first, tmp_path)
    award_reference = _award_reference(live_server, award_id)
    page.goto(f"{live_server.url}/staff/dashboard")
    steps.check(page, "dashboard-before")
    before = _fund_row(page)
    assert "$5,000.00" in before
    page.goto(f"{live_server.url}/awards/{award_id}")
    steps.check(page, "award")
    _request_disbursement(page, steps)

    finance = new_page()
    steps.watch(finance)
    _finance_approves_and_pays(finance, live_server, steps, award_reference)

    # The dashboard now shows US$2,500 of the new fund disbursed and US$2,500 outstanding.
    page.goto(f"{live_server.url}/staff/dashboard")
    steps.check(page, "dashboard-after")
    after = _fund_row(page)
    assert after != before and after.count("$2,500.00") == 2, after
    _assert_paid_in_belize_dollars(live_server, award_id)

    _accept_report(page, live_server, steps, _grantee_reports(live_server, award_id))
    _import_attendance(page, live_server, steps, _event(live_server), tmp_path)
    # Last: the donor workbook's page is the newest part of the system.
    _download_workbook(page, live_server, steps, award_reference, tmp_path)
    assert page_problems.errors == []
