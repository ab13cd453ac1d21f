"""Read helpers for the ranking, the funding pool, feedback and the reviews' progress.

Everything a panel's ranking needs is loaded in a fixed number of queries, whatever the number
of applications and reviews (the call, its fund and rubric; the applications; the submitted
reviews; their scores; the decisions; one sum over the fund's other calls), and then handed to
the pure functions of ``grants.reviews.scoring``. The ranking page reads what it needs of the
reviews from the aggregates stored per version of them (:mod:`grants.ranking.stored`),
exact because keyed by that version; the reviews themselves are read, as plain rows, only
when the reviews have changed since: a large call has thousands of reviews, and reading
them on every view cost the ranking page most of its time.

The pool (:mod:`grants.ranking.pool`), a panel's scores (:mod:`grants.ranking.scores`) and
the reviews' progress (:mod:`grants.ranking.progress`) have their own modules; this one builds
the ranking page and feedback from them and is the package's read interface: other packages
and the views import from here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.extensions import db
from grants.applications.models import Application
from grants.applications.states import ApplicationState
from grants.calls.models import Call
from grants.reviews import scoring
from grants.reviews.conflicts import conflicts_by_reviewer
from grants.reviews.late_conflicts import late_conflicts, unresolved_of
from grants.reviews.models import Decision, Panel, Review
from grants.reviews.states import Recommendation

# The read interface of the package (see the docstring).
from .pool import (  # noqa: F401
    DECIDED_AMOUNT,
    ZERO,
    Pool,
    awarded_elsewhere,
    awarded_in_call,
    decided_amount,
    pool_for,
)
from .progress import ReviewerProgress, is_past_due, progress  # noqa: F401
from .scores import (  # noqa: F401
    METHODS,
    NORMALISED,
    RANKED_STATES,
    RAW,
    PanelScores,
    RankedApplication,
    ReviewRecord,
    applications_by_id,
    criterion_specs,
    load_panel,
    panel_scores,
    ranked_application_rows,
    ranked_applications,
    ranked_ids,
    review_records,
    review_total,
    scores_total,
    submitted_reviews,
    totals_of_records,
)
from .stored import ranking_scores

#: Applications that can still be decided (the waiting list can still be awarded or declined).
DECIDABLE_STATES = (ApplicationState.in_review, ApplicationState.waitlisted)


# The ranking page --------------------------------------------------------------------------

@dataclass
class RankingRow:
    application_id: int
    state: ApplicationState
    requested_amount: Decimal | None
    stats: scoring.ApplicationStats
    rank: int
    #: Requested amounts from the top of the ranking down to this row, inclusive.
    cumulative: Decimal
    is_funded: bool
    recommendations: Counter
    is_conflicted: bool
    is_decidable: bool
    #: A reviewer became conflicted after reviewing it and staff have not decided yet.
    has_conflict_to_resolve: bool = False
    #: The application and its decision, loaded for the rows shown (see ``build_ranking``):
    #: None on the other rows of a paged ranking.
    application: Application | None = None
    decision: Decision | None = None

    @property
    def score(self) -> float | None:
        return self.stats.mean

    def count(self, recommendation: Recommendation) -> int:
        return self.recommendations.get(recommendation, 0)


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
    #: {application id: its late conflicts} (``grants.reviews.late_conflicts``).
    late: dict = field(default_factory=dict)
    #: The page whose rows were loaded in full (None: every row was).
    page: RankingPage | None = None

    @property
    def pool_left(self) -> Decimal:
        return max(self.pool.amount - self.awarded_total, ZERO)

    @property
    def awards_left(self) -> int:
        return max(self.pool.max_awards - self.awarded_count, 0)

    @property
    def decidable_ids(self) -> list[int]:
        return [row.application_id for row in self.rows if row.is_decidable]


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


def build_ranking(panel: Panel, viewer, method: str = RAW, page: int | None = None,
                  size: int | None = None) -> Ranking:
    """The panel's ranking as ``viewer`` may see it, sorted by ``method``.

    The order, the funding line and the totals are computed over every application from
    plain rows. Each row's application and decision are loaded for the rows shown: every row
    when ``page`` is None, else the rows of that page (see :func:`page_of`) and the
    conflicted rows; the other rows keep them None. A large call ranks thousands of
    applications, and loading them all as objects cost the ranking page most of its time."""
    if method not in METHODS:
        raise ValueError(f"unknown ranking method {method!r}")
    scores = ranking_scores(panel)
    conflicted = viewer_conflicts(panel, viewer)
    late = late_conflicts(panel)
    to_resolve = unresolved_of(late)

    def rank_of(stats):
        return stats.normalised_rank if method == NORMALISED else stats.raw_rank

    def funded(stats):
        return stats.is_funded_normalised if method == NORMALISED else stats.is_funded_raw

    ordered = sorted(scores.stats.values(), key=lambda s: (rank_of(s), s.application_id))
    rows, conflicted_rows = [], []
    cumulative = ZERO
    for stats in ordered:
        application = scores.ranked[stats.application_id]
        cumulative += application.requested_amount or ZERO
        is_conflicted = application.id in conflicted
        row = RankingRow(
            application_id=application.id, state=application.state,
            requested_amount=application.requested_amount, stats=stats,
            rank=rank_of(stats), cumulative=cumulative, is_funded=funded(stats),
            recommendations=scores.recommendations[application.id],
            is_conflicted=is_conflicted,
            is_decidable=(not panel.is_locked and not is_conflicted
                          and application.id not in to_resolve
                          and application.state in DECIDABLE_STATES),
            has_conflict_to_resolve=application.id in to_resolve)
        (conflicted_rows if is_conflicted else rows).append(row)
    line_index = next((i for i, row in enumerate(rows) if not row.is_funded), None)
    funded_rows = [s for s in ordered if funded(s)]
    awarded_total, awarded_count = scores.awarded
    ranking = Ranking(
        panel=panel, call=scores.call, method=method, pool=scores.pool, rows=rows,
        conflicted_rows=conflicted_rows, line_index=line_index,
        funded_count=len(funded_rows),
        funded_total=sum((scores.ranked[s.application_id].requested_amount or ZERO
                          for s in funded_rows), ZERO),
        awarded_total=awarded_total, awarded_count=awarded_count, alpha=scores.alpha,
        late=late)
    shown = rows + conflicted_rows
    if page is not None:
        ranking.page = page_of(ranking, page, size)
        shown = rows[ranking.page.start:ranking.page.end] + conflicted_rows
    _load_details(shown)
    return ranking


def _load_details(rows: list[RankingRow]) -> None:
    """Each row's application and decision, in two queries whatever their number."""
    ids = [row.application_id for row in rows]
    applications, decisions = applications_by_id(ids), decisions_for(ids)
    for row in rows:
        row.application = applications[row.application_id]
        row.decision = decisions.get(row.application_id)


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
