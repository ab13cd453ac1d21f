"""The objects the access policy's routes are tried on, one builder per area (calls, ranking,
reviews, monitoring, awards, coalitions, events); ``test_access_policy.py``'s ``context``
fixture gathers them, and the security checks' world reuses some."""

from __future__ import annotations

from pathlib import Path


def _events_context(factories):
    """An event with an agenda (its bytes stored) and one person's attendance."""
    from datetime import date
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    from coalitions.events.models import Attendance, Event, EventType, Person
    from core.uploads.operations import store_upload

    agenda = store_upload(FileStorage(BytesIO(b"%PDF-1.4\n%%EOF\n"), filename="agenda.pdf"),
                          uploaded_by=None)
    event = Event(type=EventType.workshop, title="Open data workshop",
                  starts_on=date(2019, 3, 14), ends_on=date(2019, 3, 14), country="BZ",
                  agenda_file=agenda)
    event.attendances = [Attendance(person=Person(full_name="Private Person", country="BZ"))]
    factories.session.add(event)
    factories.session.flush()
    return {"event": event, "person": event.attendances[0].person}


def _calls_context(factories):
    """A fund with a published (open) call and a complete draft ready to publish."""
    from tests.fixtures.grants import GrantFactories

    grants = GrantFactories(factories.session, factories)
    fund = grants.fund()
    return {"fund": fund, "published_call": grants.call(fund=fund),
            "draft_call": grants.call(fund=fund, state="draft")}


def _ranking_context(factories):
    """A panel (without a chair) of a call with one application in review, with a submitted
    review (marked) and its audit entry."""
    from grants.reviews.models import Panel
    from tests.fixtures.grants import GrantFactories

    grants = GrantFactories(factories.session, factories)
    call = grants.call()
    application = grants.application(call, state="in_review")
    panel = Panel(call=call)
    factories.session.add(panel)
    factories.session.flush()
    _marked_review(factories, panel, application)
    return {"ranking_panel": panel, "ranking_application": application}


#: Written in the context's submitted reviews and their audit entries: whoever is conflicted
#: with the application must not read it anywhere.
REVIEW_MARKER = "Remark that only the unconflicted may read"


def _marked_review(factories, panel, application):
    """A submitted review of ``application`` by a reviewer who is none of the test roles,
    with the audit entry its revision writes (scores and all)."""
    from core.audit.operations import record
    from core.timeutil import utcnow
    from grants.reviews.models import Review, ReviewAssignment
    from grants.reviews.states import Recommendation, ReviewState

    reviewer = factories.user(roles=("reviewer",), name="Marking Reviewer")
    assignment = ReviewAssignment(panel=panel, application=application, reviewer=reviewer)
    review = Review(assignment=assignment, state=ReviewState.submitted,
                    overall_comment=REVIEW_MARKER, recommendation=Recommendation.fund,
                    submitted_at=utcnow())
    factories.session.add_all([assignment, review])
    factories.session.flush()
    record("review.revise", review, actor=reviewer,
           summary=f"{reviewer.name}: review of {application.display_reference} revised "
                   f"({REVIEW_MARKER})",
           data={"assignment_id": assignment.id, "application_id": application.id,
                 "scores": {"1": 9}, "recommendation": "fund", "confidence": None})
    return review


def _reviews_context(factories):
    """A panel of two reviewers who are none of the test roles; one of them is assigned an
    eligible application."""
    from grants.reviews.models import Panel, PanelMember, ReviewAssignment
    from tests.fixtures.grants import GrantFactories

    grants = GrantFactories(factories.session, factories)
    call = grants.call()
    application = grants.application(call, state="in_review")
    reviewer = factories.user(roles=("reviewer",), name="Panel Reviewer")
    spare = factories.user(roles=("reviewer",), name="Spare Reviewer")
    panel = Panel(call=call, is_locked=False, reviewers_per_application=3)
    panel.members = [PanelMember(user=reviewer), PanelMember(user=spare)]
    assignment = ReviewAssignment(panel=panel, application=application, reviewer=reviewer)
    factories.session.add_all([panel, assignment])
    factories.session.flush()
    marked = _marked_review(factories, panel, application)
    return {"review_panel": panel, "review_application": application,
            "review_assignment": assignment, "spare_member": panel.members[1],
            "marked_review": marked}


