"""Review aggregation: totals, per-reviewer normalisation, rankings, funding line and
Krippendorff's alpha. Pure functions, so no database or request is involved."""

from __future__ import annotations

import math
import statistics
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grants.reviews.scoring import (
    CriterionSpec,
    ReviewInput,
    ScoredReview,
    aggregate,
    competition_ranks,
    funding_line,
    krippendorff_alpha_interval,
    mean,
    panel_agreement,
    pooled_sd,
    ranking,
    review_total,
    reviewer_normalisation,
    score_reviews,
    summarise_totals,
)

AMPLE = Decimal("1000000")


def _by_id(stats):
    return {row.application_id: row for row in stats}


# --------------------------------------------------------------------------------------------
# review_total
# --------------------------------------------------------------------------------------------

def test_total_weighs_each_criterion_against_its_maximum():
    criteria = [CriterionSpec(1, Decimal("2"), 10), CriterionSpec(2, Decimal("1"), 5)]
    # 100 × (2 × 7/10 + 1 × 5/5) / (2 + 1) = 100 × 2.4 / 3 = 80
    assert review_total(criteria, {1: 7, 2: 5}) == 80.0
    # 100 × (2 × 0/10 + 1 × 5/5) / 3 = 33.33…
    assert math.isclose(review_total(criteria, {1: 0, 2: 5}), 100 / 3)


def test_total_with_fractional_weights_and_small_maximum():
    criteria = [CriterionSpec(1, Decimal("1.5"), 10), CriterionSpec(2, Decimal("0.5"), 4)]
    # 100 × (1.5 × 10/10 + 0.5 × 3/4) / 2 = 100 × 1.875 / 2 = 93.75
    assert review_total(criteria, {1: 10, 2: 3}) == 93.75
    assert review_total(criteria, {1: 0, 2: 0}) == 0.0
    assert review_total(criteria, {1: 10, 2: 4}) == 100.0


def test_na_renormalises_the_weights_instead_of_counting_zero():
    criteria = [CriterionSpec(1, 2, 10), CriterionSpec(2, 1, 5, allows_na=True)]
    # Only criterion 1 is answered: 100 × 2 × 6/10 / 2 = 60 (not 100 × 1.2 / 3 = 40).
    assert review_total(criteria, {1: 6, 2: None}) == 60.0


def test_all_na_gives_no_total():
    criteria = [CriterionSpec(1, 1, 10, allows_na=True), CriterionSpec(2, 3, 5, allows_na=True)]
    assert review_total(criteria, {1: None, 2: None}) is None
    assert review_total([], {}) is None


@pytest.mark.parametrize("scores", [
    {1: None, 2: 3},        # N/A where it is not allowed
    {1: 11, 2: 3},          # above the maximum
    {1: -1, 2: 3},          # below zero
    {1: 5},                 # criterion 2 missing: incomplete, not N/A
    {1: 5, 2: 3, 3: 1},     # a criterion that is not in the rubric
])
def test_invalid_scores_are_refused(scores):
    criteria = [CriterionSpec(1, 1, 10), CriterionSpec(2, 1, 5, allows_na=True)]
    with pytest.raises(ValueError):
        review_total(criteria, scores)


@pytest.mark.parametrize("criterion", [CriterionSpec(1, 0, 10), CriterionSpec(1, -1, 10),
                                       CriterionSpec(1, 1, 0)])
def test_invalid_rubric_is_refused(criterion):
    with pytest.raises(ValueError):
        review_total([criterion], {1: 0})


def test_score_reviews_totals_each_review():
    criteria = [CriterionSpec(1, 1, 10, allows_na=True)]
    reviews = [ReviewInput(7, 1, {1: 8}), ReviewInput(7, 2, {1: None})]
    assert score_reviews(criteria, reviews) == [ScoredReview(7, 1, 80.0),
                                                ScoredReview(7, 2, None)]


weights = st.one_of(st.integers(min_value=1, max_value=100),
                    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999.99"),
                                places=2))


@st.composite
def rubrics_with_scores(draw):
    size = draw(st.integers(min_value=1, max_value=6))
    criteria, scores = [], {}
    for criterion_id in range(1, size + 1):
        maximum = draw(st.integers(min_value=1, max_value=100))
        allows_na = draw(st.booleans())
        criteria.append(CriterionSpec(criterion_id, draw(weights), maximum, allows_na))
        answer = st.integers(min_value=0, max_value=maximum)
        scores[criterion_id] = draw(st.one_of(answer, st.none()) if allows_na else answer)
    return criteria, scores


