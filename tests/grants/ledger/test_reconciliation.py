"""Every amount shown for the demo programme reconciles with the ledger, to the cent.

The demo is loaded; then for every award the amounts that ``grants.ledger`` gives
(``money_of``) are compared with what each page, the donor workbook and the open-data files
show, found by the labels ``grants.ledger.money`` defines. Every mismatch is collected, so a
new one fails the test with the page, the award and both amounts named.
"""

from __future__ import annotations

import html
import io
import json
import re
from collections import defaultdict
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from grants.awards.models import Award
from grants.ledger.money import Money, label
from grants.ledger.queries import money_of
from reporting.workbook.builder import build_donor_workbook

AMOUNT = re.compile(r"(-?)[^\d\-]*?([\d,]+\.\d{2})")


@pytest.fixture
def demo(app, db_session):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    awards = list(db_session.scalars(select(Award).order_by(Award.reference)))
    assert awards, "the demo has awards"
    return {award.id: (award, money_of(award)) for award in awards}


class Mismatches(list):
    def check(self, where: str, what: str, shown, expected: Decimal) -> None:
        value = shown if isinstance(shown, Decimal) or shown is None else _decimal(shown)
        if value is None or value != expected:
            self.append(f"{where}: {what} shows {shown!r}, the ledger says {expected}")


def _decimal(value) -> Decimal | None:
    if isinstance(value, (int, float)):
        return Decimal(str(value)).quantize(Decimal("0.01"))
    match = AMOUNT.search(str(value))
    if match is None:
        return None
    return Decimal(match.group(1) + match.group(2).replace(",", ""))


def _text(cell: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())