def _monitoring_context(factories):
    """An active award of an organisation none of the test roles belongs to, whose mid-term
    report is submitted with one expenditure line and its receipt (stored with its bytes)."""
    from datetime import timedelta
    from decimal import Decimal
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    from core.timeutil import utcnow
    from core.uploads.operations import store_upload
    from grants.applications.states import ApplicationState
    from grants.awards.models import Award
    from grants.awards.states import AwardState
    from grants.monitoring.models import Expenditure, ProgressReport, ReportVersion
    from grants.monitoring.states import ReportKind, ReportState
    from tests.fixtures.applications import make_submitted_application

    session = factories.session
    application = make_submitted_application(session, factories,
                                             state=ApplicationState.awarded)
    today = utcnow().date()
    award = Award(application=application, reference="ACCESS-G-1", amount=Decimal("5000.00"),
                  currency="USD", starts_on=today - timedelta(days=30),
                  ends_on=today + timedelta(days=300), state=AwardState.active)
    receipt = store_upload(FileStorage(BytesIO(b"%PDF-1.4\n%%EOF\n"), filename="receipt.pdf"),
                           uploaded_by=None)
    expenditure = Expenditure(category="activities", spent_on=today - timedelta(days=2),
                              description="Venue", amount=Decimal("100.00"),
                              receipt_file=receipt)
    version = ReportVersion(number=1, submitted_at=utcnow(), activities="Workshops",
                            results="Data published", expenditures=[expenditure])
    report = ProgressReport(award=award, kind=ReportKind.midterm,
                            due_on=today + timedelta(days=10), state=ReportState.submitted,
                            versions=[version])
    session.add_all([award, report])
    session.flush()
    return {"monitoring_award": award, "monitoring_report": report,
            "monitoring_expenditure": expenditure, "monitoring_receipt": receipt}


def _awards_context(factories):
    """An application awarded by a decision without an agreement yet; an award waiting for
    signature; and an active award (signed, with its agreement's bytes) whose first tranche
    has a request, an approved request and a payment, requested by a staff user who is none
    of the test roles."""
    from datetime import timedelta
    from decimal import Decimal
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    from core.timeutil import utcnow
    from grants.awards import checks, operations
    from grants.awards.models import Disbursement
    from grants.awards.states import DisbursementState
    from grants.reviews.models import Decision
    from grants.reviews.states import Outcome
    from tests.fixtures.grants import GrantFactories

    session = factories.session
    grants = GrantFactories(session, factories)
    call = grants.call(areas=[], statements=[], documents=[], criteria=[])
    # A grant-making organisation, so the active award is a complete open-data grant.
    call.fund.manager = factories.organisation(name="Managing Foundation")
    staff = factories.user(roles=("staff",), name="Awards Staff")

    def awarded():
        application = grants.application(call, state="awarded")
        session.add(Decision(application_id=application.id, outcome=Outcome.award,
                             amount=Decimal("5000.00")))
        return application

    today = operations.programme_today()
    dates = {"starts_on": today - timedelta(days=30), "ends_on": today + timedelta(days=300)}
    waiting = awarded()
    pending = operations.create_award(awarded(), staff, **dates)
    active = operations.create_award(awarded(), staff, **dates)
    operations.sign_award(active, staff, signed_on=today, file_storage=FileStorage(
        BytesIO(b"%PDF-1.4\n%%EOF\n"), filename="agreement.pdf"))
    now = utcnow()

    def entry(state, **fields):
        row = Disbursement(award_id=active.id, tranche_id=active.tranches[0].id, state=state,
                           amount=Decimal("100.00"), planned_on=today,
                           idempotency_key=checks.new_idempotency_key(),
                           payment_method="bank_transfer", payee_reference="Account 1",
                           requested_by_id=staff.id, requested_at=now, **fields)
        session.add(row)
        return row

    requested = entry(DisbursementState.requested)
    approved = entry(DisbursementState.approved, approved_at=now)
    paid = entry(DisbursementState.paid, approved_at=now, paid_on=today, recorded_at=now,
                 bank_reference="TRF-1", paid_currency="USD", paid_amount=Decimal("100.00"),
                 exchange_rate=Decimal("1"), usd_equivalent=Decimal("100.00"))
    session.flush()
    return {"award_application": waiting, "pending_award": pending, "active_award": active,
            "requested_disbursement": requested, "approved_disbursement": approved,
            "paid_disbursement": paid}


