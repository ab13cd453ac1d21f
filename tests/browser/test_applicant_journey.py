"""The applicant journey in a real browser: register, add the organisation, apply to an open
call section by section, attach a document, submit, and the government counterpart endorses
the partnership through the link emailed to them. Screenshots of each step are saved."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

NAME = "Rosa Requena"
EMAIL = "rosa.requena@example.org"
PASSWORD = "cashew river lighthouse 42"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"


def _open_call(live_server):
    """An open call and a ministry in the directory, created as staff would have."""
    from accounts.organisations.models import Organisation, Sector
    from core.extensions import db
    from core.timeutil import utcnow
    from grants.calls.models import (Call, Criterion, EligibilityStatement, Fund,
                                     RequiredDocument, ThematicArea)
    from grants.calls.states import CallState

    with live_server.app.app_context():
        db.session.add(Organisation(name="Ministry of E-Governance", sector=Sector.government,
                                    country="BZ", is_verified=True))
        call = Call(
            fund=Fund(name="Open Government Ecosystem", currency="USD",
                      total_budget=Decimal("40000.00")),
            title="Mini-grants 2026", summary="Small grants for partnerships.",
            body_markdown="Apply with a **government counterpart**.",
            award_amount=Decimal("5000.00"), state=CallState.published,
            opens_at=utcnow() - timedelta(days=1), closes_at=utcnow() + timedelta(days=14),
            thematic_areas=[ThematicArea(name="Open data", position=0)],
            eligibility_statements=[EligibilityStatement(
                text="We are a registered civil-society organisation.", position=0)],
            required_documents=[RequiredDocument(name="Registration certificate", position=0)],
            criteria=[Criterion(name="Relevance", weight=Decimal("1"), max_score=10)])
        db.session.add(call)
        db.session.commit()
        return call.id


def _save_and_continue(page):
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Section saved.")).to_be_visible()


def _register_and_sign_in(page, live_server, mailbox, shot):
    page.goto(f"{live_server.url}/register")
    page.get_by_label("Full name").fill(NAME)
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    live_server.deliver_mail()
    [message] = mailbox.received()
    page.goto(re.search(r"https?://\S+/confirm/\S+", mailbox.text_of(message)).group(0))
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Welcome, {NAME}.")).to_be_visible()
    shot("01-signed-in")


def test_apply_submit_and_counterpart_endorses(live_server, mailbox, page, page_problems,
                                               artifacts_dir, tmp_path):
    call_id = _open_call(live_server)
    step = iter(range(100))

    def shot(name):
        page.screenshot(path=str(artifacts_dir / f"applicant-{name}.png"), full_page=True)

    _register_and_sign_in(page, live_server, mailbox, shot)
    mailbox.clear()

    # The organisation joins the directory, with the applicant as its owner.
    page.goto(f"{live_server.url}/organisations/new")
    page.get_by_label("Name", exact=True).fill("Cayo Open Data Collective")
    page.get_by_label("Sector").select_option("civil_society")
    page.get_by_role("button", name="Add the organisation").click()
    expect(page.get_by_role("heading", name="Cayo Open Data Collective")).to_be_visible()
    shot("02-organisation")

    # The public call page leads to the application.
    page.goto(f"{live_server.url}/calls")
    page.get_by_role("link", name=re.compile("Read the call and apply")).first.click()
    expect(page.get_by_role("heading", name="Mini-grants 2026")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Apply")).first.click()
    page.get_by_role("button", name="Start the application").click()
    expect(page.get_by_role("heading", name="Project")).to_be_visible()
    shot("03-started")

    page.get_by_label("Project title").fill("Open budgets for Cayo")
    page.get_by_label("Summary").fill("We will publish the district budget as open data.")
    page.get_by_label("The problem").fill("Budgets are hard to find.")
    page.get_by_label("Objectives").fill("Publish the budget every quarter.")
    page.get_by_label("Open data").check()
    page.get_by_label("Duration in months").fill("6")
    _save_and_continue(page)

    page.get_by_label("Activity", exact=True).first.fill("Training workshops")
    page.get_by_label("Milestone").first.fill("Three workshops held")
    page.get_by_label("Expected result").first.fill("Budget published online")
    page.get_by_label("Indicator").first.fill("Datasets published")
    _save_and_continue(page)

    page.get_by_label("Number of beneficiaries").fill("120")
    page.get_by_label("Of whom women").fill("70")
    page.get_by_label("Of whom young people (under 30)").fill("40")
    page.get_by_label("Cayo").check()
    _save_and_continue(page)

    page.get_by_label("Requested amount").fill("5000.00")
    page.get_by_label("Category").first.select_option("activities")
    page.get_by_label("Description").first.fill("Workshops and publication")
    page.get_by_label("Amount", exact=True).first.fill("5000.00")
    _save_and_continue(page)
    shot("04-budget-saved")

    page.get_by_label("Government organisation").select_option(label="Ministry of E-Governance")
    page.get_by_label("Contact person").fill("Carlos Chan")
    page.get_by_label("Position").fill("Director of E-Government")
    page.get_by_label("Contact email").fill("carlos.chan@gov.example.bz")
    _save_and_continue(page)

    # Documents: the required certificate, checked by its content.
    certificate = tmp_path / "registration-certificate.pdf"
    certificate.write_bytes(PDF)
    page.get_by_label("Which document is this?").select_option(label="Registration certificate")
    page.get_by_label("File").set_input_files(str(certificate))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Document attached.")).to_be_visible()
    expect(page.get_by_role("link", name="registration-certificate.pdf")).to_be_visible()
    shot("05-document")
    page.get_by_role("link", name="Continue").click()

    page.get_by_label("We are a registered civil-society organisation.").check()
    _save_and_continue(page)
    expect(page.get_by_role("heading", name="Check and submit")).to_be_visible()
    shot("06-ready")
    page.get_by_role("button", name="Submit the application").click()
    expect(page.get_by_text(re.compile(r"Your reference is OGB-\d{4}-0001"))).to_be_visible()
    expect(page.get_by_text("Awaiting the counterpart").first).to_be_visible()
    shot("07-submitted")

    # The counterpart answers through the emailed link, without an account.
    result = live_server.deliver_mail()
    assert result.sent >= 2
    to_counterpart = [m for m in mailbox.received() if m["To"] == "carlos.chan@gov.example.bz"]
    assert len(to_counterpart) == 1
    link = re.search(r"https?://\S+/endorse/\S+", mailbox.text_of(to_counterpart[0])).group(0)
    counterpart = page.context.browser.new_context(locale="en-GB").new_page()
    counterpart.goto(link)
    expect(counterpart.get_by_text("Open budgets for Cayo").first).to_be_visible()
    counterpart.get_by_label("I endorse this partnership on behalf of my organisation").check()
    counterpart.get_by_label("Your full name").fill("Carlos Chan")
    counterpart.get_by_label("Your position").fill("Director of E-Government")
    counterpart.get_by_role("button", name="Send my answer").click()
    expect(counterpart.get_by_text(re.compile("Endorsed")).first).to_be_visible()
    counterpart.screenshot(path=str(artifacts_dir / "applicant-08-endorsed.png"), full_page=True)
    # A replayed link shows the answer already given.
    counterpart.goto(link)
    expect(counterpart.get_by_role("button", name="Send my answer")).to_have_count(0)
    counterpart.context.close()

    page.reload()
    expect(page.get_by_text("Endorsed").first).to_be_visible()
    shot("09-application-endorsed")
    assert page_problems.errors == []
