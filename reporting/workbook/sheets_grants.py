"""The grant sheets of the donor workbook: calls, applications, awards, the disbursement
ledger, budget versus actual and progress reports.

Each function returns a :class:`~reporting.workbook.sheet.SheetSpec` whose rows are a
generator: its grouped queries and its streamed query run when the sheet is written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import aliased, joinedload

from accounts.organisations.models import Organisation
from core.extensions import db
from core.spreadsheets import Column
from core.timeutil import programme_today
from grants.applications.models import BUDGET_CATEGORY_TITLES, Application, BudgetLine, Endorsement
from grants.awards.dates import decided_column
from grants.awards.models import Award, Disbursement, Tranche
from grants.awards.states import DisbursementKind, DisbursementState
from grants.calls.models import Call, Fund
from grants.calls.states import CallState
from grants.ledger.money import label as money_label
from grants.monitoring import budget
from grants.monitoring.award_reports import budget_reporting_due
from grants.monitoring.models import Expenditure, ProgressReport, ReportVersion
from grants.monitoring.queries import CATEGORY_ORDER, accepted_versions
from grants.ranking.queries import RANKED_STATES, review_records, totals_of_records
from grants.reviews import scoring
from grants.reviews.conflicts import viewer_conflicts
from grants.reviews.models import Panel
from reporting.workbook import queries
from reporting.workbook.queries import AwardMoney, Scope, joined, money, stream
from reporting.workbook.sheet import SheetSpec, at, money_totals, title_of


def _kind_title(kind: DisbursementKind) -> str:
    return _("Reversal") if kind == DisbursementKind.reversal else _("Payment")


# Calls ---------------------------------------------------------------------------------------

def calls_sheet(scope: Scope) -> SheetSpec:
    """Published calls (never drafts) open during the period: the window from opening to
    closing shares a day with it."""
    currency = queries.single_currency(
        select(Fund.currency).join(Call, Call.fund_id == Fund.id)
        .where(*_calls_filter(scope)))
    columns = [
        Column(_("Call"), width=36, wrap=True),
        Column(_("Fund"), width=32, wrap=True), Column(_("State"), width=12, wrap=True),
        Column(at(_("Opens")), "datetime"), Column(at(_("Closes")), "datetime"),
        Column(_("Award amount"), "money", currency=currency), Column(_("Currency"), width=9),
        Column(_("Maximum awards"), "integer"), Column(_("Thematic areas"), width=48, wrap=True),
        Column(_("Applications submitted"), "integer"), Column(_("Awards"), "integer"),
        Column(_("Awarded amount"), "money", currency=currency),
    ]
    return SheetSpec(_("Calls"), columns, _call_rows(scope),
                     money_totals(columns, 9, 10, 11))


def _calls_filter(scope: Scope) -> list:
    return [Call.state != CallState.draft, *scope.fund(Call.fund_id),
            *scope.overlapping_times(Call.opens_at, Call.closes_at)]


def _call_rows(scope: Scope) -> Iterator[list]:
    calls = select(Call.id).where(*_calls_filter(scope))
    areas = queries.areas_by_call(calls)
    submitted = dict(db.session.execute(
        select(Application.call_id, func.count())
        .where(Application.id.in_(queries.applications_in_scope(scope)))
        .group_by(Application.call_id)).all())
    awarded = {call_id: (count, total) for call_id, count, total in db.session.execute(
        select(Application.call_id, func.count(Award.id), func.sum(Award.amount))
        .join(Award, Award.application_id == Application.id)
        .where(Award.id.in_(queries.awards_in_scope(scope)))
        .group_by(Application.call_id))}
    titles = queries.call_titles()
    query = (select(Call.id, Fund.name, Call.state, Call.opens_at, Call.closes_at,
                    Call.award_amount, Fund.currency, Call.max_awards)
             .join(Fund, Call.fund_id == Fund.id).where(*_calls_filter(scope))
             .order_by(Call.opens_at, Call.id))
    for (call_id, fund, state, opens_at, closes_at, amount, currency,
         max_awards) in queries.stream(query):
        count, total = awarded.get(call_id, (0, None))
        yield [titles[call_id], fund, state.title, opens_at, closes_at, amount, currency,
               max_awards,
               areas.get(call_id), submitted.get(call_id, 0), count, money(total)]


# Applications --------------------------------------------------------------------------------

def applications_sheet(scope: Scope, viewer=None) -> SheetSpec:
    """Applications submitted in the period (drafts never), with their review scores: the
    number of submitted reviews, the mean of their weighted totals (0–100) and the rank in
    the call's ranking, as the ranking page computes them. No reviewer is named. The score
    cells are blank for the applications ``viewer`` has a conflict of interest with."""
    currency = queries.single_currency(
        select(Fund.currency).join(Call, Call.fund_id == Fund.id)
        .join(Application, Application.call_id == Call.id)
        .where(Application.id.in_(queries.applications_in_scope(scope))))
    columns = [
        Column(_("Reference"), width=16), Column(_("Call"), width=30, wrap=True),
        Column(_("Project"), width=40, wrap=True), Column(_("Organisation"), width=32, wrap=True),
        Column(_("Government counterpart"), width=32, wrap=True),
        Column(_("Thematic areas"), width=32, wrap=True),
        Column(_("Districts"), width=20, wrap=True),
        Column(_("Requested amount"), "money", currency=currency),
        Column(_("Currency"), width=9), Column(_("State"), width=14, wrap=True),
        Column(_("Endorsement"), width=20, wrap=True),
        Column(at(_("Submitted")), "datetime"), Column(at(_("Decided")), "datetime"),
        Column(_("Reviews"), "integer"), Column(_("Mean weighted score (0–100)"), "decimal"),
        Column(_("Rank in the call"), "integer"),
    ]
    return SheetSpec(_("Applications"), columns, _application_rows(scope, viewer))


def _scores(scope: Scope) -> dict[int, tuple[int, float | None, int | None]]:
    """Application id → (scored reviews, mean total, rank) as each panel's ranking computes
    them, but only what the sheet shows: the reviews are read as plain rows with their stored
    totals (``grants.ranking.queries``), without the normalised ranking
    and the panel's agreement, whose exact arithmetic over every review the sheet never uses."""
    result = {}
    panels = db.session.scalars(
        select(Panel).where(Panel.call_id.in_(queries.calls_in_scope(scope)))
        .options(joinedload(Panel.call).selectinload(Call.criteria)).order_by(Panel.id))
    for panel in panels:
        ranked = db.session.scalars(select(Application.id).where(
            Application.call_id == panel.call_id, Application.state.in_(RANKED_STATES))).all()
        if not ranked:
            continue
        records = review_records(panel)
        totals = totals_of_records(records)
        by_application: dict[int, list[float]] = defaultdict(list)
        for record in records:
            if totals[record.id] is not None:  # all N/A: not counted, as in the ranking
                by_application[record.application_id].append(totals[record.id])
        summaries = {app_id: scoring.summarise_totals(by_application.get(app_id, []))
                     for app_id in ranked}
        ranks = scoring.competition_ranks({app_id: summary.mean
                                           for app_id, summary in summaries.items()})
        for app_id, summary in summaries.items():
            scored = summary.mean is not None
            result[app_id] = (summary.count, summary.mean if scored else None,
                              ranks[app_id] if scored else None)
    return result


