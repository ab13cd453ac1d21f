"""The progress reports a grant agreement schedules: created when the award is issued, moved
with the award's dates, and which of them are accepted (the tranches wait on them).

Awards come earlier in the pipeline and ask for these through ``core.contributions``.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select

from core import contributions
from core.extensions import db
from grants.awards.models import Award
from grants.monitoring.models import ProgressReport
from grants.monitoring.states import ReportKind, ReportState


@contributions.provide("award.schedule_reports")
def schedule_reports(award: Award, midterm_due: date, final_due: date) -> list[ProgressReport]:
    """Add the award's mid-term and final reports, due on those days."""
    reports = [ProgressReport(award_id=award.id, kind=ReportKind.midterm, due_on=midterm_due,
                              state=ReportState.due),
               ProgressReport(award_id=award.id, kind=ReportKind.final, due_on=final_due,
                              state=ReportState.due)]
    db.session.add_all(reports)
    return reports


@contributions.provide("award.reschedule_reports")
def reschedule_reports(award: Award, due: dict[ReportKind, date]) -> None:
    """Move the reports still due to the new days (``{kind: day}``)."""
    for report in reports_of(award):
        if report.kind in due and report.state == ReportState.due:
            report.due_on = due[report.kind]


@contributions.provide("award.reports")
def reports_of(award: Award) -> list[ProgressReport]:
    return list(db.session.scalars(select(ProgressReport)
                                   .where(ProgressReport.award_id == award.id)
                                   .order_by(ProgressReport.due_on, ProgressReport.id)))


@contributions.provide("award.accepted_report_kinds")
def accepted_report_kinds(award: Award) -> set[ReportKind]:
    return set(db.session.scalars(select(ProgressReport.kind).where(
        ProgressReport.award_id == award.id, ProgressReport.state == ReportState.accepted)))


def budget_reporting_due(award_ids, today: date) -> set[int]:
    """The awards of ``award_ids`` (ids, or a select of them) whose budget's period is due
    to be reported: the final report is accepted or its due day is before ``today``. Budget
    versus actual flags under-spending only for these (``grants.monitoring.budget``)."""
    return set(db.session.scalars(
        select(ProgressReport.award_id).where(
            ProgressReport.award_id.in_(award_ids), ProgressReport.kind == ReportKind.final,
            or_(ProgressReport.state == ReportState.accepted, ProgressReport.due_on < today))
        .distinct()))