def _coalitions_context(factories):
    """A coalition with one current membership and an activity whose evidence is stored
    with its bytes; a published action plan with one commitment and one milestone."""
    from datetime import date
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    from coalitions.coalitions import operations as coalition_operations
    from coalitions.plans import operations as plan_operations

    staff = factories.user(roles=("staff",), name="Coalitions Staff")
    coalition = coalition_operations.create_coalition(staff, name="Open Data Coalition")
    membership = coalition_operations.add_member(
        coalition, staff, organisation_id=factories.organisation().id,
        joined_on=date(2019, 1, 1))
    activity = coalition_operations.add_activity(
        coalition, staff, kind="meeting", happened_on=date(2019, 2, 1), description="Met",
        file_storage=FileStorage(BytesIO(b"%PDF-1.4\n%%EOF\n"), filename="minutes.pdf"))
    plan = plan_operations.create_plan(staff, title="Action plan", country="BZ",
                                       starts_on=date(2020, 1, 1), ends_on=date(2021, 12, 31))
    commitment = plan_operations.create_commitment(plan, staff, title="Open data")
    milestone = plan_operations.add_milestone(commitment, staff, title="Portal",
                                              due_on=date(2020, 6, 1))
    return {"coalition": coalition, "coalition_membership": membership,
            "coalition_activity": activity, "action_plan": plan, "commitment": commitment,
            "milestone": milestone, **_forum_context(factories, staff)}


def _forum_context(factories, staff):
    """The forum with one member, a published meeting with minutes and one not published,
    and a repository document whose file is stored with its bytes."""
    from datetime import UTC, date, datetime
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    from coalitions.forum import operations as forum_operations

    member = forum_operations.add_member(staff, organisation_id=factories.organisation().id,
                                         joined_on=date(2020, 1, 1))
    meeting = forum_operations.create_meeting(
        staff, title="First forum meeting", starts_at=datetime(2020, 2, 3, 15, tzinfo=UTC),
        minutes="The forum met.", attendee_ids=[member.id], is_published=True)
    draft = forum_operations.create_meeting(
        staff, title="Next forum meeting", starts_at=datetime(2020, 6, 3, 15, tzinfo=UTC))
    document = forum_operations.add_document(
        staff, kind="draft_plan", title="First draft", document_date=date(2020, 3, 1),
        file_storage=FileStorage(BytesIO(b"%PDF-1.4\n%%EOF\n"), filename="draft.pdf"))
    return {"forum_member": member, "forum_meeting": meeting, "draft_forum_meeting": draft,
            "forum_document": document}


