"""The objects and forms the double-post cases need besides the two-organisation world:
``setup(world, session, factories)`` functions, run before the world is committed, and
``data(world, ctx)`` functions giving a form as the browser posts it."""

from __future__ import annotations

from datetime import date, timedelta

A = lambda w: w.alpha  # noqa: E731
X = lambda w: w.extra  # noqa: E731


def submittable_draft(world, session, factories):
    """A complete draft of Alpha's owner in a call of its own reference series."""
    from grants.applications.models import Activity, ExpectedResult
    from grants.applications.states import ApplicationState
    from tests.fixtures.applications import make_call, make_submitted_application

    call = make_call(session, factories)
    call.reference_prefix = "DBL"
    draft = make_submitted_application(
        session, factories, call=call, member=world.alpha.owner,
        state=ApplicationState.draft, reference=None, submitted_at=None)
    draft.thematic_areas = list(call.thematic_areas)
    draft.activities = [Activity(description="Workshops", milestone="Three workshops held",
                                 starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 1))]
    draft.results = [ExpectedResult(result="Budget online", indicator="Datasets published",
                                    target="12")]
    session.flush()
    return {"draft": draft}


def submitted(world, session, factories):
    """A submitted application whose every automatic screening check passes."""
    from tests.fixtures.applications import make_submitted_application

    return {"application": make_submitted_application(session, factories,
                                                      counterpart_required=False)}


def eligible(world, session, factories):
    from grants.applications.states import ApplicationState
    from tests.fixtures.applications import make_submitted_application

    return {"application": make_submitted_application(
        session, factories, counterpart_required=False, state=ApplicationState.eligible)}


def review_data(world, ctx):
    data = {"overall_comment": "Sound plan.", "recommendation": "fund",
            "confidence": "high", "action": "submit"}
    for criterion in world.assignment.panel.call.criteria:
        data[f"score_{criterion.id}"] = str(criterion.max_score)
    return data


def pdf_upload(world, ctx, field="file"):
    from tests.security.world import pdf
    return pdf("double.pdf")


def endorsement_link(world, session, factories):
    """A submitted application whose counterpart was sent a link (its raw token kept)."""
    from core.timeutil import utcnow
    from grants.endorsements.operations import _issue_link
    from tests.fixtures.applications import make_submitted_application

    application = make_submitted_application(session, factories)
    _endorsement, token = _issue_link(application, utcnow() - timedelta(hours=1))
    return {"application": application, "token": token}


def locked_panel(world, session, factories):
    X(world)["ranking_panel"].is_locked = True
    session.flush()
    return {}


def open_discussion(world, session, factories):
    from core.timeutil import utcnow
    X(world)["ranking_panel"].discussion_opened_at = utcnow()
    session.flush()
    return {}


def ranking_review(world, session, factories):
    from sqlalchemy import select

    from grants.reviews.models import Review, ReviewAssignment

    review = session.scalar(select(Review).join(ReviewAssignment).where(
        ReviewAssignment.application_id == X(world)["ranking_application"].id))
    return {"review": review}


def late_conflict(world, session, factories):
    """The marked review's reviewer declares a conflict with its application afterwards."""
    from core.timeutil import utcnow
    from grants.reviews.models import ConflictDeclaration

    review = X(world)["marked_review"]
    review.submitted_at = utcnow() - timedelta(days=2)
    session.add(ConflictDeclaration(
        panel_id=X(world)["review_panel"].id, reviewer_id=review.assignment.reviewer_id,
        application_id=review.assignment.application_id, reason="Joined its board.",
        declared_at=utcnow() - timedelta(days=1)))
    session.flush()
    return {}


def project_section(world, ctx):
    draft = world.alpha.draft
    return {"title": "Open budgets", "summary": "Publish the budget.", "problem": "Hidden.",
            "objectives": "Publish.", "duration_months": "6",
            "thematic_areas": [str(area.id) for area in draft.call.thematic_areas[:1]]}


def today():
    from grants.awards.operations import programme_today
    return programme_today()


def award_dates(world, ctx):
    return {"starts_on": today().isoformat(),
            "ends_on": (today() + timedelta(days=300)).isoformat(), "conditions": ""}


def award_edit(world, ctx):
    award = A(world).pending_award
    data = {**award_dates(world, ctx), "conditions": "Report every quarter."}
    for i, tranche in enumerate(award.tranches):
        data[f"tranches-{i}-tranche_id"] = str(tranche.id)
        data[f"tranches-{i}-percentage"] = str(tranche.percentage)
        data[f"tranches-{i}-planned_on"] = tranche.planned_on.isoformat() \
            if tranche.planned_on else ""
    return data


def idempotency_key(world, session, factories):
    from grants.awards.checks import new_idempotency_key
    return {"key": new_idempotency_key()}


def submitted_report(world, session, factories):
    from grants.monitoring import operations as monitoring
    monitoring.submit_report(A(world).report, A(world).owner)
    session.flush()
    return {}


