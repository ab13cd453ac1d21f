"""What the IATI file reads beyond the published projects (which come from
:func:`reporting.portal.queries.public_projects`, the one place deciding what is public):
the funds and their organisations, and per published award its money and paid entries from
the ledger. A fixed number of statements whatever the number of awards."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from accounts.organisations.models import Organisation
from core.extensions import db
from grants.applications.models import Application
from grants.awards.models import Award, Disbursement
from grants.calls.models import Fund
from grants.ledger.money import Money
from grants.ledger.queries import money_by_award, paid_entries_by_award


@dataclass(frozen=True)
class AwardFacts:
    """The parts of an award the public project does not carry. Which of them are written
    still follows the project's publication settings (see ``activities``)."""

    award: Award
    money: Money
    #: Paid payments and reversals, oldest first.
    paid: list[Disbursement] = field(default_factory=list)
    organisation: Organisation | None = None
    counterpart: Organisation | None = None


def funds(fund_id: int | None = None) -> list[Fund]:
    """The funds of the file (one, or every fund), with their donor and manager."""
    query = select(Fund).options(joinedload(Fund.donor), joinedload(Fund.manager))
    if fund_id is not None:
        query = query.where(Fund.id == fund_id)
    return list(db.session.scalars(query.order_by(Fund.id)))


def award_facts(award_ids: list[int]) -> dict[int, AwardFacts]:
    if not award_ids:
        return {}
    awards = list(db.session.scalars(
        select(Award).where(Award.id.in_(award_ids))
        .options(joinedload(Award.application).options(
            joinedload(Application.organisation), joinedload(Application.counterpart)))))
    money = money_by_award(awards)
    paid = paid_entries_by_award(award_ids)
    return {award.id: AwardFacts(award=award, money=money[award.id], paid=paid[award.id],
                                 organisation=award.application.organisation,
                                 counterpart=award.application.counterpart)
            for award in awards}
