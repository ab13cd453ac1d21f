"""What the ranking reads of a panel's reviews, stored per version of the reviews: exact
because it is keyed by that version.

A large call has thousands of submitted reviews; reading them on every view of the ranking
cost most of the page's time. Every model the aggregates depend on is watched
(``core.freshness``): a change to any of them bumps the ``ranking`` version in the
transaction that makes it. A panel's aggregates (each ranked application's summary of totals
and mean z, the panel's agreement, the recommendations) are computed once per version and
stored with it; a page reads them back in two statements. The ranks and funding lines are
worked out from them on every request with the amounts, the pool and the threshold as they
stand, and what a conflicted viewer may not see is left out after reading (``queries``).
A stored row of an older version is never read again and is deleted when a newer one is
stored.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from core import freshness
from core.extensions import db
from core.timeutil import utcnow
from grants.applications.models import Application
from grants.calls.models import Call, Criterion
from grants.reviews import scoring
from grants.reviews.models import (
    ConflictDeclaration,
    Decision,
    LateConflictResolution,
    Panel,
    Review,
    ReviewAssignment,
    ReviewScore,
)
from grants.reviews.states import Recommendation

from .models import RankingFigures
from .pool import ZERO, Pool, awarded_in_call, pool_for
from .scores import RankedApplication, ranked_application_rows, review_records

#: The data version of everything a panel's stored aggregates are computed from.
RANKING = "ranking"

for _model, _attributes, _options in (
        # The reviews counted, their totals, recommendations and order.
        (Review, ("state", "total", "recommendation", "submitted_at", "assignment_id"), {}),
        (ReviewScore, ("score", "criterion_id", "review_id"), {}),
        # Which panel, reviewer and application a review belongs to.
        (ReviewAssignment, ("panel_id", "application_id", "reviewer_id", "state"), {}),
        # Reviews excluded after a conflict arose; conflicts declared.
        (LateConflictResolution, ("outcome", "review_id"), {}),
        (ConflictDeclaration, ("application_id", "organisation_id", "reviewer_id",
                               "panel_id"), {}),
        # Which applications are ranked (their call and state), and their amounts; the
        # amounts decided (the call's awarded total).
        (Application, ("state", "call_id", "requested_amount"), {}),
        (Decision, ("amount", "application_id"), {}),
        (Panel, ("call_id",), {"rows": False}),
        # Which fund each call draws on (the pool subtracts the fund's other calls' awards).
        (Call, ("fund_id",), {"rows": False}),
        # The rubric the totals are computed against.
        (Criterion, ("weight", "max_score", "is_na_allowed", "call_id"), {})):
    freshness.watch(RANKING, _model, *_attributes, **_options)


@dataclass
class RankingScores:
    """A panel's ranked applications and their statistics, from the stored aggregates."""

    call: Call
    pool: Pool
    ranked: dict[int, RankedApplication]
    stats: dict[int, scoring.ApplicationStats]
    alpha: float | None
    recommendations: dict[int, Counter]
    #: The call's awarded applications: their decided total and number.
    awarded: tuple[Decimal, int]


def ranking_scores(panel: Panel) -> RankingScores:
    """What ``panel_scores`` gives the ranking page, from the aggregates stored for the
    current version (or computed and stored). The pool and the statistics worked out from
    them depend on that version, the call's and the fund's figures and the panel's threshold
    only: each process keeps them for as long as those stay the same
    (``core.freshness.remembered``), so a page views them without reading and ranking the
    call's thousands of applications again."""
    call = panel.call
    fund = call.fund
    threshold = float(panel.disagreement_threshold)
    # The key holds what the pool reads that the version does not follow: the call's and
    # the fund's own figures.
    pool, ranked, stats, alpha, recommendations, awarded = freshness.remembered(
        RANKING, ("ranking.scores", panel.id, call.id, call.fund_id, call.max_awards,
                  call.award_amount, fund.total_budget, fund.currency, threshold),
        lambda: _pool_and_scores(panel, threshold))
    return RankingScores(call=call, pool=pool, ranked=ranked, stats=stats, alpha=alpha,
                         recommendations=recommendations, awarded=awarded)


def _pool_and_scores(panel: Panel, threshold: float) -> tuple:
    pool = pool_for(panel.call)
    return (pool, *_scores(panel, pool, threshold))


def _scores(panel: Panel, pool: Pool, threshold: float) -> tuple:
    applications = {row.id: row for row in ranked_application_rows(panel.call)}
    figures = stored(panel, lambda: compute(panel, applications))
    summaries, normalised = {}, {}
    for app_id in applications:
        count, *values, z = figures["applications"][str(app_id)]
        summaries[app_id] = scoring.TotalsSummary(count, *values)
        normalised[app_id] = z
    requested = {app_id: application.requested_amount or ZERO
                 for app_id, application in applications.items()}
    stats = {s.application_id: s for s in scoring.rank_applications(
        summaries, normalised, requested=requested, pool=pool.amount,
        max_awards=pool.max_awards, disagreement_threshold=threshold)} if requested else {}
    counts = figures["recommendations"]
    recommendations = {app_id: Counter({Recommendation(value): n for value, n
                                        in counts.get(str(app_id), {}).items()})
                       for app_id in applications}
    return applications, stats, figures["alpha"], recommendations, awarded_in_call(panel.call)


def compute(panel: Panel, applications) -> dict:
    """The aggregates of ``panel``'s submitted reviews of ``applications``, as JSON."""
    records = review_records(panel) if applications else []
    summaries, normalised = scoring.summarise_applications(records, set(applications))
    recommendations: dict[str, dict[str, int]] = {}
    for record in records:
        if record.recommendation is not None:
            counts = recommendations.setdefault(str(record.application_id), {})
            value = record.recommendation.value
            counts[value] = counts.get(value, 0) + 1
    s = summaries
    return {"applications": {str(app_id): [s[app_id].count, s[app_id].mean, s[app_id].median,
                                           s[app_id].minimum, s[app_id].maximum,
                                           s[app_id].spread, normalised[app_id]]
                             for app_id in applications},
            "alpha": scoring.panel_agreement(records), "recommendations": recommendations}


def stored(panel: Panel, compute_figures) -> dict:
    """``compute_figures()`` from those stored for the panel and the current version, or
    computed and stored. A transaction that has itself changed what they are computed from
    (not yet committed, so the version has not moved) computes them and stores nothing."""
    if freshness.changed_in_transaction(RANKING):
        return compute_figures()
    version = freshness.current_version(RANKING)
    found = db.session.scalar(select(RankingFigures.figures).where(
        RankingFigures.panel_id == panel.id, RankingFigures.version == version))
    if found is not None:
        return found
    computed = compute_figures()
    _store(panel.id, version, computed)
    return computed


def _store(panel_id: int, version: int, figures: dict) -> None:
    """Keep the figures, dropping every figure of an older version. Two requests computing
    the same figures at once both succeed: the second insert does nothing."""
    session = db.session
    session.execute(delete(RankingFigures).where(RankingFigures.version < version))
    insert = (postgresql_insert if session.get_bind().dialect.name == "postgresql"
              else sqlite_insert)
    session.execute(insert(RankingFigures).values(
        panel_id=panel_id, version=version, figures=figures,
        computed_at=utcnow()).on_conflict_do_nothing())
