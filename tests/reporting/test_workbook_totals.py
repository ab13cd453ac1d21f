"""The donor workbook's totals are numbers any reader sees: a formula saved by openpyxl has no
cached result, so pandas, python-calamine and file previews would show an empty total. Read
back with openpyxl and with python-calamine, every total equals the sum of its rows."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
from python_calamine import CalamineWorkbook

from tests.reporting.test_workbook_views import download

PERIOD = {"from": "2018-01-01", "to": "2019-12-31"}


def exact(value) -> Decimal:
    """A cell's number as the Decimal it was written as (money has two decimals at most)."""
    return Decimal(str(value)).quantize(Decimal("0.000001"))


def totals_and_sums(rows: list[list]) -> list[tuple[str, Decimal, Decimal]]:
    """(header, total, sum of the rows above) for each numeric cell of the Totals row."""
    headers, body, totals = rows[0], rows[1:-1], rows[-1]
    found = []
    for index, total in enumerate(totals[1:], 1):
        if total in (None, ""):
            continue
        assert isinstance(total, (int, float)) and not isinstance(total, bool), (
            headers[index], total)
        numbers = [row[index] for row in body
                   if isinstance(row[index], (int, float)) and not isinstance(row[index], bool)]
        found.append((headers[index], exact(total), sum((exact(n) for n in numbers),
                                                         Decimal(0))))
    return found


def test_totals_are_numbers_equal_to_the_sum_of_the_rows(client, login_as, demo_programme):
    login_as("donor")
    response = download(client, PERIOD)
    assert response.status_code == 200
    with_openpyxl = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    with_calamine = CalamineWorkbook.from_filelike(io.BytesIO(response.data))

    checked = 0
    for title in with_openpyxl.sheetnames[2:]:
        from_openpyxl = [list(row) for row in with_openpyxl[title].iter_rows(values_only=True)]
        if from_openpyxl[-1][0] != "Total":
            continue
        from_calamine = with_calamine.get_sheet_by_name(title).to_python()
        assert from_calamine[-1][0] == "Total"
        by_openpyxl = totals_and_sums(from_openpyxl)
        by_calamine = totals_and_sums(from_calamine)
        assert by_openpyxl, f"{title}: a Totals row without numbers"
        assert by_calamine == by_openpyxl, title
        for header, total, rows_sum in by_openpyxl:
            assert total == rows_sum, (title, header)
            checked += 1
    # Awards, Disbursements and Budget vs actual at least carry money totals.
    assert checked >= 6
