"""Read helpers for reports, budgets, close-out and the dashboards.

Every page loads what it shows in a fixed number of queries whatever the number of awards,
reports or ledger entries: eager loading for the objects, one aggregate query per kind of
sum. The arithmetic on those sums lives in ``grants.monitoring.budget``; the award's money
(awarded, committed, disbursed…) is ``grants.ledger.money``'s.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from accounts.organisations.models import Organisation, OrganisationMember
from core import work
from core.extensions import db
from core.money import cents, format_money
from core.timeutil import programme_today
from core.uploads.models import StoredFile
from grants.applications.models import BUDGET_CATEGORIES, Application, BudgetLine
from grants.awards.models import Award, Disbursement, Tranche
from grants.awards.policies import can_request_disbursement
from grants.awards.states import AwardState, DisbursementState, TrancheCondition
from grants.calls.models import Call, Fund
from grants.calls.queries import call_titles
from grants.ledger import queries as ledger_queries
from grants.ledger.money import Money, select_money
from grants.ledger.queries import money_by_award, money_by_tranche, money_of
from grants.monitoring import budget
from grants.monitoring.award_reports import budget_reporting_due
from grants.monitoring.models import Expenditure, ProgressReport, ReportEvidence, ReportVersion
from grants.monitoring.policies import (
    EDITABLE_STATES,
    REPORTING_AWARD_STATES,
    can_review_reports,
    can_view_my_grants,
)
from grants.monitoring.states import ReportKind, ReportState

ZERO = Decimal("0.00")
#: Reminders start this many days before a report's due date.
REMIND_DAYS_BEFORE = 7
CATEGORY_ORDER = [key for key, _title in BUDGET_CATEGORIES]


# Loading -----------------------------------------------------------------------------------

def _award_options():
    return (joinedload(Award.application).joinedload(Application.organisation),
            joinedload(Award.application).joinedload(Application.call).joinedload(Call.fund))


def load_award(award_id: int) -> Award | None:
    return db.session.scalar(select(Award).where(Award.id == award_id)
                             .options(*_award_options()))


def load_report(report_id: int) -> ProgressReport | None:
    """The report with its award, application and every version's evidence and expenditure."""
    versions = selectinload(ProgressReport.versions)
    return db.session.scalar(
        select(ProgressReport).where(ProgressReport.id == report_id)
        .options(joinedload(ProgressReport.award).joinedload(Award.application)
                 .joinedload(Application.organisation),
                 versions.selectinload(ReportVersion.evidence),
                 versions.selectinload(ReportVersion.expenditures)
                 .joinedload(Expenditure.receipt_file),
                 versions.joinedload(ReportVersion.submitted_by),
                 versions.joinedload(ReportVersion.reviewed_by)))


def draft_version(report: ProgressReport) -> ReportVersion | None:
    """The version the grantee is writing: the last one, while it is not submitted."""
    version = report.current_version
    return version if version is not None and version.submitted_at is None else None


def submitted_versions(report: ProgressReport) -> list[ReportVersion]:
    return [version for version in report.versions if version.submitted_at is not None]


def latest_submitted_version(report: ProgressReport) -> ReportVersion | None:
    versions = submitted_versions(report)
    return versions[-1] if versions else None


def award_reports(award: Award) -> list[ProgressReport]:
    return list(db.session.scalars(select(ProgressReport).where(
        ProgressReport.award_id == award.id).order_by(ProgressReport.due_on, ProgressReport.id)))


def report_file(report: ProgressReport, file_id: int) -> StoredFile | None:
    """A stored file that is evidence or a receipt of one of the report's versions."""
    evidence = select(ReportEvidence.stored_file_id).join(ReportEvidence.version).where(
        ReportVersion.report_id == report.id, ReportEvidence.stored_file_id == file_id)
    receipts = select(Expenditure.receipt_file_id).join(Expenditure.version).where(
        ReportVersion.report_id == report.id, Expenditure.receipt_file_id == file_id)
    if db.session.scalar(evidence.limit(1)) is None and \
            db.session.scalar(receipts.limit(1)) is None:
        return None
    return db.session.get(StoredFile, file_id)


