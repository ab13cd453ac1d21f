"""The staff journey's data: the demo programme's people and the new fund and call, and what
is put in the database directly (the applications that arrive, the passing of the deadline,
the reviewers' scores, the grantee's report, the event)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook

STAFF = ("staff@demo.example.org", "pine valley kettle 31")


FINANCE = ("finance@demo.example.org", "copper lagoon harbour 58")


REVIEWERS = ["Rosa Reviewer", "Hugo Harsh", "Lucía Lenient"]


FUND = "Open Data Fund 2026"


CALL = "Open data mini-grants 2026"


APPLICANTS = ["Cayo Budget Watch", "Stann Creek Data Lab", "Orange Walk Civic Forum"]


PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"


ATTENDANCE_HEADER = ["Full name", "Email", "Sex", "Year of birth", "Organisation", "Sector",
                     "Role", "Country", "Attended"]


ATTENDANCE = [
    ["Ana Pop", "ana.pop@example.org", "Female", 2001, "Toledo Youth Voices", "Civil society",
     "Participant", "BZ", "Yes"],
    ["Luis Chen", "luis.chen@example.org", "Male", 1975, "Ministry of Education", "Government",
     "Participant", "BZ", ""],
    ["Maria Garcia", "", "Female", 1990, "Belize Bank", "Private sector", "Participant", "BZ",
     "Yes"],
]


def demo_programme(live_server) -> None:
    """The demo programme, with known passwords for its staff and finance officers."""
    from sqlalchemy import select
    from werkzeug.security import generate_password_hash

    from accounts.models import User
    from core.extensions import db

    app = live_server.app
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        for email, password in (STAFF, FINANCE):
            user = db.session.scalar(select(User).where(User.email == email))
            user.password_hash = generate_password_hash(
                password, method=app.config["PASSWORD_HASH_METHOD"])
        db.session.commit()


def applications_arrive_and_deadline_passes(live_server, call_title: str) -> list[str]:
    """Three complete, endorsed applications are submitted; then the call's closing time
    passes. Returns their references."""
    import hashlib
    import secrets

    from sqlalchemy import select

    from accounts.organisations.models import Organisation, Sector
    from core.extensions import db
    from core.references import next_reference
    from core.timeutil import utcnow
    from demo.grants import stored_pdf
    from grants.applications.models import (
        Application,
        Attachment,
        BudgetLine,
        Endorsement,
        EndorsementState,
    )
    from grants.applications.states import ApplicationState
    from grants.calls.models import Call

    with live_server.app.app_context():
        call = db.session.scalar(select(Call).where(Call.title == call_title))
        ministry = db.session.scalar(select(Organisation).where(
            Organisation.name == "Ministry of Education"))
        now = utcnow()
        references = []
        for index, name in enumerate(APPLICANTS):
            submitted_at = now - timedelta(hours=3 - index)
            application = Application(
                call=call, state=ApplicationState.submitted, counterpart=ministry,
                organisation=Organisation(name=name, sector=Sector.civil_society, country="BZ",
                                          is_verified=True),
                title=f"Open budgets by {name}", summary=f"{name} publishes budgets.",
                problem="Budgets are hard to find.", objectives="Publish them every quarter.",
                duration_months=6, districts=["Cayo"], requested_amount=Decimal("5000.00"),
                beneficiaries_total=100, beneficiaries_women=55, beneficiaries_youth=30,
                counterpart_contact_name="Carlos Chan",
                counterpart_contact_position="Director",
                counterpart_contact_email=f"contact{index}@gov.example.bz",
                thematic_areas=[call.thematic_areas[index]],
                affirmed_statements=list(call.eligibility_statements),
                budget_lines=[BudgetLine(position=0, category="activities",
                                         description="Workshops", amount=Decimal("5000.00"))],
                submitted_at=submitted_at,
                reference=next_reference(call.reference_prefix, submitted_at.year))
            application.attachments = [
                Attachment(required_document=document, uploaded_at=submitted_at,
                           stored_file=stored_pdf(f"{document.name}.pdf"))
                for document in call.required_documents]
            application.endorsement = Endorsement(
                state=EndorsementState.endorsed, recipient_email="contact@gov.example.bz",
                sent_at=submitted_at, expires_at=submitted_at + timedelta(days=21),
                responded_at=submitted_at + timedelta(minutes=30),
                responder_name="Carlos Chan", responder_position="Director",
                token_hash=hashlib.sha256(secrets.token_bytes(32)).hexdigest())
            db.session.add(application)
            references.append(application.reference)
        call.closes_at = now - timedelta(minutes=5)
        call.opens_at = now - timedelta(days=30)
        db.session.commit()
        return references


def reviewers_score(live_server, call_title: str, first_reference: str) -> None:
    """Every assigned reviewer submits a review; the first application scores best."""
    from sqlalchemy import select

    from core.extensions import db
    from core.timeutil import utcnow
    from grants.calls.models import Call
    from grants.reviews.models import Panel, Review, ReviewScore
    from grants.reviews.states import Confidence, Recommendation, ReviewState

    with live_server.app.app_context():
        call = db.session.scalar(select(Call).where(Call.title == call_title))
        panel = db.session.scalar(select(Panel).where(Panel.call_id == call.id))
        assert panel.assignments, "the panel has no assignments to review"
        for assignment in panel.assignments:
            best = assignment.application.reference == first_reference
            assignment.review = Review(
                state=ReviewState.submitted, submitted_at=utcnow(),
                overall_comment="Clear and feasible." if best else "Too vague.",
                recommendation=Recommendation.fund if best else Recommendation.do_not_fund,
                confidence=Confidence.high,
                scores=[ReviewScore(criterion_id=criterion.id,
                                    score=criterion.max_score - (0 if best else 5))
                        for criterion in call.criteria])
        db.session.commit()


def grantee_reports(live_server, award_id: int) -> int:
    """The grantee submits the mid-term report; returns its id."""
    from sqlalchemy import select

    from core.extensions import db
    from core.timeutil import utcnow
    from grants.monitoring.models import Expenditure, ProgressReport, ReportVersion
    from grants.monitoring.states import ReportState

    with live_server.app.app_context():
        report = db.session.scalars(select(ProgressReport).where(
            ProgressReport.award_id == award_id).order_by(ProgressReport.due_on)).first()
        report.state = ReportState.submitted
        report.versions.append(ReportVersion(
            number=1, submitted_at=utcnow(), activities="Two workshops held.",
            results="The district budget is online.", challenges="None so far.",
            women_under_30=10, women_30_and_over=12, men_under_30=8, men_30_and_over=9,
            expenditures=[Expenditure(position=0, category="activities", spent_on=date.today(),
                                      description="Workshops", amount=Decimal("1200.00"))]))
        db.session.commit()
        return report.id


def award_reference_of(live_server, award_id: int) -> str:
    from core.extensions import db
    from grants.awards.models import Award

    with live_server.app.app_context():
        return db.session.get(Award, award_id).reference


def assert_paid_in_belize_dollars(live_server, award_id: int) -> None:
    from sqlalchemy import select

    from core.extensions import db
    from grants.awards.models import Disbursement

    with live_server.app.app_context():
        [entry] = db.session.scalars(select(Disbursement).where(
            Disbursement.award_id == award_id)).all()
        assert entry.paid_amount == Decimal("5000.00") and entry.paid_currency == "BZD"
        assert entry.usd_equivalent == Decimal("2500.00")


def new_event(live_server) -> int:
    from coalitions.events.models import Event, EventType
    from core.extensions import db

    with live_server.app.app_context():
        event = Event(type=EventType.workshop, title="Open data workshop 2026",
                      starts_on=date(date.today().year, 1, 20),
                      ends_on=date(date.today().year, 1, 21), district="Cayo", country="BZ")
        db.session.add(event)
        db.session.commit()
        return event.id


def attendance_sheet(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(ATTENDANCE_HEADER)
    for row in ATTENDANCE:
        sheet.append(row)
    path = tmp_path / "attendance.xlsx"
    buffer = BytesIO()
    workbook.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path