def _application_rows(scope: Scope, viewer=None) -> Iterator[list]:
    ids = queries.applications_in_scope(scope)
    areas = queries.areas_by_application(ids)
    scores = _scores(scope)
    titles = queries.call_titles()
    conflicts = viewer_conflicts(viewer)
    counterpart = aliased(Organisation)
    query = (select(Application.id, Application.call_id, Application.organisation_id,
                    Application.counterpart_organisation_id,
                    Application.reference, Application.title,
                    Organisation.name, counterpart.name, Application.districts,
                    Application.requested_amount, Fund.currency, Application.state,
                    Endorsement.state, Application.submitted_at, Application.decided_at)
             .join(Call, Application.call_id == Call.id).join(Fund, Call.fund_id == Fund.id)
             .join(Organisation, Application.organisation_id == Organisation.id)
             .outerjoin(counterpart, Application.counterpart_organisation_id == counterpart.id)
             .outerjoin(Endorsement, Endorsement.application_id == Application.id)
             .where(Application.id.in_(ids))
             .order_by(Application.submitted_at, Application.id))
    for (application_id, call_id, organisation_id, counterpart_id, reference, title,
         organisation, partner, districts, requested, currency, state, endorsement,
         submitted_at, decided_at) in stream(query):
        count, mean, rank = scores.get(application_id, (0, None, None))
        if conflicts.covers_ids(application_id, call_id, organisation_id, counterpart_id):
            count = mean = rank = None  # the reader's conflict of interest: no scores
        yield [reference, titles[call_id], title, organisation, partner,
               areas.get(application_id), joined(districts or []), requested, currency, state.title,
               title_of(endorsement), submitted_at, decided_at, count, mean, rank]


