"""The public's journey in a real browser, without an account, on the demo programme: the open
calls, the funded projects, one project's page, and the page its QR code leads to (the code is
read back from the PNG, as a phone would). Every page goes through the quality checks
(``quality.py``)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

OPEN_CALL = "Mini-grants 2026: open data"


def _demo_programme_and_an_open_call(live_server) -> int:
    """The demo programme (its projects are published) and a call open for applications.
    Returns how many projects the public may see."""
    from sqlalchemy import select

    from core.extensions import db
    from core.timeutil import utcnow
    from grants.calls.models import Call, Criterion, Fund, ThematicArea
    from grants.calls.states import CallState
    from reporting.portal.queries import public_projects

    app = live_server.app
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        donor_id = db.session.scalars(select(Fund.donor_organisation_id)
                                      .order_by(Fund.id)).first()
        db.session.add(Call(
            fund=Fund(name="Open Data Fund 2026", currency="USD",
                      total_budget=Decimal("10000.00"), donor_organisation_id=donor_id),
            title=OPEN_CALL, summary="Small grants for partnerships that publish open data.",
            body_markdown="Apply with a **government counterpart**.",
            award_amount=Decimal("5000.00"), state=CallState.published,
            opens_at=utcnow() - timedelta(days=1), closes_at=utcnow() + timedelta(days=20),
            thematic_areas=[ThematicArea(name="Open data", position=0)],
            criteria=[Criterion(name="Relevance", weight=Decimal("1"), max_score=10)]))
        db.session.commit()
        return len(public_projects())


def _read_qr(png: bytes) -> str:
    import zxingcpp
    from PIL import Image

    [code] = zxingcpp.read_barcodes(Image.open(BytesIO(png)))
    return code.text


def test_open_calls_funded_projects_and_qr_code(live_server, page, page_problems, journey):
    published = _demo_programme_and_an_open_call(live_server)
    assert published >= 1
    steps = journey("public")

    page.goto(f"{live_server.url}/")
    steps.check(page, "home")
    page.locator("header").get_by_role("link", name="Calls", exact=True).click()
    expect(page.get_by_role("heading", name=OPEN_CALL)).to_be_visible()
    steps.check(page, "open-calls")
    page.get_by_role("link", name=re.compile("Read the call and apply")).first.click()
    expect(page.get_by_role("heading", name=OPEN_CALL)).to_be_visible()
    steps.check(page, "call")

    page.locator("header").get_by_role("link", name="Funded projects").click()
    expect(page.get_by_role("heading", name="Funded projects", exact=True)).to_be_visible()
    cards = page.locator("article.project-card")
    expect(cards).to_have_count(published)
    steps.check(page, "projects")

    title = cards.first.get_by_role("heading").inner_text()
    cards.first.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    steps.check(page, "project")
    project_url = page.url
    assert re.fullmatch(re.escape(live_server.url) + r"/projects/[A-Za-z0-9._-]+", project_url)

    # The QR code carries the page's absolute address; following it leads to the same page.
    response = page.request.get(f"{project_url}/qr.png")
    assert response.ok and response.headers["content-type"] == "image/png"
    target = _read_qr(response.body())
    assert urlsplit(target).scheme in ("http", "https") and target == project_url
    expect(page.locator(".qr-url a")).to_have_attribute("href", target)
    page.goto(target)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    steps.check(page, "qr-target")
    assert page_problems.errors == []
