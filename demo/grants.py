"""The demo programme's fund and its 2018 reference call, decided long ago: every application
answered, every endorsement given or declined (DESIGN.md §5)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from accounts.models import User
from accounts.organisations.models import Organisation, OrganisationMember
from accounts.organisations.states import MemberRole, Sector
from core.extensions import db
from core.references import next_reference
from core.timeutil import utcnow
from core.uploads.models import StoredFile
from core.uploads.storage import get_storage
from grants.applications import endorsement_terms
from grants.applications.models import (
    Activity,
    Application,
    Attachment,
    BudgetLine,
    EligibilityCheck,
    Endorsement,
    ExpectedResult,
)
from grants.applications.states import ApplicationState, EndorsementState
from grants.calls.models import (
    DEFAULT_THEMATIC_AREAS,
    Call,
    Criterion,
    EligibilityStatement,
    Fund,
    RequiredDocument,
    ThematicArea,
)
from grants.calls.states import CallState

FUND_NAME = "Promoting an Open Government Ecosystem in Belize"

STATEMENTS = [
    "We are a civil-society organisation registered in Belize.",
    "The project is carried out in partnership with a government counterpart.",
    "We have no unresolved audit findings from previous grants.",
]
DOCUMENTS = ["Registration certificate", "Detailed budget", "Letter of support"]
#: The same lists in Spanish, line for line, for the calls the demo translates.
SPANISH_LISTS = {
    "thematic_areas": ["Acceso a la información pública", "Lucha contra la corrupción",
                       "Gobierno electrónico", "Participación ciudadana",
                       "Solicitudes digitales y en línea", "Datos abiertos", "Educación"],
    "eligibility_statements": [
        "Somos una organización de la sociedad civil registrada en Belice.",
        "El proyecto se realiza en alianza con una contraparte gubernamental.",
        "No tenemos observaciones de auditoría pendientes de subvenciones anteriores."],
    "required_documents": ["Certificado de registro", "Presupuesto detallado",
                           "Carta de apoyo"],
}
RUBRIC = [
    ("Relevance to open government", "Does the project advance transparency, participation "
     "or accountability?", Decimal("3"), 10, False),
    ("Strength of the partnership", "Is the government counterpart committed and involved?",
     Decimal("2"), 10, False),
    ("Feasibility and budget", "Are the activities realistic for the budget and time?",
     Decimal("2"), 10, False),
    ("Gender and youth inclusion", "Does the project reach women and young people?",
     Decimal("1"), 5, True),
]
#: The rubric's names and guidance in Spanish, row for row.
SPANISH_RUBRIC = [
    ("Pertinencia para el gobierno abierto",
     "¿El proyecto promueve la transparencia, la participación o la rendición de cuentas?"),
    ("Solidez de la alianza", "¿La contraparte gubernamental está comprometida e involucrada?"),
    ("Viabilidad y presupuesto",
     "¿Las actividades son realistas para el presupuesto y el plazo?"),
    ("Inclusión de mujeres y jóvenes", "¿El proyecto llega a mujeres y personas jóvenes?"),
]

CSOS = [
    ("Citizens for Transparency Belize", "Belize"), ("Toledo Youth Voices", "Toledo"),
    ("Cayo Community Action Network", "Cayo"), ("Corozal Women in Leadership", "Corozal"),
    ("Orange Walk Civic Forum", "Orange Walk"), ("Stann Creek Open Data Collective", "Stann Creek"),
    ("Belize Budget Watch", "Belize"), ("Garifuna Heritage and Rights Council", "Stann Creek"),
    ("Mopan Maya Community Alliance", "Toledo"),
    ("Belize Access to Information Coalition", "Belize"),
    ("Youth for Good Governance", "Cayo"), ("Belize Disability Rights Network", "Belize"),
    ("Northern Farmers Association", "Orange Walk"), ("Digital Belize Foundation", "Belize"),
    ("Coastal Communities Trust", "Corozal"), ("Belize Journalists Network", "Belize"),
    ("Healthy Communities Belize", "Cayo"), ("Integrity Action Belize", "Belize"),
    ("Belmopan Residents Union", "Cayo"), ("Learning Together Belize", "Toledo"),
]
GOVERNMENT = [
    "Ministry of Public Service, Governance Reform and E-Governance",
    "Ministry of Education", "Office of the Ombudsman", "Ministry of Finance",
    "Statistical Institute of Belize", "Belize City Council", "Ministry of Health and Wellness",
    "Freedom of Information Unit",
]
#: Made-up Chart of Accounts (BZ-COA) identifiers of the demo's other government bodies (see
#: ``demo.accounts.DEMO_ORGANISATIONS``): a real directory holds one only where it is known.
GOVERNMENT_ORG_IDS = {
    "Ministry of Finance": "BZ-COA-MOF", "Statistical Institute of Belize": "BZ-COA-SIB",
    "Belize City Council": "BZ-COA-BCC", "Ministry of Health and Wellness": "BZ-COA-MOHW",
    "Freedom of Information Unit": "BZ-COA-FOIU",
}
REFERENCE_CALL_TITLE = "Open Government Mini-Grants 2018"
# The reference call's applications by state (20 in all), in the order they were submitted:
# the call was decided in December 2018, so none is left waiting.
STATES = ([ApplicationState.awarded] * 8 + [ApplicationState.waitlisted] * 2
          + [ApplicationState.declined] * 5 + [ApplicationState.ineligible] * 3
          + [ApplicationState.withdrawn] * 1 + [ApplicationState.draft] * 1)
#: Rejected applications whose counterpart had declined the partnership.
DECLINED_BY_COUNTERPART = {12, 15, 18}

DEMO_PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n"
            b"<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


def demo_organisation(name: str, sector: Sector, district: str | None = None) -> Organisation:
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if organisation is None:
        organisation = Organisation(name=name, sector=sector, district=district, country="BZ",
                                    org_id=GOVERNMENT_ORG_IDS.get(name),
                                    is_verified=True, verified_at=utcnow())
        db.session.add(organisation)
        db.session.flush()
    return organisation


def stored_pdf(name: str) -> StoredFile:
    """A small PDF kept in the upload storage, as if someone had uploaded it."""
    key = secrets.token_hex(32)
    get_storage().save(key, DEMO_PDF)
    stored = StoredFile(storage_key=key, original_name=name, content_type="application/pdf",
                        kind="pdf", size_bytes=len(DEMO_PDF),
                        sha256=hashlib.sha256(DEMO_PDF).hexdigest())
    db.session.add(stored)
    return stored


def demo_call(fund: Fund, *, title: str, summary: str, body: str, opens_at: datetime,
              closes_at: datetime, state: CallState, max_awards: int = 8) -> Call:
    call = Call(
        fund=fund, title=title, summary=summary, body_markdown=body,
        award_amount=Decimal("5000.00"), max_awards=max_awards, opens_at=opens_at,
        closes_at=closes_at,
        # Two weeks to screen, four to review, two more to decide.
        screening_by=closes_at.date() + timedelta(days=14),
        review_by=closes_at.date() + timedelta(days=42),
        decisions_by=closes_at.date() + timedelta(days=56),
        state=state, published_at=opens_at, reference_prefix="OGB",
        thematic_areas=[ThematicArea(name=name, position=i)
                        for i, name in enumerate(DEFAULT_THEMATIC_AREAS)],
        eligibility_statements=[EligibilityStatement(text=text, position=i)
                                for i, text in enumerate(STATEMENTS)],
        required_documents=[RequiredDocument(name=name, position=i)
                            for i, name in enumerate(DOCUMENTS)],
        criteria=[Criterion(name=n, guidance=g, weight=w, max_score=m, is_na_allowed=na,
                            position=i) for i, (n, g, w, m, na) in enumerate(RUBRIC)],
    )
    # The default lists and the rubric are in Spanish too, line for line.
    for name, lines in SPANISH_LISTS.items():
        for item, line in zip(getattr(call, name), lines, strict=False):
            item.set_translation("es", {item.__translatable__[0]: line})
    for criterion, (name, guidance) in zip(call.criteria, SPANISH_RUBRIC, strict=True):
        criterion.set_translation("es", {"name": name, "guidance": guidance})
    db.session.add(call)
    db.session.flush()
    return call


def translate_call(call: Call, language: str, **texts: str) -> None:
    """The call's title, summary and text in ``language``."""
    call.set_translation(language, texts)


