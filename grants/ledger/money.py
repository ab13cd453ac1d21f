"""The one definition of every amount of an award's money.

Every page, email, export and open-data file takes its amounts from here: once as SQL
expressions (sums over the ``disbursements`` ledger, per award or grouped across awards by
fund, call, currency…), once as the pure ``Money`` data class built from those sums. The
words are the ones the pages, the donor workbook's About sheet and the README use.

    awarded      the award's amount (the amount decided)
    de-obligated the part of the award that will not be paid (termination or close-out)
    committed    awarded − de-obligated: what the programme is bound to pay
    requested    payment requests awaiting approval
    approved     approved payment requests not yet paid
    paid         payments made, gross
    reversed     reversals of payments, as a positive amount
    disbursed    paid − reversed: what the grantee received, net of reversals
    open         requested + approved: requests not yet paid, rejected or cancelled
    drawn        requested + approved + disbursed: what counts against the award
    remaining    committed − drawn
                 = awarded − de-obligated − requested − approved − disbursed:
                 what can still be requested
    undisbursed  committed − disbursed: committed but not yet disbursed (what closing the
                 award de-obligates)

Reversal entries carry negative amounts in the ledger; ``reversed`` is their sum with the
sign turned, so every amount above is positive in a ledger that balances. Rejected and
cancelled requests count nowhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select

from core.money import cents
from grants.awards.models import Award, Disbursement
from grants.awards.states import DisbursementKind, DisbursementState

ZERO = Decimal("0.00")

#: The amounts summed from the database; the others are computed from them.
SUMS = ("awarded", "deobligated", "requested", "approved", "paid", "reversed")
#: The ledger's own sums (the first two are the award's columns).
ENTRY_SUMS = SUMS[2:]


#: Every amount's label and definition, in the order pages list them: the words of the
#: pages, of the donor workbook's About sheet and of the README's "Money" section.
AMOUNTS = {
    "awarded": (_l("Amount awarded"), _l("The award's amount: the amount decided.")),
    "deobligated": (_l("De-obligated"), _l(
        "The part of the award that will not be paid (on termination or close-out).")),
    "committed": (_l("Committed"), _l(
        "Awarded minus de-obligated: what the programme is bound to pay.")),
    "requested": (_l("Requested"), _l("Payment requests awaiting approval.")),
    "approved": (_l("Approved"), _l("Approved payment requests not yet paid.")),
    "paid": (_l("Paid"), _l("Payments made, gross (before reversals).")),
    "reversed": (_l("Reversed"), _l("Reversals correcting payments, as a positive amount.")),
    "disbursed": (_l("Disbursed"), _l("Paid minus reversed: what the grantee received.")),
    "drawn": (_l("Drawn"), _l(
        "Requested plus approved plus disbursed: what counts against the award.")),
    "remaining": (_l("Remaining"), _l(
        "Committed minus drawn (awarded − de-obligated − requested − approved − "
        "disbursed): what can still be requested.")),
    "undisbursed": (_l("Not yet disbursed"), _l(
        "Committed minus disbursed: what closing the award de-obligates.")),
}


def label(name: str) -> str:
    """The label of the amount ``name`` (a key of ``AMOUNTS``), in the reader's language."""
    return str(AMOUNTS[name][0])


def definition(name: str) -> str:
    return str(AMOUNTS[name][1])


@dataclass(frozen=True)
class Money:
    """An award's money (or the sum of several awards' in one currency): see the module's
    text for the definitions."""

    awarded: Decimal = ZERO
    deobligated: Decimal = ZERO
    requested: Decimal = ZERO
    approved: Decimal = ZERO
    paid: Decimal = ZERO
    reversed: Decimal = ZERO

    @property
    def committed(self) -> Decimal:
        """awarded − de-obligated."""
        return self.awarded - self.deobligated

    @property
    def disbursed(self) -> Decimal:
        """paid − reversed."""
        return self.paid - self.reversed

    @property
    def open(self) -> Decimal:
        """requested + approved: requests not yet paid, rejected or cancelled."""
        return self.requested + self.approved

    @property
    def drawn(self) -> Decimal:
        """requested + approved + disbursed."""
        return self.open + self.disbursed

    @property
    def remaining(self) -> Decimal:
        """awarded − de-obligated − requested − approved − disbursed."""
        return self.committed - self.drawn

    @property
    def undisbursed(self) -> Decimal:
        """committed − disbursed."""
        return self.committed - self.disbursed

    def __add__(self, other: Money) -> Money:
        """The sum of two positions in the same currency (the caller keeps currencies
        apart)."""
        return Money(*(getattr(self, name) + getattr(other, name) for name in SUMS))

    @classmethod
    def of(cls, sums: Mapping) -> Money:
        """From a mapping (a result row's ``_mapping``) holding the ``SUMS`` by name; a
        missing ledger sum is zero."""
        return cls(*(cents(sums.get(name)) for name in SUMS))


