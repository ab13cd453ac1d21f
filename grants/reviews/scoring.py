"""Fair aggregation of review scores: pure functions on plain data, no Flask, no database.

The views and queries load reviews, rubrics and requested amounts from the database and feed
them here as the small frozen data classes below, so the arithmetic can be tested (and
reasoned about) on its own.

Conventions used throughout:

* A review total is a float on a 0–100 scale. It is computed exactly (with fractions) and
  converted to float once; nothing is rounded here, rounding is for display only.
* Standard deviations are **sample** standard deviations (divisor n − 1), everywhere.
* Amounts of money are ``Decimal``; they are only added and compared, never mixed with floats.
* Scores that differ by less than ``TIE_TOLERANCE`` count as equal when ranking and when
  comparing with a threshold, so that two results equal in exact arithmetic but computed along
  different paths (for example 100·2/3 on one side and a mean on the other) are not separated
  by floating-point noise.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

#: Scores closer than this are treated as equal (ties in ranking, "at least" a threshold).
TIE_TOLERANCE = 1e-9

#: A reviewer needs at least this many totals in the call for their own standard deviation to
#: be trusted; with fewer, the panel's pooled standard deviation is used instead.
MIN_REVIEWS_FOR_OWN_SCALE = 3

#: An application whose highest and lowest totals are at least this far apart is flagged.
DEFAULT_DISAGREEMENT_THRESHOLD = 25.0


# --------------------------------------------------------------------------------------------
# Review totals
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CriterionSpec:
    """One line of the rubric: its weight (> 0), maximum score (≥ 1) and whether N/A is
    allowed."""

    id: int
    weight: Decimal | float | int
    max_score: int
    allows_na: bool = False


@dataclass(frozen=True)
class ReviewInput:
    """One review as the reviewer scored it: criterion id → score, or None for N/A."""

    reviewer_id: int
    application_id: int
    scores: Mapping[int, int | None]


@dataclass(frozen=True)
class ScoredReview:
    """One review reduced to its total (None when every criterion was N/A)."""

    reviewer_id: int
    application_id: int
    total: float | None


def _check_criterion(criterion: CriterionSpec) -> None:
    if not Fraction(criterion.weight) > 0:
        raise ValueError(f"criterion {criterion.id}: the weight must be more than zero")
    if criterion.max_score < 1:
        raise ValueError(f"criterion {criterion.id}: the maximum score must be at least 1")


def _check_score(criterion: CriterionSpec, score: int | None) -> None:
    if score is None:
        if not criterion.allows_na:
            raise ValueError(f"criterion {criterion.id} does not allow N/A")
    elif not 0 <= score <= criterion.max_score:
        raise ValueError(f"criterion {criterion.id}: score {score} is outside "
                         f"0–{criterion.max_score}")


def review_total(criteria: Sequence[CriterionSpec],
                 scores: Mapping[int, int | None]) -> float | None:
    """The review's total: 100 × Σ wᶜ·(sᶜ / maxᶜ) / Σ wᶜ over the answered criteria.

    N/A criteria are left out of both sums, so the remaining weights renormalise: a review
    with N/A on a criterion totals exactly what it would if that criterion were not in the
    rubric (an N/A is never a zero). If no criterion is answered the total is None (no score),
    not 0. Every criterion of the rubric must have an entry in ``scores`` (a missing entry is
    an incomplete review, not an N/A) and no other keys may appear; scores must be within
    0–max. The sums are exact fractions, so the result does not depend on the order of the
    criteria nor on a common factor of the weights."""
    by_id = {criterion.id: criterion for criterion in criteria}
    if len(by_id) != len(criteria):
        raise ValueError("criterion ids must be unique")
    if set(scores) != set(by_id):
        raise ValueError("the scores must cover exactly the rubric's criteria")
    weighted = Fraction(0)
    weights = Fraction(0)
    for criterion in criteria:
        _check_criterion(criterion)
        score = scores[criterion.id]
        _check_score(criterion, score)
        if score is None:
            continue
        weight = Fraction(criterion.weight)
        weighted += weight * Fraction(score, criterion.max_score)
        weights += weight
    if not weights:
        return None
    return float(100 * weighted / weights)


def score_reviews(criteria: Sequence[CriterionSpec],
                  reviews: Iterable[ReviewInput]) -> list[ScoredReview]:
    """Total every review against the same rubric (the call's)."""
    return [ScoredReview(review.reviewer_id, review.application_id,
                         review_total(criteria, review.scores)) for review in reviews]


# --------------------------------------------------------------------------------------------
# Per-application summary
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TotalsSummary:
    """Count, mean, median, extremes and spread (max − min) of some totals; all None but the
    count when there are none."""

    count: int
    mean: float | None
    median: float | None
    minimum: float | None
    maximum: float | None
    spread: float | None


def mean(values: Iterable[float]) -> float:
    """``statistics.mean`` of floats, to the last bit: the exact sum divided by the count,
    rounded once. Summed as integers over the largest denominator (a float's is a power of
    two, so every other divides it) instead of one Fraction per value, which cost the ranking
    of a large call most of its arithmetic."""
    ratios = [value.as_integer_ratio() for value in values]
    if not ratios:
        raise statistics.StatisticsError("mean requires at least one data point")
    common = max(denominator for _, denominator in ratios)
    total = sum(numerator * (common // denominator) for numerator, denominator in ratios)
    return total / (common * len(ratios))


def summarise_totals(totals: Sequence[float]) -> TotalsSummary:
    """Describe an application's totals. The median of an even count is the mean of the two
    middle values."""
    if not totals:
        return TotalsSummary(0, None, None, None, None, None)
    low, high = min(totals), max(totals)
    return TotalsSummary(len(totals), mean(totals), statistics.median(totals),
                         low, high, high - low)


def is_at_least(value: float, threshold: float) -> bool:
    """``value ≥ threshold``, where a value within ``TIE_TOLERANCE`` below still counts (a
    spread of 85 − 60 must meet a threshold of 25 whatever the float rounding did)."""
    return value >= threshold or math.isclose(value, threshold, rel_tol=0.0,
                                              abs_tol=TIE_TOLERANCE)


# --------------------------------------------------------------------------------------------
# Per-reviewer normalisation
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReviewerScale:
    """How one reviewer's totals are turned into z-scores.

    ``mean`` is μᵣ, ``sd`` the reviewer's own sample standard deviation (None with fewer than
    2 totals) and ``divisor`` the standard deviation actually used: ``sd`` itself, or the
    panel's pooled one when ``is_pooled``. A ``divisor`` of None means no spread is known at
    all, and every z of this reviewer is 0."""

    reviewer_id: int
    count: int
    mean: float
    sd: float | None
    divisor: float | None
    is_pooled: bool

    def z(self, total: float) -> float:
        """(x − μᵣ) / divisor, or 0 when there is no divisor."""
        if self.divisor is None:
            return 0.0
        return (total - self.mean) / self.divisor


def _check_finite(totals_by_reviewer: Mapping[int, Sequence[float]]) -> None:
    for reviewer_id, totals in totals_by_reviewer.items():
        if not totals:
            raise ValueError(f"reviewer {reviewer_id} has no totals")
        if not all(math.isfinite(total) for total in totals):
            raise ValueError(f"reviewer {reviewer_id} has a total that is not a number")


def pooled_sd(totals_by_reviewer: Mapping[int, Sequence[float]]) -> float | None:
    """The panel's pooled standard deviation, the fallback scale for thin or flat reviewers.

    It is the square root of the pooled within-reviewer sample variance over the reviewers
    with at least 2 totals, Σᵣ Σᵢ (xᵣᵢ − μᵣ)² / Σᵣ (nᵣ − 1): the spread of a typical reviewer
    once each reviewer's own leniency (μᵣ) is taken out. When that is zero or undefined (no
    reviewer has 2 totals, or every reviewer gave the same total each time) it is the sample
    standard deviation of all totals together. When that too is zero or undefined (fewer than
    2 totals, or all identical) it is None, and the fallback z is 0. (The last two steps
    cannot change a z: if the within-reviewer variance is 0, every fallback reviewer's totals
    sit on their own mean. They keep the reported scale defined.)"""
    _check_finite(totals_by_reviewer)
    squares, degrees = 0.0, 0
    for totals in totals_by_reviewer.values():
        if len(totals) >= 2:
            squares += statistics.variance(totals) * (len(totals) - 1)
            degrees += len(totals) - 1
    if degrees and squares > 0:
        return math.sqrt(squares / degrees)
    everything = [total for totals in totals_by_reviewer.values() for total in totals]
    if len(everything) >= 2 and (sd := statistics.stdev(everything)) > 0:
        return sd
    return None


def reviewer_normalisation(
        totals_by_reviewer: Mapping[int, Sequence[float]]) -> dict[int, ReviewerScale]:
    """Each reviewer's scale for z = (x − μᵣ) / σᵣ over their submitted totals in the call.

    A reviewer's own σᵣ (sample sd) is used when they have at least
    ``MIN_REVIEWS_FOR_OWN_SCALE`` (3) totals and σᵣ > 0: with fewer, σᵣ is too noisy to divide
    by, and with σᵣ = 0 it cannot be divided by. Otherwise the reviewer's own mean is still
    taken out, but the divisor is the panel's ``pooled_sd`` (see there); if that is None too,
    the reviewer's z-scores are all 0."""
    _check_finite(totals_by_reviewer)
    fallback = pooled_sd(totals_by_reviewer)
    scales = {}
    for reviewer_id, totals in totals_by_reviewer.items():
        own = statistics.stdev(totals) if len(totals) >= 2 else None
        if len(totals) >= MIN_REVIEWS_FOR_OWN_SCALE and own:
            divisor, is_pooled = own, False
        else:
            divisor, is_pooled = fallback, True
        scales[reviewer_id] = ReviewerScale(reviewer_id, len(totals), mean(totals),
                                            own, divisor, is_pooled)
    return scales


# --------------------------------------------------------------------------------------------
# Ranking and the funding line
# --------------------------------------------------------------------------------------------

def ranking(scores: Mapping[int, float | None]) -> list[tuple[int, int]]:
    """(application id, rank) pairs, best first, under competition ranking (1, 2, 2, 4).

    Higher scores are better. Scores within ``TIE_TOLERANCE`` of the first score of their
    group share the group's (better) rank. Within a tie, applications are listed by id, so
    the order is deterministic. Applications without a score (None) come after all scored
    ones, sharing the rank that follows them."""
    scored = sorted(((score, app_id) for app_id, score in scores.items() if score is not None),
                    key=lambda pair: (-pair[0], pair[1]))
    result: list[tuple[int, int]] = []
    position = 0
    while position < len(scored):
        length = _run_length(scored, position)
        group = sorted(app_id for _, app_id in scored[position:position + length])
        result += [(app_id, position + 1) for app_id in group]
        position += length
    unscored = sorted(app_id for app_id, score in scores.items() if score is None)
    result += [(app_id, len(scored) + 1) for app_id in unscored]
    return result


def _run_length(scored: list[tuple[float, int]], start: int) -> int:
    """How many scores from ``start`` on are tied with the one at ``start`` (sorted best
    first, so a tie is a run)."""
    leader, length = scored[start][0], 0
    while (start + length < len(scored)
           and math.isclose(scored[start + length][0], leader, rel_tol=0.0,
                            abs_tol=TIE_TOLERANCE)):
        length += 1
    return length


def competition_ranks(scores: Mapping[int, float | None]) -> dict[int, int]:
    """Application id → rank (1 = best; ties share the better rank; unscored last)."""
    return dict(ranking(scores))


def funding_line(ordered_ids: Sequence[int], requested: Mapping[int, Decimal],
                 pool: Decimal, max_awards: int) -> set[int]:
    """The applications funded when going down a ranking until money or awards run out.

    The funded set is the longest prefix of ``ordered_ids`` (best first) whose cumulative
    requested amount is at most ``pool`` and whose length is at most ``max_awards``. The
    first application that does not fit stops the line: the panel does not skip ahead to
    smaller, lower-ranked requests, because that would fund a worse proposal over a better
    one for its size alone (staff can still decide otherwise, on the record). So the funded
    total never exceeds the pool."""
    if pool < 0:
        raise ValueError("the pool cannot be negative")
    if max_awards < 0:
        raise ValueError("the maximum number of awards cannot be negative")
    funded: set[int] = set()
    spent = Decimal(0)
    for app_id in ordered_ids:
        amount = requested[app_id]
        if amount < 0:
            raise ValueError(f"application {app_id}: the requested amount cannot be negative")
        if len(funded) >= max_awards or spent + amount > pool:
            break
        funded.add(app_id)
        spent += amount
    return funded


# --------------------------------------------------------------------------------------------
# Putting it together
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ApplicationStats:
    """Everything the ranking page shows for one application.

    ``normalised`` is the mean z of its reviews (None when it has no scored review).
    ``is_rank_unstable`` is set when the application is inside the funding line under one
    method (raw mean or normalised score) and outside under the other."""

    application_id: int
    count: int
    mean: float | None
    median: float | None
    minimum: float | None
    maximum: float | None
    spread: float | None
    normalised: float | None
    raw_rank: int
    normalised_rank: int
    is_disagreement: bool
    is_rank_unstable: bool
    is_funded_raw: bool
    is_funded_normalised: bool


def _group_reviews(reviews: Iterable[ScoredReview], application_ids: set[int]):
    """Scored reviews grouped by reviewer (for the scales) and by application; reviews
    without a total are dropped, duplicates and unknown applications refused."""
    seen: set[tuple[int, int]] = set()
    by_reviewer: dict[int, list[float]] = defaultdict(list)
    by_application: dict[int, list[ScoredReview]] = defaultdict(list)
    for review in reviews:
        if review.application_id not in application_ids:
            raise ValueError(f"application {review.application_id} has no requested amount")
        key = (review.reviewer_id, review.application_id)
        if key in seen:
            raise ValueError(f"reviewer {key[0]} reviewed application {key[1]} twice")
        seen.add(key)
        if review.total is None:
            continue
        by_reviewer[review.reviewer_id].append(review.total)
        by_application[review.application_id].append(review)
    return by_reviewer, by_application


def _funded(ranked: list[tuple[int, int]], scores: Mapping[int, float | None],
            requested: Mapping[int, Decimal], pool: Decimal, max_awards: int) -> set[int]:
    """The funding line over scored applications only: an application nobody scored is
    never funded by the line."""
    ordered = [app_id for app_id, _ in ranked if scores[app_id] is not None]
    return funding_line(ordered, requested, pool, max_awards)


def aggregate(reviews: Iterable[ScoredReview], *, requested: Mapping[int, Decimal],
              pool: Decimal, max_awards: int,
              disagreement_threshold: float = DEFAULT_DISAGREEMENT_THRESHOLD,
              ) -> list[ApplicationStats]:
    """Statistics, both rankings and the funding lines for every application of a call.

    ``requested`` maps every application under consideration to its requested amount; it
    defines the set of applications, so one without any scored review still appears (count
    0, mean None, ranked after all scored ones, never funded). Reviews whose total is None
    (all N/A) are left out. The result is in raw-ranking order (rank, then id).
    """
    return rank_applications(*summarise_applications(reviews, set(requested)),
                             requested=requested, pool=pool, max_awards=max_awards,
                             disagreement_threshold=disagreement_threshold)


def summarise_applications(reviews: Iterable[ScoredReview], application_ids: set[int]):
    """What :func:`aggregate` reads of the reviews: {application id: its TotalsSummary} and
    {application id: its mean z} (what the ranking keeps, ``grants.ranking.stored``)."""
    by_reviewer, by_application = _group_reviews(reviews, application_ids)
    scales = reviewer_normalisation(by_reviewer)
    found = {app_id: by_application.get(app_id, []) for app_id in application_ids}
    return ({app_id: summarise_totals([r.total for r in of]) for app_id, of in found.items()},
            {app_id: _mean_z(of, scales) for app_id, of in found.items()})


def rank_applications(summaries, normalised, *, requested: Mapping[int, Decimal],
                      pool: Decimal, max_awards: int, disagreement_threshold: float):
    """The rest of :func:`aggregate`, from :func:`summarise_applications`."""
    raw = {app_id: summaries[app_id].mean for app_id in requested}
    normalised = {app_id: normalised[app_id] for app_id in requested}
    raw_ranked, norm_ranked = ranking(raw), ranking(normalised)
    funded_raw = _funded(raw_ranked, raw, requested, pool, max_awards)
    funded_norm = _funded(norm_ranked, normalised, requested, pool, max_awards)
    norm_ranks = dict(norm_ranked)
    return [_stats(app_id, rank, norm_ranks[app_id], summaries[app_id], normalised[app_id],
                   app_id in funded_raw, app_id in funded_norm, disagreement_threshold)
            for app_id, rank in raw_ranked]


def _mean_z(reviews: list[ScoredReview], scales: Mapping[int, ReviewerScale]) -> float | None:
    if not reviews:
        return None
    return mean(scales[r.reviewer_id].z(r.total) for r in reviews)


def _stats(app_id: int, raw_rank: int, normalised_rank: int, summary: TotalsSummary,
           normalised: float | None, funded_raw: bool, funded_norm: bool,
           threshold: float) -> ApplicationStats:
    disagreement = summary.spread is not None and is_at_least(summary.spread, threshold)
    return ApplicationStats(
        application_id=app_id, count=summary.count, mean=summary.mean, median=summary.median,
        minimum=summary.minimum, maximum=summary.maximum, spread=summary.spread,
        normalised=normalised, raw_rank=raw_rank, normalised_rank=normalised_rank,
        is_disagreement=disagreement, is_rank_unstable=funded_raw != funded_norm,
        is_funded_raw=funded_raw, is_funded_normalised=funded_norm)


# --------------------------------------------------------------------------------------------
# Inter-rater agreement
# --------------------------------------------------------------------------------------------

def krippendorff_alpha_interval(
        ratings: Mapping[int, Mapping[int, float | None]]) -> float | None:
    """Krippendorff's alpha with the interval metric δ(c, k) = (c − k)².

    ``ratings`` maps each unit (application) to its coders' (reviewers') values (totals); a
    coder absent from a unit, or a value of None, is a missing rating. Only pairable values
    count: those in units with at least 2 values. With n pairable values,

    * Do = (1/n) Σᵤ 1/(mᵤ − 1) Σ_{i≠j in u} (vᵢ − vⱼ)²   (observed disagreement, within units)
    * De = 1/(n(n − 1)) Σ_{i≠j over all n} (vᵢ − vⱼ)²     (expected, all pairable values)
    * alpha = 1 − Do / De

    Returns None when it is undefined because there are fewer than 2 pairable values (no unit
    rated twice). When every pairable value is identical, Do = De = 0 and alpha is strictly
    0/0; like many implementations we return 1.0 for that perfect agreement (and in general
    1.0 whenever Do = 0). The arithmetic is exact (fractions), so identical values give exactly
    1.0.
    """
    # Exact ratios (numerator, denominator), not one Fraction per value: a large call has
    # thousands of values.
    units = [[value.as_integer_ratio() for value in coders.values() if value is not None]
             for coders in ratings.values()]
    units = [values for values in units if len(values) >= 2]
    n = sum(len(values) for values in units)
    if n < 2:
        return None
    observed = sum(_pair_squares_of_ratios(values) / (len(values) - 1) for values in units) / n
    if observed == 0:
        return 1.0
    pooled = [value for values in units for value in values]
    expected = _pair_squares_of_ratios(pooled) / (n * (n - 1))
    return float(1 - observed / expected)


def _pair_squares_of_ratios(ratios: list[tuple[int, int]]) -> Fraction:
    """Σ_{i≠j} (vᵢ − vⱼ)² over ordered pairs of values given as (numerator, denominator),
    as 2(m Σv² − (Σv)²), exactly.

    Summed as integers over a common denominator: as exact as adding fractions, without a
    reduction at every step (totals come from floats, so the denominators are powers of two
    and the common one stays small; adding thousands of them as fractions was slow)."""
    if not ratios:
        return Fraction(0)
    common = math.lcm(*(denominator for _, denominator in ratios))
    numerators = [numerator * (common // denominator) for numerator, denominator in ratios]
    total, squares = sum(numerators), sum(n * n for n in numerators)
    return Fraction(2 * (len(ratios) * squares - total * total), common * common)


def panel_agreement(reviews: Iterable[ScoredReview]) -> float | None:
    """Krippendorff's interval alpha of a panel's totals (units = applications, coders =
    reviewers); reviews without a total are missing ratings."""
    ratings: dict[int, dict[int, float | None]] = defaultdict(dict)
    for review in reviews:
        ratings[review.application_id][review.reviewer_id] = review.total
    return krippendorff_alpha_interval(ratings)
