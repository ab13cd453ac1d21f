"""The dashboard's stored money is always the money of the records as committed: read back
while nothing it sums changes, computed anew after any change it sums. A random sequence of
ledger entries (requested, approved, paid, rejected, reversed), award and application
changes and report expenditure (hypothesis) is followed, after each commit, by a comparison
of the stored figures with a recomputation from the raw rows."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, select

from core import freshness
from core.extensions import db
from core.timeutil import from_programme_time
from grants.awards.models import Award, Disbursement
from grants.awards.states import AwardState, DisbursementKind, DisbursementState
from grants.monitoring.models import Expenditure, ProgressReport, ReportVersion
from grants.monitoring.states import ReportKind, ReportState
from reporting.dashboards import queries, stored
from reporting.indicators import figures
from reporting.indicators import queries as indicators
from reporting.indicators.models import IndicatorFigures
from tests.fixtures.grants import GrantFactories

_serial = itertools.count(1)


def at(day: date) -> datetime:
    return from_programme_time(datetime(day.year, day.month, day.day, 12))


def _statements(call) -> int:
    count = 0

    def counted(*_args, **_kwargs):
        nonlocal count
        count += 1
    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
    return count


def _shown(board: queries.Dashboard) -> tuple:
    """Everything of the dashboard's money a reader sees."""
    return (board.by_area, board.by_district, board.money,
            [(row.award.id, row.award.reference, row.money, row.spent) for row in board.awards])


def _exact(found: stored.Figures) -> tuple:
    """The figures with every amount's exponent, so ``Decimal("5")`` and ``Decimal("5.00")``
    differ."""
    return (repr(found), stored.encode(found))