@given(rubric=rubrics_with_scores(), data=st.data())
def test_na_is_the_same_as_removing_the_criterion(rubric, data):
    criteria, scores = rubric
    dropped = data.draw(st.sampled_from(criteria))
    with_na = [CriterionSpec(c.id, c.weight, c.max_score, c.allows_na or c is dropped)
               for c in criteria]
    total = review_total(with_na, {**scores, dropped.id: None})
    without = review_total([c for c in criteria if c is not dropped],
                           {k: v for k, v in scores.items() if k != dropped.id})
    assert total == without


@given(rubric=rubrics_with_scores(),
       factor=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000"), places=2))
def test_scaling_every_weight_changes_nothing(rubric, factor):
    criteria, scores = rubric
    scaled = [CriterionSpec(c.id, Decimal(c.weight) * factor, c.max_score, c.allows_na)
              for c in criteria]
    total = review_total(criteria, scores)
    assert review_total(scaled, scores) == total
    assert total is None or 0 <= total <= 100


# --------------------------------------------------------------------------------------------
# Per-application summary and the disagreement flag
# --------------------------------------------------------------------------------------------

def test_median_of_an_even_count_is_the_mean_of_the_middle_two():
    summary = summarise_totals([70.0, 40.0, 100.0, 60.0])
    assert summary.count == 4
    assert summary.median == 65.0           # (60 + 70) / 2
    assert summary.mean == 67.5             # 270 / 4
    assert (summary.minimum, summary.maximum, summary.spread) == (40.0, 100.0, 60.0)


def test_no_totals_summarise_to_nothing():
    summary = summarise_totals([])
    assert summary.count == 0
    assert summary.mean is summary.median is summary.spread is None


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=8))
def test_the_mean_is_statistics_mean_to_the_last_bit(values):
    assert repr(mean(values)) == repr(statistics.mean(values))


totals_0_100 = st.floats(min_value=0, max_value=100, allow_nan=False)


@given(totals=st.lists(totals_0_100, min_size=1, max_size=10))
def test_spread_is_never_negative(totals):
    summary = summarise_totals(totals)
    assert summary.spread >= 0
    assert summary.minimum <= summary.median <= summary.maximum


@given(total=totals_0_100, count=st.integers(min_value=1, max_value=10))
def test_spread_is_zero_when_all_agree(total, count):
    assert summarise_totals([total] * count).spread == 0


@pytest.mark.parametrize(("low", "high", "threshold", "flagged"), [
    (60.0, 85.0, 25.0, True),      # exactly the threshold counts
    (60.0, 84.5, 25.0, False),
    (60.0, 80.0, 20.0, True),      # a call may set its own threshold
    (60.0, 60.0, 0.0, True),
])
def test_disagreement_flag(low, high, threshold, flagged):
    reviews = [ScoredReview(1, 1, low), ScoredReview(2, 1, high)]
    [stats] = aggregate(reviews, requested={1: Decimal(5000)}, pool=AMPLE, max_awards=1,
                        disagreement_threshold=threshold)
    assert stats.spread == high - low
    assert stats.is_disagreement is flagged


def test_disagreement_at_the_threshold_survives_float_rounding():
    # 100 × 2/3 − 100 × 5/12 is exactly 25, but not in binary floating point.
    criteria = [CriterionSpec(1, 1, 12)]
    high, low = review_total(criteria, {1: 8}), review_total(criteria, {1: 5})
    reviews = [ScoredReview(1, 1, low), ScoredReview(2, 1, high)]
    [stats] = aggregate(reviews, requested={1: Decimal(1)}, pool=AMPLE, max_awards=1)
    assert stats.is_disagreement


# --------------------------------------------------------------------------------------------
# Ranking
# --------------------------------------------------------------------------------------------

def test_competition_ranking_shares_the_better_rank_and_orders_ties_by_id():
    scores = {1: 80.0, 2: 90.0, 3: 80.0, 4: 70.0, 5: None, 6: 90.0}
    assert ranking(scores) == [(2, 1), (6, 1), (1, 3), (3, 3), (4, 5), (5, 6)]
    assert competition_ranks(scores) == {2: 1, 6: 1, 1: 3, 3: 3, 4: 5, 5: 6}


def test_float_noise_does_not_break_a_tie():
    assert 0.1 + 0.2 != 0.3
    assert ranking({9: 0.1 + 0.2, 4: 0.3, 5: 0.2}) == [(4, 1), (9, 1), (5, 3)]


