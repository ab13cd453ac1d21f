"""Payments in another currency settle exactly the approved amount: the paid amount is derived
from it once (half-even to the cent) and nothing is converted back, so the ledger, the pages
and the donor workbook never differ by a cent."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import OperationError
from grants.awards import checks, operations
from grants.awards.states import TrancheCondition
from grants.ledger import exchange
from grants.ledger import operations as ledger
from grants.ledger import queries as ledger_queries
from reporting.workbook.queries import Scope, WorkbookPeriod
from reporting.workbook.sheets_grants import disbursements_sheet
from tests.grants.awards.conftest import create, make_awarded, pay, request, sign

D = Decimal

#: Amounts in cents up to the largest a Numeric(12, 2) column holds.
amounts = st.integers(min_value=1, max_value=999_999_999_999).map(lambda c: D(c) / 100)
#: Rates with up to six decimals, as the form takes them.
rates = st.integers(min_value=1, max_value=99_999_999_999).map(lambda r: D(r) / 1_000_000)


# The arithmetic ----------------------------------------------------------------------------

def test_the_reported_case_settles_the_approved_amount():
    settlement = exchange.settle(D("100.06"), D("0.92"))
    assert settlement == exchange.Settlement(settled=D("100.06"), paid_amount=D("92.06"),
                                             equivalent=D("100.06"))


def test_the_paid_amount_is_rounded_half_even():
    assert exchange.paid_amount(D("0.01"), D("0.5")) == D("0.00")  # 0.005 → 0.00
    assert exchange.paid_amount(D("0.03"), D("0.5")) == D("0.02")  # 0.015 → 0.02
    assert exchange.paid_amount(D("0.05"), D("0.5")) == D("0.02")  # 0.025 → 0.02
    with pytest.raises(TypeError):
        exchange.paid_amount(0.1, D("1"))


@given(st.lists(st.tuples(amounts, rates), min_size=1, max_size=30))
def test_settled_totals_equal_approved_totals_exactly(payments):
    settlements = [exchange.settle(amount, rate) for amount, rate in payments]
    approved = sum((amount for amount, _rate in payments), D(0))
    assert sum((s.settled for s in settlements), D(0)) == approved
    assert sum((s.equivalent for s in settlements), D(0)) == approved
    for (amount, rate), settlement in zip(payments, settlements, strict=True):
        assert settlement.paid_amount == (amount * rate).quantize(D("0.01"), ROUND_HALF_EVEN)
        reversal = exchange.reversal_of(settlement)
        assert (settlement.settled + reversal.settled, settlement.paid_amount
                + reversal.paid_amount, settlement.equivalent + reversal.equivalent) == (0, 0, 0)


# Recording payments ------------------------------------------------------------------------

@pytest.fixture
def active(award, staff):
    return sign(award, staff)


def test_a_payment_in_euros_records_the_approved_amount_as_its_equivalent(
        active, staff, finance, other_finance):
    entry = request(active, staff, amount="100.06")
    ledger.approve_disbursement(entry, other_finance)
    pay(entry, finance, paid_currency="EUR", exchange_rate=D("0.92"), paid_amount="92.06",
        usd_equivalent="100.06")
    assert (entry.amount, entry.paid_amount, entry.usd_equivalent) == (
        D("100.06"), D("92.06"), D("100.06"))
    assert ledger_queries.money_of(active).disbursed == D("100.06")


def test_another_equivalent_is_refused(active, staff, finance, other_finance):
    entry = request(active, staff, amount="100.06")
    ledger.approve_disbursement(entry, other_finance)
    with pytest.raises(OperationError) as raised:
        pay(entry, finance, paid_currency="EUR", exchange_rate=D("0.92"),
            usd_equivalent="100.07")
    assert raised.value.field == "usd_equivalent"


# Page and workbook totals ------------------------------------------------------------------

def _workbook_totals(award) -> tuple[Decimal, Decimal]:
    """The Disbursed and USD-equivalent totals of ``award`` in the donor workbook's
    Disbursements sheet."""
    sheet = disbursements_sheet(Scope(WorkbookPeriod(None, None), None))
    names = [str(column.title) for column in sheet.columns]
    disbursed, equivalent = names.index("Disbursed"), names.index("USD equivalent")
    ids = {row.entry.id for row in ledger_queries.ledger(award).rows}
    rows = [row for row in sheet.rows if row[names.index("Entry")] in ids]
    return (sum((row[disbursed] or D(0) for row in rows), D(0)),
            sum((row[equivalent] or D(0) for row in rows), D(0)))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
#: Up to three payments within the first tranche (2,500.00).
@given(st.lists(st.tuples(st.integers(min_value=1, max_value=83_333).map(lambda c: D(c) / 100),
                          rates), min_size=1, max_size=3),
       st.booleans())
def test_page_totals_equal_workbook_totals(db_session, factories, staff, finance,
                                           other_finance, payments, reverse_first):
    application = make_awarded(db_session, factories, decided_by=staff)
    award = sign(create(application, staff), staff)
    tranche = next(t for t in award.tranches if t.condition == TrancheCondition.signature)
    paid = []
    for amount, rate in payments:
        if not 0 < exchange.paid_amount(amount, rate) <= D("9999999999.99"):
            continue  # refused as unrecordable at this rate
        entry = request(award, staff, tranche=tranche, amount=amount)
        ledger.approve_disbursement(entry, other_finance)
        pay(entry, finance, paid_currency="EUR", exchange_rate=rate)
        paid.append(entry)
    if paid and reverse_first:
        ledger.reverse_disbursement(paid[0], finance, reason="Paid to the wrong account.",
                                        reversed_on=operations.programme_today(),
                                        idempotency_key=checks.new_idempotency_key())
    approved = sum((entry.amount for entry in paid[1 if reverse_first else 0:]), D(0))
    page = ledger_queries.money_of(award).disbursed
    disbursed, equivalent = _workbook_totals(award)
    assert page == disbursed == equivalent == approved
