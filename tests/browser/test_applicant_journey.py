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


# The interface's words in each language. Names typed in by people (the call, the ministry,
# the thematic area, the required document) are the same in both.
SPANISH = {
    "Full name": "Nombre completo",
    "Email address": "Correo electrónico",
    "Password": "Contraseña",
    "Create account": "Crear cuenta",
    "Enter your name.": "Ingrese su nombre.",
    "Check your email": "Revise su correo electrónico",
    "Your email address is confirmed. You can sign in now.":
        "Su correo electrónico está confirmado. Ya puede iniciar sesión.",
    "Sign in": "Iniciar sesión",
    "Welcome, {name}.": "Le damos la bienvenida, {name}.",
    "Name": "Nombre",
    "Sector": "Sector",
    "Add the organisation": "Agregar la organización",
    "Read the call and apply": "Leer la convocatoria y presentar solicitud",
    "Apply": "Presentar solicitud",
    "Start the application": "Comenzar la solicitud",
    "Project": "Proyecto",
    "Project title": "Título del proyecto",
    "Summary": "Resumen",
    "The problem": "El problema",
    "Objectives": "Objetivos",
    "Duration in months": "Duración en meses",
    "Save and continue": "Guardar y continuar",
    "Section saved.": "Sección guardada.",
    "Activity": "Actividad",
    "Milestone": "Hito",
    "Expected result": "Resultado esperado",
    "Indicator": "Indicador",
    "Number of beneficiaries": "Número de beneficiarios",
    "Of whom women": "De ellos, mujeres",
    "Of whom young people (under 30)": "De ellos, jóvenes (menores de 30 años)",
    "Requested amount": "Monto solicitado",
    "Category": "Categoría",
    "Description": "Descripción",
    "Amount": "Monto",
    "Government organisation": "Organización gubernamental",
    "Contact person": "Persona de contacto",
    "Position": "Cargo",
    "Contact email": "Correo electrónico de contacto",
    "Which document is this?": "¿Qué documento es?",
    "File": "Archivo",
    "Upload": "Subir",
    "Document attached.": "Documento adjuntado.",
    "Continue": "Continuar",
    "Check and submit": "Revisar y enviar",
    "Submit the application": "Enviar la solicitud",
    "Your reference is": "Su referencia es",
    "Awaiting the counterpart": "En espera de la contraparte",
    "Endorse a partnership": "Respaldar una alianza",
    "I endorse this partnership on behalf of my organisation":
        "Respaldo esta alianza en nombre de mi organización",
    "Your full name": "Su nombre completo",
    "Your position": "Su cargo",
    "Send my answer": "Enviar mi respuesta",
    "Endorsed": "Respaldada",
}


class Words:
    """The test's phrases in the journey's language: ``words("Sign in")``."""

    def __init__(self, language: str):
        self.language = language

    def __call__(self, english: str, **values) -> str:
        text = english if self.language == "en" else SPANISH[english]
        return text.format(**values)


def _save_and_continue(page, say, steps, next_step):
    page.get_by_role("button", name=say("Save and continue")).click()
    expect(page.get_by_text(say("Section saved."))).to_be_visible()
    steps.check(page, next_step)


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


def _fill_sections(page, say, steps):
    page.get_by_label(say("Project title")).fill("Open budgets for Cayo")
    page.get_by_label(say("Summary")).fill("We will publish the district budget as open data.")
    page.get_by_label(say("The problem")).fill("Budgets are hard to find.")
    page.get_by_label(say("Objectives")).fill("Publish the budget every quarter.")
    page.get_by_label("Open data").check()
    page.get_by_label(say("Duration in months")).fill("6")
    _save_and_continue(page, say, steps, "plan")

    page.get_by_label(say("Activity"), exact=True).first.fill("Training workshops")
    page.get_by_label(say("Milestone")).first.fill("Three workshops held")
    page.get_by_label(say("Expected result")).first.fill("Budget published online")
    page.get_by_label(say("Indicator")).first.fill("Datasets published")
    _save_and_continue(page, say, steps, "beneficiaries")

    page.get_by_label(say("Number of beneficiaries")).fill("120")
    page.get_by_label(say("Of whom women")).fill("70")
    page.get_by_label(say("Of whom young people (under 30)")).fill("40")
    page.get_by_label("Cayo").check()
    _save_and_continue(page, say, steps, "budget")

    page.get_by_label(say("Requested amount")).fill("5000.00")
    page.get_by_label(say("Category")).first.select_option("activities")
    page.get_by_label(say("Description")).first.fill("Workshops and publication")
    page.get_by_label(say("Amount"), exact=True).first.fill("5000.00")
    _save_and_continue(page, say, steps, "counterpart")

    page.get_by_label(say("Government organisation")).select_option(
        label="Ministry of E-Governance")
    page.get_by_label(say("Contact person")).fill("Carlos Chan")
    page.get_by_label(say("Position")).fill("Director of E-Government")
    page.get_by_label(say("Contact email")).fill("carlos.chan@gov.example.bz")
    _save_and_continue(page, say, steps, "documents")


def _attach_and_submit(page, say, steps, tmp_path):
    # Documents: the required certificate, checked by its content.
    certificate = tmp_path / "registration-certificate.pdf"
    certificate.write_bytes(PDF)
    page.get_by_label(say("Which document is this?")).select_option(
        label="Registration certificate")
    page.get_by_label(say("File")).set_input_files(str(certificate))
    page.get_by_role("button", name=say("Upload")).click()
    expect(page.get_by_text(say("Document attached."))).to_be_visible()
    expect(page.get_by_role("link", name="registration-certificate.pdf")).to_be_visible()
    steps.check(page, "document-attached")
    page.get_by_role("link", name=say("Continue"), exact=True).click()
    steps.check(page, "declarations")

    page.get_by_label("We are a registered civil-society organisation.").check()
    page.get_by_role("button", name=say("Save and continue")).click()
    expect(page.get_by_role("heading", name=say("Check and submit"))).to_be_visible()
    steps.check(page, "ready")
    page.get_by_role("button", name=say("Submit the application")).click()
    expect(page.get_by_text(re.compile(say("Your reference is") + r" OGB-\d{4}-0001"))) \
        .to_be_visible()
    expect(page.get_by_text(say("Awaiting the counterpart")).first).to_be_visible()
    steps.check(page, "submitted")


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

    _fill_sections(page, say, steps)
    _attach_and_submit(page, say, steps, tmp_path)
    _counterpart_endorses(live_server, mailbox, new_page, say, steps)

    page.reload()
    expect(page.get_by_text(say("Endorsed")).first).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", language)
    steps.check(page, "application-endorsed")
    assert page_problems.errors == []
