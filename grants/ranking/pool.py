"""The funding pool: what a call can award, and the amounts already decided.

The money a call can award is the smaller of (a) its maximum number of awards times its
award amount and (b) what remains of its fund: the fund's total budget minus the requested
amounts of the applications already awarded in the fund's *other* calls. (Awards of this
call are not subtracted from (b): they are part of this call's pool, and the decisions
check that the call's awarded total stays within it.) An awarded application counts for
the amount decided (``Decision.amount``: the amount requested unless staff set another),
the very amount its grant agreement is then issued for; an award recorded without an
amount counts for the amount requested.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from core.extensions import db
from grants.applications.models import Application
from grants.applications.states import ApplicationState
from grants.calls.models import Call
from grants.reviews.models import Decision

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Pool:
    """What a call can award (see the module's docstring)."""

    currency: str
    max_awards: int
    award_amount: Decimal
    fund_total: Decimal
    #: Amounts decided for the applications awarded in the fund's other calls.
    awarded_elsewhere: Decimal

    @property
    def by_awards(self) -> Decimal:
        return self.award_amount * self.max_awards

    @property
    def fund_remaining(self) -> Decimal:
        return max(self.fund_total - self.awarded_elsewhere, ZERO)

    @property
    def amount(self) -> Decimal:
        return min(self.by_awards, self.fund_remaining)

    @property
    def is_limited_by_fund(self) -> bool:
        return self.fund_remaining < self.by_awards


#: What an awarded application counts for, in SQL (outer-joined to its decision): the amount
#: decided, else the amount requested.
DECIDED_AMOUNT = func.coalesce(Decision.amount, Application.requested_amount, 0)


def decided_amount(application: Application, decision: Decision | None) -> Decimal:
    """What an awarded application counts for: the amount decided, else the amount
    requested (``DECIDED_AMOUNT`` in Python)."""
    if decision is not None and decision.amount is not None:
        return decision.amount
    return application.requested_amount or ZERO


def awarded_elsewhere(call: Call) -> Decimal:
    """Amounts decided for applications awarded in the other calls of ``call``'s fund."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(DECIDED_AMOUNT), 0))
        .select_from(Application)
        .join(Call, Application.call_id == Call.id)
        .outerjoin(Decision, Decision.application_id == Application.id)
        .where(Call.fund_id == call.fund_id, Call.id != call.id,
               Application.state == ApplicationState.awarded))
    return Decimal(total or 0).quantize(Decimal("0.01"))


def pool_for(call: Call) -> Pool:
    fund = call.fund
    return Pool(currency=fund.currency, max_awards=call.max_awards or 0,
                award_amount=call.award_amount or ZERO, fund_total=fund.total_budget or ZERO,
                awarded_elsewhere=awarded_elsewhere(call))


def awarded_in_call(call: Call) -> tuple[Decimal, int]:
    """(total decided, number) of the call's awarded applications."""
    total, count = db.session.execute(
        select(func.coalesce(func.sum(DECIDED_AMOUNT), 0), func.count())
        .select_from(Application)
        .outerjoin(Decision, Decision.application_id == Application.id)
        .where(Application.call_id == call.id,
               Application.state == ApplicationState.awarded)).one()
    return Decimal(total or 0).quantize(Decimal("0.01")), int(count)
