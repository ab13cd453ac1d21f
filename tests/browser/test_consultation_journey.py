"""Co-creating an action plan in a real browser: a citizen registers (confirming the email
address from the message delivered over SMTP), proposes a commitment, comments on it and
supports it; a moderator hides a comment with a public reason; once the consultation has
closed, staff respond to every proposal and publish "What we heard".

Put in the database directly: the draft plan, the open consultation, the staff account and
the passing of the closing time."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.journey_steps import flash, sign_in

pytestmark = pytest.mark.browser

STAFF = ("forum.staff@example.org", "reef canopy lantern 44")
CITIZEN = ("Elena Tzib", "elena.tzib@example.org", "cashew river morning 2020")
PROPOSAL = "Publish every public contract"
COMMENT = "Include the contracts of the municipalities too."
RUDE = "Everyone at that ministry is a thief."


def _setup(live_server) -> dict:
    from werkzeug.security import generate_password_hash

    from accounts.models import User, UserRole
    from accounts.states import Role
    from coalitions.consultations import operations
    from coalitions.plans import operations as plan_operations
    from core.extensions import db
    from core.timeutil import utcnow

    app = live_server.app
    with app.app_context():
        staff = User(email=STAFF[0], name="Forum Secretariat", locale="en", session_version=1,
                     failed_login_count=0, is_enabled=True, email_confirmed_at=utcnow(),
                     password_hash=generate_password_hash(
                         STAFF[1], method=app.config["PASSWORD_HASH_METHOD"]))
        staff.role_rows.append(UserRole(role=Role.staff))
        db.session.add(staff)
        db.session.flush()
        plan = plan_operations.create_plan(staff, title="Second action plan 2027–2029",
                                           country="BZ", starts_on=date(2027, 1, 1),
                                           ends_on=date(2029, 6, 30))
        commitment = plan_operations.create_commitment(plan, staff, title="Open contracting",
                                                       thematic_area="Public procurement")
        consultation = operations.create_consultation(
            staff, plan_id=plan.id, title="Have your say on the second plan",
            description="Propose, comment and support.",
            opens_at=utcnow() - timedelta(days=1), closes_at=utcnow() + timedelta(days=14))
        db.session.commit()
        return {"consultation": consultation.id, "commitment": commitment.id}


def _close(live_server, consultation_id: int) -> None:
    from coalitions.consultations.models import Consultation
    from core.extensions import db
    from core.timeutil import utcnow

    with live_server.app.app_context():
        consultation = db.session.get(Consultation, consultation_id)
        consultation.closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()


def _register(page, live_server, mailbox, steps):
    name, email, password = CITIZEN
    page.goto(f"{live_server.url}/register")
    steps.check(page, "register")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    steps.check(page, "check-email")
    assert live_server.deliver_mail().sent == 1
    [message] = mailbox.received()
    [link] = re.findall(r"https?://\S+/confirm/\S+", mailbox.text_of(message))
    page.goto(link)
    steps.check(page, "confirmed")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.locator("main").get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    steps.check(page, "citizen-home")


def _take_part(page, live_server, steps, ids):
    page.goto(f"{live_server.url}/consultations/{ids['consultation']}")
    steps.check(page, "consultation")
    page.get_by_role("link", name="Propose a commitment").click()
    expect(page.get_by_label("Title")).to_be_visible()
    page.get_by_label("Title").fill(PROPOSAL)
    page.get_by_label("The problem").fill("Contracts are hard to find.")
    page.get_by_label("The solution you propose").fill("Publish them as open data.")
    page.get_by_label("…or its name, if it is not in the directory").fill("Ministry of Finance")
    page.get_by_label("Thematic area").fill("Public procurement")
    page.get_by_label("Sex (optional)").select_option("female")
    steps.check(page, "propose")
    page.get_by_role("button", name="Publish the proposal").click()
    flash(page)
    expect(page.get_by_role("heading", name=PROPOSAL)).to_be_visible()
    steps.check(page, "proposed")
    page.get_by_label("Your comment").fill(COMMENT)
    page.get_by_role("button", name="Publish the comment").click()
    flash(page)
    steps.check(page, "commented")
    page.get_by_label("Your comment").fill(RUDE)
    page.get_by_role("button", name="Publish the comment").click()
    flash(page)
    steps.check(page, "commented-again")
    page.get_by_role("button", name="Support", exact=True).click()
    flash(page)
    expect(page.get_by_text("1 support")).to_be_visible()
    expect(page.get_by_text("You support this.")).to_be_visible()
    steps.check(page, "proposal")
    return page.url


def test_citizens_co_create_and_the_forum_answers_every_proposal(
        live_server, mailbox, page, new_page, page_problems, journey):
    ids = _setup(live_server)
    steps = journey("consultation")
    _register(page, live_server, mailbox, steps)
    proposal_url = _take_part(page, live_server, steps, ids)

    # A moderator hides the rude comment; its reason stands in its place.
    staff = new_page()
    sign_in(staff, live_server, steps, *STAFF, who="moderator")
    staff.goto(proposal_url)
    steps.check(staff, "moderate")
    rude = staff.locator("li.comment").filter(has_text=RUDE)
    rude.get_by_text("Hide this comment").click()
    rude.locator("input[id^=reason-hide-comment]").fill(
        "A personal attack; criticise policies, not people.")
    rude.get_by_role("button", name="Hide with this reason").click()
    flash(staff)
    steps.check(staff, "hidden")
    expect(staff.get_by_text("Hidden by the moderator: A personal attack; criticise "
                             "policies, not people.")).to_be_visible()
    page.reload()
    steps.check(page, "after-moderation")
    expect(page.get_by_text(RUDE)).to_have_count(0)
    expect(page.get_by_text(COMMENT)).to_be_visible()

    # The consultation closes; staff respond to every proposal and publish what we heard.
    _close(live_server, ids["consultation"])
    staff.goto(f"{live_server.url}/consultations/{ids['consultation']}/what-we-heard")
    expect(staff.get_by_text("1 proposal still has no response.")).to_be_visible()
    steps.check(staff, "unanswered")
    staff.goto(proposal_url)
    steps.check(staff, "closed-proposal")
    staff.get_by_role("link", name="Respond").click()
    expect(staff.get_by_label("Response", exact=True)).to_be_visible()
    staff.get_by_label("Response", exact=True).select_option("merged")
    staff.get_by_label("Merged into the commitment").select_option(str(ids["commitment"]))
    staff.get_by_label("The forum's response").fill("Merged into the open contracting "
                                                    "commitment.")
    steps.check(staff, "respond")
    staff.get_by_role("button", name="Publish the response").click()
    flash(staff)
    steps.check(staff, "responded")
    staff.goto(f"{live_server.url}/consultations/{ids['consultation']}/what-we-heard")
    steps.check(staff, "before-publishing")
    staff.get_by_text("Publish what we heard").click()
    staff.get_by_role("button", name="Publish", exact=True).click()
    flash(staff)
    steps.check(staff, "what-we-heard")

    # The citizen reads the forum's answer.
    page.goto(f"{live_server.url}/consultations/{ids['consultation']}/what-we-heard")
    expect(page.get_by_text("Merged into: Open contracting")).to_be_visible()
    steps.check(page, "what-we-heard-public")
    assert page_problems.errors == []
