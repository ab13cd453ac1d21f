"""Read helpers for the ranking, the funding pool, feedback and the reviews' progress.

Everything a panel's ranking needs is loaded in a fixed number of queries, whatever the number
of applications and reviews (the call, its fund and rubric; the applications; the submitted
reviews; their scores; the decisions; one sum over the fund's other calls), and then handed to
the pure functions of ``grants.reviews.scoring``. The reviews and scores are read as plain
rows, not ORM objects: a large call has thousands of reviews and four times as many scores,
and building objects for them cost the ranking page most of its time.

The pool
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

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload, load_only, selectinload

from accounts.organisations.models import Organisation
from core.extensions import db
from core.timeutil import utcnow
from grants.applications.models import Application
from grants.applications.states import ApplicationState
from grants.calls.models import Call
from grants.reviews import scoring
from grants.reviews.conflicts import conflicts_by_reviewer
from grants.reviews.late_conflicts import excluded_review_ids, unresolved_application_ids
from grants.reviews.models import Decision, Panel, Review, ReviewAssignment, ReviewScore
from grants.reviews.states import AssignmentState, Recommendation, ReviewState

ZERO = Decimal("0.00")

#: Applications that went to review and so appear in the ranking.
RANKED_STATES = (ApplicationState.in_review, ApplicationState.awarded,
                 ApplicationState.waitlisted, ApplicationState.declined)
#: Applications that can still be decided (the waiting list can still be awarded or declined).
DECIDABLE_STATES = (ApplicationState.in_review, ApplicationState.waitlisted)

RAW = "raw"
NORMALISED = "normalised"
METHODS = (RAW, NORMALISED)


# The pool ----------------------------------------------------------------------------------

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


# Loading a panel's scores ------------------------------------------------------------------

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
        select(Application)
        .where(Application.call_id == call.id, Application.state.in_(RANKED_STATES))
        .options(load_only(Application.id, Application.call_id, Application.organisation_id,
                           Application.reference, Application.state, Application.title,
                           Application.requested_amount),
                 joinedload(Application.organisation).load_only(
                     Organisation.id, Organisation.name, Organisation.acronym))
        .order_by(Application.id)))


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
    return [scoring.CriterionSpec(id=c.id, weight=c.weight, max_score=c.max_score,
                                  allows_na=bool(c.is_na_allowed)) for c in call.criteria]


def review_total(specs: list[scoring.CriterionSpec], review: Review) -> float | None:
    """The review's 0–100 total against the call's rubric; None when every criterion is N/A
    or when the review does not match the rubric (a criterion added after it was written)."""
    return scores_total(specs, {score.criterion_id: score.score for score in review.scores})


def scores_total(specs: list[scoring.CriterionSpec],
                 scores: dict[int, int | None]) -> float | None:
    """:func:`review_total` of a review given as {criterion id: score}."""
    rubric = {spec.id for spec in specs}
    try:
        return scoring.review_total(specs, {criterion_id: score
                                            for criterion_id, score in scores.items()
                                            if criterion_id in rubric})
    except ValueError:
        return None


class ReviewRecord(NamedTuple):
    """A submitted review as the ranking reads it (a tuple: thousands are made per page)."""

    id: int
    reviewer_id: int
    application_id: int
    recommendation: Recommendation | None
    #: criterion id -> score (None: N/A)
    scores: dict[int, int | None]


def review_records(panel: Panel) -> list[ReviewRecord]:
    """The panel's submitted reviews of its ranked applications, in the order of
    :func:`submitted_reviews` and without the same excluded ones: three queries of plain rows
    (reviews, then all their scores, then the exclusions), whatever their number."""
    reviewed = (select(Review.id)
                .join(Review.assignment)
                .join(Application, Application.id == ReviewAssignment.application_id)
                .where(ReviewAssignment.panel_id == panel.id,
                       Review.state == ReviewState.submitted,
                       Application.call_id == panel.call_id,
                       Application.state.in_(RANKED_STATES)))
    rows = db.session.execute(
        reviewed.add_columns(ReviewAssignment.reviewer_id, ReviewAssignment.application_id,
                             Review.recommendation)
        .order_by(ReviewAssignment.application_id, Review.submitted_at, Review.id)).all()
    scores: dict[int, dict[int, int | None]] = defaultdict(dict)
    for review_id, criterion_id, score in db.session.execute(
            select(ReviewScore.review_id, ReviewScore.criterion_id, ReviewScore.score)
            .where(ReviewScore.review_id.in_(reviewed.scalar_subquery()))):
        scores[review_id][criterion_id] = score
    excluded = excluded_review_ids(panel)
    return [ReviewRecord(id=review_id, reviewer_id=reviewer_id, application_id=application_id,
                         recommendation=recommendation, scores=scores[review_id])
            for review_id, reviewer_id, application_id, recommendation in rows
            if review_id not in excluded]


@dataclass
class PanelScores:
    """A panel's reviews reduced to totals and aggregated."""

    panel: Panel
    call: Call
    pool: Pool
    applications: dict[int, Application]
    #: The submitted reviews counted, as plain records.
    records: list[ReviewRecord]
    totals: dict[int, float | None]  # review id → total
    stats: dict[int, scoring.ApplicationStats]  # application id → stats
    alpha: float | None
    recommendations: dict[int, Counter] = field(default_factory=dict)

    @cached_property
    def reviews(self) -> list[Review]:
        """The same reviews as ORM objects (comments, reviewers, scores), loaded when asked:
        the ranking page never needs them, the scores workbook and the decisions do."""
        if not self.applications:
            return []
        return submitted_reviews(self.panel, self.applications.keys())

    def score(self, application_id: int, method: str) -> float | None:
        stats = self.stats.get(application_id)
        if stats is None:
            return None
        return stats.normalised if method == NORMALISED else stats.mean