def total(positions) -> Money:
    """The sum of several positions of one currency."""
    result = Money()
    for position in positions:
        result = result + position
    return result


# SQL ---------------------------------------------------------------------------------------

def _sum_when(*conditions):
    return func.coalesce(func.sum(case((and_(*conditions), Disbursement.amount), else_=0)), 0)


def entry_columns() -> dict:
    """The ledger's sums as aggregate expressions over ``Disbursement`` rows, by name:
    requested, approved, paid (payments in those states) and reversed (paid reversal
    entries, sign turned). Group them by award, tranche or anything joined."""
    payment = Disbursement.kind == DisbursementKind.payment
    return {
        "requested": _sum_when(payment, Disbursement.state == DisbursementState.requested),
        "approved": _sum_when(payment, Disbursement.state == DisbursementState.approved),
        "paid": _sum_when(payment, Disbursement.state == DisbursementState.paid),
        "reversed": -_sum_when(Disbursement.kind == DisbursementKind.reversal,
                               Disbursement.state == DisbursementState.paid),
    }


def ledgers(*where):
    """A subquery: one row per award with a ledger (restricted by ``where``, conditions on
    ``Disbursement``), with its ``award_id`` and the ``ENTRY_SUMS``."""
    return (select(Disbursement.award_id,
                   *(column.label(name) for name, column in entry_columns().items()))
            .where(*where).group_by(Disbursement.award_id).subquery("ledgers"))


def derived(sums: Mapping) -> dict:
    """The computed amounts as SQL expressions over the ``SUMS`` expressions."""
    committed = sums["awarded"] - sums["deobligated"]
    disbursed = sums["paid"] - sums["reversed"]
    drawn = sums["requested"] + sums["approved"] + disbursed
    return {"committed": committed, "disbursed": disbursed, "drawn": drawn,
            "remaining": committed - drawn, "undisbursed": committed - disbursed}


def award_columns(sums) -> dict:
    """Per award (one row per ``Award``, outer-joined to ``sums = ledgers()``): every
    amount as an SQL expression, by name."""
    base = {"awarded": Award.amount, "deobligated": Award.deobligated_amount,
            **{name: func.coalesce(sums.c[name], 0) for name in ENTRY_SUMS}}
    return {**base, **derived(base)}


def grouped_columns(sums) -> dict:
    """Across awards (rows of ``Award`` outer-joined to ``sums = ledgers()``, grouped by
    fund, call, currency…): every amount as an aggregate SQL expression, by name."""
    base = {"awarded": func.coalesce(func.sum(Award.amount), 0),
            "deobligated": func.coalesce(func.sum(Award.deobligated_amount), 0),
            **{name: func.coalesce(func.sum(func.coalesce(sums.c[name], 0)), 0)
               for name in ENTRY_SUMS}}
    return {**base, **derived(base)}


def labelled(columns: Mapping) -> list:
    return [column.label(name) for name, column in columns.items()]


def select_money(*keys, grouped: bool = True, where=(), ledger_where=()):
    """``select(*keys, every amount labelled by name)`` over ``Award`` outer-joined to its
    ledger sums; grouped by ``keys`` unless ``grouped`` is false (then one row per award).
    The caller joins what ``keys`` and ``where`` need. ``ledger_where`` (conditions on
    ``Disbursement``) restricts the ledgers summed, for a caller that reads a few awards."""
    sums = ledgers(*ledger_where)
    columns = grouped_columns(sums) if grouped else award_columns(sums)
    query = (select(*keys, *labelled(columns)).select_from(Award)
             .outerjoin(sums, sums.c.award_id == Award.id).where(*where))
    if grouped and keys:
        query = query.group_by(*keys)
    return query

