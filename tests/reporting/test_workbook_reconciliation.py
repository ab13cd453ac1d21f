"""The workbook's Reconciliation sheet accounts, to the cent, for every award of the Awards
sheet against the 360Giving file, by the open data's own rules."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from decimal import Decimal

from grants.awards.models import Award
from grants.awards.states import AwardState
from reporting.opendata.package import build_package, collect, dumps
from reporting.workbook.queries import WorkbookPeriod
from tests.reporting.conftest import set_publication
from tests.reporting.test_workbook_sheets import block, build, table

D = Decimal


def _workbook_awards(book) -> dict[str, tuple[int, Decimal]]:
    """Currency -> (awards, amount awarded) of the Awards sheet."""
    totals: dict[str, list] = defaultdict(lambda: [0, D("0")])
    _headers, rows, _totals = table(book["Awards"])
    for row in rows:
        totals[row["Currency"].value][0] += 1
        totals[row["Currency"].value][1] += D(str(row["Amount awarded"].value))
    return {code: (count, amount) for code, (count, amount) in totals.items()}


def _file_grants() -> tuple[dict[str, tuple[int, Decimal]], dict[str, str]]:
    """Currency -> (grants, amount) of the 360Giving file as written, and grant id ->
    awardDate."""
    grants = json.loads(dumps(build_package(collect())))["grants"]
    totals: dict[str, list] = defaultdict(lambda: [0, D("0")])
    for grant in grants:
        totals[grant["currency"]][0] += 1
        totals[grant["currency"]][1] += D(str(grant["amountAwarded"]))
    return ({code: (count, amount) for code, (count, amount) in totals.items()},
            {grant["id"]: grant["awardDate"] for grant in grants})


def _lines(book) -> dict[tuple[str, str], tuple[int, Decimal]]:
    return {(item, code): (count, D(str(amount)))
            for item, code, count, amount in block(book["Reconciliation"],
                                                   "Awards and the 360Giving file")}


def test_the_demo_programme_reconciles_to_the_cent(demo_programme, db_session):
    # One award held back from the open data, one withdrawn, one not signed yet.
    awards = db_session.query(Award).order_by(Award.reference).all()
    public = [award for award in awards if award.state == AwardState.active]
    set_publication(db_session, public[0].id, is_amount_public=False)
    set_publication(db_session, public[1].id, is_published=False)
    public[2].state = AwardState.pending_signature
    db_session.flush()

    book = build(None, None)
    workbook = _workbook_awards(book)
    file, _dates = _file_grants()
    lines = _lines(book)
    for code, (count, amount) in workbook.items():
        assert lines["Awards on the Awards sheet", code] == (count, amount)
        in_file = lines["of which grants in the 360Giving file", code]
        left = lines["of which left out of the 360Giving file (listed below)", code]
        assert in_file[0] + left[0] == count and in_file[1] + left[1] == amount
    for code, (count, amount) in file.items():
        assert lines["Grants in the 360Giving file", code] == (count, amount)
    # The whole programme: every grant of the file is an award of the sheet.
    assert all(lines[key] == (0, D("0")) for key in lines
               if key[0].startswith("Grants in the 360Giving file of awards not"))
    assert {code: lines["of which grants in the 360Giving file", code]
            for code in file} == file

    left_out = block(book["Reconciliation"], "Awards left out of the 360Giving file")
    why = {row[0]: row[5] for row in left_out}
    assert why[public[0].reference] == "Its amount is not public"
    assert why[public[1].reference] == "Publication withdrawn by staff"
    assert why[public[2].reference] == "Not yet public: the grant agreement is not signed"
    assert len(left_out) == sum(
        lines["of which left out of the 360Giving file (listed below)", code][0]
        for code in workbook)
    reasons = block(book["Reconciliation"], "Why awards are left out of the 360Giving file")
    assert sum(row[2] for row in reasons) == len(left_out)


def test_a_period_counts_the_files_other_grants_apart(demo_programme):
    book = build(WorkbookPeriod(date(2018, 1, 1), date(2018, 12, 31)), None)
    workbook = _workbook_awards(book)
    file, _dates = _file_grants()
    lines = _lines(book)
    for code, (count, amount) in file.items():
        in_file = lines.get(("of which grants in the 360Giving file", code), (0, D("0")))
        elsewhere = lines["Grants in the 360Giving file of awards not on the Awards sheet "
                          "(decided outside the period)", code]
        assert (in_file[0] + elsewhere[0], in_file[1] + elsewhere[1]) == (count, amount)
        assert elsewhere[0] > 0
    assert sum(count for count, _amount in workbook.values()) < sum(
        count for count, _amount in file.values()) + len(
        block(book["Reconciliation"], "Awards left out of the 360Giving file"))


def test_the_award_date_is_the_same_in_both(demo_programme):
    book = build(None, None)
    _file, dates = _file_grants()
    _headers, rows, _totals = table(book["Awards"])
    decided = {f"360G-ogbz-{row['Award'].value}": row["Decided"].value.date().isoformat()
               for row in rows}
    assert dates and all(decided[grant] == day for grant, day in dates.items())
