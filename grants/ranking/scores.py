"""A panel's scores: its ranked applications and submitted reviews, loaded in a fixed number
of queries whatever their number, reduced to totals and aggregated by the pure functions of
``grants.reviews.scoring``. The reviews are read as plain rows, not ORM objects, with the
total stored on each (``Review.total``, see ``grants.reviews.totals``): a large call has
thousands of reviews and four times as many scores, and building objects for them, then
totalling every review again, cost the ranking page most of its time."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager, joinedload, load_only, selectinload

from accounts.organisations.models import Organisation
from core.extensions import db
from grants.applications.models import Application
from grants.applications.states import ApplicationState
from grants.calls.models import Call
from grants.reviews import scoring, totals
from grants.reviews.late_conflicts import excluded_review_ids
from grants.reviews.models import Panel, Review, ReviewAssignment
from grants.reviews.states import Recommendation, ReviewState
from grants.reviews.totals import scores_total

from .pool import ZERO, Pool, awarded_in_call, pool_for

#: Applications that went to review and so appear in the ranking.
RANKED_STATES = (ApplicationState.in_review, ApplicationState.awarded,
                 ApplicationState.waitlisted, ApplicationState.declined)

#: The ranking methods: by the reviews' mean totals, or by totals normalised per reviewer.
RAW = "raw"
NORMALISED = "normalised"
METHODS = (RAW, NORMALISED)


def load_panel(panel_id: int) -> Panel | None:
    return db.session.scalar(
        select(Panel).where(Panel.id == panel_id)
        .options(joinedload(Panel.call).joinedload(Call.fund),
                 joinedload(Panel.call).selectinload(Call.criteria),
                 joinedload(Panel.chair)))


def ranked_applications(call: Call) -> list[Application]:
    """The call's ranked applications with what the ranking, its workbook and the decisions
    read of them: a large call has thousands, and their long texts are not needed here
    (anything else is still loaded when read)."""
    return list(db.session.scalars(
        _light_applications()
        .where(Application.call_id == call.id, Application.state.in_(RANKED_STATES))))


class RankedApplication(NamedTuple):
    """What the ranking's order, funding line and totals read of a ranked application (a
    tuple: a large call has thousands; the rows shown load the application itself)."""

    id: int
    state: ApplicationState
    requested_amount: Decimal | None


def ranked_application_rows(call: Call) -> list[RankedApplication]:
    """The call's ranked applications as plain rows, in the order of
    :func:`ranked_applications` (one query)."""
    return [RankedApplication(*row) for row in db.session.execute(
        select(Application.id, Application.state, Application.requested_amount)
        .where(Application.call_id == call.id, Application.state.in_(RANKED_STATES))
        .order_by(Application.id))]


def ranked_ids(call: Call, *, excluding=()) -> Select:
    """The ids of the call's ranked applications, less ``excluding``, as a subquery: a
    statement filters by the whole ranking without sending thousands of ids."""
    query = select(Application.id).where(Application.call_id == call.id,
                                         Application.state.in_(RANKED_STATES))
    if excluding:
        query = query.where(Application.id.notin_(sorted(excluding)))
    return query


def applications_by_id(application_ids) -> dict[int, Application]:
    """Applications with what the ranking shows of them (and their organisation), by id; one
    query."""
    ids = list(application_ids)
    if not ids:
        return {}
    return {application.id: application for application in db.session.scalars(
        _light_applications().where(Application.id.in_(ids)))}


def _light_applications():
    return (select(Application)
            .options(load_only(Application.id, Application.call_id,
                               Application.organisation_id, Application.reference,
                               Application.state, Application.title,
                               Application.requested_amount),
                     joinedload(Application.organisation).load_only(
                         Organisation.id, Organisation.name, Organisation.acronym))
            .order_by(Application.id))


def submitted_reviews(panel: Panel, application_ids=None) -> list[Review]:
    """The panel's submitted reviews with their scores, assignments and reviewers, without
    those staff excluded after their reviewer became conflicted (see
    ``grants.reviews.late_conflicts``: until staff decide, such a review still counts)."""
    query = (select(Review).join(Review.assignment)
             .where(ReviewAssignment.panel_id == panel.id,
                    Review.state == ReviewState.submitted)
             .options(contains_eager(Review.assignment).joinedload(ReviewAssignment.reviewer),
                      selectinload(Review.scores))
             .order_by(ReviewAssignment.application_id, Review.submitted_at, Review.id))
    if application_ids is not None:
        query = query.where(ReviewAssignment.application_id.in_(list(application_ids)))
    excluded = excluded_review_ids(panel)
    return [review for review in db.session.scalars(query) if review.id not in excluded]


def criterion_specs(call: Call) -> list[scoring.CriterionSpec]:
    return totals.criterion_specs(call.criteria)


def review_total(specs: list[scoring.CriterionSpec], review: Review) -> float | None:
    """The review's 0–100 total against the call's rubric; None when every criterion is N/A
    or when the review does not match the rubric (a criterion added after it was written).
    It is what ``Review.total`` stores."""
    return scores_total(specs, {score.criterion_id: score.score for score in review.scores})


class ReviewRecord(NamedTuple):
    """A submitted review as the ranking reads it (a tuple: thousands are made per page)."""

    id: int
    reviewer_id: int
    application_id: int
    recommendation: Recommendation | None
    #: The review's stored total (``Review.total``; None: every criterion N/A).
    total: float | None


def review_records(panel: Panel) -> list[ReviewRecord]:
    """The panel's submitted reviews of its ranked applications with their stored totals, in
    the order of :func:`submitted_reviews` and without the same excluded ones: two queries of
    plain rows (reviews, then the exclusions), whatever their number; no score row is read."""
    reviewed = (select(Review.id)
                .join(Review.assignment)
                .join(Application, Application.id == ReviewAssignment.application_id)
                .where(ReviewAssignment.panel_id == panel.id,
                       Review.state == ReviewState.submitted,
                       Application.call_id == panel.call_id,
                       Application.state.in_(RANKED_STATES)))
    excluded = excluded_review_ids(panel)
    # Read row by row, not all at once: each result row is let go as soon as its record is
    # made, which spares thousands of objects living until the end of the query.
    rows = db.session.execute(
        reviewed.add_columns(ReviewAssignment.reviewer_id, ReviewAssignment.application_id,
                             Review.recommendation, Review.total)
        .order_by(ReviewAssignment.application_id, Review.submitted_at, Review.id))
    return [ReviewRecord._make(row) for row in rows if row[0] not in excluded]


@dataclass
class PanelScores:
    """A panel's reviews reduced to totals and aggregated."""

    panel: Panel
    call: Call
    pool: Pool
    #: The ranked applications as plain rows, by id.
    ranked: dict[int, RankedApplication]
    #: The submitted reviews counted, as plain records.
    records: list[ReviewRecord]
    totals: dict[int, float | None]  # review id → total
    stats: dict[int, scoring.ApplicationStats]  # application id → stats
    alpha: float | None
    recommendations: dict[int, Counter] = field(default_factory=dict)

    @cached_property
    def awarded(self) -> tuple[Decimal, int]:
        """The call's awarded applications: their decided total and number (one query)."""
        return awarded_in_call(self.call)

    @cached_property
    def applications(self) -> dict[int, Application]:
        """The ranked applications as ORM objects, by id, loaded when asked: the ranking
        page loads only the rows it shows; the scores workbook and the decisions read them
        all."""
        if not self.ranked:
            return {}
        return {application.id: application for application in
                ranked_applications(self.call)}

    @cached_property
    def reviews(self) -> list[Review]:
        """The same reviews as ORM objects (comments, reviewers, scores), loaded when asked:
        the ranking page never needs them, the scores workbook and the decisions do."""
        if not self.ranked:
            return []
        return submitted_reviews(self.panel, self.ranked.keys())

    def score(self, application_id: int, method: str) -> float | None:
        stats = self.stats.get(application_id)
        if stats is None:
            return None
        return stats.normalised if method == NORMALISED else stats.mean


def totals_of_records(records: list[ReviewRecord]) -> dict[int, float | None]:
    """Review id → total, as stored."""
    return {record.id: record.total for record in records}


def panel_scores(panel: Panel) -> PanelScores:
    call = panel.call
    pool = pool_for(call)
    applications = {row.id: row for row in ranked_application_rows(call)}
    records = review_records(panel) if applications else []
    totals = totals_of_records(records)
    # The records have the reviewer, application and total that scoring reads of a
    # ``ScoredReview``: passed as they are, without a second object per review.
    scored = records
    requested = {app_id: application.requested_amount or ZERO
                 for app_id, application in applications.items()}
    stats = {s.application_id: s for s in scoring.aggregate(
        scored, requested=requested, pool=pool.amount, max_awards=pool.max_awards,
        disagreement_threshold=float(panel.disagreement_threshold))} if requested else {}
    recommendations: dict[int, Counter] = {app_id: Counter() for app_id in applications}
    for record in records:
        if record.recommendation is not None:
            recommendations[record.application_id][record.recommendation] += 1
    return PanelScores(panel=panel, call=call, pool=pool, ranked=applications,
                       records=records, totals=totals, stats=stats,
                       alpha=scoring.panel_agreement(scored), recommendations=recommendations)
