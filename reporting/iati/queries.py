"""What the IATI file reads beyond the published projects (which come, with their awards
and money, from :func:`reporting.portal.queries.public_project_sources`, the one place
deciding what is public): the funds and their organisations, and per published award its
paid entries from the ledger. A fixed number of statements whatever the number of awards."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Row, select
from sqlalchemy.orm import joinedload

from accounts.organisations.models import Organisation
from core.extensions import db
from grants.awards.models import Award
from grants.calls.models import Fund
from grants.ledger.money import Money
from grants.ledger.queries import paid_entries_by_award
from reporting.portal.queries import ProjectSource


@dataclass(frozen=True)
class AwardFacts:
    """The parts of an award the public project does not carry. Which of them are written
    still follows the project's publication settings (see ``activities``)."""

    award: Award
    money: Money
    #: Paid payments and reversals, oldest first (``grants.ledger.queries``' rows).
    paid: list[Row] = field(default_factory=list)
    organisation: Organisation | None = None
    counterpart: Organisation | None = None


def funds(fund_id: int | None = None) -> list[Fund]:
    """The funds of the file (one, or every fund), with their donor and manager."""
    query = select(Fund).options(joinedload(Fund.donor), joinedload(Fund.manager))
    if fund_id is not None:
        query = query.where(Fund.id == fund_id)
    return list(db.session.scalars(query.order_by(Fund.id)))


def award_facts(sources: list[ProjectSource]) -> dict[int, AwardFacts]:
    """Per award of ``sources``, its facts: the award, its organisations and money as the
    public projects loaded them, and its paid entries."""
    if not sources:
        return {}
    paid = paid_entries_by_award([source.award.id for source in sources])
    return {source.award.id: AwardFacts(
                award=source.award, money=source.money, paid=paid[source.award.id],
                organisation=source.award.application.organisation,
                counterpart=source.award.application.counterpart)
            for source in sources}