# Awards --------------------------------------------------------------------------------------

def awards_sheet(scope: Scope, positions: dict[int, AwardMoney]) -> SheetSpec:
    """Awards decided in the period (the indicators' "grants awarded"), with their money to
    date; ``positions`` is ``queries.award_money(scope)``."""
    currency = _one_currency(award.currency for award in positions.values())
    columns = [
        Column(_("Award"), width=18), Column(_("Application"), width=16),
        Column(_("Project"), width=40, wrap=True), Column(_("Grantee"), width=32, wrap=True),
        Column(_("Government counterpart"), width=32, wrap=True),
        Column(_("Thematic areas"), width=32, wrap=True),
        Column(_("Districts"), width=20, wrap=True), Column(_("Call"), width=30, wrap=True),
        Column(_("State"), width=16, wrap=True), Column(_("Decided"), "date"),
        Column(_("Signed"), "date"), Column(_("Starts"), "date"), Column(_("Ends"), "date"),
        Column(money_label("awarded"), "money", currency=currency),
        Column(money_label("deobligated"), "money", currency=currency),
        Column(money_label("committed"), "money", currency=currency),
        Column(money_label("disbursed"), "money", currency=currency),
        Column(money_label("undisbursed"), "money", currency=currency),
        Column(_("Spent (accepted reports)"), "money", currency=currency),
        Column(_("Currency"), width=9),
    ]
    return SheetSpec(_("Awards"), columns, _award_rows(scope, positions),
                     money_totals(columns, 13, 14, 15, 16, 17, 18))


def _one_currency(currencies) -> str | None:
    distinct = set(currencies)
    return distinct.pop() if len(distinct) == 1 else None


def _award_rows(scope: Scope, positions: dict[int, AwardMoney]) -> Iterator[list]:
    ids = queries.awards_in_scope(scope)
    areas = queries.areas_by_application(select(Award.application_id).where(Award.id.in_(ids)))
    counterpart = aliased(Organisation)
    decided = decided_column(Application.decided_at, Award.created_at)
    titles = queries.call_titles()
    query = (select(Award.id, Award.reference, Application.id, Application.reference,
                    Application.title, Organisation.name, counterpart.name,
                    Application.districts, Application.call_id, Award.state, decided,
                    Award.signed_on, Award.starts_on, Award.ends_on)
             .join(Application, Award.application_id == Application.id)
             .join(Organisation, Application.organisation_id == Organisation.id)
             .outerjoin(counterpart, Application.counterpart_organisation_id == counterpart.id)
             .where(Award.id.in_(ids)).order_by(Award.reference, Award.id))
    for (award_id, reference, application_id, application_reference, title, grantee, partner,
         districts, call, state, decided_at, signed_on, starts_on, ends_on) in stream(query):
        position = positions[award_id]
        yield [reference, application_reference, title, grantee, partner,
               areas.get(application_id), joined(districts or []), titles[call], state.title,
               decided_at, signed_on, starts_on, ends_on, position.awarded,
               position.deobligated, position.committed, position.disbursed,
               position.undisbursed, position.spent, position.currency]


# Disbursements -------------------------------------------------------------------------------

def _disbursements_filter(scope: Scope) -> list:
    """Ledger entries requested or paid in the period, of the fund's awards."""
    return [*scope.any_of(scope.times(Disbursement.requested_at),
                          scope.days(Disbursement.paid_on)),
            *scope.fund(Call.fund_id)]


def _ledger():
    return (select(Disbursement)
            .join(Award, Disbursement.award_id == Award.id)
            .join(Application, Award.application_id == Application.id)
            .join(Call, Application.call_id == Call.id))