def _consultations_context(factories):
    """An open consultation on a published draft plan with one commitment, a citizen's
    proposal with a comment, and a report of abuse of the comment."""
    from datetime import date, timedelta

    from coalitions.consultations import operations as consultation_operations
    from coalitions.plans import operations as plan_operations
    from core.timeutil import utcnow

    staff = factories.user(roles=("staff",), name="Consultation Staff")
    citizen = factories.user(name="Consultation Citizen")
    plan = plan_operations.create_plan(staff, title="Draft plan under consultation",
                                       country="BZ", starts_on=date(2027, 1, 1),
                                       ends_on=date(2028, 12, 31))
    commitment = plan_operations.create_commitment(plan, staff, title="Draft commitment")
    consultation = consultation_operations.create_consultation(
        staff, plan_id=plan.id, title="Open consultation", description="",
        opens_at=utcnow() - timedelta(days=1), closes_at=utcnow() + timedelta(days=30))
    proposal = consultation_operations.propose(
        consultation, citizen, title="A proposal", problem="Problem", solution="Solution",
        institution_name="Ministry")
    comment = consultation_operations.comment(consultation, citizen, "A comment",
                                              proposal=proposal)
    report = consultation_operations.report_abuse(staff, comment=comment, reason="Rude")
    return {"consultation": consultation, "consultation_commitment": commitment,
            "consultation_proposal": proposal, "consultation_comment": comment,
            "consultation_report": report}


def _results_context(factories):
    """The results framework: an outcome with an output, a manual indicator of the output
    with one target and one entered actual."""
    from datetime import date

    from reporting.results import operations as results_operations

    staff = factories.user(roles=("staff",), name="Results Staff")
    outcome = results_operations.create_result(staff, level="outcome", code="1",
                                               title="Reforms co-created")
    output = results_operations.create_result(staff, level="output", parent=outcome,
                                              code="1.1", title="People trained")
    indicator = results_operations.create_indicator(output, staff, code="1.1a",
                                                    title="Requests answered", unit="%",
                                                    kind="manual")
    target, _changed = results_operations.set_target(
        indicator, staff, starts_on=date(2019, 1, 1), ends_on=date(2019, 12, 31), value="60")
    actual, _changed = results_operations.set_actual(
        indicator, staff, starts_on=date(2019, 1, 1), ends_on=date(2019, 12, 31), value="55")
    return {"outcome": outcome, "output": output, "result_indicator": indicator,
            "result_target": target, "result_actual": actual}


def _application_of(organisation, owner):
    """A draft application of ``organisation`` to an open call, with one attachment."""
    from datetime import timedelta
    from decimal import Decimal
    from io import BytesIO

    from flask import current_app
    from werkzeug.datastructures import FileStorage

    from core.timeutil import utcnow
    from grants.applications.operations import attach_document, start_application
    from grants.calls.models import Call, Fund
    from grants.calls.states import CallState

    current_app.config["UPLOAD_FOLDER"] = current_app.config.get("UPLOAD_FOLDER") or \
        str(Path(current_app.instance_path) / "uploads")
    call = Call(fund=Fund(name="Fund", currency="USD", total_budget=Decimal("1000.00")),
                title="Open call", summary="Open", state=CallState.published,
                opens_at=utcnow() - timedelta(days=1), closes_at=utcnow() + timedelta(days=1))
    application = start_application(call, organisation, owner)
    pdf = FileStorage(BytesIO(b"%PDF-1.4\n%%EOF\n"), filename="letter.pdf")
    attachment = attach_document(application, owner, file_storage=pdf)
    return application, attachment


def _jobs_context(factories, requester):
    """Two jobs of ``requester`` (of the tests' kind "test.count", which staff may read too;
    a donor workbook is its requester's alone: tests/core/jobs): one done, with its file
    stored, and one failed."""
    from core.jobs.models import Job
    from core.jobs.states import JobState
    from core.uploads.operations import store_generated
    from tests.core.jobs.kinds import KIND

    stored = store_generated(b"item\n0\n", name="count.csv", kind="csv", owner=requester)
    done = Job(kind=KIND.name, parameters={"items": 1}, requested_by_id=requester.id,
               locale="en", state=JobState.done, progress_done=1, progress_total=1,
               attempts=1, result_file=stored)
    failed = Job(kind=KIND.name, parameters={"items": 1}, requested_by_id=requester.id,
                 locale="en", state=JobState.failed, attempts=1, message="Broken.")
    factories.session.add_all([done, failed])
    factories.session.flush()
    return {"done_job": done, "failed_job": failed}
