"""Payments in another currency: pure arithmetic on Decimals, no Flask, no database.

A disbursement is approved in the award's currency; finance may pay it in another currency at
an exchange rate stated as units of the paid currency per one unit of the award's currency.

    settled         = approved                                  (exactly, always)
    paid amount     = approved × rate, rounded half-even to the cent
    equivalent      = approved                                  (in the award's currency)

The amount settled against the award, and so every total of the ledger, the pages and the
donor workbook, is the approved amount itself: it is never derived back from the paid amount.
The paid amount is derived from it once, with the one rounding rule above (half-even, "banker's
rounding", so that rounding errors over many payments do not lean one way), and is only a
record of what left the bank. Dividing the rounded paid amount by the rate would not give the
approved amount back (US$100.06 at 0.92 EUR is 92.06 EUR, and 92.06 ÷ 0.92 is 100.065…), so
no amount is ever converted back.

A reversal is the exact negative of the payment it reverses, in both currencies.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

CENT = Decimal("0.01")
#: The rounding rule for the paid amount (stated in the README's money note too).
ROUNDING = ROUND_HALF_EVEN


@dataclass(frozen=True)
class Settlement:
    """What a payment of an approved amount records."""

    #: Settled against the award, in the award's currency: the approved amount.
    settled: Decimal
    #: What was paid, in the paid currency.
    paid_amount: Decimal
    #: The equivalent in the award's currency: the approved amount again.
    equivalent: Decimal


def paid_amount(approved: Decimal, rate: Decimal) -> Decimal:
    """``approved × rate``, rounded half-even to the cent."""
    if not isinstance(approved, Decimal) or not isinstance(rate, Decimal):
        raise TypeError("amounts and rates are Decimals, never floats")
    return (approved * rate).quantize(CENT, rounding=ROUNDING)


def settle(approved: Decimal, rate: Decimal) -> Settlement:
    """The settlement of ``approved`` (in the award's currency, in cents) paid at ``rate``."""
    approved = Decimal(approved)
    if approved != approved.quantize(CENT):
        raise ValueError("the approved amount is in cents")
    return Settlement(settled=approved, paid_amount=paid_amount(approved, rate),
                      equivalent=approved)


def reversal_of(settlement: Settlement) -> Settlement:
    """The exact opposite of ``settlement``."""
    return Settlement(settled=-settlement.settled, paid_amount=-settlement.paid_amount,
                      equivalent=-settlement.equivalent)
