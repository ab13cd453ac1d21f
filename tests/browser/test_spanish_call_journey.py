"""A Spanish-speaking applicant of the demo reads the open call and works on their draft in
Spanish only: the call's title, summary, areas, eligibility statements, documents and the
categories on every page are in Spanish, and no page says a text is in English only."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

SECTIONS = ("project", "plan", "beneficiaries", "budget", "counterpart", "documents",
            "declarations")


def _open_call_and_draft(live_server, email: str):
    """The demo's open call, the English texts it holds, and the applicant's draft to it;
    the applicant reads Spanish from now on."""
    from accounts.models import User
    from core.extensions import db
    from grants.applications.models import Application
    from grants.applications.states import ApplicationState
    from grants.calls.models import Call
    from grants.calls.states import CallState

    with live_server.app.app_context():
        call = db.session.scalar(select(Call).where(Call.state == CallState.published))
        english = [call.title, call.summary,
                   *(area.name for area in call.thematic_areas),
                   *(statement.text for statement in call.eligibility_statements),
                   *(document.name for document in call.required_documents),
                   *(criterion.name for criterion in call.criteria)]
        spanish_title = call.text_in("title", "es")
        user = db.session.scalar(select(User).where(User.email == email))
        user.locale = "es"
        draft = db.session.scalar(
            select(Application.id).where(Application.call_id == call.id,
                                         Application.state == ApplicationState.draft,
                                         Application.organisation_id.in_(
                                             [m.organisation_id for m in user.memberships]))
            .order_by(Application.id))
        db.session.commit()
        return call.id, english, spanish_title, draft


def _only_spanish(page, english: list[str]) -> None:
    """No line of the page is one of the call's English texts (what applicants wrote
    themselves, such as a title naming an area, is theirs to word)."""
    lines = {line.strip(" ·*") for line in page.locator("main").inner_text().splitlines()}
    left = [phrase for phrase in english if phrase and phrase in lines]
    assert not left, f"{page.url}: English left: {left}"
    expect(page.locator(".fallback-note")).to_have_count(0)


def test_a_spanish_applicant_reads_the_call_and_the_draft_in_spanish(
        live_server, demo_logins, page, journey):
    steps = journey("spanish-call")
    email, password = demo_logins["applicant"]
    call_id, english, spanish_title, draft = _open_call_and_draft(live_server, email)
    sign_in(steps, page, live_server.url, email, password)
    expect(page.locator("html")).to_have_attribute("lang", "es")
    steps.check(page, "inicio")

    page.goto(f"{live_server.url}/calls")
    steps.check(page, "convocatorias")
    page.get_by_role("link", name=spanish_title).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(spanish_title)
    steps.check(page, "convocatoria")
    _only_spanish(page, english)

    assert draft is not None, "the demo applicant has a draft to the open call"
    for section in SECTIONS:
        page.goto(f"{live_server.url}/applications/{draft}/sections/{section}")
        steps.check(page, section)
        _only_spanish(page, english)
    page.goto(f"{live_server.url}/applications/{draft}/submit")
    steps.check(page, "revisar-y-enviar")
    _only_spanish(page, english)
