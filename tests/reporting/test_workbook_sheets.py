"""The donor workbook's sheets, read back with openpyxl: titles and headers, real numbers
and dates, totals that match the database, the charts, the indicators on the Summary, the
anonymised and named variants, periods and funds, and user text that never runs."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import func, select

from reporting.workbook.builder import UnknownFund, build_donor_workbook, workbook_filename
from reporting.workbook.queries import WorkbookPeriod

REFERENCE = WorkbookPeriod(date(2018, 1, 1), date(2019, 12, 31))
DATA_SHEETS = ["Calls", "Applications", "Awards", "Disbursements", "Budget vs actual",
               "Reports", "Coalitions", "Memberships", "Commitments", "Events", "Participants",
               "Organisations"]
#: The results framework's sheet lists the logframe's indicators whatever the period.
SHEETS = ["About", "Summary", *DATA_SHEETS, "Results", "Reconciliation"]


def load(workbook) -> openpyxl.Workbook:
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer)


def build(period=None, fund_id=None, **options) -> openpyxl.Workbook:
    return load(build_donor_workbook(period, fund_id, **options))


def table(sheet) -> tuple[list[str], list[dict], list | None]:
    """(headers, data rows as dicts, the totals row's cells or None)."""
    rows = list(sheet.iter_rows())
    headers = [cell.value for cell in rows[0]]
    body, totals = rows[1:], None
    if body and body[-1][0].value == "Total":
        totals, body = body[-1], body[:-1]
    return headers, [dict(zip(headers, row, strict=True)) for row in body], totals


def values(sheet, header) -> list:
    _headers, rows, _totals = table(sheet)
    return [row[header].value for row in rows]


def block(sheet, title) -> list[tuple]:
    """The data rows of a block of a block sheet (below its header, up to a blank line)."""
    rows = [tuple(cell.value for cell in row) for row in sheet.iter_rows()]
    start = next(i for i, row in enumerate(rows) if row[0] == title)
    if rows[start + 1][1] is None and rows[start + 2][0] is not None:
        start += 1  # a note below the title
    width = sum(1 for value in rows[start + 1] if value is not None)  # the header
    result = []
    for row in rows[start + 2:]:
        if all(value is None for value in row):
            break
        result.append(row[:width])
    return result


@pytest.fixture
def demo_book(demo_programme):
    return build(None, None)


# The demo programme ---------------------------------------------------------------------------

def test_the_whole_programme_fills_every_sheet(demo_book):
    assert demo_book.sheetnames == SHEETS
    for title in DATA_SHEETS:
        _headers, rows, _totals = table(demo_book[title])
        assert rows, f"{title} is empty"
        sheet = demo_book[title]
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
        assert sheet["A1"].font.b
    assert block(demo_book["Summary"], "Programme indicators")
    assert block(demo_book["About"], "Definitions")


def test_headers_of_the_main_sheets(demo_book):
    def headers(title):
        return table(demo_book[title])[0]

    assert headers("Applications")[:5] == ["Reference", "Call", "Project", "Organisation",
                                           "Government counterpart"]
    assert {"Reviews", "Mean weighted score (0–100)", "Rank in the call"} <= set(
        headers("Applications"))
    assert {"Amount awarded", "Committed", "Disbursed", "Currency"} <= set(headers("Awards"))
    assert {"Kind", "State", "Amount", "Award currency", "Paid currency", "Paid amount",
            "Exchange rate", "USD equivalent", "Bank reference", "Paid on"} <= set(
        headers("Disbursements"))
    assert {"Budget", "Spent (accepted reports)", "Variance", "Variance, share of budget",
            "Off budget by over a tenth"} <= set(headers("Budget vs actual"))
    assert headers("Participants") == ["Person", "Sex", "Age group", "Sector", "Organisation",
                                       "Country", "International expert", "Events attended"]
    assert "Submitted (America/Belize)" in headers("Applications")


def test_the_reference_period_shows_the_programme_numbers(demo_programme):
    book = build(REFERENCE)
    indicators = dict(block(book["Summary"], "Programme indicators"))
    assert indicators == {"Events": 21, "Unique participants": 212, "Women": 109,
                          "Under 30": 63, "International experts": 23,
                          "Organisations engaged": 114, "Grants awarded": 8}
    assert block(book["Summary"], "Grants awarded by currency") == [
        ("USD", 8, 40000, 40000, 40000)]  # the reference programme is fully paid
    assert dict((row[0], row[1]) for row in block(book["Summary"],
                                                 "Organisations engaged by sector")) == {
        "Government": 30, "Civil society": 30, "Private sector": 45, "Academic": 9,
        "International organisation": 0, "Media": 0, "Other": 0}
    # The sheets list exactly the records behind the numbers.
    assert len(table(book["Events"])[1]) == 21
    assert len(table(book["Participants"])[1]) == 212
    assert len(table(book["Organisations"])[1]) == 114
    assert sum(values(book["Awards"], "Amount awarded")) == 40000
    # Exact on the variant with names; the anonymised one may suppress some (k-anonymity).
    named = build(REFERENCE, with_names=True)
    assert values(named["Participants"], "Sex").count("Female") == 109
    assert values(named["Participants"], "Age group").count("Under 30") == 63
    sexes = values(book["Participants"], "Sex")
    assert sexes.count("Female") + sexes.count("Suppressed") >= 109
    about = dict(row[:2] for row in block(book["About"], "This workbook"))
    assert about["Period"] == "2018-01-01 to 2019-12-31" and about["Fund"] == "All funds"
    assert "America/Belize" in about["Generated at"]
    assert about["Variant"].startswith("Anonymised")


def test_the_summary_has_native_charts_over_its_blocks(demo_programme):
    buffer = io.BytesIO()
    build_donor_workbook(REFERENCE).save(buffer)
    charts = [name for name in zipfile.ZipFile(buffer).namelist()
              if name.startswith("xl/charts/chart")]
    assert len(charts) == 6
    buffer.seek(0)
    summary = openpyxl.load_workbook(buffer)["Summary"]
    titles = {"".join(run.t for paragraph in chart.title.tx.rich.p for run in paragraph.r)
              for chart in summary._charts}
    assert titles == {"Events by type", "Participants by sex", "Participants by age group",
                      "Awards by thematic area", "Committed versus disbursed per award",
                      "Organisations engaged by sector"}
    assert dict(block(summary, "Participants by sex"))["Female"] == 109
    assert sum(row[1] for row in block(summary, "Events by type")) == 21
    committed = block(summary, "Committed versus disbursed per award")
    assert len(committed) == 8 and all(row[1] == 5000 for row in committed)
    # The bars are named by grantee; the award's reference is beside them.
    _headers, awards, _totals = table(openpyxl.load_workbook(buffer)["Awards"])
    grantees = {row["Award"].value: row["Grantee"].value for row in awards}
    assert [row[0] for row in committed] == [grantees[row[3]] for row in committed]


def test_numbers_are_numbers_and_dates_are_dates(demo_book):
    _headers, awards, _totals = table(demo_book["Awards"])
    first = awards[0]
    assert isinstance(first["Amount awarded"].value, (int, float))
    assert first["Amount awarded"].number_format == '#,##0.00 "USD"'
    assert isinstance(first["Decided"].value, datetime)
    assert first["Decided"].number_format == "yyyy-mm-dd"
    _headers, ledger, _totals = table(demo_book["Disbursements"])
    paid = next(row for row in ledger if row["State"].value == "Paid")
    assert isinstance(paid["Paid on"].value, datetime) and paid["Exchange rate"].value == 2
    assert paid["Paid amount"].number_format == '#,##0.00 "BZD"'
    assert isinstance(paid["Requested (America/Belize)"].value, datetime)
    assert paid["Requested (America/Belize)"].number_format == "yyyy-mm-dd hh:mm"
    _headers, budget, _totals = table(demo_book["Budget vs actual"])
    assert budget[0]["Variance, share of budget"].number_format == "0.0%"
    assert budget[0]["Off budget by over a tenth"].value in ("Yes", "No")
    assert all(isinstance(label, str) and label.startswith("P-")  # pseudonyms
               for label in values(demo_book["Participants"], "Person"))
    assert all(isinstance(n, int) for n in values(demo_book["Events"], "Participants"))


def test_totals_match_the_database(demo_book, db_session):
    from grants.applications.models import BudgetLine
    from grants.awards.models import Award, Disbursement
    from grants.awards.states import DisbursementState

    headers, rows, totals = table(demo_book["Awards"])
    awarded = db_session.scalar(select(func.sum(Award.amount)))
    assert Decimal(str(sum(values(demo_book["Awards"], "Amount awarded")))) == awarded
    column = headers.index("Amount awarded")
    assert Decimal(str(totals[column].value)) == awarded
    assert totals[column].font.b and totals[0].value == "Total"

    paid = Disbursement.state == DisbursementState.paid
    usd = db_session.scalar(select(func.sum(Disbursement.usd_equivalent)).where(paid))
    assert Decimal(str(sum(v or 0 for v in values(demo_book["Disbursements"],
                                                  "USD equivalent")))) == usd
    disbursed = db_session.scalar(select(func.sum(Disbursement.amount)).where(paid))
    assert Decimal(str(sum(v or 0 for v in values(demo_book["Disbursements"],
                                                  "Disbursed")))) == disbursed
    assert Decimal(str(sum(values(demo_book["Awards"], "Disbursed")))) == disbursed
    ledger_headers, _rows, ledger_totals = table(demo_book["Disbursements"])
    assert Decimal(str(ledger_totals[ledger_headers.index("USD equivalent")].value)) == Decimal(
        str(sum(v or 0 for v in values(demo_book["Disbursements"], "USD equivalent"))))
    assert sum(isinstance(cell.value, (int, float)) for cell in ledger_totals) == 3

    budgeted = db_session.scalar(select(func.sum(BudgetLine.amount)).where(
        BudgetLine.application_id.in_(select(Award.application_id))))
    assert Decimal(str(sum(values(demo_book["Budget vs actual"], "Budget")))) == budgeted
    assert table(demo_book["Budget vs actual"])[2] is not None


def test_scores_are_summarised_without_naming_a_reviewer(demo_book, db_session):
    from accounts.models import Role, User, UserRole

    _headers, rows, _totals = table(demo_book["Applications"])
    awarded = [row for row in rows if row["State"].value == "Awarded"
               and "2018" in row["Reference"].value]  # the reference call
    assert len(awarded) == 8
    assert all(row["Reviews"].value >= 1 and row["Mean weighted score (0–100)"].value
               for row in awarded)
    assert sorted(row["Rank in the call"].value for row in awarded) == list(range(1, 9))
    reviewers = db_session.scalars(select(User.name).join(UserRole).where(
        UserRole.role == Role.reviewer)).all()
    texts = {cell.value for sheet in demo_book.worksheets for row in sheet.iter_rows()
             for cell in row if isinstance(cell.value, str)}
    assert reviewers and not texts & set(reviewers)


def test_participants_are_named_only_in_the_variant_with_names(demo_programme, db_session):
    from coalitions.events.models import Person

    anonymous = build(REFERENCE)
    texts = {cell.value for sheet in anonymous.worksheets for row in sheet.iter_rows()
             for cell in row if isinstance(cell.value, str)}
    assert not any("@" in text and "demo.example.org" in text for text in texts)

    named = build(REFERENCE, with_names=True)
    headers, rows, _totals = table(named["Participants"])
    assert headers[:3] == ["Person", "Full name", "Email"]
    person = rows[0]
    stored = db_session.get(Person, person["Person"].value)
    assert (person["Full name"].value, person["Email"].value) == (stored.full_name,
                                                                  stored.email)
    about = dict(row[:2] for row in block(named["About"], "This workbook"))
    assert about["Variant"].startswith("With names")


def test_a_period_without_records_gives_zeros_and_a_note(demo_programme):
    book = build(WorkbookPeriod(date(2005, 1, 1), date(2005, 12, 31)))
    assert book.sheetnames == SHEETS
    for title in DATA_SHEETS:
        _headers, rows, totals = table(book[title])
        assert rows == [], title
        if totals is not None:
            assert all(cell.value in (None, 0, "Total") for cell in totals)
    assert set(dict(block(book["Summary"], "Programme indicators")).values()) == {0}
    about = dict(row[:2] for row in block(book["About"], "This workbook"))
    assert "No records match this period" in about["Note"]
    assert book["Summary"]._charts == []


def test_an_empty_database_gives_a_valid_workbook(db_session):
    book = build()
    assert book.sheetnames == SHEETS
    assert all(not table(book[title])[1] for title in DATA_SHEETS)


def test_open_ended_periods(demo_programme):
    since = build(WorkbookPeriod(date(2020, 1, 1), None))
    # The two events of 2020 and the current cycle's event of last week.
    assert dict(block(since["Summary"], "Programme indicators"))["Events"] == 3
    assert len(table(since["Commitments"])[1]) == 4
    until = build(WorkbookPeriod(None, date(2019, 12, 31)))
    assert dict(block(until["Summary"], "Programme indicators"))["Events"] == 21
    assert table(until["Commitments"])[1] == []


def test_each_sheet_keeps_to_its_own_dates(demo_programme):
    march = WorkbookPeriod(date(2019, 3, 1), date(2019, 3, 31))
    book = build(march)
    _headers, ledger, _totals = table(book["Disbursements"])
    assert ledger
    for row in ledger:
        requested = row["Requested (America/Belize)"].value
        paid_on = row["Paid on"].value
        assert (requested and date(2019, 3, 1) <= requested.date() <= date(2019, 3, 31)) or (
            paid_on and date(2019, 3, 1) <= paid_on.date() <= date(2019, 3, 31))
    assert all(date(2019, 3, 1) <= day.date() <= date(2019, 3, 31)
               for day in values(book["Events"], "First day"))
    # The awards were decided in December 2018: none in March 2019, so no budget rows.
    assert table(book["Awards"])[1] == [] and table(book["Budget vs actual"])[1] == []
    december = build(WorkbookPeriod(date(2018, 12, 1), date(2018, 12, 31)))
    assert len(table(december["Awards"])[1]) == 8


def test_the_fund_filter_narrows_the_grants_only(demo_programme, db_session):
    from tests.fixtures.grants import GrantFactories

    other = GrantFactories(db_session).fund(name="Another fund")
    book = build(REFERENCE, other.id)
    for title in ("Calls", "Applications", "Awards", "Disbursements", "Budget vs actual",
                  "Reports"):
        assert table(book[title])[1] == [], title
    assert len(table(book["Events"])[1]) == 21
    assert len(table(book["Participants"])[1]) == 212
    about = dict(row[:2] for row in block(book["About"], "This workbook"))
    assert about["Fund"] == "Another fund"
    with pytest.raises(UnknownFund):
        build_donor_workbook(REFERENCE, other.id + 1000)


def test_reversed_periods_are_refused():
    with pytest.raises(ValueError):
        WorkbookPeriod(date(2019, 12, 31), date(2019, 1, 1))


def test_file_names_say_what_the_file_holds():
    assert workbook_filename(None, None) == "donor-workbook_whole-programme.xlsx"
    assert workbook_filename(REFERENCE, 3, with_names=True) == (
        "donor-workbook_2018-01-01_2019-12-31_fund-3_names.xlsx")
    assert workbook_filename(WorkbookPeriod(date(2020, 1, 1)), None) == (
        "donor-workbook_2020-01-01_today.xlsx")


# Hostile text ---------------------------------------------------------------------------------

HOSTILE = ["=HYPERLINK(\"http://x\",\"click\")", "+1", "-2", "@SUM(A1)", "\t=1+1", "\r=1+1",
           "bell\x07and\x01controls", "<script>alert(1)</script>", "=cmd|' /C calc'!A0"]
LONG = "=" + "L" * 5000


@pytest.fixture
def hostile_programme(db_session, factories):
    """A small programme whose every user text is hostile."""
    from accounts.organisations.models import Sector
    from coalitions.coalitions.models import Coalition, CoalitionMembership
    from coalitions.events.models import Attendance, Event, EventType, Person
    from grants.awards.models import Award, Disbursement
    from grants.awards.states import AwardState, DisbursementKind, DisbursementState
    from tests.fixtures.grants import GrantFactories

    grants = GrantFactories(db_session, factories)
    fund = grants.fund(name=HOSTILE[0])
    call = grants.call(fund=fund, title=HOSTILE[1], areas=[HOSTILE[2], HOSTILE[7]])
    organisations = [factories.organisation(name=text[:200], acronym="=A",
                                            sector=Sector.civil_society, district=HOSTILE[3])
                     for text in HOSTILE]
    decided = datetime(2019, 2, 1, 12, tzinfo=UTC)
    for number, organisation in enumerate(organisations):
        application = grants.application(
            call, organisation, state="awarded", title=HOSTILE[number],
            areas=list(call.thematic_areas), districts=[HOSTILE[number], LONG],
            counterpart=organisations[-1 - number], requested_amount=Decimal("5000.00"),
            reference=f"OGB-H-{number}", decided_at=decided)
        award = Award(application=application, reference=f"=AW-{number}",
                      amount=Decimal("5000.00"), currency="USD", state=AwardState.active)
        db_session.add(award)
        db_session.flush()
        db_session.add(Disbursement(
            award=award, kind=DisbursementKind.payment, state=DisbursementState.paid,
            amount=Decimal("100.00"), idempotency_key=f"hostile-{number}",
            requested_at=decided, paid_on=date(2019, 2, 2), bank_reference=HOSTILE[number],
            paid_currency="BZD", paid_amount=Decimal("200.00"), exchange_rate=Decimal("2"),
            usd_equivalent=Decimal("100.00"), reversal_reason=LONG))
    event = Event(type=EventType.workshop, title=HOSTILE[4], starts_on=date(2019, 2, 3),
                  ends_on=date(2019, 2, 3), district=HOSTILE[5], country="BZ",
                  organiser=organisations[0])
    event.attendances = [Attendance(person=Person(full_name=text, email=f"h{n}@example.org",
                                                  organisation=organisations[n], country="BZ"))
                         for n, text in enumerate(HOSTILE)]
    coalition = Coalition(name=HOSTILE[6], thematic_areas=[LONG, HOSTILE[0]],
                          lead_organisation=organisations[1], formed_on=date(2019, 1, 1))
    coalition.memberships = [CoalitionMembership(organisation=organisations[2],
                                                 joined_on=date(2019, 1, 1))]
    db_session.add_all([event, coalition])
    db_session.flush()


def test_no_cell_made_from_user_text_is_a_formula(hostile_programme):
    book = build(WorkbookPeriod(date(2019, 1, 1), date(2019, 12, 31)), with_names=True)
    texts = set()
    formulas = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formulas.append(cell.value)
                elif isinstance(cell.value, str):
                    texts.add(cell.value)
    assert not formulas  # not even the totals, which are numbers
    assert not any(text.startswith(("=", "+", "-", "@", "\t", "\r")) for text in texts)
    # Neutralised with a leading quote, kept in full otherwise.
    assert "'=HYPERLINK(\"http://x\",\"click\")" in texts
    assert "'=cmd|' /C calc'!A0" in texts and "'+1" in texts and "'@SUM(A1)" in texts
    assert "<script>alert(1)</script>" in texts
    assert "bell\ufffdand\ufffdcontrols" in texts
    assert any(text.startswith("'=AW-") for text in texts)
    assert "'" + LONG in texts  # the coalition's first area and the reversal reason
    assert any(text.endswith("; " + LONG) for text in texts)  # districts, joined