def budget_categories(application: Application) -> list[str]:
    """The categories of the application's budget, in the budget form's order; every
    category when the budget has no lines (so that spending can still be reported)."""
    used = set(db.session.scalars(select(BudgetLine.category).where(
        BudgetLine.application_id == application.id).distinct()))
    if not used:
        return list(CATEGORY_ORDER)
    return sorted(used, key=lambda key: (CATEGORY_ORDER.index(key)
                                         if key in CATEGORY_ORDER else len(CATEGORY_ORDER),
                                         key))


# Budget versus actual ----------------------------------------------------------------------

def accepted_versions():
    """The accepted version of each accepted report: its last submitted version (nothing
    can be written to a report once it is accepted)."""
    latest = (select(ReportVersion.report_id, func.max(ReportVersion.number).label("number"))
              .where(ReportVersion.submitted_at.is_not(None))
              .group_by(ReportVersion.report_id).subquery())
    return (select(ReportVersion.id)
            .join(ProgressReport, ReportVersion.report_id == ProgressReport.id)
            .join(latest, (latest.c.report_id == ReportVersion.report_id)
                  & (latest.c.number == ReportVersion.number))
            .where(ProgressReport.state == ReportState.accepted))


def budgeted_by_category(award: Award) -> dict[str, Decimal]:
    rows = db.session.execute(
        select(BudgetLine.category, func.sum(BudgetLine.amount))
        .where(BudgetLine.application_id == award.application_id)
        .group_by(BudgetLine.category))
    return {category: cents(total) for category, total in rows}


def spent_by_category(award: Award) -> dict[str, Decimal]:
    """Expenditure of the award's accepted report versions only."""
    accepted = accepted_versions().where(ProgressReport.award_id == award.id)
    rows = db.session.execute(
        select(Expenditure.category, func.sum(Expenditure.amount))
        .where(Expenditure.version_id.in_(accepted))
        .group_by(Expenditure.category))
    return {category: cents(total) for category, total in rows}


@dataclass
class AwardBudget:
    award: Award
    table: budget.BudgetVsActual
    position: budget.Spending


def award_budget(award: Award) -> AwardBudget:
    spent = spent_by_category(award)
    due = award.id in budget_reporting_due([award.id], programme_today())
    table = budget.budget_vs_actual(budgeted_by_category(award), spent, CATEGORY_ORDER,
                                    reporting_due=due)
    position = budget.spending(money_of(award), table.total.spent)
    return AwardBudget(award=award, table=table, position=position)


# Tranches ----------------------------------------------------------------------------------

@dataclass
class TrancheStatus:
    tranche: Tranche
    #: The tranche's money, its planned amount standing for the amount awarded.
    money: Money
    condition_met: bool

    @property
    def has_pending_request(self) -> bool:
        return self.money.open > 0

    @property
    def is_paid(self) -> bool:
        return self.money.disbursed >= self.tranche.planned_amount


def _accepted_kinds(award_ids) -> dict[int, set[ReportKind]]:
    ids = list(award_ids)
    kinds: dict[int, set[ReportKind]] = defaultdict(set)
    if ids:
        for award_id, kind in db.session.execute(
                select(ProgressReport.award_id, ProgressReport.kind).distinct()
                .where(ProgressReport.award_id.in_(ids),
                       ProgressReport.state == ReportState.accepted)):
            kinds[award_id].add(kind)
    return kinds


def condition_met(award: Award, condition: TrancheCondition, accepted: set[ReportKind]) -> bool:
    if condition == TrancheCondition.signature:
        return award.signed_on is not None or award.state in (
            AwardState.active, AwardState.suspended, AwardState.closed)
    if condition == TrancheCondition.midterm_report:
        return ReportKind.midterm in accepted
    return ReportKind.final in accepted