def test_unscored_applications_rank_after_the_scored_ones_and_are_never_funded():
    reviews = [ScoredReview(1, 1, 50.0), ScoredReview(1, 2, None)]
    stats = _by_id(aggregate(reviews, requested={1: Decimal(10), 2: Decimal(10),
                                                 3: Decimal(10)},
                             pool=AMPLE, max_awards=10))
    assert [stats[2].count, stats[2].mean, stats[2].normalised] == [0, None, None]
    assert stats[2].raw_rank == stats[3].raw_rank == 2
    assert stats[2].normalised_rank == stats[3].normalised_rank == 2
    assert not stats[2].is_funded_raw and not stats[3].is_funded_normalised
    assert stats[1].is_funded_raw and stats[1].is_funded_normalised


def test_aggregate_refuses_a_duplicate_review_and_an_unknown_application():
    with pytest.raises(ValueError):
        aggregate([ScoredReview(1, 1, 50.0), ScoredReview(1, 1, 60.0)],
                  requested={1: Decimal(1)}, pool=AMPLE, max_awards=1)
    with pytest.raises(ValueError):
        aggregate([ScoredReview(1, 2, 50.0)], requested={1: Decimal(1)}, pool=AMPLE,
                  max_awards=1)


# --------------------------------------------------------------------------------------------
# Per-reviewer normalisation
# --------------------------------------------------------------------------------------------

def test_reviewer_with_three_varied_totals_uses_their_own_sample_sd():
    scale = reviewer_normalisation({1: [40.0, 50.0, 60.0]})[1]
    # μ = 50; sample variance = (100 + 0 + 100) / (3 − 1) = 100; sd = 10.
    assert (scale.mean, scale.sd, scale.divisor, scale.is_pooled) == (50.0, 10.0, 10.0, False)
    assert [scale.z(x) for x in (40.0, 50.0, 60.0)] == [-1.0, 0.0, 1.0]


def test_thin_or_flat_reviewers_fall_back_to_the_pooled_sd():
    scales = reviewer_normalisation({
        1: [40.0, 50.0, 60.0],   # μ 50, Σ(x − μ)² = 200, 2 degrees of freedom, own sd 10
        2: [70.0, 90.0],         # μ 80, Σ(x − μ)² = 200, 1 degree of freedom: < 3 reviews
        3: [55.0, 55.0, 55.0],   # μ 55, Σ(x − μ)² = 0,   2 degrees of freedom: σ = 0
        4: [65.0],               # a single review: no degrees of freedom, not pooled
    })
    # Pooled variance = (200 + 200 + 0) / (2 + 1 + 2) = 80; pooled sd = √80 ≈ 8.9443.
    pooled = math.sqrt(80)
    assert scales[1].divisor == 10.0 and not scales[1].is_pooled
    for reviewer in (2, 3, 4):
        assert scales[reviewer].is_pooled
        assert math.isclose(scales[reviewer].divisor, pooled)
    # Reviewer 2's own sd would be √200 ≈ 14.14; with the pooled sd, 90 gives
    # (90 − 80) / √80 ≈ 1.1180 and 70 gives −1.1180.
    assert math.isclose(scales[2].z(90.0), 10 / pooled)
    assert math.isclose(scales[2].z(70.0), -10 / pooled)
    assert scales[2].sd == pytest.approx(math.sqrt(200))
    # A flat reviewer's totals all sit on their mean; a single review is its own mean.
    assert scales[3].z(55.0) == 0.0 and scales[4].z(65.0) == 0.0


def test_pooled_sd_falls_back_to_all_totals_then_to_none():
    # Every reviewer with 2+ totals is flat: within-reviewer variance is 0, so the pooled sd
    # is the sample sd of all totals: 50, 50, 50, 70 → μ 55, Σ(x − μ)² = 3 × 25 + 225 = 300,
    # variance 300 / 3 = 100, sd 10.
    assert pooled_sd({1: [50.0, 50.0, 50.0], 2: [70.0]}) == 10.0
    # Nothing varies at all: no scale, and every z is 0.
    assert pooled_sd({1: [50.0, 50.0], 2: [50.0]}) is None
    assert pooled_sd({1: [50.0]}) is None
    scale = reviewer_normalisation({1: [50.0, 50.0, 50.0]})[1]
    assert scale.divisor is None and scale.z(50.0) == 0.0 and scale.z(80.0) == 0.0


