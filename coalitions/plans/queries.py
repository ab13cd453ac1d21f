"""Read helpers for action plans: the public list, a plan with its commitments loaded in a
few queries, and progress figures."""

from __future__ import annotations

from datetime import date

from flask import url_for
from sqlalchemy import String, case, cast, func, literal, null, select
from sqlalchemy.orm import selectinload

from accounts.organisations.models import Organisation
from accounts.organisations.states import Sector
from coalitions.coalitions.models import Coalition
from coalitions.plans.models import ActionPlan, Commitment, Milestone
from coalitions.plans.states import MilestoneState, PlanState
from core import documents, freshness
from core.documents import DocumentKind
from core.extensions import db

# What the public plan pages show: a change to any of it moves their validator on.
for _model in (ActionPlan, Commitment, Milestone):
    freshness.watch(freshness.PLANS, _model)
freshness.watch(freshness.PLANS, Organisation, "name", rows=False)
freshness.watch(freshness.PLANS, Coalition, "name", rows=False)


def plans(*, include_unpublished: bool = False) -> list[tuple[ActionPlan, int]]:
    """Action plans, latest first, each with its number of commitments (one query)."""
    counts = (select(Commitment.plan_id, func.count(Commitment.id).label("commitments"))
              .group_by(Commitment.plan_id).subquery())
    query = (select(ActionPlan, func.coalesce(counts.c.commitments, 0))
             .outerjoin(counts, counts.c.plan_id == ActionPlan.id)
             .order_by(ActionPlan.starts_on.desc(), ActionPlan.id.desc()))
    if not include_unpublished:
        query = query.where(ActionPlan.is_public.is_(True))
    return [(plan, count) for plan, count in db.session.execute(query)]


def plan_commitments(plan: ActionPlan) -> list[Commitment]:
    """The plan's commitments in order, with their lead, supporters, coalitions and
    milestones loaded."""
    return list(db.session.scalars(
        select(Commitment).where(Commitment.plan_id == plan.id)
        .options(selectinload(Commitment.lead_organisation),
                 selectinload(Commitment.supporters),
                 selectinload(Commitment.coalitions),
                 selectinload(Commitment.milestones))
        .order_by(Commitment.position, Commitment.id)))


def supporters_by_sector(commitment: Commitment) -> tuple[list, list]:
    """The commitment's supporting organisations, alphabetically: government ones, then
    civil society and the other actors (OGP's template lists them apart)."""
    supporters = sorted(commitment.supporters, key=lambda org: (org.name.lower(), org.id))
    return ([org for org in supporters if org.sector == Sector.government],
            [org for org in supporters if org.sector != Sector.government])


def percent(progress: float | None) -> int | None:
    """A progress fraction as a whole percentage (None stays None)."""
    return None if progress is None else round(progress * 100)


def plan_progress(commitments: list[Commitment]) -> float | None:
    """Completed milestones over all milestones of the plan (None without milestones)."""
    milestones = [m for commitment in commitments for m in commitment.milestones]
    if not milestones:
        return None
    return sum(1 for m in milestones if m.state == MilestoneState.complete) / len(milestones)



def government_choices() -> list[tuple[int, str]]:
    """Government organisations as ``(id, name)``, alphabetically, for the lead select."""
    rows = db.session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.sector == Sector.government)
        .order_by(func.lower(Organisation.name), Organisation.id))
    return [(row.id, row.name) for row in rows]


def coalition_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(select(Coalition.id, Coalition.name)
                              .order_by(func.lower(Coalition.name), Coalition.id))
    return [(row.id, row.name) for row in rows]


def complete_commitment_count(start: date, end: date) -> int:
    """Commitments of the plans running in the period whose milestones are all complete
    (a commitment without milestones is not complete). Milestones keep no completion date,
    so this is their state today. One statement."""
    open_milestones = func.sum(case((Milestone.state == MilestoneState.complete, 0), else_=1))
    complete = (select(Commitment.id)
                .join(ActionPlan, ActionPlan.id == Commitment.plan_id)
                .join(Milestone, Milestone.commitment_id == Commitment.id)
                .where(ActionPlan.starts_on <= end, ActionPlan.ends_on >= start)
                .group_by(Commitment.id).having(open_milestones == 0).subquery())
    return db.session.scalar(select(func.count()).select_from(complete))


@documents.provide("plans.plans", channel=freshness.PLANS,
                   url=lambda row: url_for("plans.public_plan", plan_id=row.ref_id))
def _plan_documents():
    """Every public plan is a document of its co-creation: a draft while it is drafted or
    consulted on, the plan once it is submitted."""
    drafted = ActionPlan.state.in_((PlanState.drafting, PlanState.in_consultation))
    return (select(ActionPlan.id.label("ref_id"),
                   case((drafted, literal(DocumentKind.draft_plan.value)),
                        else_=literal(DocumentKind.plan.value)).label("kind"),
                   ActionPlan.title.label("title"), literal("").label("description"),
                   ActionPlan.translations.label("translations"),
                   ActionPlan.starts_on.label("document_date"),
                   cast(null(), String).label("link"))
            .where(ActionPlan.is_public.is_(True)))