def tranche_statuses(tranches: list[Tranche]) -> list[TrancheStatus]:
    """Money (disbursed, open requests) and whether the release condition holds, for
    tranches whose award is loaded: two aggregate queries, whatever the number of
    tranches."""
    money = money_by_tranche(tranches)
    accepted = _accepted_kinds({tranche.award_id for tranche in tranches})
    return [TrancheStatus(tranche=tranche, money=money[tranche.id],
                          condition_met=condition_met(tranche.award, tranche.condition,
                                                      accepted[tranche.award_id]))
            for tranche in tranches]


# The grantee's dashboard -------------------------------------------------------------------

@dataclass
class GrantSummary:
    award: Award
    money: Money
    next_tranche: TrancheStatus | None
    reports: list[ProgressReport] = field(default_factory=list)


def grants_of_user(user, today: date) -> list[GrantSummary]:
    """Awards of the organisations ``user`` belongs to, each with what was paid, the next
    tranche (the first one not fully paid) and the reports not yet accepted."""
    organisations = select(OrganisationMember.organisation_id).where(
        OrganisationMember.user_id == user.id)
    awards = list(db.session.scalars(
        select(Award).join(Award.application)
        .where(Application.organisation_id.in_(organisations))
        .options(contains_eager(Award.application).joinedload(Application.organisation),
                 selectinload(Award.tranches))
        .order_by(Award.starts_on.desc(), Award.id.desc())))
    if not awards:
        return []
    ids = [award.id for award in awards]
    money = money_by_award(awards)
    statuses = tranche_statuses([tranche for award in awards for tranche in award.tranches])
    by_award: dict[int, list[TrancheStatus]] = defaultdict(list)
    for status in statuses:
        by_award[status.tranche.award_id].append(status)
    reports: dict[int, list[ProgressReport]] = defaultdict(list)
    for report in db.session.scalars(
            select(ProgressReport)
            .where(ProgressReport.award_id.in_(ids), ProgressReport.state != ReportState.accepted)
            .order_by(ProgressReport.due_on, ProgressReport.id)):
        reports[report.award_id].append(report)
    return [GrantSummary(award=award, money=money[award.id],
                         next_tranche=next((s for s in by_award[award.id] if not s.is_paid),
                                           None),
                         reports=reports[award.id])
            for award in awards]


# The finance and staff dashboard -----------------------------------------------------------

@dataclass
class CallMoney:
    call_id: int
    call_title: str
    currency: str
    awards: int
    money: Money


def totals_by_currency(calls: Iterable[CallMoney]) -> list[tuple[str, int, Money]]:
    """(currency, awards, money) per currency, by code: currencies are never added."""
    by_currency: dict[str, tuple[int, Money]] = {}
    for row in calls:
        count, total = by_currency.get(row.currency, (0, Money()))
        by_currency[row.currency] = (count + row.awards, total + row.money)
    return [(code, *by_currency[code]) for code in sorted(by_currency)]


@dataclass
class FundMoney:
    fund_id: int
    fund_name: str
    calls: list[CallMoney]

    @property
    def totals(self) -> list[tuple[str, int, Money]]:
        return totals_by_currency(self.calls)


def money_by_fund() -> list[FundMoney]:
    """The money of the awards per fund, call and currency: one aggregate query."""
    keys = (Fund.id.label("fund_id"), Fund.name.label("fund_name"),
            Call.id.label("call_id"), Call.title.label("call_title"),
            Award.currency.label("currency"))
    rows = db.session.execute(
        select_money(*keys).add_columns(func.count(Award.id).label("awards"))
        .join(Application, Award.application_id == Application.id)
        .join(Call, Application.call_id == Call.id)
        .join(Fund, Call.fund_id == Fund.id)
        .order_by(Fund.name, Fund.id, Call.title, Call.id, Award.currency))
    funds: dict[int, FundMoney] = {}
    titles = call_titles()
    for row in rows:
        fund = funds.setdefault(row.fund_id, FundMoney(row.fund_id, row.fund_name, []))
        fund.calls.append(CallMoney(row.call_id, titles[row.call_id], row.currency,
                                    int(row.awards), Money.of(row._mapping)))
    return list(funds.values())