def totals_of_records(specs: list[scoring.CriterionSpec],
            records: list[ReviewRecord]) -> dict[int, float | None]:
    """Review id → total. Scores on small integer scales repeat a lot, so each distinct set
    is totalled once (the exact arithmetic is not free across thousands of reviews)."""
    by_scores: dict[tuple, float | None] = {}
    totals = {}
    for record in records:
        # Criterion ids are unique within a review, so the pairs sort by id alone.
        key = tuple(sorted(record.scores.items()))
        if key not in by_scores:
            by_scores[key] = scores_total(specs, record.scores)
        totals[record.id] = by_scores[key]
    return totals


def panel_scores(panel: Panel) -> PanelScores:
    call = panel.call
    pool = pool_for(call)
    applications = {a.id: a for a in ranked_applications(call)}
    records = review_records(panel) if applications else []
    totals = totals_of_records(criterion_specs(call), records)
    scored = [scoring.ScoredReview(record.reviewer_id, record.application_id,
                                   totals[record.id])
              for record in records]
    requested = {app_id: application.requested_amount or ZERO
                 for app_id, application in applications.items()}
    stats = {s.application_id: s for s in scoring.aggregate(
        scored, requested=requested, pool=pool.amount, max_awards=pool.max_awards,
        disagreement_threshold=float(panel.disagreement_threshold))} if requested else {}
    recommendations: dict[int, Counter] = {app_id: Counter() for app_id in applications}
    for record in records:
        if record.recommendation is not None:
            recommendations[record.application_id][record.recommendation] += 1
    return PanelScores(panel=panel, call=call, pool=pool, applications=applications,
                       records=records, totals=totals, stats=stats,
                       alpha=scoring.panel_agreement(scored), recommendations=recommendations)


# The ranking page --------------------------------------------------------------------------

@dataclass
class RankingRow:
    application: Application
    stats: scoring.ApplicationStats
    rank: int
    #: Requested amounts from the top of the ranking down to this row, inclusive.
    cumulative: Decimal
    is_funded: bool
    recommendations: Counter
    decision: Decision | None
    is_conflicted: bool
    is_decidable: bool
    #: A reviewer became conflicted after reviewing it and staff have not decided yet.
    has_conflict_to_resolve: bool = False

    @property
    def score(self) -> float | None:
        return self.stats.mean

    def count(self, recommendation: Recommendation) -> int:
        return self.recommendations.get(recommendation, 0)