def reference_call(fund: Fund) -> Call:
    return next(call for call in fund.calls if call.title == REFERENCE_CALL_TITLE)


def load(users: dict[str, User]) -> Fund:
    existing = db.session.scalar(select(Fund).where(Fund.name == FUND_NAME))
    if existing is not None:
        return existing
    donor = demo_organisation("Embassy of the Donor Country", Sector.international, "Belize")
    manager = demo_organisation("Regional Open Government Foundation", Sector.civil_society,
                                "Belize")
    fund = Fund(name=FUND_NAME, donor_organisation_id=donor.id,
                managing_organisation_id=manager.id, currency="USD",
                total_budget=Decimal("60000.00"))
    db.session.add(fund)
    call = demo_call(
        fund, title=REFERENCE_CALL_TITLE,
        summary="Grants of US$5,000 for partnerships between civil society and government "
                "that open up information, fight corruption and bring citizens in.",
        body="## What we fund\n\nProjects run **jointly** by a civil-society organisation and "
             "a government counterpart, in one of the seven thematic areas.\n\n"
             "## How to apply\n\nComplete every section, attach the documents and submit "
             "before the deadline. Your counterpart will be asked to endorse the partnership.",
        opens_at=datetime(2018, 9, 3, 14, 0, tzinfo=UTC),
        closes_at=datetime(2018, 10, 31, 23, 0, tzinfo=UTC), state=CallState.in_review)
    translate_call(
        call, "es", title="Pequeñas subvenciones para el gobierno abierto 2018",
        summary="Subvenciones de US$5,000 para alianzas entre la sociedad civil y el gobierno "
                "que abren la información, combaten la corrupción e incorporan a la ciudadanía.",
        body_markdown="## Qué financiamos\n\nProyectos realizados **conjuntamente** por una "
                      "organización de la sociedad civil y una contraparte gubernamental, en "
                      "una de las siete áreas temáticas.\n\n## Cómo postular\n\nComplete "
                      "cada sección, adjunte los documentos y envíe antes de la fecha límite. "
                      "Se pedirá a su contraparte que respalde la alianza.")
    _applications(call, users)
    db.session.flush()
    return fund