def requests_awaiting_approval() -> list[Disbursement]:
    return list(db.session.scalars(
        select(Disbursement).where(Disbursement.state == DisbursementState.requested)
        .options(joinedload(Disbursement.award).joinedload(Award.application)
                 .joinedload(Application.organisation),
                 joinedload(Disbursement.tranche), joinedload(Disbursement.requested_by))
        .order_by(Disbursement.requested_at, Disbursement.id)))


def upcoming_tranches(limit: int = 50) -> list[TrancheStatus]:
    """Tranches of running awards not paid yet and not requested yet, by planned date."""
    tranches = list(db.session.scalars(
        select(Tranche).join(Tranche.award)
        .where(Award.state.in_(REPORTING_AWARD_STATES))
        .options(contains_eager(Tranche.award).joinedload(Award.application)
                 .joinedload(Application.organisation))
        .order_by(Tranche.planned_on.is_(None), Tranche.planned_on, Tranche.award_id,
                  Tranche.sequence)))
    statuses = [status for status in tranche_statuses(tranches)
                if not status.is_paid and not status.has_pending_request]
    return statuses[:limit]


def _reports_with_grantee():
    return (select(ProgressReport).join(ProgressReport.award).join(Award.application)
            .options(contains_eager(ProgressReport.award).contains_eager(Award.application)
                     .joinedload(Application.organisation)))


def overdue_reports(today: date) -> list[ProgressReport]:
    return list(db.session.scalars(
        _reports_with_grantee()
        .where(ProgressReport.state.in_(EDITABLE_STATES), ProgressReport.due_on < today,
               Award.state.in_(REPORTING_AWARD_STATES))
        .order_by(ProgressReport.due_on, ProgressReport.id)))


def reports_awaiting_review() -> list[ProgressReport]:
    return list(db.session.scalars(
        _reports_with_grantee().where(ProgressReport.state == ReportState.submitted)
        .order_by(ProgressReport.due_on, ProgressReport.id)))


# Reminders ---------------------------------------------------------------------------------

def reports_for_reminder(today: date) -> list[ProgressReport]:
    """Reports still to be written (due or returned) of running awards, due within seven
    days or already past, not reminded today; ``operations.reminder_is_due`` decides."""
    members = selectinload(ProgressReport.award).joinedload(Award.application) \
        .joinedload(Application.organisation).selectinload(Organisation.members) \
        .joinedload(OrganisationMember.user)
    return list(db.session.scalars(
        select(ProgressReport).join(ProgressReport.award)
        .where(ProgressReport.state.in_(EDITABLE_STATES),
               Award.state.in_(REPORTING_AWARD_STATES),
               ProgressReport.due_on <= today + timedelta(days=REMIND_DAYS_BEFORE),
               ProgressReport.last_reminded_on.is_(None)
               | (ProgressReport.last_reminded_on < today))
        .options(members)
        .order_by(ProgressReport.due_on, ProgressReport.id)))


# Close-out ---------------------------------------------------------------------------------

@dataclass
class CloseOut:
    award: Award
    position: budget.Spending
    final_accepted: bool
    reports_not_accepted: list[ProgressReport]
    pending_requests: int

    @property
    def balance(self) -> Decimal:
        """What is committed but not disbursed: de-obligated on closing, with a reason."""
        return self.position.money.undisbursed

    @property
    def needs_reason(self) -> bool:
        return self.balance != 0

    @property
    def is_ready(self) -> bool:
        """Ready to close, once a reason is given for de-obligating any balance."""
        return (self.award.state == AwardState.active and self.final_accepted
                and self.pending_requests == 0 and self.balance >= 0)


