"""Which awards of a set the 360Giving file holds, and why it leaves the others out.

The rules are the open data's own, not copies of them: an award is a candidate when the
portal publishes it (:func:`reporting.portal.queries.public_projects`, the same list the file
is built from), and a candidate is a grant unless it lacks a part the standard requires
(:func:`reporting.opendata.grants.missing_part`). An award the portal does not publish is
either not signed yet (its state is not among ``PUBLISHABLE_STATES``) or withdrawn by staff.
The donor workbook's Reconciliation sheet reads this to account for every award.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from core.extensions import db
from grants.awards.models import Award
from grants.awards.states import AwardState
from reporting.opendata.grants import LEFT_OUT_REASONS, missing_part
from reporting.portal.queries import PUBLISHABLE_STATES, PublicProject, public_projects

#: Not on the portal: the agreement is not signed yet (the award's state).
NOT_YET_PUBLIC = "award_state"
#: Not on the portal: staff withdrew the project's publication.
WITHDRAWN = "withdrawn"
#: Every reason an award is not a grant of the file, in the order they are listed.
REASONS = (NOT_YET_PUBLIC, WITHDRAWN, *LEFT_OUT_REASONS)
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Totals:
    """A number of grants and their amount, in one currency."""

    count: int = 0
    amount: Decimal = ZERO

    def plus(self, amount: Decimal) -> Totals:
        return Totals(self.count + 1, self.amount + amount)


@dataclass(frozen=True)
class OpenDataStatus:
    """Of the awards asked about: which are grants of the file and why the others are not;
    and the file's grants, all of them (``file``) and those outside the awards asked about
    (``elsewhere``), by currency."""

    in_file: frozenset[int]
    #: Award id -> (one of :data:`REASONS`, the award's state).
    left_out: dict[int, tuple[str, AwardState]]
    file: dict[str, Totals] = field(default_factory=dict)
    elsewhere: dict[str, Totals] = field(default_factory=dict)


def is_grant(project: PublicProject) -> bool:
    """Whether the published project is a grant of the file (see ``build_records``)."""
    return missing_part(project) is None


def open_data_status(award_ids, *, fund_id: int | None = None) -> OpenDataStatus:
    """The status of the awards of ``award_ids`` (a select of award ids) in the 360Giving file
    of ``fund_id`` (``None``: every fund), in four queries besides the portal's."""
    projects = {project.award_id: project for project in public_projects(fund_id=fund_id)}
    asked = {award_id: state for award_id, state in db.session.execute(
        select(Award.id, Award.state).where(Award.id.in_(award_ids)))}
    in_file: set[int] = set()
    left_out: dict[int, tuple[str, AwardState]] = {}
    for award_id, state in asked.items():
        project = projects.get(award_id)
        if project is None:
            reason = WITHDRAWN if state in PUBLISHABLE_STATES else NOT_YET_PUBLIC
            left_out[award_id] = (reason, state)
        elif is_grant(project):
            in_file.add(award_id)
        else:
            left_out[award_id] = (missing_part(project), state)
    file: dict[str, Totals] = defaultdict(Totals)
    elsewhere: dict[str, Totals] = defaultdict(Totals)
    for project in projects.values():
        if not is_grant(project):
            continue
        file[project.currency] = file[project.currency].plus(project.amount)
        if project.award_id not in asked:
            elsewhere[project.currency] = elsewhere[project.currency].plus(project.amount)
    return OpenDataStatus(frozenset(in_file), left_out, dict(file), dict(elsewhere))
