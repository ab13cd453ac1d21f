"""The money path in a real browser: programme staff request a tranche, a finance officer
(another person) approves it and records the payment in Belize dollars, and the dashboard and
the award's balances change accordingly."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

STAFF = ("sam.staff@example.org", "pine valley kettle 31")
FINANCE = ("fiona.finance@example.org", "copper lagoon harbour 58")


def _signed_award(live_server) -> int:
    """An active award of US$5,000 (tranches 2,500 / 2,000 / 500), signed, nothing paid."""
    from werkzeug.security import generate_password_hash

    from accounts.models import Role, User, UserRole
    from accounts.organisations.models import Organisation, Sector
    from core.extensions import db
    from core.timeutil import utcnow
    from grants.applications.models import Application
    from grants.applications.states import ApplicationState
    from grants.awards.models import Award, Tranche
    from grants.awards.states import DEFAULT_SCHEDULE, AwardState
    from grants.calls.models import Call, Fund
    from grants.calls.states import CallState

    app = live_server.app
    with app.app_context():
        for (email, password), role, name in ((STAFF, Role.staff, "Sam Staff"),
                                              (FINANCE, Role.finance, "Fiona Finance")):
            person = User(email=email, name=name, session_version=1, failed_login_count=0,
                          is_enabled=True, email_confirmed_at=utcnow(), locale="en",
                          password_hash=generate_password_hash(
                              password, method=app.config["PASSWORD_HASH_METHOD"]))
            person.role_rows.append(UserRole(role=role))
            db.session.add(person)
        call = Call(fund=Fund(name="Open Government Ecosystem", currency="USD",
                              total_budget=Decimal("40000.00")),
                    title="Mini-grants 2026", summary="Small grants.", state=CallState.decided,
                    award_amount=Decimal("5000.00"), opens_at=utcnow() - timedelta(days=90),
                    closes_at=utcnow() - timedelta(days=60))
        cso = Organisation(name="Cayo Open Data Collective", sector=Sector.civil_society,
                           country="BZ", is_verified=True)
        application = Application(call=call, organisation=cso, title="Open budgets for Cayo",
                                  state=ApplicationState.awarded, reference="OGB-2026-0001",
                                  requested_amount=Decimal("5000.00"), districts=["Cayo"])
        award = Award(application=application, reference="OGB-G-2026-001",
                      amount=Decimal("5000.00"), currency="USD", state=AwardState.active,
                      starts_on=date.today() - timedelta(days=30),
                      ends_on=date.today() + timedelta(days=150),
                      signed_on=date.today() - timedelta(days=30))
        for sequence, (share, condition) in enumerate(DEFAULT_SCHEDULE, start=1):
            award.tranches.append(Tranche(sequence=sequence, percentage=Decimal(share),
                                          planned_amount=Decimal(50 * share),
                                          condition=condition))
        from demo.grants import stored_pdf
        award.agreement_file = stored_pdf("Signed agreement.pdf")
        db.session.add(award)
        db.session.commit()
        return award.id


def _sign_in(page, live_server, email, password):
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.locator("main").get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def _outstanding(page) -> str:
    row = page.locator("tr", has_text="All funds")
    return row.inner_text()


def test_request_approve_pay_and_dashboard(live_server, browser, page_problems, artifacts_dir):
    award_id = _signed_award(live_server)
    staff = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}).new_page()
    finance = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}).new_page()
    for page in (staff, finance):
        page.on("console", lambda message: page_problems.errors.append(message.text)
                if message.type == "error" else None)

    # Staff see the commitment on the dashboard, then request the first tranche.
    _sign_in(staff, live_server, *STAFF)
    staff.goto(f"{live_server.url}/staff/dashboard")
    before = _outstanding(staff)
    assert "$5,000.00" in before
    staff.screenshot(path=str(artifacts_dir / "money-01-dashboard-before.png"), full_page=True)
    staff.goto(f"{live_server.url}/awards/{award_id}")
    staff.get_by_role("link", name=re.compile("Request a disbursement")).first.click()
    staff.get_by_label("Amount", exact=True).fill("2500.00")
    staff.get_by_label("Planned payment date").fill(date.today().isoformat())
    staff.get_by_label("Payee account reference").fill("Belize Bank 000123")
    staff.get_by_role("button", name="Request the disbursement").click()
    expect(staff.locator(".flash-success")).to_be_visible()
    # The requester cannot approve their own request: no approve button for staff.
    expect(staff.get_by_role("button", name=re.compile("^Approve"))).to_have_count(0)
    staff.screenshot(path=str(artifacts_dir / "money-02-requested.png"), full_page=True)

    # Finance approves and records the payment in BZD at 2.00 per USD.
    _sign_in(finance, live_server, *FINANCE)
    finance.goto(f"{live_server.url}/finance/disbursements")
    finance.get_by_role("button", name=re.compile("^Approve")).first.click()
    expect(finance.get_by_text(re.compile("approved", re.IGNORECASE)).first).to_be_visible()
    finance.goto(f"{live_server.url}/finance/disbursements")
    finance.get_by_role("link", name=re.compile("Record the payment")).first.click()
    finance.get_by_label("Date paid").fill(date.today().isoformat())
    finance.get_by_label("Bank reference").fill("BB-2026-0042")
    finance.get_by_label("Currency paid").select_option("BZD")
    finance.get_by_label("Exchange rate").fill("2.00")
    finance.get_by_role("button", name="Record the payment").click()
    finance.screenshot(path=str(artifacts_dir / "money-03-paid.png"), full_page=True)
    expect(finance.locator(".flash-success")).to_be_visible()
    finance.screenshot(path=str(artifacts_dir / "money-03-paid.png"), full_page=True)

    # The dashboard now shows US$2,500 disbursed and US$2,500 outstanding.
    staff.goto(f"{live_server.url}/staff/dashboard")
    after = _outstanding(staff)
    assert after != before
    assert after.count("$2,500.00") == 2, after
    staff.screenshot(path=str(artifacts_dir / "money-04-dashboard-after.png"), full_page=True)

    from core.extensions import db
    from grants.awards.models import Disbursement
    with live_server.app.app_context():
        [entry] = db.session.query(Disbursement).all()
        assert entry.paid_amount == Decimal("5000.00") and entry.usd_equivalent == Decimal("2500.00")
    assert page_problems.errors == []