def _rows(fragment: str) -> list[list[str]]:
    """The cells (header and data, tags removed) of every table row of ``fragment``."""
    return [[_text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", fragment, re.S)]


def _section(page: str, start: str, end: str = "</table>") -> str:
    assert start in page, f"{start!r} is not on the page"
    rest = page[page.index(start):]
    return rest[:rest.index(end)]


def _labelled(fragment: str) -> dict[str, str]:
    """Row label → the row's last cell, for two-column tables."""
    return {cells[0]: cells[-1] for cells in _rows(fragment) if len(cells) >= 2}


def _find(rows: dict[str, str], name: str) -> str | None:
    """The row whose label is the amount's label (the de-obligated row may add its reason)."""
    wanted = label(name)
    return next((value for key, value in rows.items()
                 if key == wanted or key.startswith(wanted + " ")), None)


# Pages -------------------------------------------------------------------------------------

def test_every_page_shows_the_ledger_amounts(demo, client, login_as):
    login_as(("staff", "finance"))
    wrong = Mismatches()
    _check_award_pages(client, demo, wrong)
    sums = _check_award_list(client, demo, wrong)
    _check_close_out_and_budget(client, demo, wrong)
    _check_grants_dashboard(client, demo, sums, wrong)
    _check_programme_dashboard(client, demo, sums, wrong)
    assert not wrong, "\n".join(wrong)


def _check_award_pages(client, demo, wrong: Mismatches) -> None:
    """The award page: every amount, by its label."""
    for award, money in demo.values():
        page = client.get(f"/awards/{award.id}").get_data(as_text=True)
        rows = _labelled(_section(page, 'id="balances-heading"'))
        for name in ("awarded", "deobligated", "committed", "requested", "approved", "paid",
                     "reversed", "disbursed", "remaining"):
            wrong.check(f"award page {award.reference}", name, _find(rows, name),
                        getattr(money, name))


def _check_award_list(client, demo, wrong: Mismatches) -> dict[str, Money]:
    """The list of awards: one row per award, and the totals per currency, which are
    returned."""
    page = client.get("/staff/awards").get_data(as_text=True)
    headers = _rows(_section(page, "<thead>", "</thead>"))[0]
    names = ("awarded", "committed", "disbursed", "remaining")
    assert headers[-4:] == [label(name) for name in names]
    sums: dict[str, Money] = defaultdict(Money)
    for award, money in demo.values():
        sums[award.currency] += money
        row = next((cells for cells in _rows(page)
                    if cells and cells[0].startswith(award.reference + " ")), None)
        assert row is not None, f"{award.reference} is not in the list"
        for name, shown in zip(names, row[-4:], strict=True):
            wrong.check(f"award list {award.reference}", name, shown, getattr(money, name))
    footer = _rows(_section(page, "<tfoot>", "</tfoot>"))
    for currency, total in sums.items():
        row = next(cells for cells in footer if f"({currency})" in cells[0])
        for name, shown in zip(names, row[-4:], strict=True):
            wrong.check(f"award list total {currency}", name, shown, getattr(total, name))
    return sums


def _check_close_out_and_budget(client, demo, wrong: Mismatches) -> None:
    """Close-out and budget versus actual, for each award."""
    names = ("awarded", "deobligated", "committed", "disbursed", "undisbursed")
    for award, money in demo.values():
        response = client.get(f"/staff/awards/{award.id}/close-out")
        assert response.status_code == 200, (award.reference, response.status_code)
        page = html.unescape(response.get_data(as_text=True))
        rows = _labelled(_section(page, "<caption>The award's money</caption>"))
        for name in names:
            wrong.check(f"close-out {award.reference}", name, _find(rows, name),
                        getattr(money, name))
        page = client.get(f"/awards/{award.id}/budget").get_data(as_text=True)
        rows = _labelled(_section(page, 'id="money-heading"'))
        for name in names:
            wrong.check(f"budget {award.reference}", name, _find(rows, name),
                        getattr(money, name))


def _check_grants_dashboard(client, demo, sums: dict[str, Money], wrong: Mismatches) -> None:
    """The grants dashboard: per call and currency, per fund and over all funds."""
    by_call: dict[tuple[str, str, str], Money] = defaultdict(Money)
    by_fund: dict[tuple[str, str], Money] = defaultdict(Money)
    for award, money in demo.values():
        call = award.application.call
        by_call[(call.fund.name, call.title, award.currency)] += money
        by_fund[(call.fund.name, award.currency)] += money
    page = client.get("/staff/dashboard").get_data(as_text=True)
    table = _section(page, 'id="commitments-heading"')
    fund, seen = None, 0
    names = ("committed", "disbursed", "undisbursed")
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        group = re.search(r'scope="rowgroup"[^>]*>(.*?)</th>', row, re.S)
        fund = _text(group.group(1)) if group else fund
        cells = [_text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        if len(cells) < 6 or cells[-5] not in sums:
            continue
        currency, amounts = cells[-5], cells[-3:]
        if "Fund total" in cells:
            expected, where = by_fund[(fund, currency)], f"dashboard {fund} {currency}"
        elif "All funds" in cells:
            expected, where = sums[currency], f"dashboard all funds {currency}"
        else:
            expected = by_call[(fund, cells[-6], currency)]
            where = f"dashboard {fund} / {cells[-6]} {currency}"
            seen += 1
        for name, shown in zip(names, amounts, strict=True):
            wrong.check(where, name, shown, getattr(expected, name))
    assert seen == len(by_call)


def _check_programme_dashboard(client, demo, sums: dict[str, Money],
                               wrong: Mismatches) -> None:
    """The programme dashboard (the whole programme): per currency and per award."""
    page = client.get("/reports/dashboard").get_data(as_text=True)
    names = ("awarded", "committed", "disbursed")
    for cells in _rows(_section(page, "Money by currency")):
        if cells and cells[0] in sums:
            for name, shown in zip(names, cells[2:5], strict=True):
                wrong.check(f"programme dashboard {cells[0]}", name, shown,
                            getattr(sums[cells[0]], name))
            wrong.check(f"programme dashboard {cells[0]}", "undisbursed", cells[6],
                        sums[cells[0]].undisbursed)
    by_reference = {award.reference: money for award, money in demo.values()}
    listed = 0
    for cells in _rows(_section(page, "Money by award")):
        if cells and cells[0] in by_reference:
            money = by_reference[cells[0]]
            for name, shown in zip(names, cells[3:6], strict=True):
                wrong.check(f"programme dashboard {cells[0]}", name, shown,
                            getattr(money, name))
            wrong.check(f"programme dashboard {cells[0]}", "undisbursed", cells[7],
                        money.undisbursed)
            listed += 1
    assert listed == min(len(demo), 20)


# The donor workbook ------------------------------------------------------------------------

def _table(sheet) -> list[dict]:
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:] if row[0] != "Total"]


def _block(sheet, title) -> list[tuple]:
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == title)
    result = []
    for row in rows[start + 2:]:
        if all(value is None for value in row):
            break
        result.append(row)
    return result