def disbursements_sheet(scope: Scope) -> SheetSpec:
    """The disbursement ledger: every entry requested or paid in the period, in whatever
    state, reversals (negative) included. "Disbursed" repeats the amount of paid entries
    only, so that its total is what was paid."""
    entries = _ledger().where(*_disbursements_filter(scope)).subquery()
    award_currency = queries.single_currency(select(Award.currency).where(
        Award.id.in_(select(entries.c.award_id))))
    paid_currency = queries.single_currency(select(entries.c.paid_currency).where(
        entries.c.state == DisbursementState.paid))
    columns = [
        Column(_("Entry"), "integer", 8), Column(_("Award"), width=18),
        Column(_("Grantee"), width=32, wrap=True), Column(_("Tranche"), "integer", 9),
        Column(_("Kind"), width=10), Column(_("State"), width=12, wrap=True),
        Column(_("Amount"), "money", currency=award_currency),
        Column(_("Award currency"), width=10),
        Column(_("Disbursed"), "money", currency=award_currency),
        Column(_("Paid currency"), width=10),
        Column(_("Paid amount"), "money", currency=paid_currency),
        Column(_("Exchange rate"), "decimal", 12),
        Column(_("USD equivalent"), "money", currency="USD"),
        Column(at(_("Requested")), "datetime"), Column(at(_("Approved")), "datetime"),
        Column(_("Paid on"), "date"), Column(_("Bank reference"), width=22, wrap=True),
        Column(_("Reverses entry"), "integer", 10),
        Column(_("Reason for the reversal"), width=40, wrap=True),
    ]
    totals = money_totals(columns, 8, 10, 12)
    return SheetSpec(_("Disbursements"), columns, _disbursement_rows(scope), totals)


def _disbursement_rows(scope: Scope) -> Iterator[list]:
    query = (select(Disbursement.id, Award.reference, Organisation.name, Tranche.sequence,
                    Disbursement.kind, Disbursement.state, Disbursement.amount, Award.currency,
                    Disbursement.paid_currency, Disbursement.paid_amount,
                    Disbursement.exchange_rate, Disbursement.usd_equivalent,
                    Disbursement.requested_at, Disbursement.approved_at, Disbursement.paid_on,
                    Disbursement.bank_reference, Disbursement.reverses_id,
                    Disbursement.reversal_reason)
             .join(Award, Disbursement.award_id == Award.id)
             .join(Application, Award.application_id == Application.id)
             .join(Call, Application.call_id == Call.id)
             .join(Organisation, Application.organisation_id == Organisation.id)
             .outerjoin(Tranche, Disbursement.tranche_id == Tranche.id)
             .where(*_disbursements_filter(scope))
             .order_by(Award.reference, Disbursement.id))
    for (entry_id, award, grantee, tranche, kind, state, amount, currency, paid_currency,
         paid_amount, rate, usd, requested_at, approved_at, paid_on, bank_reference,
         reverses_id, reason) in stream(query):
        paid = state == DisbursementState.paid
        yield [entry_id, award, grantee, tranche, _kind_title(kind), state.title, amount,
               currency, amount if paid else None, paid_currency, paid_amount, rate, usd,
               requested_at, approved_at, paid_on, bank_reference or None, reverses_id,
               reason or None]


# Budget versus actual ------------------------------------------------------------------------

def budget_sheet(scope: Scope, positions: dict[int, AwardMoney]) -> SheetSpec:
    """Per award of the period and budget category: the application's budget, the
    expenditure of accepted reports, the variance and its share of the budget, flagged beyond
    10 % as on the award's budget page (``grants.monitoring.budget``)."""
    currency = _one_currency(award.currency for award in positions.values())
    columns = [
        Column(_("Award"), width=18), Column(_("Grantee"), width=32, wrap=True),
        Column(_("Budget category"), width=24, wrap=True),
        Column(_("Budget"), "money", currency=currency),
        Column(_("Spent (accepted reports)"), "money", currency=currency),
        Column(_("Variance"), "money", currency=currency),
        Column(_("Variance, share of budget"), "percent", 12),
        Column(_("Off budget by over a tenth"), "boolean", 12), Column(_("Currency"), width=9),
    ]
    return SheetSpec(_("Budget vs actual"), columns, _budget_rows(scope),
                     money_totals(columns, 3, 4, 5))