@dataclass
class Ranking:
    panel: Panel
    call: Call
    method: str
    pool: Pool
    #: In ranking order, without the applications the viewer is conflicted with.
    rows: list[RankingRow]
    #: The applications the viewer is conflicted with: shown apart, without scores or rank.
    conflicted_rows: list[RankingRow]
    #: Index in ``rows`` of the first row below the funding line (None: every row fits).
    line_index: int | None
    funded_count: int
    funded_total: Decimal
    awarded_total: Decimal
    awarded_count: int
    alpha: float | None

    @property
    def pool_left(self) -> Decimal:
        return max(self.pool.amount - self.awarded_total, ZERO)

    @property
    def awards_left(self) -> int:
        return max(self.pool.max_awards - self.awarded_count, 0)

    @property
    def decidable_ids(self) -> list[int]:
        return [row.application.id for row in self.rows if row.is_decidable]


def decisions_for(application_ids) -> dict[int, Decision]:
    ids = list(application_ids)
    if not ids:
        return {}
    return {d.application_id: d for d in db.session.scalars(
        select(Decision).where(Decision.application_id.in_(ids))
        .options(joinedload(Decision.decided_by)))}


def viewer_conflicts(panel: Panel, viewer) -> set[int]:
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return set()
    return conflicts_by_reviewer(panel, {viewer.id}).get(viewer.id, set())


def build_ranking(panel: Panel, viewer, method: str = RAW) -> Ranking:
    """The panel's ranking as ``viewer`` may see it, sorted by ``method``."""
    if method not in METHODS:
        raise ValueError(f"unknown ranking method {method!r}")
    scores = panel_scores(panel)
    conflicted = viewer_conflicts(panel, viewer)
    decisions = decisions_for(scores.applications)
    to_resolve = unresolved_application_ids(panel)

    def rank_of(stats):
        return stats.normalised_rank if method == NORMALISED else stats.raw_rank

    def funded(stats):
        return stats.is_funded_normalised if method == NORMALISED else stats.is_funded_raw

    ordered = sorted(scores.stats.values(), key=lambda s: (rank_of(s), s.application_id))
    rows, conflicted_rows = [], []
    cumulative = ZERO
    for stats in ordered:
        application = scores.applications[stats.application_id]
        cumulative += application.requested_amount or ZERO
        is_conflicted = application.id in conflicted
        row = RankingRow(
            application=application, stats=stats, rank=rank_of(stats), cumulative=cumulative,
            is_funded=funded(stats), recommendations=scores.recommendations[application.id],
            decision=decisions.get(application.id), is_conflicted=is_conflicted,
            is_decidable=(not panel.is_locked and not is_conflicted
                          and application.id not in to_resolve
                          and application.state in DECIDABLE_STATES),
            has_conflict_to_resolve=application.id in to_resolve)
        (conflicted_rows if is_conflicted else rows).append(row)
    line_index = next((i for i, row in enumerate(rows) if not row.is_funded), None)
    funded_rows = [s for s in ordered if funded(s)]
    awarded = [a for a in scores.applications.values() if a.state == ApplicationState.awarded]
    return Ranking(
        panel=panel, call=scores.call, method=method, pool=scores.pool, rows=rows,
        conflicted_rows=conflicted_rows, line_index=line_index,
        funded_count=len(funded_rows),
        funded_total=sum((scores.applications[s.application_id].requested_amount or ZERO
                          for s in funded_rows), ZERO),
        awarded_total=sum((decided_amount(a, decisions.get(a.id)) for a in awarded), ZERO),
        awarded_count=len(awarded), alpha=scores.alpha)


#: Ranked rows shown per page: a large call ranks thousands of applications, and a page of
#: all of them took seconds to build and was too long to read.
ROWS_PER_PAGE = 100