def close_out(award: Award) -> CloseOut:
    reports = list(db.session.scalars(
        select(ProgressReport).where(ProgressReport.award_id == award.id)
        .order_by(ProgressReport.due_on, ProgressReport.id)))
    position = budget.spending(money_of(award), sum(spent_by_category(award).values(), ZERO))
    return CloseOut(
        award=award, position=position,
        final_accepted=any(r.kind == ReportKind.final and r.state == ReportState.accepted
                           for r in reports),
        reports_not_accepted=[r for r in reports if r.state != ReportState.accepted],
        pending_requests=ledger_queries.pending_requests(award))


# My work -----------------------------------------------------------------------------------

#: Tranches planned within this many days show on staff's home page.
TRANCHE_HORIZON_DAYS = 30


def _report_title(report: ProgressReport) -> str:
    return report.title or report.kind.title


@work.provide("monitoring.grants", _l("My grants"), can_view_my_grants, order=25,
              see_all="monitoring.my_grants")
def my_grants_work(user, today: date) -> list[work.WorkItem]:
    """The grantee's reports to write (the soonest due first) and each grant's next
    payment."""
    items = []
    for grant in grants_of_user(user, today):
        award = grant.award
        for report in grant.reports:
            if report.state in EDITABLE_STATES:
                items.append(work.WorkItem(
                    label=_report_title(report),
                    url=url_for("monitoring.edit_report", report_id=report.id),
                    detail=award.reference if report.state == ReportState.due
                    else f"{award.reference} · {report.state.title}", due=report.due_on,
                    overdue=report.due_on < today))
        tranche = grant.next_tranche
        if tranche is not None and award.state in REPORTING_AWARD_STATES:
            items.append(work.WorkItem(
                label=_("Next payment: %(amount)s", amount=format_money(
                    tranche.tranche.planned_amount, award.currency)),
                url=url_for("awards.detail", award_id=award.id),
                detail=award.reference, due=tranche.tranche.planned_on))
    return sorted(items, key=lambda item: (item.due is None, item.due or today))


@work.provide("monitoring.reports", _l("Progress reports"), can_review_reports, order=60,
              see_all="monitoring.finance_dashboard")
def reports_work(user, today: date) -> list[work.WorkItem]:
    """Reports submitted and waiting for review, then reports overdue."""
    items = [work.WorkItem(label=_report_title(report),
                           url=url_for("monitoring.review_report", report_id=report.id),
                           detail=f"{report.award.application.organisation.name} · "
                                  f"{_('Submitted: to review')}")
             for report in reports_awaiting_review()]
    items += [work.WorkItem(label=_report_title(report),
                            url=url_for("monitoring.report", report_id=report.id),
                            detail=f"{report.award.application.organisation.name} · "
                                   f"{report.state.title}",
                            due=report.due_on, overdue=True)
              for report in overdue_reports(today)]
    return items


@work.provide("monitoring.tranches", _l("Tranches due"), can_request_disbursement, order=70,
              see_all="monitoring.finance_dashboard")
def tranches_work(user, today: date) -> list[work.WorkItem]:
    """Tranches planned within the next month (or before) that nobody has requested yet."""
    horizon = today + timedelta(days=TRANCHE_HORIZON_DAYS)
    items = []
    for status in upcoming_tranches():
        tranche, award = status.tranche, status.tranche.award
        if tranche.planned_on is None or tranche.planned_on > horizon:
            continue
        ready = status.condition_met
        items.append(work.WorkItem(
            label=f"{award.reference} · {format_money(tranche.planned_amount, award.currency)}",
            url=url_for("awards.request_disbursement", award_id=award.id,
                        tranche_id=tranche.id) if ready
            else url_for("awards.detail", award_id=award.id),
            detail=f"{award.application.organisation.name} · "
                   + (_("Ready to request") if ready else _("Its condition is not met yet")),
            due=tranche.planned_on, overdue=tranche.planned_on < today))
    return items