def test_harsh_and_lenient_reviewers_rank_differently_raw_and_normalised():
    harsh, lenient = 1, 2
    reviews = [
        ScoredReview(harsh, 1, 40.0), ScoredReview(harsh, 2, 50.0), ScoredReview(harsh, 3, 60.0),
        ScoredReview(lenient, 2, 80.0), ScoredReview(lenient, 3, 85.0),
        ScoredReview(lenient, 4, 75.0),
    ]
    requested = {app_id: Decimal("5000.00") for app_id in (1, 2, 3, 4, 5)}
    stats = aggregate(reviews, requested=requested, pool=Decimal("10000.00"), max_awards=8)
    by_id = _by_id(stats)
    # Harsh reviewer: 40, 50, 60 → μ = 50; sample variance = (10² + 0² + 10²) / 2 = 100;
    #   sd = 10; z(app 1) = −1, z(app 2) = 0, z(app 3) = +1.
    # Lenient reviewer: 80, 85, 75 → μ = 80; sample variance = (0² + 5² + 5²) / 2 = 25;
    #   sd = 5; z(app 2) = 0, z(app 3) = +1, z(app 4) = −1.
    # Raw means: app 1 = 40; app 2 = (50 + 80)/2 = 65; app 3 = (60 + 85)/2 = 72.5;
    #   app 4 = 75; app 5 has no review.
    # Mean z: app 1 = −1; app 2 = (0 + 0)/2 = 0; app 3 = (1 + 1)/2 = 1; app 4 = −1.
    # Raw ranking:        app 4 (75) 1, app 3 (72.5) 2, app 2 (65) 3, app 1 (40) 4, app 5 5.
    # Normalised ranking: app 3 (1) 1, app 2 (0) 2, apps 1 and 4 (−1) tie at 3, app 5 5.
    # Funding line: 10,000 buys two awards of 5,000 (max 8 does not bind).
    #   Raw funds {4, 3}; normalised funds {3, 2}: app 4 (the lenient reviewer's worst) is
    #   funded only under the raw mean and app 2 only under the normalised score, so both
    #   are rank-unstable; app 3 is funded either way.
    # Spreads: app 2 = 80 − 50 = 30 and app 3 = 85 − 60 = 25 (exactly the default 25) are
    #   disagreements; apps 1 and 4 have a single review (spread 0).
    assert [row.application_id for row in stats] == [4, 3, 2, 1, 5]
    assert {a: by_id[a].mean for a in by_id} == {1: 40.0, 2: 65.0, 3: 72.5, 4: 75.0, 5: None}
    assert {a: by_id[a].normalised for a in by_id} == {1: -1.0, 2: 0.0, 3: 1.0, 4: -1.0,
                                                       5: None}
    assert {a: by_id[a].raw_rank for a in by_id} == {4: 1, 3: 2, 2: 3, 1: 4, 5: 5}
    assert {a: by_id[a].normalised_rank for a in by_id} == {3: 1, 2: 2, 1: 3, 4: 3, 5: 5}
    assert {a for a in by_id if by_id[a].is_funded_raw} == {3, 4}
    assert {a for a in by_id if by_id[a].is_funded_normalised} == {2, 3}
    assert {a for a in by_id if by_id[a].is_rank_unstable} == {2, 4}
    assert {a for a in by_id if by_id[a].is_disagreement} == {2, 3}
    assert (by_id[2].count, by_id[2].median, by_id[2].minimum, by_id[2].maximum,
            by_id[2].spread) == (2, 65.0, 50.0, 80.0, 30.0)


@st.composite
def panels(draw):
    """Reviewers who each score at least 3 applications, with at least two different totals
    (so each reviewer's own sample sd is used)."""
    applications = draw(st.integers(min_value=3, max_value=8))
    reviewers = draw(st.integers(min_value=1, max_value=4))
    half_points = st.integers(min_value=0, max_value=200).map(lambda v: v / 2)
    reviews = []
    for reviewer in range(1, reviewers + 1):
        assigned = draw(st.lists(st.integers(min_value=1, max_value=applications),
                                 min_size=3, max_size=applications, unique=True))
        totals = draw(st.lists(half_points, min_size=len(assigned), max_size=len(assigned))
                      .filter(lambda values: len(set(values)) > 1))
        reviews += [ScoredReview(reviewer, app_id, total)
                    for app_id, total in zip(assigned, totals, strict=True)]
    return applications, reviews