def test_the_workbook_shows_the_ledger_amounts(demo, app):
    buffer = io.BytesIO()
    build_donor_workbook(None, None).save(buffer)
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    wrong = Mismatches()
    by_reference = {award.reference: money for award, money in demo.values()}

    awards = _table(book["Awards"])
    assert {row[label("awarded")] for row in awards} and len(awards) == len(demo)
    for row in awards:
        money = by_reference[row["Award"]]
        for name in ("awarded", "deobligated", "committed", "disbursed", "undisbursed"):
            wrong.check(f"workbook Awards {row['Award']}", name, row[label(name)],
                        getattr(money, name))

    disbursed: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for row in _table(book["Disbursements"]):
        disbursed[row["Award"]] += _decimal(row[label("disbursed")] or 0)
    for reference, money in by_reference.items():
        wrong.check(f"workbook Disbursements {reference}", "disbursed",
                    disbursed[reference], money.disbursed)

    for _grantee, committed, shown_disbursed, reference, _currency, *_rest in _block(
            book["Summary"], "Committed versus disbursed per award"):
        wrong.check(f"workbook Summary {reference}", "committed", committed,
                    by_reference[reference].committed)
        wrong.check(f"workbook Summary {reference}", "disbursed", shown_disbursed,
                    by_reference[reference].disbursed)
    sums: dict[str, Money] = defaultdict(Money)
    for award, money in demo.values():
        sums[award.currency] += money
    for currency, _grants, awarded, committed, shown_disbursed, *_rest in _block(
            book["Summary"], "Grants awarded by currency"):
        wrong.check(f"workbook Summary {currency}", "awarded", awarded, sums[currency].awarded)
        wrong.check(f"workbook Summary {currency}", "committed", committed,
                    sums[currency].committed)
        wrong.check(f"workbook Summary {currency}", "disbursed", shown_disbursed,
                    sums[currency].disbursed)
    assert not wrong, "\n".join(wrong)


# Open data ---------------------------------------------------------------------------------

def test_the_open_data_files_show_the_ledger_amounts(demo, client):
    by_reference = {award.reference: money for award, money in demo.values()}
    wrong = Mismatches()

    def reference_of(identifier: str) -> str:
        return next(ref for ref in by_reference if identifier.endswith("-" + ref))

    package = json.loads(client.get("/open-data/360giving.json").get_data())
    assert package["grants"]
    for grant in package["grants"]:
        reference = reference_of(grant["id"])
        money = by_reference[reference]
        wrong.check(f"360Giving JSON {reference}", "awarded",
                    _decimal(grant["amountAwarded"]), money.awarded)
        wrong.check(f"360Giving JSON {reference}", "disbursed",
                    _decimal(grant["amountDisbursed"]), money.disbursed)

    sheet = openpyxl.load_workbook(io.BytesIO(
        client.get("/open-data/360giving.xlsx").get_data()))["grants"]
    rows = list(sheet.iter_rows(values_only=True))
    headers = list(rows[0])
    identifier = headers.index("Identifier")
    awarded = next(i for i, h in enumerate(headers) if h and "Amount Awarded" in h)
    disbursed = next(i for i, h in enumerate(headers) if h and "Amount Disbursed" in h)
    assert len(rows) - 1 == len(package["grants"])
    for row in rows[1:]:
        reference = reference_of(row[identifier])
        wrong.check(f"360Giving XLSX {reference}", "awarded", row[awarded],
                    by_reference[reference].awarded)
        wrong.check(f"360Giving XLSX {reference}", "disbursed", row[disbursed],
                    by_reference[reference].disbursed)

    for grant in package["grants"]:
        reference = reference_of(grant["id"])
        page = client.get(f"/projects/{reference}").get_data(as_text=True)
        progress = _text(_section(page, 'class="project-progress"', "</div>"))
        wrong.check(f"public project page {reference}", "disbursed",
                    progress.split("(")[-1] if "(" in progress else progress,
                    by_reference[reference].disbursed)
    assert not wrong, "\n".join(wrong)
