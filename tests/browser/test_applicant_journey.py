"""The applicant journey in a real browser, in English and in Spanish: register, confirm the
address from the emailed link, add the organisation, apply to an open call section by section,
attach a document, submit, and the government counterpart endorses the partnership through the
link emailed to them. Every page goes through the quality checks (``quality.py``).

The Spanish run switches the language with the site's selector before registering, so the
account keeps Spanish as its preference; the counterpart's browser asks for Spanish."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.applicant_steps import Choices, Words, attach_and_submit, fill_sections

pytestmark = pytest.mark.browser

NAME = "Rosa Requena"
EMAIL = "rosa.requena@example.org"
PASSWORD = "cashew river lighthouse 42"


def _open_call(live_server):
    """An open call and a ministry in the directory, created as staff would have."""
    from accounts.organisations.models import Organisation, Sector
    from core.extensions import db
    from core.timeutil import utcnow
    from grants.calls.models import (
        Call,
        Criterion,
        EligibilityStatement,
        Fund,
        RequiredDocument,
        ThematicArea,
    )
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


# What the applicant picks, as typed in by people: the same in both languages.
CHOICES = Choices(area="Open data", ministry="Ministry of E-Governance",
                  documents=("Registration certificate",),
                  statements=("We are a registered civil-society organisation.",),
                  reference=r"OGB-\d{4}-0001")


def _register_and_sign_in(page, live_server, mailbox, say, steps):
    page.goto(f"{live_server.url}/register")
    steps.check(page, "register")
    if say.language != "en":
        # The site's language selector; the account created next keeps the choice.
        with page.expect_navigation():
            page.locator("#language-select").select_option(say.language)
        expect(page.locator("html")).to_have_attribute("lang", say.language)
        expect(page.get_by_role("button", name=say("Create account"))).to_be_visible()
        steps.check(page, "register-language")
    # An empty form: the messages stand next to the fields.
    page.get_by_role("button", name=say("Create account")).click()
    expect(page.get_by_label(say("Full name"))).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text(say("Enter your name."))).to_be_visible()
    steps.check(page, "register-errors")
    page.get_by_label(say("Full name")).fill(NAME)
    page.get_by_label(say("Email address")).fill(EMAIL)
    page.get_by_label(say("Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=say("Create account")).click()
    expect(page.get_by_role("heading", name=say("Check your email"))).to_be_visible()
    steps.check(page, "check-email")
    live_server.deliver_mail()
    [message] = mailbox.received()
    page.goto(re.search(r"https?://\S+/confirm/\S+", mailbox.text_of(message)).group(0))
    expect(page.get_by_text(say("Your email address is confirmed. You can sign in now."))) \
        .to_be_visible()
    steps.check(page, "confirmed")
    page.get_by_label(say("Email address")).fill(EMAIL)
    page.get_by_label(say("Password"), exact=True).fill(PASSWORD)
    page.locator("main").get_by_role("button", name=say("Sign in")).click()
    expect(page.get_by_text(say("Welcome, {name}.", name=NAME))).to_be_visible()
    steps.check(page, "signed-in")


def _counterpart_endorses(live_server, mailbox, new_page, say, steps):
    """The counterpart answers through the emailed link, without an account, in a browser
    of their own that asks for the journey's language."""
    result = live_server.deliver_mail()
    assert result.sent >= 2
    to_counterpart = [m for m in mailbox.received() if m["To"] == "carlos.chan@gov.example.bz"]
    assert len(to_counterpart) == 1
    link = re.search(r"https?://\S+/endorse/\S+", mailbox.text_of(to_counterpart[0])).group(0)
    counterpart = new_page(locale="en-GB" if say.language == "en" else say.language)
    steps.watch(counterpart)
    counterpart.goto(link)
    expect(counterpart.get_by_role("heading", name=say("Endorse a partnership"))).to_be_visible()
    expect(counterpart.get_by_text("Open budgets for Cayo").first).to_be_visible()
    steps.check(counterpart, "endorsement-link")
    counterpart.get_by_label(say("I endorse this partnership on behalf of my organisation")) \
        .check()
    counterpart.get_by_label(say("Your full name")).fill("Carlos Chan")
    counterpart.get_by_label(say("Your position")).fill("Director of E-Government")
    counterpart.get_by_role("button", name=say("Send my answer")).click()
    expect(counterpart.get_by_text(re.compile(say("Endorsed"))).first).to_be_visible()
    steps.check(counterpart, "endorsed")
    # A replayed link shows the answer already given.
    counterpart.goto(link)
    expect(counterpart.get_by_role("button", name=say("Send my answer"))).to_have_count(0)
    steps.check(counterpart, "link-replayed")


@pytest.mark.parametrize("language", ["en", "es"])
def test_apply_submit_and_counterpart_endorses(language, live_server, mailbox, page, new_page,
                                               page_problems, journey, tmp_path):
    _open_call(live_server)
    say = Words(language)
    steps = journey("applicant" if language == "en" else f"applicant-{language}")

    _register_and_sign_in(page, live_server, mailbox, say, steps)
    mailbox.clear()

    # The organisation joins the directory, with the applicant as its owner.
    page.goto(f"{live_server.url}/organisations/new")
    steps.check(page, "new-organisation")
    page.get_by_label(say("Name"), exact=True).fill("Cayo Open Data Collective")
    page.get_by_label(say("Sector")).select_option("civil_society")
    page.get_by_role("button", name=say("Add the organisation")).click()
    expect(page.get_by_role("heading", name="Cayo Open Data Collective")).to_be_visible()
    steps.check(page, "organisation")

    # The public call page leads to the application.
    page.goto(f"{live_server.url}/calls")
    steps.check(page, "calls")
    page.get_by_role("link", name=re.compile(say("Read the call and apply"))).first.click()
    expect(page.get_by_role("heading", name="Mini-grants 2026")).to_be_visible()
    steps.check(page, "call")
    page.get_by_role("link", name=re.compile("^" + say("Apply"))).first.click()
    steps.check(page, "apply")
    page.get_by_role("button", name=say("Start the application")).click()
    expect(page.get_by_role("heading", name=say("Project"), exact=True)).to_be_visible()
    steps.check(page, "project")

    fill_sections(page, say, steps, CHOICES)
    attach_and_submit(page, say, steps, tmp_path, CHOICES)
    _counterpart_endorses(live_server, mailbox, new_page, say, steps)

    page.reload()
    expect(page.get_by_text(say("Endorsed")).first).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", language)
    steps.check(page, "application-endorsed")
    assert page_problems.errors == []