@given(panel=panels(), data=st.data(),
       a=st.floats(min_value=0.1, max_value=10), b=st.floats(min_value=-100, max_value=100))
def test_normalised_ranks_ignore_a_reviewers_affine_rescaling(panel, data, a, b):
    applications, reviews = panel
    who = data.draw(st.sampled_from(sorted({r.reviewer_id for r in reviews})))
    rescaled = [ScoredReview(r.reviewer_id, r.application_id,
                             a * r.total + b if r.reviewer_id == who else r.total)
                for r in reviews]
    requested = {app_id: Decimal(1000) for app_id in range(1, applications + 1)}
    before = _by_id(aggregate(reviews, requested=requested, pool=Decimal(3000), max_awards=8))
    after = _by_id(aggregate(rescaled, requested=requested, pool=Decimal(3000), max_awards=8))
    for app_id, row in before.items():
        assert after[app_id].normalised_rank == row.normalised_rank
        assert after[app_id].is_funded_normalised == row.is_funded_normalised
        if row.normalised is not None:
            assert math.isclose(after[app_id].normalised, row.normalised,
                                rel_tol=1e-9, abs_tol=1e-9)


# --------------------------------------------------------------------------------------------
# Funding line
# --------------------------------------------------------------------------------------------

def test_an_application_that_does_not_fit_stops_the_line():
    requested = {1: Decimal("6000"), 2: Decimal("5000"), 3: Decimal("3000")}
    # 6,000 fits; 6,000 + 5,000 > 10,000 stops the line, although 3,000 would still fit.
    assert funding_line([1, 2, 3], requested, Decimal("10000"), 5) == {1}
    assert funding_line([1, 3, 2], requested, Decimal("10000"), 5) == {1, 3}
    assert funding_line([1, 3, 2], requested, Decimal("10000"), 1) == {1}
    assert funding_line([1, 2, 3], requested, Decimal("14000"), 5) == {1, 2, 3}
    assert funding_line([], requested, Decimal("10000"), 5) == set()


@pytest.mark.parametrize(("pool", "max_awards"), [(Decimal("-1"), 1), (Decimal("1"), -1)])
def test_funding_line_refuses_nonsense(pool, max_awards):
    with pytest.raises(ValueError):
        funding_line([1], {1: Decimal(1)}, pool, max_awards)


amounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("10000"), places=2)


@given(requested=st.dictionaries(st.integers(min_value=1, max_value=50), amounts, max_size=12),
       pool=st.decimals(min_value=Decimal("0"), max_value=Decimal("50000"), places=2),
       max_awards=st.integers(min_value=0, max_value=10), data=st.data())
def test_funded_set_never_exceeds_pool_or_awards(requested, pool, max_awards, data):
    ordered = data.draw(st.permutations(sorted(requested)))
    funded = funding_line(ordered, requested, pool, max_awards)
    assert sum((requested[a] for a in funded), Decimal(0)) <= pool
    assert len(funded) <= max_awards
    # It is a prefix of the ranking, and the longest one that fits.
    assert set(ordered[:len(funded)]) == funded
    if len(funded) < len(ordered) and len(funded) < max_awards:
        following = ordered[len(funded)]
        assert sum((requested[a] for a in funded), requested[following]) > pool


# --------------------------------------------------------------------------------------------
# Krippendorff's alpha (interval)
# --------------------------------------------------------------------------------------------