def closable_award(world, session, factories):
    """Alpha's award with its open requests cancelled and its final report accepted."""
    from sqlalchemy import select

    from grants.awards.states import DisbursementState
    from grants.monitoring.models import ProgressReport
    from grants.monitoring.states import ReportKind, ReportState

    for entry in A(world).disbursements.values():
        if entry.state in (DisbursementState.requested, DisbursementState.approved):
            entry.state = DisbursementState.cancelled
    final = session.scalar(select(ProgressReport).where(
        ProgressReport.award_id == A(world).award.id, ProgressReport.kind == ReportKind.final))
    final.state = ReportState.accepted
    session.flush()
    return {}


def report_form(world, ctx):
    expenditure = A(world).expenditure
    return {"activities": "Two workshops held.", "results": "Budget published.",
            "challenges": "", "expenditures-0-id": str(expenditure.id),
            "expenditures-0-category": expenditure.category,
            "expenditures-0-spent_on": expenditure.spent_on.isoformat(),
            "expenditures-0-description": expenditure.description,
            "expenditures-0-amount": str(expenditure.amount)}


def form_values(data: dict, prefix: str = "") -> dict:
    """A form's ``data`` (as ``data_of`` gives it to fill the page) as the browser posts it:
    strings, rows of a list as ``name-0-field``, a ticked box as "y" and an unticked one
    left out."""
    from datetime import datetime

    posted = {}
    for name, value in data.items():
        key = f"{prefix}{name}"
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for i, row in enumerate(value):
                posted.update(form_values(row, f"{key}-{i}-"))
        elif isinstance(value, bool):
            if value:
                posted[key] = "y"
        elif value is None:
            posted[key] = ""
        elif isinstance(value, datetime):
            posted[key] = value.strftime("%Y-%m-%dT%H:%M")
        elif isinstance(value, date):
            posted[key] = value.isoformat()
        else:
            posted[key] = str(value)
    return posted


def fund_form(world, ctx):
    from grants.calls.forms import FundForm
    return {**form_values(FundForm.data_of(X(world)["fund"])), "name": "Renamed fund"}


def call_form(world, ctx):
    from grants.calls.forms import CallForm
    return {**form_values(CallForm.data_of(X(world)["draft_call"])), "title": "Renamed call"}


def rubric_form(world, ctx):
    from grants.calls.forms import RubricForm
    data = form_values(RubricForm.data_of(X(world)["draft_call"], extra_rows=0))
    data["criteria-0-guidance"] = "Read the problem statement first."
    return data


PASSWORD = "a long enough passphrase 2026"


def unconfirmed(world, session, factories):
    return {"user": factories.user(confirmed=False, name="Unconfirmed Person")}


def reset_link(world, session, factories):
    from accounts.operations import _reset_fingerprint
    from core.tokens import make_token

    user = world.alpha.owner
    return {"token": make_token("reset", {"u": user.id, "f": _reset_fingerprint(user)})}


def admin_invitation(world, session, factories):
    from sqlalchemy import select

    from accounts.models import UserInvitation
    from accounts.operations import _invite_fingerprint, invite_user
    from core.tokens import make_token

    invitation = invite_user(email="invited-twice@example.org", name="Invited Twice",
                             roles=["reviewer"], invited_by=world.admin)
    session.flush()
    invitation = session.scalar(select(UserInvitation).where(
        UserInvitation.id == invitation.id))
    return {"token": make_token("invite", {"u": invitation.user_id, "i": invitation.id,
                                           "f": _invite_fingerprint(invitation)})}


def duplicate_organisation(world, session, factories):
    return {"duplicate": factories.organisation(name="Alpha Organisation (copy)")}


def duplicate_person(world, session, factories):
    from coalitions.events.models import Person

    kept = Person(full_name="Rosa Duplicate", email="rosa.dup@example.org")
    duplicate = Person(full_name="Rosa Duplicate", email="")
    session.add_all([kept, duplicate])
    session.flush()
    return {"kept": kept, "duplicate": duplicate}


def new_call_form(world, ctx):
    from grants.calls.forms import CallForm
    return {**form_values(CallForm.defaults(X(world)["fund"].id)), "title": "Double call",
            "summary": "Small grants."}


def implemented_plan(world, session, factories):
    """The world's action plan in implementation, where milestones' progress is recorded."""
    from coalitions.plans.states import PlanState
    X(world)["action_plan"].state = PlanState.in_implementation
    return {}


def linked_award(world, session, factories):
    from coalitions.coalitions.models import coalition_awards
    session.execute(coalition_awards.insert().values(coalition_id=X(world)["coalition"].id,
                                                     award_id=A(world).award.id))
    return {}


def attendance_sheet(world, ctx):
    """A small attendance sheet for the world's event: a new person and a new organisation
    (a fresh stream for each request)."""
    import io

    from tests.coalitions.events import csv_bytes, row

    sheet = csv_bytes([row(name="Double Importer", email="double.importer@example.org",
                           organisation="Double Import Collective")])
    return {"file": (io.BytesIO(sheet), "attendance.csv")}
