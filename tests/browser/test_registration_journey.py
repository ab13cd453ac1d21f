"""A new applicant's first visit, in a real browser: register, confirm the email address from
the message actually delivered over SMTP, sign in, and switch the interface to Spanish."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

NAME = "Maya Castillo"
EMAIL = "maya.castillo@example.org"
PASSWORD = "mango harbour lantern 2019"


def test_register_confirm_sign_in_and_switch_to_spanish(live_server, mailbox, page,
                                                         page_problems, journey):
    steps = journey("registration")
    # Register.
    page.goto(f"{live_server.url}/register")
    steps.check(page, "register")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Full name").fill(NAME)
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    expect(page.get_by_text(EMAIL)).to_be_visible()
    steps.check(page, "check-email")

    # The confirmation waits in the outbox until the worker delivers it over SMTP.
    assert mailbox.received() == []
    result = live_server.deliver_mail()
    assert result.sent == 1, result
    [message] = mailbox.received()
    assert message["To"] == EMAIL
    assert "Confirm your email address" in message["Subject"]
    body = mailbox.text_of(message)
    links = re.findall(r"https?://\S+/confirm/\S+", body)
    assert len(links) == 1, body
    confirm_url = links[0]
    assert confirm_url.startswith(live_server.url + "/")

    # Following the link confirms the address and leads to the sign-in page.
    page.goto(confirm_url)
    expect(page).to_have_url(f"{live_server.url}/login")
    expect(page.get_by_text("Your email address is confirmed. You can sign in now.")) \
        .to_be_visible()
    steps.check(page, "confirmed")

    # Sign in; the home page greets the new applicant by name.
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_text(f"Welcome, {NAME}.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    steps.check(page, "signed-in")

    # The language select submits itself (JavaScript); the button is for pages without it.
    expect(page.get_by_role("button", name="Change language")).to_be_hidden()
    with page.expect_navigation():
        page.locator("#language-select").select_option("es")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("#language-select")).to_have_value("es")
    expect(page.get_by_role("button", name="Cerrar sesión")).to_be_visible()
    steps.check(page, "spanish")
    assert page_problems.errors == []
