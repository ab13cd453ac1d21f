"""Two organisations, Alpha and Bravo, each with the same complete set of objects, plus the
staff-side objects every other route needs.

Both sides are built by the same function, so a route that works for Alpha's owner on
Alpha's objects would also work on Bravo's if its permission check were missing: the
foreign-id tests request Bravo's objects as Alpha's owner and expect 403 or 404.

Every text of Bravo's that a page could show carries the marker ``BRAVO-SECRET``, so a test
can check that none of it leaks into a refused response.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

from werkzeug.datastructures import FileStorage

from core.timeutil import utcnow
from tests.fixtures.applications import make_call, make_submitted_application

PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
       b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
       b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")

#: In every text of Bravo's objects; never in a response to Alpha's owner.
BRAVO_MARKER = "BRAVO-SECRET"


def pdf(name: str, data: bytes = PDF) -> FileStorage:
    return FileStorage(stream=BytesIO(data), filename=name, content_type="application/pdf")


@dataclass
class Side:
    """One organisation's objects. ``owner`` is an applicant who owns the organisation."""

    label: str
    org: object
    owner: object
    membership: object
    #: A draft (editable) application with one attachment whose bytes are stored.
    draft: object
    attachment: object
    #: An awarded application with a paper endorsement letter and a stored attachment.
    application: object
    application_attachment: object
    #: The application's award: signed (active), agreement stored.
    award: object
    tranche: object
    #: Another awarded application's award, waiting for signature.
    pending_award: object
    #: The active award's mid-term report: due, with a draft whose one expenditure line has
    #: a stored receipt, and one piece of stored evidence.
    report: object
    expenditure: object
    receipt: object
    evidence: object
    disbursements: dict = field(default_factory=dict)
    #: An invitation to join the organisation, waiting for an answer (Alpha's is addressed
    #: to the finance user, so that routes for the invited person can be exercised).
    invitation: object = None


@dataclass
class World:
    alpha: Side
    bravo: Side
    staff: object
    admin: object
    finance: object
    reviewer: object
    #: The reviewer's assignment: Alpha's awarded application, in a panel of its call.
    assignment: object
    #: Staff-side objects (funds, calls, panels, coalitions, plans, events, outbox...).
    extra: dict


def build_world(session, factories) -> World:
    from tests.access_contexts import (
        _calls_context,
        _coalitions_context,
        _consultations_context,
        _events_context,
        _jobs_context,
        _ranking_context,
        _results_context,
        _reviews_context,
    )

    staff = factories.user(roles=("staff",), name="Security Staff")
    admin = factories.user(roles=("admin",), name="Security Admin")
    finance = factories.user(roles=("finance",), name="Security Finance")
    alpha = build_side(session, factories, "Alpha", staff, invitee_email=finance.email)
    bravo = build_side(session, factories, BRAVO_MARKER, staff)
    reviewer, assignment = _reviewer_of(session, factories, alpha)
    extra = {**_calls_context(factories), **_ranking_context(factories),
             **_reviews_context(factories), **_coalitions_context(factories),
             **_events_context(factories), **_outbox_context(factories),
             **_results_context(factories), **_jobs_context(factories, staff),
             **_consultations_context(factories),
             # Awarded by a decision, without its grant agreement yet.
             "award_application": _awarded(session, factories, alpha.owner,
                                           title="Alpha third project", organisation=alpha.org)}
    return World(alpha=alpha, bravo=bravo, staff=staff, admin=admin, finance=finance,
                 reviewer=reviewer, assignment=assignment, extra=extra)


def build_side(session, factories, label: str, staff, invitee_email: str | None = None) -> Side:
    from accounts.organisations.operations import invite_member
    from grants.applications.operations import attach_document, start_application
    from grants.applications.states import ApplicationState
    from grants.awards import operations as awards
    from grants.endorsements.operations import record_paper_endorsement

    owner = factories.user(roles=("applicant",), name=f"{label} Owner")
    application = _awarded(session, factories, owner, title=f"{label} project")
    org = application.organisation
    org.name = f"{label} Organisation"
    membership = next(m for m in org.members if m.user_id == owner.id)

    draft = start_application(make_call(session, factories), org, owner)
    draft.title = f"{label} draft"
    draft.summary = f"{label} draft summary"
    attachment = attach_document(draft, owner, file_storage=pdf(f"{label}-attachment.pdf"))

    # The letter is recorded while the application is still open for endorsement.
    application.state = ApplicationState.submitted
    record_paper_endorsement(application, staff, endorse=True, name=f"{label} Minister",
                             position="Minister", comment=f"{label} endorsement",
                             file_storage=pdf(f"{label}-letter.pdf"))
    application.state = ApplicationState.awarded
    application_attachment = _stored_attachment(session, application, owner,
                                                f"{label}-proposal.pdf")

    today = awards.programme_today()
    dates = {"starts_on": today - timedelta(days=30), "ends_on": today + timedelta(days=300)}
    award = awards.create_award(application, staff, **dates)
    awards.sign_award(award, staff, signed_on=today,
                      file_storage=pdf(f"{label}-agreement.pdf"))
    pending_award = awards.create_award(
        _awarded(session, factories, owner, title=f"{label} second project", organisation=org),
        staff, **dates)

    report, expenditure, receipt, evidence = _report_with_files(session, award, owner, label)
    disbursements = _ledger(session, award, factories)
    invitation = invite_member(org, owner, name=f"{label} Invited",
                               email=invitee_email or f"{label.lower()}-invited@example.org")
    session.flush()
    return Side(label=label, org=org, owner=owner, membership=membership, draft=draft,
                invitation=invitation,
                attachment=attachment, application=application,
                application_attachment=application_attachment, award=award,
                tranche=award.tranches[0], pending_award=pending_award, report=report,
                expenditure=expenditure, receipt=receipt, evidence=evidence,
                disbursements=disbursements)


