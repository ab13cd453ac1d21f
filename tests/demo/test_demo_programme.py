"""The demo programme is alive on the day it is loaded (DESIGN.md §5): the 2018–2019
reference programme is finished history, and a current cycle is placed around the load date."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import func, select

from accounts.organisations.models import OrganisationMember
from core.audit.models import AuditEntry
from grants.applications.models import Application, Endorsement, EndorsementState
from grants.applications.states import ApplicationState
from grants.awards.models import Award, Disbursement
from grants.awards.states import AwardState
from grants.calls.models import Call, Fund
from grants.calls.states import CallState
from grants.ledger.queries import money_of
from grants.monitoring.models import ProgressReport
from grants.monitoring.states import ReportState
from grants.reviews.conflicts import conflicts_by_reviewer
from grants.reviews.models import ConflictDeclaration, Panel
from reporting.opendata.package import collect
from reporting.portal.queries import public_projects
from reporting.workbook.builder import build_donor_workbook

TODAY = date(2026, 12, 6)
REFERENCE_FUND = "Promoting an Open Government Ecosystem in Belize"


def _load(app, today: date = TODAY):
    result = app.test_cli_runner().invoke(args=["demo", "load", "--today", today.isoformat()])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def loaded(app, db_session):
    _load(app)
    return db_session


def _reference_call(session) -> Call:
    return session.scalar(select(Call).where(Call.title == "Open Government Mini-Grants 2018"))


def _reference_awards(session) -> list[Award]:
    call = _reference_call(session)
    return list(session.scalars(select(Award).join(Award.application)
                                .where(Application.call_id == call.id)
                                .order_by(Award.reference)))


# The reference programme is history -------------------------------------------------------

def test_all_eight_reference_awards_are_signed_paid_reported_and_closed(loaded):
    awards = _reference_awards(loaded)
    assert len(awards) == 8
    for award in awards:
        assert award.state == AwardState.closed, award.reference
        assert award.signed_on is not None and award.agreement_file_id is not None
        totals = money_of(award)
        assert totals.disbursed == award.amount == Decimal("5000.00"), award.reference
        assert totals.requested == totals.approved == 0
        reports = loaded.scalars(select(ProgressReport)
                                 .where(ProgressReport.award_id == award.id)).all()
        assert reports and all(r.state == ReportState.accepted for r in reports)
    assert sum(money_of(a).disbursed for a in awards) == Decimal("40000.00")


def test_all_eight_are_public_with_their_qr_code(loaded, client):
    references = {award.reference for award in _reference_awards(loaded)}
    assert references <= {project.reference for project in public_projects()}
    for reference in references:
        assert client.get(f"/projects/{reference}").status_code == 200
        assert client.get(f"/projects/{reference}/qr.svg").status_code == 200


def test_the_2018_call_reads_as_decided(loaded, client):
    call = _reference_call(loaded)
    assert call.state == CallState.decided
    assert loaded.scalar(select(AuditEntry.id).where(AuditEntry.action == "call.decide",
                                                     AuditEntry.object_id == str(call.id)))
    html = client.get("/calls").get_data(as_text=True)
    start = html.index("Open Government Mini-Grants 2018")
    row = html[start:html.index("</tr>", start)]
    assert "Decided" in row and "In review" not in row
    pending = loaded.scalar(select(func.count()).select_from(Application).where(
        Application.call_id == call.id,
        Application.state.in_([ApplicationState.submitted, ApplicationState.eligible,
                               ApplicationState.in_review])))
    assert pending == 0


def test_every_2018_endorsement_is_answered_and_bound(loaded):
    call = _reference_call(loaded)
    endorsements = loaded.scalars(select(Endorsement).join(Endorsement.application)
                                  .where(Application.call_id == call.id)).all()
    assert endorsements
    for endorsement in endorsements:
        assert endorsement.is_answered, endorsement.application.reference
        assert endorsement.terms_hash
        if endorsement.application.state == ApplicationState.awarded:
            assert endorsement.state == EndorsementState.endorsed


def test_open_data_and_the_workbook_agree_on_eight_grants(loaded):
    fund = loaded.scalar(select(Fund).where(Fund.name == REFERENCE_FUND))
    grants = collect(fund.id).grants
    buffer = io.BytesIO()
    build_donor_workbook(None, fund.id).save(buffer)
    buffer.seek(0)
    rows = list(openpyxl.load_workbook(buffer)["Awards"].iter_rows(values_only=True))[1:]
    awards = [row for row in rows if row[0] not in (None, "Total")]
    assert len(grants) == len(awards) == 8


def test_the_reference_numbers_are_unchanged(loaded):
    from reporting.indicators.queries import Period, compute

    indicators = compute(Period(date(2018, 1, 1), date(2019, 12, 31)))
    assert (indicators.events, indicators.organisations, indicators.participants,
            indicators.under_30, indicators.female, indicators.international_experts) == \
        (21, 114, 212, 63, 109, 23)
    assert indicators.grants_by_currency == {"USD": (8, Decimal("40000.00"))}


def test_staff_and_finance_act_on_no_organisation_of_theirs(loaded):
    from accounts.models import User

    for email in ("staff@demo.example.org", "finance@demo.example.org"):
        user = loaded.scalar(select(User).where(User.email == email))
        theirs = set(loaded.scalars(select(OrganisationMember.organisation_id)
                                    .where(OrganisationMember.user_id == user.id)))
        acted_on = set(loaded.scalars(select(Application.organisation_id).join(
            Award, Award.application_id == Application.id)))
        acted_on |= set(loaded.scalars(select(Application.counterpart_organisation_id)))
        assert not theirs & acted_on, email


# The current cycle -------------------------------------------------------------------------

def test_an_open_call_with_days_left(loaded):
    now = TODAY
    open_calls = [call for call in loaded.scalars(select(Call).where(
        Call.state == CallState.published)) if call.closes_at.date() > now]
    assert open_calls
    assert all(call.opens_at.date() <= now for call in open_calls)
    days_left = (open_calls[0].closes_at.date() - now).days
    assert 0 < days_left < 60


def test_applications_in_every_state_in_the_current_cycle(loaded):
    states = set(loaded.scalars(select(Application.state).join(Application.call)
                                .where(Call.opens_at > datetime.combine(
                                    TODAY - timedelta(days=400), time(), tzinfo=UTC))))
    assert states == set(ApplicationState)


def test_a_panel_mid_review_with_a_declared_and_a_detected_conflict(loaded):
    panel = loaded.scalar(select(Panel).join(Panel.call)
                          .where(Call.state == CallState.in_review))
    assert panel is not None and panel.due_at.date() > TODAY
    assert loaded.scalar(select(func.count()).select_from(ConflictDeclaration)
                         .where(ConflictDeclaration.panel_id == panel.id)) >= 1
    declared = {d.reviewer_id for d in panel.conflicts}
    detected = {user_id for user_id, ids in conflicts_by_reviewer(panel).items() if ids}
    assert detected - declared  # a conflict found from membership, not declared
    states = {a.review.state if a.review else None for a in panel.assignments}
    assert len(states) > 1  # some reviews submitted, others still to do


def test_a_tranche_due_this_month_and_a_report_overdue_by_days(loaded):
    from grants.awards.models import Tranche

    due = loaded.scalars(select(Tranche).where(
        Tranche.planned_on >= TODAY.replace(day=1),
        Tranche.planned_on < (TODAY.replace(day=28) + timedelta(days=4)).replace(day=1))).all()
    unpaid = [t for t in due if not any(
        d.tranche_id == t.id for d in loaded.scalars(select(Disbursement).where(
            Disbursement.tranche_id == t.id, Disbursement.state == "paid")))]
    assert unpaid
    overdue = loaded.scalars(select(ProgressReport).where(
        ProgressReport.state == ReportState.due, ProgressReport.due_on < TODAY)).all()
    assert overdue
    assert all(0 < (TODAY - report.due_on).days < 60 for report in overdue)


def test_an_event_waits_for_its_attendance(loaded):
    from coalitions.events.models import Attendance, Event

    recent = loaded.scalars(select(Event).where(Event.starts_on <= TODAY,
                                                Event.starts_on > TODAY - timedelta(days=30)))
    waiting = [event for event in recent if not loaded.scalar(
        select(Attendance.id).where(Attendance.event_id == event.id).limit(1))]
    assert waiting


# Idempotent and deterministic --------------------------------------------------------------

def _snapshot(session) -> dict:
    from coalitions.events.models import Event

    return {
        "applications": sorted((a.reference or "", a.title, a.state.value) for a in
                               session.scalars(select(Application))),
        "awards": sorted((a.reference, a.state.value, str(a.starts_on)) for a in
                         session.scalars(select(Award))),
        "calls": sorted((c.title, c.state.value, c.closes_at.isoformat()) for c in
                        session.scalars(select(Call))),
        "reports": sorted((str(r.due_on), r.state.value) for r in
                          session.scalars(select(ProgressReport))),
        "disbursements": session.scalar(select(func.count()).select_from(Disbursement)),
        "conflicts": session.scalar(select(func.count()).select_from(ConflictDeclaration)),
        "events": session.scalar(select(func.count()).select_from(Event)),
    }


def test_loading_twice_changes_nothing(app, db_session):
    _load(app)
    first = _snapshot(db_session)
    audit = db_session.scalar(select(func.count()).select_from(AuditEntry))
    _load(app)
    assert _snapshot(db_session) == first
    assert db_session.scalar(select(func.count()).select_from(AuditEntry)) == audit


def _load_and_undo(app, connection) -> dict:
    """Load into the empty database, note what is there, and undo the load."""
    from core.extensions import db

    savepoint = connection.begin_nested()
    original = db.session
    db.session = db._make_scoped_session({"class_": type(original()), "bind": connection,
                                          "join_transaction_mode": "create_savepoint"})
    try:
        assert db.session.scalar(select(func.count()).select_from(Call)) == 0
        _load(app)
        return _snapshot(db.session)
    finally:
        db.session.remove()
        db.session = original
        savepoint.rollback()


def test_the_same_date_gives_the_same_programme(app, db_session):
    connection = db_session.get_bind()
    first = _load_and_undo(app, connection)
    assert first["applications"] and first["awards"]
    assert _load_and_undo(app, connection) == first


def test_the_current_cycle_follows_the_load_date(app, db_session):
    _load(app, date(2031, 3, 17))
    calls = [call for call in db_session.scalars(select(Call).where(
        Call.state == CallState.published))]
    assert calls and all(call.closes_at.date() > date(2031, 3, 17) for call in calls)
