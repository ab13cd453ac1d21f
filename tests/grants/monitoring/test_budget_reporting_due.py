"""Budget versus actual flags an award's under-spending only once the report covering its
budget's period (the final report) is due or accepted."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.timeutil import programme_today
from grants.awards.models import Award
from grants.awards.states import AwardState
from grants.monitoring.award_reports import budget_reporting_due
from grants.monitoring.models import ProgressReport
from grants.monitoring.queries import award_budget
from grants.monitoring.states import ReportKind, ReportState


@pytest.fixture
def demo_programme(app, db_session):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output


def test_the_final_reports_due_day_or_acceptance_makes_the_budget_due(demo_programme,
                                                                      db_session):
    today = date(2026, 6, 1)
    active = db_session.query(Award).filter(Award.state == AwardState.active).first()
    final = db_session.query(ProgressReport).filter_by(award_id=active.id,
                                                       kind=ReportKind.final).one()
    final.state = ReportState.due
    final.due_on = today + timedelta(days=30)
    db_session.flush()
    assert active.id not in budget_reporting_due([active.id], today)
    final.due_on = today - timedelta(days=1)
    db_session.flush()
    assert active.id in budget_reporting_due([active.id], today)
    final.due_on = today + timedelta(days=30)
    final.state = ReportState.accepted
    db_session.flush()
    assert active.id in budget_reporting_due([active.id], today)


def test_active_grants_that_have_not_reported_are_not_off_budget(demo_programme, db_session):
    flagged_without_report = []
    for award in db_session.query(Award).filter(Award.state == AwardState.active):
        table = award_budget(award).table
        final = db_session.query(ProgressReport).filter_by(award_id=award.id,
                                                           kind=ReportKind.final).one()
        if final.state != ReportState.accepted and final.due_on >= programme_today():
            flagged_without_report += [row for row in table.rows
                                       if row.is_flagged and row.spent < row.budgeted]
    assert flagged_without_report == []