def _awarded(session, factories, owner, *, title: str, **fields):
    from grants.applications.states import ApplicationState
    from grants.reviews.models import Decision
    from grants.reviews.states import Outcome

    application = make_submitted_application(
        session, factories, member=owner, state=ApplicationState.awarded,
        decided_at=utcnow(), title=title, summary=f"{title} summary", **fields)
    session.add(Decision(application_id=application.id, outcome=Outcome.award,
                         rationale="Ranked above the line."))
    session.flush()
    return application


def _stored_attachment(session, application, owner, name: str):
    from core.uploads.operations import store_upload
    from grants.applications.models import Attachment

    attachment = Attachment(application=application,
                            stored_file=store_upload(pdf(name), uploaded_by=owner),
                            uploaded_by_id=owner.id)
    session.add(attachment)
    session.flush()
    return attachment


def _report_with_files(session, award, owner, label: str):
    from sqlalchemy import select

    from grants.monitoring import operations as monitoring
    from grants.monitoring.models import ProgressReport
    from grants.monitoring.states import ReportKind

    report = session.scalar(select(ProgressReport).where(
        ProgressReport.award_id == award.id, ProgressReport.kind == ReportKind.midterm))
    version = monitoring.save_draft(
        report, owner, activities=f"{label} activities", results=f"{label} results",
        challenges="", beneficiaries={},
        expenditures=[{"id": None, "category": "activities",
                       "spent_on": monitoring.programme_today() - timedelta(days=1),
                       "description": f"{label} venue", "amount": Decimal("100.00")}])
    expenditure = version.expenditures[0]
    monitoring.attach_receipt(report, owner, expenditure,
                              file_storage=pdf(f"{label}-receipt.pdf"))
    evidence = monitoring.add_evidence(report, owner, file_storage=pdf(f"{label}-photo.pdf"),
                                       description=f"{label} evidence")
    return report, expenditure, expenditure.receipt_file, evidence.stored_file


def _ledger(session, award, factories) -> dict:
    """A request, an approved request and a payment on the first tranche, made by a staff
    user who is none of the world's users (so finance may decide them)."""
    from grants.awards import operations as awards
    from grants.awards.models import Disbursement
    from grants.awards.states import DisbursementState

    requester = factories.user(roles=("staff",), name="Requesting Staff")
    today, now = awards.programme_today(), utcnow()

    def entry(state, **fields):
        row = Disbursement(award_id=award.id, tranche_id=award.tranches[0].id, state=state,
                           amount=Decimal("100.00"), planned_on=today,
                           idempotency_key=secrets.token_hex(16),
                           payment_method="bank_transfer", payee_reference="Account 1",
                           requested_by_id=requester.id, requested_at=now, **fields)
        session.add(row)
        return row

    ledger = {
        "requested": entry(DisbursementState.requested),
        "approved": entry(DisbursementState.approved, approved_at=now),
        "paid": entry(DisbursementState.paid, approved_at=now, paid_on=today, recorded_at=now,
                      bank_reference="TRF-1", paid_currency="USD",
                      paid_amount=Decimal("100.00"), exchange_rate=Decimal("1"),
                      usd_equivalent=Decimal("100.00")),
    }
    session.flush()
    return ledger


def _reviewer_of(session, factories, side: Side):
    from grants.reviews.models import Panel, PanelMember, ReviewAssignment

    reviewer = factories.user(roles=("reviewer",), name="Security Reviewer")
    panel = Panel(call=side.application.call, is_locked=False, reviewers_per_application=3)
    panel.members = [PanelMember(user=reviewer)]
    assignment = ReviewAssignment(panel=panel, application=side.application,
                                  reviewer=reviewer)
    session.add_all([panel, assignment])
    session.flush()
    return reviewer, assignment


def _outbox_context(factories) -> dict:
    from core.outbox.operations import queue_email
    from core.outbox.states import MessageState

    other = factories.user(name="Other User")
    message = queue_email(other.email, "accounts/confirm", user=other,
                          confirm_url="http://127.0.0.1:5000/confirm/x")
    dead = queue_email(other.email, "accounts/confirm", user=other,
                       confirm_url="http://127.0.0.1:5000/confirm/y")
    dead.state = MessageState.dead
    factories.session.flush()
    return {"other_user": other, "message": message, "dead_message": dead}