@dataclass(frozen=True)
class RankingPage:
    """One page of a ranking's rows (the ranking itself, its pool and funding line, stay
    computed over every application)."""

    number: int
    count: int
    start: int
    end: int
    #: The page holding the first row below the funding line (None: every row fits).
    line_page: int | None

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.count

    @property
    def is_last(self) -> bool:
        return self.number == self.count

    def shows_line(self, ranking: Ranking) -> bool:
        return ranking.line_index is not None and self.start <= ranking.line_index < self.end


def page_of(ranking: Ranking, number: int, size: int | None = None) -> RankingPage:
    """Page ``number`` (from 1, brought within range) of ``ranking``'s rows."""
    size = size or ROWS_PER_PAGE
    count = max(1, -(-len(ranking.rows) // size))
    number = min(max(number, 1), count)
    line_page = None if ranking.line_index is None else ranking.line_index // size + 1
    return RankingPage(number=number, count=count, start=(number - 1) * size,
                       end=min(number * size, len(ranking.rows)), line_page=line_page)


# Feedback ----------------------------------------------------------------------------------

def feedback_reviews(panel: Panel, application: Application) -> list[Review]:
    """The application's submitted reviews on this panel, in a stable order (the order in
    which "Reviewer 1", "Reviewer 2"… are numbered)."""
    return submitted_reviews(panel, [application.id])


def review_totals(panel: Panel, reviews: list[Review]) -> dict[int, float | None]:
    """Review id → the review's 0–100 total against the call's rubric."""
    specs = criterion_specs(panel.call)
    return {review.id: review_total(specs, review) for review in reviews}


def shared_comments(panel: Panel, application: Application) -> list[str]:
    """The overall comments staff chose to pass on, anonymised, in feedback order."""
    return [review.overall_comment.strip() for review in feedback_reviews(panel, application)
            if review.is_shared_with_applicant and (review.overall_comment or "").strip()]


# Progress ----------------------------------------------------------------------------------

@dataclass
class ReviewerProgress:
    reviewer: object
    assigned: int = 0
    submitted: int = 0
    late: int = 0
    declined: int = 0
    last_reminded_at: datetime | None = None
    late_references: list[str] = field(default_factory=list)

    @property
    def outstanding(self) -> int:
        return self.assigned - self.submitted


def is_past_due(panel: Panel, now: datetime | None = None) -> bool:
    return panel.due_at is not None and (now or utcnow()) > panel.due_at


def progress(panel: Panel, now: datetime | None = None) -> list[ReviewerProgress]:
    """Per reviewer: assignments, submitted reviews and late ones (the panel's due date has
    passed and the review is not submitted), from one query. Applications withdrawn or
    screened out after assignment do not count."""
    past_due = is_past_due(panel, now)
    assignments = db.session.scalars(
        select(ReviewAssignment).join(ReviewAssignment.application)
        .where(ReviewAssignment.panel_id == panel.id,
               Application.state.in_(RANKED_STATES))
        .options(contains_eager(ReviewAssignment.application),
                 joinedload(ReviewAssignment.reviewer), joinedload(ReviewAssignment.review))
        .order_by(ReviewAssignment.id))
    by_reviewer: dict[int, ReviewerProgress] = {}
    for assignment in assignments:
        entry = by_reviewer.setdefault(assignment.reviewer_id,
                                       ReviewerProgress(reviewer=assignment.reviewer))
        if assignment.state == AssignmentState.declined:
            entry.declined += 1
            continue
        entry.assigned += 1
        review = assignment.review
        if review is not None and review.state == ReviewState.submitted:
            entry.submitted += 1
        elif past_due:
            entry.late += 1
            entry.late_references.append(assignment.application.display_reference)
        if assignment.last_reminded_on and (entry.last_reminded_at is None
                                            or assignment.last_reminded_on
                                            > entry.last_reminded_at):
            entry.last_reminded_at = assignment.last_reminded_on
    return sorted(by_reviewer.values(),
                  key=lambda e: (-e.late, (e.reviewer.name or "").lower(), e.reviewer.id))