def _applications(call: Call, users: dict[str, User]) -> None:
    governments = [demo_organisation(name, Sector.government, "Belize") for name in GOVERNMENT]
    applicant_user = users.get("applicant")
    for index, ((name, district), state) in enumerate(zip(CSOS, STATES, strict=True)):
        organisation = demo_organisation(name, Sector.civil_society, district)
        if index == 0 and applicant_user is not None:
            ensure_member(organisation, applicant_user)
        answer = (EndorsementState.declined if index in DECLINED_BY_COUNTERPART
                  else EndorsementState.endorsed)
        demo_application(call, organisation, governments[index % len(governments)], district,
                         state, index, users.get("staff"), endorsement=answer,
                         decided_at=datetime(2018, 12, 14, 16, 0, tzinfo=UTC))


def ensure_member(organisation: Organisation, user: User) -> None:
    exists = db.session.scalar(select(OrganisationMember).where(
        OrganisationMember.organisation_id == organisation.id,
        OrganisationMember.user_id == user.id))
    if exists is None:
        db.session.add(OrganisationMember(organisation=organisation, user=user,
                                          role=MemberRole.owner))


def demo_application(call, organisation, counterpart, district, state, index, staff, *,
                     endorsement: EndorsementState, decided_at: datetime | None = None,
                     submitted_at: datetime | None = None,
                     starts_on: date = date(2019, 1, 15)) -> Application:
    """One application with its documents, endorsement and screening, as they stand in
    ``state``; ``starts_on`` is the first day of its planned activities."""
    area = call.thematic_areas[index % len(call.thematic_areas)]
    submitted_at = submitted_at or call.opens_at + timedelta(days=20 + index)
    application = Application(
        call=call, organisation=organisation, state=state, counterpart=counterpart,
        title=f"{area.name} with {counterpart.name}",
        summary=f"{organisation.name} and {counterpart.name} will work together on "
                f"{area.name.lower()} in {district} District.",
        problem="Citizens cannot easily find or use public information about the services "
                "that affect them.",
        objectives="Publish the information, train officials and citizens, and agree on a "
                   "lasting practice with the counterpart.",
        duration_months=6 + index % 7, districts=[district],
        beneficiaries_total=80 + 10 * index, beneficiaries_women=45 + 5 * index,
        beneficiaries_youth=20 + 3 * index,
        beneficiaries_description="Community members, public officials and students.",
        requested_amount=Decimal("5000.00"),
        counterpart_contact_name="Counterpart contact", counterpart_contact_position="Director",
        counterpart_contact_email=f"counterpart{index + 1}@gov.example.bz",
        thematic_areas=[area], affirmed_statements=list(call.eligibility_statements),
        activities=[Activity(position=0, description="Inception workshop with the counterpart",
                             starts_on=starts_on, ends_on=starts_on + timedelta(days=16),
                             milestone="Work plan agreed"),
                    Activity(position=1, description="Training sessions",
                             starts_on=starts_on + timedelta(days=17),
                             ends_on=starts_on + timedelta(days=136),
                             milestone="Four sessions held")],
        results=[ExpectedResult(position=0, result="Information published as open data",
                                indicator="Datasets published", target="10")],
        budget_lines=[BudgetLine(position=0, category="activities", description="Workshops",
                                 amount=Decimal("2500.00")),
                      BudgetLine(position=1, category="personnel",
                                 description="Project coordinator", amount=Decimal("1800.00")),
                      BudgetLine(position=2, category="materials",
                                 description="Printing and publicity", amount=Decimal("700.00"))],
    )
    db.session.add(application)
    if state == ApplicationState.draft:
        db.session.flush()
        return application
    application.submitted_at = submitted_at
    application.reference = next_reference(call.reference_prefix, submitted_at.year)
    for document in call.required_documents:
        db.session.add(Attachment(application=application, required_document=document,
                                  stored_file=stored_pdf(f"{document.name}.pdf"),
                                  uploaded_at=submitted_at))
    application.endorsement = Endorsement(
        state=endorsement, recipient_email=application.counterpart_contact_email,
        sent_at=submitted_at, expires_at=submitted_at + timedelta(days=21),
        token_hash=hashlib.sha256(secrets.token_bytes(32)).hexdigest())
    # Bound to the terms the counterpart was asked about, as a real request is.
    endorsement_terms.bind(application.endorsement, application)
    if endorsement != EndorsementState.pending:
        application.endorsement.responded_at = submitted_at + timedelta(days=3)
        application.endorsement.responder_name = "Counterpart contact"
        application.endorsement.responder_position = "Director"
    if endorsement == EndorsementState.declined:
        application.endorsement.comment = ("The ministry cannot commit staff time to the "
                                           "project this year.")
    if state not in (ApplicationState.submitted, ApplicationState.withdrawn):
        eligible = state != ApplicationState.ineligible
        application.eligibility_check = EligibilityCheck(
            checked_by_id=staff.id if staff else None, checked_at=submitted_at + timedelta(days=7),
            is_eligible=eligible,
            reason="" if eligible else "The registration certificate had expired.",
            checklist=[])
    if state == ApplicationState.withdrawn:
        application.withdrawn_at = submitted_at + timedelta(days=2)
    if decided_at is not None and state in (ApplicationState.awarded,
                                            ApplicationState.waitlisted,
                                            ApplicationState.declined):
        application.decided_at = decided_at
    db.session.flush()
    return application
