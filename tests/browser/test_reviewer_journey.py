"""The reviewer journey in a real browser: declare a conflict of interest, score an assigned
application against the rubric, submit, and only then see the colleagues' reviews. Every page
goes through the quality checks (``quality.py``)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

EMAIL = "rita.reviewer@example.org"
PASSWORD = "orchid compass meadow 77"


def _panel(live_server):
    """A call in review with two eligible applications, a panel of three reviewers, and a
    colleague's review already submitted. Returns the two applications' references."""
    from werkzeug.security import generate_password_hash

    from accounts.models import Role, User, UserRole
    from accounts.organisations.models import Organisation, Sector
    from core.extensions import db
    from core.timeutil import utcnow
    from grants.applications.models import Application
    from grants.applications.states import ApplicationState
    from grants.calls.models import Call, Criterion, Fund, ThematicArea
    from grants.calls.states import CallState
    from grants.reviews.models import Panel, PanelMember, Review, ReviewAssignment, ReviewScore
    from grants.reviews.states import Confidence, Recommendation, ReviewState

    app = live_server.app
    with app.app_context():
        def user(email, name, password=None):
            person = User(email=email, name=name, session_version=1, failed_login_count=0,
                          is_enabled=True, email_confirmed_at=utcnow(), locale="en",
                          password_hash=generate_password_hash(
                              password, method=app.config["PASSWORD_HASH_METHOD"])
                          if password else None)
            person.role_rows.append(UserRole(role=Role.reviewer))
            db.session.add(person)
            return person

        rita = user(EMAIL, "Rita Reviewer", PASSWORD)
        colleague = user("colleague@example.org", "Colin Colleague")
        third = user("third@example.org", "Thea Third")
        call = Call(fund=Fund(name="Fund", currency="USD", total_budget=Decimal("40000.00")),
                    title="Mini-grants 2026", summary="Small grants.",
                    state=CallState.in_review, award_amount=Decimal("5000.00"),
                    opens_at=utcnow() - timedelta(days=40),
                    closes_at=utcnow() - timedelta(days=10),
                    thematic_areas=[ThematicArea(name="Open data", position=0)],
                    criteria=[Criterion(name="Relevance", weight=Decimal("2"), max_score=10,
                                        position=0),
                              Criterion(name="Gender and youth", weight=Decimal("1"),
                                        max_score=5, is_na_allowed=True, position=1)])
        ministry = Organisation(name="Ministry of Education", sector=Sector.government,
                                country="BZ")
        applications = []
        for number, name in enumerate(["Open Budgets Cayo", "Youth Voices Toledo"], start=1):
            cso = Organisation(name=f"{name} Collective", sector=Sector.civil_society,
                               country="BZ", is_verified=True)
            applications.append(Application(
                call=call, organisation=cso, counterpart=ministry, title=name,
                summary=f"Summary of {name}.", state=ApplicationState.in_review,
                reference=f"OGB-2026-{number:04d}", requested_amount=Decimal("5000.00"),
                districts=["Cayo"], submitted_at=utcnow() - timedelta(days=15)))
        panel = Panel(call=call, chair=colleague, due_at=utcnow() + timedelta(days=7),
                      members=[PanelMember(user=person) for person in (rita, colleague, third)])
        db.session.add_all([call, panel, *applications])
        db.session.flush()
        for application in applications:
            for reviewer in (rita, colleague):
                db.session.add(ReviewAssignment(panel=panel, application=application,
                                                reviewer_id=reviewer.id))
        db.session.flush()
        colleague_assignment = db.session.query(ReviewAssignment).filter_by(
            reviewer_id=colleague.id, application_id=applications[0].id).one()
        colleague_assignment.review = Review(
            state=ReviewState.submitted, submitted_at=utcnow(),
            overall_comment="A well-built partnership; the budget is tight.",
            recommendation=Recommendation.fund, confidence=Confidence.high,
            scores=[ReviewScore(criterion_id=call.criteria[0].id, score=8),
                    ReviewScore(criterion_id=call.criteria[1].id, score=None)])
        db.session.commit()
        return [application.reference for application in applications]


def test_declare_conflict_score_submit_and_see_colleagues(live_server, page, page_problems,
                                                           journey):
    first, second = _panel(live_server)
    steps = journey("reviewer")

    page.goto(f"{live_server.url}/login")
    steps.check(page, "sign-in")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    steps.check(page, "signed-in")
    # A long menu is grouped: "My reviews" sits in its group, opened as a reader would.
    menu = page.locator("div.menu-wide")
    group = menu.locator("details:has(a:text-is('My reviews')) > summary")
    if group.count():
        group.first.click()
    menu.get_by_role("link", name="My reviews").first.click()
    expect(page.get_by_role("link", name=re.compile(first))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(second))).to_be_visible()
    steps.check(page, "workspace")

    # A conflict with the second application: it leaves the workspace.
    page.get_by_role("link", name=re.compile("Declare a conflict")).first.click()
    steps.check(page, "conflict-form")
    choice = page.get_by_label("An application of this call")
    choice.select_option(choice.locator("option", has_text=second).get_attribute("value"))
    page.get_by_label("Reason").fill("My sister chairs the applicant organisation.")
    page.get_by_role("button", name="Declare the conflict").click()
    expect(page.get_by_role("link", name=re.compile(second))).to_have_count(0)
    steps.check(page, "conflict-declared")

    # Before submitting, colleagues' reviews stay hidden.
    page.goto(f"{live_server.url}/reviews")
    expect(page.get_by_role("link", name="All reviews")).to_have_count(0)
    steps.check(page, "workspace-before-review")
    page.get_by_role("link", name=re.compile(first)).click()
    expect(page.get_by_text("A well-built partnership; the budget is tight.")).to_have_count(0)
    steps.check(page, "review-form")
    relevance = page.locator("fieldset.criterion", has_text="Relevance")
    relevance.get_by_label("Score").select_option("7")
    relevance.get_by_label("Comment").fill("Clear link to open budgets.")
    gender = page.locator("fieldset.criterion", has_text="Gender and youth")
    gender.get_by_label("Score").select_option(label="Not applicable")
    page.get_by_label("Overall comment").fill("Good project with a committed ministry.")
    page.get_by_label("Recommend funding", exact=True).check()
    page.get_by_label("High").check()
    page.get_by_role("button", name="Submit review").click()
    expect(page.get_by_text(re.compile("submitted", re.IGNORECASE)).first).to_be_visible()
    steps.check(page, "submitted")

    # Now the colleague's review is visible, anonymised.
    page.goto(f"{live_server.url}/reviews")
    steps.check(page, "workspace-after-review")
    page.get_by_role("link", name="All reviews").first.click()
    expect(page.get_by_role("heading", name="Reviewer 2").or_(
        page.get_by_role("heading", name="Reviewer 1"))).to_be_visible()
    expect(page.get_by_text("A well-built partnership; the budget is tight.")).to_be_visible()
    expect(page.get_by_text("Colin Colleague")).to_have_count(0)
    steps.check(page, "colleagues-reviews")
    assert page_problems.errors == []