def test_alpha_matches_a_hand_computed_example():
    # Three coders (A, B, C), four units; C did not rate unit 2.
    #
    #   unit   A  B  C     values in the unit     m_u
    #   1      3  4  5     3, 4, 5                3
    #   2      2  2  .     2, 2                   2
    #   3      5  4  5     5, 4, 5                3
    #   4      1  3  2     1, 3, 2                3
    #
    # Every unit has m_u ≥ 2, so all values are pairable: n = 3 + 2 + 3 + 3 = 11.
    #
    # Coincidence matrix o_ck = Σ_u (number of ordered c–k pairs in u) / (m_u − 1):
    #   unit 1 adds 1/2 to o_34, o_43, o_35, o_53, o_45, o_54;
    #   unit 2 adds 2 to o_22 (two ordered pairs, each / (2 − 1));
    #   unit 3 adds 1 to o_45 and o_54 (two ordered 5–4 pairs, each / 2) and 1 to o_55;
    #   unit 4 adds 1/2 to o_12, o_21, o_13, o_31, o_23, o_32.
    #
    #          1     2     3     4     5   │ n_c
    #     1    0    1/2   1/2    0     0   │ 1
    #     2   1/2    2    1/2    0     0   │ 3
    #     3   1/2   1/2    0    1/2   1/2  │ 2
    #     4    0     0    1/2    0    3/2  │ 2
    #     5    0     0    1/2   3/2    1   │ 3      n = 11
    #
    # Interval metric δ(c, k) = (c − k)². Observed disagreement, summing both halves of the
    # symmetric matrix (hence × 2):
    #   Σ o_ck δ = 2 × (1/2·1 + 1/2·4 + 1/2·1 + 1/2·1 + 1/2·4 + 3/2·1)
    #            = 2 × (1–2, 1–3, 2–3, 3–4, 3–5, 4–5) = 2 × 7 = 14
    #   Do = 14 / n = 14 / 11 ≈ 1.2727
    # Expected disagreement from the marginals n_c (pairs c < k, doubled):
    #   n_c n_k δ: 1–2: 1·3·1 = 3;  1–3: 1·2·4 = 8;  1–4: 1·2·9 = 18;  1–5: 1·3·16 = 48;
    #              2–3: 3·2·1 = 6;  2–4: 3·2·4 = 24; 2–5: 3·3·9 = 81;  3–4: 2·2·1 = 4;
    #              3–5: 2·3·4 = 24; 4–5: 2·3·1 = 6;  total 222, doubled 444
    #   De = 444 / (n(n − 1)) = 444 / 110 ≈ 4.0364
    # alpha = 1 − Do / De = 1 − (14/11) × (110/444) = 1 − 140/444 = 1 − 35/111 = 76/111
    #       ≈ 0.6847
    ratings = {
        1: {"A": 3, "B": 4, "C": 5},
        2: {"A": 2, "B": 2},
        3: {"A": 5, "B": 4, "C": 5},
        4: {"A": 1, "B": 3, "C": 2},
    }
    alpha = krippendorff_alpha_interval(ratings)
    assert round(alpha, 4) == 0.6847
    assert math.isclose(alpha, 76 / 111)
    # A missing rating may also be given as None, and the interval metric does not care
    # about the scale (totals out of 100 instead of 1–5).
    rescaled = {unit: {coder: 20 * value for coder, value in coders.items()}
                for unit, coders in ratings.items()}
    rescaled[2]["C"] = None
    assert math.isclose(krippendorff_alpha_interval(rescaled), 76 / 111)


@given(units=st.lists(st.tuples(st.integers(min_value=0, max_value=200).map(lambda v: v / 2),
                                st.sets(st.integers(min_value=1, max_value=6), min_size=2)),
                      min_size=1, max_size=10))
def test_alpha_is_one_for_perfect_agreement(units):
    ratings = {unit: {coder: value for coder in coders}
               for unit, (value, coders) in enumerate(units)}
    assert krippendorff_alpha_interval(ratings) == 1.0


def test_alpha_is_undefined_without_pairable_values():
    assert krippendorff_alpha_interval({}) is None
    assert krippendorff_alpha_interval({1: {"A": 50.0}, 2: {"B": 70.0, "C": None}}) is None


def test_alpha_for_systematic_disagreement_is_negative():
    # Two coders who always disagree by a lot, on units that barely differ.
    ratings = {1: {"A": 0.0, "B": 100.0}, 2: {"A": 100.0, "B": 0.0}}
    assert krippendorff_alpha_interval(ratings) < 0


def test_panel_agreement_reads_scored_reviews():
    reviews = [ScoredReview(1, 10, 60.0), ScoredReview(2, 10, 60.0),
               ScoredReview(1, 11, 80.0), ScoredReview(2, 11, 80.0), ScoredReview(3, 11, None)]
    assert panel_agreement(reviews) == 1.0
    assert panel_agreement([ScoredReview(1, 10, 60.0)]) is None


def test_alpha_is_unchanged_by_a_common_affine_rescaling():
    ratings = {1: {1: 60.0, 2: 70.0}, 2: {1: 40.0, 2: 45.0, 3: 55.0}, 3: {2: 90.0, 3: 80.0}}
    alpha = krippendorff_alpha_interval(ratings)
    rescaled = {u: {c: 0.5 * v + 10 for c, v in coders.items()} for u, coders in ratings.items()}
    assert math.isclose(krippendorff_alpha_interval(rescaled), alpha)