def _budget_rows(scope: Scope) -> Iterator[list]:
    ids = queries.awards_in_scope(scope)
    budgeted: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for award_id, category, total in db.session.execute(
            select(Award.id, BudgetLine.category, func.sum(BudgetLine.amount))
            .join(BudgetLine, BudgetLine.application_id == Award.application_id)
            .where(Award.id.in_(ids)).group_by(Award.id, BudgetLine.category)):
        budgeted[award_id][category] = money(total)
    spent: dict[int, dict[str, Decimal]] = defaultdict(dict)
    accepted = accepted_versions().subquery("accepted")  # joined: see queries.spent_by_award
    for award_id, category, total in db.session.execute(
            select(ProgressReport.award_id, Expenditure.category, func.sum(Expenditure.amount))
            .join(accepted, accepted.c.id == Expenditure.version_id)
            .join(ReportVersion, Expenditure.version_id == ReportVersion.id)
            .join(ProgressReport, ReportVersion.report_id == ProgressReport.id)
            .where(ProgressReport.award_id.in_(ids))
            .group_by(ProgressReport.award_id, Expenditure.category)):
        spent[award_id][category] = money(total)
    due = budget_reporting_due(ids, programme_today())
    query = (select(Award.id, Award.reference, Organisation.name, Award.currency)
             .join(Application, Award.application_id == Application.id)
             .join(Organisation, Application.organisation_id == Organisation.id)
             .where(Award.id.in_(ids)).order_by(Award.reference, Award.id))
    for award_id, reference, grantee, currency in stream(query):
        table = budget.budget_vs_actual(budgeted.get(award_id, {}), spent.get(award_id, {}),
                                        CATEGORY_ORDER, reporting_due=award_id in due)
        for row in table.rows:
            share = row.variance_percent
            title = BUDGET_CATEGORY_TITLES.get(row.category)
            yield [reference, grantee, str(title) if title else row.category, row.budgeted,
                   row.spent, row.variance, None if share is None else share / 100,
                   row.is_flagged, currency]


# Progress reports ----------------------------------------------------------------------------

def reports_sheet(scope: Scope) -> SheetSpec:
    """Progress reports due in the period, with what their latest submitted version
    reported: beneficiaries reached by sex and age group, and expenditure."""
    columns = [
        Column(_("Award"), width=18), Column(_("Grantee"), width=32, wrap=True),
        Column(_("Report"), width=18, wrap=True), Column(_("Title"), width=28, wrap=True),
        Column(_("Due on"), "date"), Column(_("State"), width=20, wrap=True),
        Column(_("Versions submitted"), "integer"),
        Column(at(_("Last submitted")), "datetime"), Column(at(_("Accepted")), "datetime"),
        Column(_("Women under 30"), "integer"), Column(_("Women 30 and over"), "integer"),
        Column(_("Men under 30"), "integer"), Column(_("Men 30 and over"), "integer"),
        Column(_("Others under 30"), "integer"), Column(_("Others 30 and over"), "integer"),
        Column(_("Beneficiaries reached"), "integer"),
        Column(_("Expenditure reported"), "money"), Column(_("Currency"), width=9),
    ]
    return SheetSpec(_("Reports"), columns, _report_rows(scope))


def _report_rows(scope: Scope) -> Iterator[list]:
    submitted = ReportVersion.submitted_at.is_not(None)
    latest = (select(ReportVersion.report_id, func.max(ReportVersion.number).label("number"),
                     func.count().label("versions"))
              .where(submitted).group_by(ReportVersion.report_id).subquery("latest"))
    spent = (select(Expenditure.version_id, func.sum(Expenditure.amount).label("total"))
             .group_by(Expenditure.version_id).subquery("spent"))
    version = aliased(ReportVersion)
    query = (select(Award.reference, Organisation.name, ProgressReport.kind,
                    ProgressReport.title, ProgressReport.due_on, ProgressReport.state,
                    latest.c.versions, version.submitted_at, ProgressReport.accepted_at,
                    version.women_under_30, version.women_30_and_over, version.men_under_30,
                    version.men_30_and_over, version.other_under_30, version.other_30_and_over,
                    spent.c.total, Award.currency)
             .join(Award, ProgressReport.award_id == Award.id)
             .join(Application, Award.application_id == Application.id)
             .join(Call, Application.call_id == Call.id)
             .join(Organisation, Application.organisation_id == Organisation.id)
             .outerjoin(latest, latest.c.report_id == ProgressReport.id)
             .outerjoin(version, (version.report_id == ProgressReport.id)
                        & (version.number == latest.c.number))
             .outerjoin(spent, spent.c.version_id == version.id)
             .where(*scope.days(ProgressReport.due_on), *scope.fund(Call.fund_id))
             .order_by(ProgressReport.due_on, Award.reference, ProgressReport.id))
    for (award, grantee, kind, title, due_on, state, versions, submitted_at, accepted_at,
         *people, total, currency) in stream(query):
        reached = None if submitted_at is None else sum(n or 0 for n in people)
        yield [award, grantee, kind.title, title or None, due_on, state.title, versions or 0,
               submitted_at, accepted_at, *people, reached,
               None if submitted_at is None else money(total), currency]