class Programme:
    """Two funds, a call in each, and what the actions change."""

    def __init__(self, session, factories):
        self.session = session
        self.grants = GrantFactories(session, factories)
        self.funds = [self.grants.fund(), self.grants.fund()]
        self.calls = [self.grants.call(fund, areas=["Open data", "Access to information"])
                      for fund in self.funds]
        self.filters = (queries.Filters(), queries.Filters(date(2019, 4, 1), None),
                        queries.Filters(None, date(2019, 12, 31), self.funds[0].id))

    def rows(self, model, *where):
        return self.session.scalars(select(model).where(*where).order_by(model.id)).all()

    def awards(self):
        return self.rows(Award, Award.application.has(
            queries.Application.call_id.in_([call.id for call in self.calls])))

    def award(self, seed: int) -> Award:
        call = self.calls[seed % 2]
        application = self.grants.application(
            call, state="awarded", districts=[["Cayo"], ["Belize", "Toledo"], []][seed % 3],
            areas=call.thematic_areas[: seed % 3])
        application.decided_at = at(date(2019, 1 + seed % 12, 1 + seed % 28))
        award = Award(application=application, amount=Decimal(f"{1000 + seed}.{seed % 100:02d}"),
                      currency=("USD", "BZD")[seed % 2], reference=f"S-M-{next(_serial):05d}",
                      state=AwardState.active)
        self.session.add(award)
        return award

    def entry(self, award: Award, amount: Decimal, state=DisbursementState.requested,
              kind=DisbursementKind.payment, reverses=None) -> Disbursement:
        entry = Disbursement(award=award, amount=amount, state=state, kind=kind,
                             idempotency_key=f"stored-money-{next(_serial)}", reverses=reverses)
        self.session.add(entry)
        return entry

    def apply(self, kind: str, seed: int) -> None:
        awards = self.awards()
        if kind == "award" or not awards:
            self.award(seed)
        elif kind in ("request", "approve", "pay", "reject", "reverse"):
            self._ledger(kind, awards, seed)
        elif kind in ("report", "version", "spend", "respend", "accept"):
            self._reports(kind, awards, seed)
        else:
            self._award(kind, awards[seed % len(awards)], seed)
        self.session.flush()

    def _ledger(self, kind: str, awards: list[Award], seed: int) -> None:
        entries = self.rows(Disbursement, Disbursement.award_id.in_([a.id for a in awards]),
                            Disbursement.kind == DisbursementKind.payment)
        if kind == "request" or not entries:
            self.entry(awards[seed % len(awards)],
                       Decimal(f"{100 + seed % 900}.{seed % 97:02d}"))
            return
        entry = entries[seed % len(entries)]
        if kind == "reverse":
            if entry.state == DisbursementState.paid:
                self.entry(entry.award, -entry.amount, DisbursementState.paid,
                           DisbursementKind.reversal, reverses=entry)
        elif entry.state in (DisbursementState.requested, DisbursementState.approved):
            entry.state = {"approve": DisbursementState.approved,
                           "pay": DisbursementState.paid,
                           "reject": DisbursementState.rejected}[kind]

    def _award(self, kind: str, award: Award, seed: int) -> None:
        application = award.application
        if kind == "amount":
            award.amount = Decimal(f"{2000 + seed}.50")
        elif kind == "deobligate":
            award.deobligated_amount = Decimal(f"{seed % 500}.25")
        elif kind == "currency":
            award.currency = "BZD" if award.currency == "USD" else "USD"
        elif kind == "decided":
            application.decided_at = at(date(2018 + seed % 3, 1 + seed % 12, 1))
        elif kind == "district":
            application.districts = [["Corozal"], [], ["Cayo", "Stann Creek"]][seed % 3]
        elif kind == "area":
            areas = application.call.thematic_areas
            application.thematic_areas = areas[seed % 2: seed % 2 + 1 + seed % 2]
        elif kind == "fund":
            self.calls[seed % 2].fund = self.funds[(seed // 2) % 2]

    def _reports(self, kind: str, awards: list[Award], seed: int) -> None:
        reports = self.rows(ProgressReport,
                            ProgressReport.award_id.in_([a.id for a in awards]))
        lines = self.rows(Expenditure)
        if kind == "report" or not reports:
            report = ProgressReport(award=awards[seed % len(awards)], kind=ReportKind.midterm,
                                    due_on=date(2019, 6, 1),
                                    state=[ReportState.accepted, ReportState.submitted][seed % 2])
            report.versions.append(ReportVersion(number=1, submitted_at=at(date(2019, 6, 1))))
            self.session.add(report)
            return
        report = reports[seed % len(reports)]
        if kind == "version":
            number = max((version.number for version in report.versions), default=0) + 1
            report.versions.append(ReportVersion(
                number=number, submitted_at=at(date(2019, 7, 1)) if seed % 3 else None))
        elif kind == "spend" and report.versions:
            version = report.versions[seed % len(report.versions)]
            version.expenditures.append(Expenditure(
                position=len(version.expenditures), category="activities",
                spent_on=date(2019, 5, 1), description="Workshop",
                amount=Decimal(f"{10 + seed % 300}.{seed % 89:02d}")))
        elif kind == "respend" and lines:
            lines[seed % len(lines)].amount = Decimal(f"{seed % 700}.75")
        elif kind == "accept":
            report.state = (ReportState.submitted if report.state == ReportState.accepted
                            else ReportState.accepted)


KINDS = ["award", "request", "approve", "pay", "reject", "reverse", "amount", "deobligate",
         "currency", "decided", "district", "area", "fund", "report", "version", "spend",
         "respend", "accept"]
ACTIONS = st.lists(st.tuples(st.sampled_from(KINDS), st.integers(min_value=0, max_value=10_000)),
                   min_size=1, max_size=16)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS)
def test_stored_money_equals_a_recomputation_after_any_writes(db_session, factories, actions):
    programme = Programme(db_session, factories)
    # Each example starts from a new version: nothing an earlier one stored is read.
    freshness.mark_changed(stored.MONEY)
    db_session.commit()
    for kind, seed in actions:
        programme.apply(kind, seed)
        db_session.commit()
        for filters in programme.filters:
            assert _exact(stored.money(filters)) == _exact(stored.compute(filters)), \
                (kind, filters)
            # Read back, the stored figures make the same dashboard as the live queries.
            assert _shown(stored.dashboard(filters)) == _shown(queries.dashboard(filters)), \
                (kind, filters)


@pytest.fixture
def programme(db_session, factories):
    programme = Programme(db_session, factories)
    for seed in range(6):
        programme.award(seed)
    db_session.flush()
    award = programme.awards()[0]
    paid = programme.entry(award, Decimal("300.10"), DisbursementState.paid)
    programme.entry(award, Decimal("-300.10"), DisbursementState.paid, DisbursementKind.reversal,
                    reverses=paid)
    db_session.commit()
    return programme


def test_the_money_is_stored_once_and_read_back_exactly(programme, db_session):
    filters = programme.filters[0]
    first = stored.money(filters)
    assert _exact(first) == _exact(stored.compute(filters))
    assert _statements(lambda: stored.money(filters)) == 2
    again = stored.money(filters)
    assert _exact(again) == _exact(first)
    assert all(total.spent.as_tuple().exponent == -2 for total in again.money)


def test_a_change_the_money_sums_is_seen_at_once_and_an_unrelated_one_is_not(
        programme, db_session):
    filters = programme.filters[0]
    before = stored.money(filters)
    version = freshness.current_version(stored.MONEY)
    award = programme.awards()[1]
    award.application.title = "Renamed"  # summed nowhere
    db_session.commit()
    assert freshness.current_version(stored.MONEY) == version
    programme.entry(award, Decimal("12.34"), DisbursementState.paid)
    # The transaction that made the change sees it before its commit, and stores nothing.
    inside = stored.money(filters)
    assert _exact(inside) == _exact(stored.compute(filters)) != _exact(before)
    db_session.commit()
    assert freshness.current_version(stored.MONEY) == version + 1
    assert _exact(stored.money(filters)) == _exact(stored.compute(filters))
    # One stored row per period: the older version's was dropped.
    assert db_session.scalar(select(func.count()).select_from(IndicatorFigures).where(
        IndicatorFigures.kind == "money:dashboard-money",
        IndicatorFigures.fund_key == 0)) == 1


def test_each_channel_drops_only_its_own_older_figures(programme, db_session):
    filters = programme.filters[0]
    period = indicators.Period(date(2019, 1, 1), date(2019, 12, 31))
    stored.money(filters)
    figures.indicators(period)
    kinds = set(db_session.scalars(select(IndicatorFigures.kind)))
    assert {"indicators", "money:dashboard-money"} <= kinds
    programme.entry(programme.awards()[0], Decimal("1.00"))
    db_session.commit()
    stored.money(filters)  # a newer money version: the indicators' figures stay
    assert "indicators" in set(db_session.scalars(select(IndicatorFigures.kind)))
    freshness.mark_changed(figures.INDICATORS)
    freshness.mark_changed(figures.INDICATORS)
    db_session.commit()
    figures.indicators(period)  # and the other way round
    assert "money:dashboard-money" in set(db_session.scalars(select(IndicatorFigures.kind)))
