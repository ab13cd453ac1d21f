"""The donor workbook: every sheet, in order, through ``core.spreadsheets``.

The data sheets are written first, streaming from the database one after the other; the
Summary and the About sheet are written last (About needs every sheet's number of rows) and
placed in front. The texts are in the current language: the reader's in the browser,
``--language`` on the command line (``flask_babel.force_locale``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _

from core.spreadsheets import PrintSetup, Workbook
from core.timeutil import utcnow
from reporting.indicators.figures import indicators as stored_indicators
from reporting.workbook import (
    queries,
    reconciliation,
    sheets_coalitions,
    sheets_grants,
    summary,
)
from reporting.workbook.queries import Scope, WorkbookPeriod
from reporting.workbook.sheets_results import results_sheet


class UnknownFund(LookupError):
    """The fund asked for does not exist."""


def build_donor_workbook(period: WorkbookPeriod | None = None, fund_id: int | None = None, *,
                         with_names: bool = False, viewer=None,
                         generated_at: datetime | None = None,
                         progress: Callable[[int, int], None] | None = None) -> Workbook:
    """The donor workbook for ``period`` (None: the whole programme) and ``fund_id`` (None:
    every fund), anonymised unless ``with_names`` (staff only: the caller checks). Scores
    are left out for the applications ``viewer`` (the person downloading) is conflicted with.

    Raises :class:`UnknownFund` for a fund that does not exist. The workbook is not saved:
    pass it to ``core.spreadsheets.send_workbook`` or call its ``save``. ``progress(done,
    total)``, when given, is called with the number of sheets written after each one (a
    background job shows it).
    """
    report = progress or (lambda done, total: None)
    scope = Scope(period or WorkbookPeriod(), fund_id)
    fund = None
    if fund_id is not None:
        fund = queries.fund_name(fund_id)
        if fund is None:
            raise UnknownFund(fund_id)
    generated_at = generated_at or utcnow()
    heading = _("%(programme)s: donor workbook, %(period)s",
                programme=current_app.config["PROGRAMME_NAME"],
                period=summary.period_text(scope.period))
    workbook = Workbook(
        print_setup=PrintSetup(
            title=_("%(programme)s: donor workbook",
                    programme=current_app.config["PROGRAMME_NAME"]),
            subtitle=summary.period_text(scope.period),
            page_of=_("Page %(page)s of %(pages)s", page="{page}", pages="{pages}")),
        yes_no=(_("Yes"), _("No")))
    try:
        positions = queries.award_money(scope)
        # Anonymised: the participants are released k-anonymously before any sheet is
        # written, so that the About sheet can say how.
        release = None if with_names else sheets_coalitions.participants_release(scope)
        # ... and every count of people is released with its small cells withheld.
        k = None if with_names else sheets_coalitions.min_group()
        specs = [
            ("calls", sheets_grants.calls_sheet(scope)),
            ("applications", sheets_grants.applications_sheet(scope, viewer)),
            ("awards", sheets_grants.awards_sheet(scope, positions)),
            ("disbursements", sheets_grants.disbursements_sheet(scope)),
            ("budget", sheets_grants.budget_sheet(scope, positions)),
            ("reports", sheets_grants.reports_sheet(scope)),
            ("coalitions", sheets_coalitions.coalitions_sheet(scope)),
            ("memberships", sheets_coalitions.memberships_sheet(scope)),
            ("commitments", sheets_coalitions.commitments_sheet(scope)),
            ("events", sheets_coalitions.events_sheet(scope, k)),
            ("participants", sheets_coalitions.participants_sheet(
                scope, with_names=with_names, release=release)),
            ("organisations", sheets_coalitions.organisations_sheet(scope, k)),
            # The results framework against its targets (reporting/results).
            ("results", results_sheet(scope, k)),
        ]
        # The data sheets, the Reconciliation, the Summary and the About sheet.
        total = len(specs) + 3
        report(0, total)
        written = []
        for key, spec in specs:
            title = workbook.add_sheet(spec.title, spec.columns, spec.rows,
                                       totals=spec.totals or None,
                                       totals_label=_("Total") if spec.totals else None)
            written.append((title, key))
            report(len(written), total)
        # The logframe's rows are there whatever the period.
        is_empty = not any(count for (title, key) in written
                           if key != "results" and (count := workbook.row_counts[title]))
        # After the data sheets, so that the Summary and About still come first.
        written.append((workbook.add_block_sheet(
            _("Reconciliation"), reconciliation.reconciliation_blocks(scope, positions),
            heading=heading), "reconciliation"))
        report(len(written), total)
        counts = workbook.row_counts
        sheets = [(title, key, counts[title]) for title, key in written]

        indicators = stored_indicators(scope.indicators_period)
        workbook.add_block_sheet(_("Summary"), summary.summary_blocks(
            scope, indicators, positions,
            k=None if with_names else sheets_coalitions.min_group()),
                                 heading=heading, position=0)
        report(total - 1, total)
        workbook.add_block_sheet(
            _("About"),
            summary.about_blocks(scope=scope, fund=fund, with_names=with_names,
                                 generated_at=generated_at, sheets=sheets, release=release,
                                 is_empty=is_empty),
            heading=heading, position=0)
        report(total, total)
    except BaseException:
        workbook.close()
        raise
    return workbook


def workbook_filename(period: WorkbookPeriod | None, fund_id: int | None, *,
                      with_names: bool = False) -> str:
    """e.g. donor-workbook_2018-01-01_2019-12-31_fund-3_names.xlsx"""
    period = period or WorkbookPeriod()
    parts = ["donor-workbook"]
    if period.is_whole_programme:
        parts.append("whole-programme")
    else:
        parts.append(period.start.isoformat() if period.start else "start")
        parts.append(period.end.isoformat() if period.end else "today")
    if fund_id is not None:
        parts.append(f"fund-{fund_id}")
    if with_names:
        parts.append("names")
    return "_".join(parts) + ".xlsx"
