"""A Spanish-speaking applicant of the demo reads the open call and works on their draft in
Spanish only: the call's title, summary, areas, eligibility statements, documents and the
categories on every page are in Spanish, and no page says a text is in English only.

The same applicant then applies to the call in Spanish for a second organisation of theirs,
which they add to the directory (their first one already has its draft to this call, and a
call takes one application per organisation), from a browser that speaks Spanish: every
section filled in, every document attached, every statement affirmed in its Spanish words,
and the application submitted. On every page from sign-in to the receipt, no text of the
call and no text of the catalogue is left in English; the receipt emailed to them names the
call in Spanish."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.applicant_steps import Choices, Words, attach_and_submit, fill_sections
from tests.browser.conftest import sign_in
from tests.browser.journey_steps import programme_today
from tests.browser.languages import catalogue_english_on, page_wording

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
    """No line, label, option or cell of the page is one of the call's English texts (what
    applicants wrote themselves, such as a title naming an area, is theirs to word), nor one
    of the catalogue's English texts."""
    lines = {line.strip(" ·*") for line in page.locator("main").inner_text().splitlines()}
    lines |= {text.strip(" ·*") for text in page_wording(page)}
    left = [phrase for phrase in english if phrase and phrase in lines]
    assert not left, f"{page.url}: English of the call left: {left}"
    catalogue = catalogue_english_on(page)
    assert not catalogue, f"{page.url}: English of the catalogue left: {catalogue}"
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


class _InSpanishOnly:
    """The journey's checks, each of which also finds the page in Spanish only."""

    def __init__(self, steps, english: list[str]):
        self._steps = steps
        self._english = english

    def check(self, page, step: str) -> None:
        self._steps.check(page, step)
        _only_spanish(page, self._english)


#: The applicant's second organisation, added through the directory's form.
NEW_ORGANISATION = "Red Cayo de Presupuestos Abiertos"
#: A ministry of the demo's directory (no acronym: the list shows its name alone).
MINISTRY = "Office of the Ombudsman"


def _spanish_choices(live_server, call_id: int) -> Choices:
    """The call's lists as the Spanish reader sees them: a thematic area, every document and
    every statement."""
    from core.extensions import db
    from grants.calls.models import Call

    with live_server.app.app_context():
        call = db.session.get(Call, call_id)
        choices = Choices(
            area=call.thematic_areas[0].text_in("name", "es"), ministry=MINISTRY,
            documents=tuple(d.text_in("name", "es") for d in call.required_documents),
            statements=tuple(s.text_in("text", "es") for s in call.eligibility_statements),
            reference=rf"{re.escape(call.reference_prefix)}-\d{{4}}-\d{{4}}",
            today=programme_today(live_server))
    assert all([choices.area, *choices.documents, *choices.statements]), \
        "the demo's open call has its lists in Spanish"
    return choices


def _submitted_with_spanish_affirmations(live_server, call_id: int, reference: str) -> None:
    from core.extensions import db
    from grants.applications.models import Application, application_affirmations
    from grants.applications.states import ApplicationState
    from grants.calls.models import Call

    with live_server.app.app_context():
        application = db.session.scalar(
            select(Application).where(Application.reference == reference))
        assert application.call_id == call_id
        assert application.organisation.name == NEW_ORGANISATION
        assert application.state == ApplicationState.submitted
        affirmed = {row.statement_id: (row.language, row.wording)
                    for row in db.session.execute(select(application_affirmations).where(
                        application_affirmations.c.application_id == application.id))}
        statements = db.session.get(Call, call_id).eligibility_statements
        assert affirmed == {s.id: ("es", s.text_in("text", "es")) for s in statements}


def _sign_in_in_spanish(steps, page, url: str, email: str, password: str, say) -> None:
    page.goto(f"{url}/login")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    steps.check(page, "iniciar-sesion")
    page.locator("main").get_by_label(say("Email address")).fill(email)
    page.locator("main").get_by_label(say("Password")).fill(password)
    page.locator("main").get_by_role("button", name=say("Sign in")).click()
    page.wait_for_url(f"{url}/")


def _the_receipt_names_the_call_in_spanish(live_server, mailbox, email: str, reference: str,
                                           spanish_title: str, english: list[str]) -> None:
    """The email saying the application was received, delivered over SMTP."""
    live_server.deliver_mail()
    receipts = [message for message in mailbox.received()
                if message["To"] == email and reference in str(message["Subject"])]
    assert len(receipts) == 1, [str(message["Subject"]) for message in mailbox.received()]
    text = f"{receipts[0]['Subject']}\n{mailbox.text_of(receipts[0])}"
    assert spanish_title in text, text
    left = [phrase for phrase in english if phrase and phrase in text]
    assert not left, f"English of the call in the receipt: {left}\n{text}"


def test_a_spanish_applicant_applies_to_the_call_in_spanish(
        live_server, demo_logins, new_page, journey, mailbox, tmp_path):
    email, password = demo_logins["applicant"]
    call_id, english, spanish_title, _draft = _open_call_and_draft(live_server, email)
    choices = _spanish_choices(live_server, call_id)
    say = Words("es")
    journey_steps = journey("spanish-application")
    # Their browser speaks Spanish: every page, the sign-in page too, is read in Spanish only.
    page = new_page(locale="es")
    journey_steps.watch(page)
    steps = _InSpanishOnly(journey_steps, english)
    _sign_in_in_spanish(steps, page, live_server.url, email, password, say)
    expect(page.locator("html")).to_have_attribute("lang", "es")
    steps.check(page, "inicio")

    # Their first organisation has its draft to this call: the second one applies.
    page.goto(f"{live_server.url}/organisations/new")
    steps.check(page, "nueva-organizacion")
    page.get_by_label(say("Name"), exact=True).fill(NEW_ORGANISATION)
    page.get_by_label(say("Sector")).select_option("civil_society")
    page.get_by_role("button", name=say("Add the organisation")).click()
    expect(page.get_by_role("heading", name=NEW_ORGANISATION)).to_be_visible()
    steps.check(page, "organizacion")

    page.goto(f"{live_server.url}/calls")
    steps.check(page, "convocatorias")
    page.get_by_role("link", name=re.compile(
        re.escape(say("Read the call and apply")) + ".*" + re.escape(spanish_title))).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(spanish_title)
    steps.check(page, "convocatoria")
    page.get_by_role("link", name=re.compile("^" + say("Apply"))).first.click()
    steps.check(page, "presentar-solicitud")
    page.get_by_label(say("Apply on behalf of")).select_option(label=NEW_ORGANISATION)
    page.get_by_role("button", name=say("Start the application")).click()
    expect(page.get_by_role("heading", name=say("Project"), exact=True)).to_be_visible()
    steps.check(page, "project")

    fill_sections(page, say, steps, choices)
    reference = attach_and_submit(page, say, steps, tmp_path, choices)
    _submitted_with_spanish_affirmations(live_server, call_id, reference)
    _the_receipt_names_the_call_in_spanish(live_server, mailbox, email, reference,
                                           spanish_title, english)
