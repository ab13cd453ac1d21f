"""The applicant's steps in the browser, in the journey's language: fill each section of an
application, attach the call's documents, affirm its statements and submit. The applicant
journey and the Spanish call journey apply through them, each to a call of its own."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.browser.journey_data import PDF

# The interface's words in Spanish. Names typed in by people (a call's lists, a ministry) are
# given by each journey as its applicant reads them.
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
    "Apply on behalf of": "Presentar la solicitud en nombre de",
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
    "Starts": "Inicio",
    "Ends": "Fin",
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


@dataclass(frozen=True)
class Choices:
    """What the applicant picks from the call and the directory, as they read it: a thematic
    area, the government counterpart, the documents to attach and the statements to affirm.
    With ``today`` (the programme's), the first activity gets its dates typed in too."""

    area: str
    ministry: str
    documents: tuple[str, ...]
    statements: tuple[str, ...]
    reference: str = r"OGB-\d{4}-\d{4}"
    today: date | None = None


def save_and_continue(page, say, steps, next_step):
    page.get_by_role("button", name=say("Save and continue")).click()
    expect(page.get_by_text(say("Section saved."))).to_be_visible()
    steps.check(page, next_step)


def fill_sections(page, say, steps, choices: Choices):
    """From the project section to the documents page, each section saved in turn."""
    page.get_by_label(say("Project title")).fill("Open budgets for Cayo")
    page.get_by_label(say("Summary")).fill("We will publish the district budget as open data.")
    page.get_by_label(say("The problem")).fill("Budgets are hard to find.")
    page.get_by_label(say("Objectives")).fill("Publish the budget every quarter.")
    page.get_by_label(choices.area).check()
    page.get_by_label(say("Duration in months")).fill("6")
    save_and_continue(page, say, steps, "plan")

    page.get_by_label(say("Activity"), exact=True).first.fill("Training workshops")
    if choices.today is not None:
        starts_on = choices.today + timedelta(days=60)
        page.get_by_label(say("Starts")).first.fill(starts_on.isoformat())
        page.get_by_label(say("Ends")).first.fill((starts_on + timedelta(days=90)).isoformat())
    page.get_by_label(say("Milestone")).first.fill("Three workshops held")
    page.get_by_label(say("Expected result")).first.fill("Budget published online")
    page.get_by_label(say("Indicator")).first.fill("Datasets published")
    save_and_continue(page, say, steps, "beneficiaries")

    page.get_by_label(say("Number of beneficiaries")).fill("120")
    page.get_by_label(say("Of whom women")).fill("70")
    page.get_by_label(say("Of whom young people (under 30)")).fill("40")
    page.get_by_label("Cayo").check()
    save_and_continue(page, say, steps, "budget")

    page.get_by_label(say("Requested amount")).fill("5000.00")
    page.get_by_label(say("Category")).first.select_option("activities")
    page.get_by_label(say("Description")).first.fill("Workshops and publication")
    page.get_by_label(say("Amount"), exact=True).first.fill("5000.00")
    save_and_continue(page, say, steps, "counterpart")

    page.get_by_label(say("Government organisation")).select_option(label=choices.ministry)
    page.get_by_label(say("Contact person")).fill("Carlos Chan")
    page.get_by_label(say("Position")).fill("Director of E-Government")
    page.get_by_label(say("Contact email")).fill("carlos.chan@gov.example.bz")
    save_and_continue(page, say, steps, "documents")


def attach_and_submit(page, say, steps, tmp_path, choices: Choices):
    """From the documents page: each document attached (checked by its content), every
    statement affirmed, and the application submitted. Returns its reference."""
    for number, document in enumerate(choices.documents, start=1):
        upload = tmp_path / f"document-{number}.pdf"
        upload.write_bytes(PDF)
        page.get_by_label(say("Which document is this?")).select_option(label=document)
        page.get_by_label(say("File")).set_input_files(str(upload))
        page.get_by_role("button", name=say("Upload")).click()
        expect(page.get_by_text(say("Document attached."))).to_be_visible()
        expect(page.get_by_role("link", name=upload.name)).to_be_visible()
        steps.check(page, f"document-attached-{number}")
    page.get_by_role("link", name=say("Continue"), exact=True).click()
    steps.check(page, "declarations")

    for statement in choices.statements:
        page.get_by_label(statement).check()
    page.get_by_role("button", name=say("Save and continue")).click()
    expect(page.get_by_role("heading", name=say("Check and submit"))).to_be_visible()
    steps.check(page, "ready")
    page.get_by_role("button", name=say("Submit the application")).click()
    submitted = page.get_by_text(re.compile(say("Your reference is") + " " + choices.reference))
    expect(submitted).to_be_visible()
    expect(page.get_by_text(say("Awaiting the counterpart")).first).to_be_visible()
    steps.check(page, "submitted")
    return re.search(choices.reference, submitted.inner_text()).group(0)
