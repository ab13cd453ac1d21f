"""The automatic assignment planner: hand-worked cases and properties."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from grants.reviews.assignment import plan_assignments, shortfalls


def _loads(plan, reviewers, start=None):
    counts = Counter(reviewer for _app, reviewer in plan)
    return {reviewer: (start or {}).get(reviewer, 0) + counts[reviewer] for reviewer in reviewers}


def _merge(existing, plan):
    merged = {app: set(reviewers) for app, reviewers in existing.items()}
    for app, reviewer in plan:
        merged.setdefault(app, set()).add(reviewer)
    return merged


def test_each_application_gets_k_reviewers_with_even_loads():
    plan = plan_assignments([1, 2, 3, 4], [10, 11, 12, 13], {}, {}, 3, {})
    assert plan == [(1, 10), (1, 11), (1, 12), (2, 13), (2, 10), (2, 11),
                    (3, 12), (3, 13), (3, 10), (4, 11), (4, 12), (4, 13)]
    assert set(_loads(plan, [10, 11, 12, 13]).values()) == {3}


def test_conflicts_and_declines_are_respected_and_shortfalls_reported():
    excluded = {10: {1}, 11: {1}}
    plan = plan_assignments([1, 2], [10, 11, 12], {}, excluded, 2, {})
    assert (1, 10) not in plan and (1, 11) not in plan
    assert [pair for pair in plan if pair[0] == 1] == [(1, 12)]
    assert shortfalls([1, 2], {}, plan, 2) == {1: 1}


def test_only_gaps_are_filled_and_existing_load_counts():
    existing = {1: {10, 11}}
    plan = plan_assignments([1, 2], [10, 11, 12], existing, {}, 2, {10: 1, 11: 1})
    assert plan == [(2, 12), (2, 10)]
    plan = plan_assignments([1, 2], [10, 11, 12], existing, {}, 3, {10: 1, 11: 1})
    assert plan == [(1, 12), (2, 10), (2, 11), (2, 12)]


def test_ties_break_by_user_id_and_output_is_deterministic():
    first = plan_assignments([5, 3], [9, 2, 7], {}, {}, 1, {})
    assert first == [(3, 2), (5, 7)]
    assert plan_assignments([3, 5], [7, 9, 2], {}, {}, 1, {}) == first


def test_no_reviewers_or_k_larger_than_the_panel():
    assert plan_assignments([1], [], {}, {}, 3, {}) == []
    plan = plan_assignments([1], [4, 5], {}, {}, 3, {})
    assert plan == [(1, 4), (1, 5)]
    assert shortfalls([1], {}, plan, 3) == {1: 1}


# Properties --------------------------------------------------------------------------------

applications_st = st.sets(st.integers(1, 40), max_size=15)
reviewers_st = st.sets(st.integers(100, 140), max_size=8)
k_st = st.integers(1, 5)


@st.composite
def scenarios(draw):
    applications = sorted(draw(applications_st))
    reviewers = sorted(draw(reviewers_st))
    k = draw(k_st)
    excluded = {}
    if reviewers and applications:
        for reviewer in reviewers:
            excluded[reviewer] = set(draw(st.sets(st.sampled_from(applications),
                                                  max_size=len(applications))))
    existing = {}
    if reviewers and applications:
        for application in applications:
            allowed = [r for r in reviewers if application not in excluded.get(r, set())]
            if allowed:
                chosen = draw(st.sets(st.sampled_from(allowed), max_size=min(k, len(allowed))))
                if chosen:
                    existing[application] = chosen
    load = Counter(r for chosen in existing.values() for r in chosen)
    return applications, reviewers, existing, excluded, k, dict(load)


@given(scenarios())
def test_never_assigns_an_excluded_pair_nor_an_existing_one(scenario):
    applications, reviewers, existing, excluded, k, load = scenario
    plan = plan_assignments(applications, reviewers, existing, excluded, k, load)
    for application, reviewer in plan:
        assert application not in excluded.get(reviewer, set())
        assert reviewer not in existing.get(application, set())
        assert application in applications and reviewer in reviewers
    assert len(plan) == len(set(plan))


@given(scenarios())
def test_never_exceeds_k_per_application(scenario):
    applications, reviewers, existing, excluded, k, load = scenario
    plan = plan_assignments(applications, reviewers, existing, excluded, k, load)
    merged = _merge(existing, plan)
    for application in applications:
        assert len(merged.get(application, set())) <= k


@given(scenarios())
def test_fills_every_slot_it_can(scenario):
    """An application left short has no eligible reviewer left."""
    applications, reviewers, existing, excluded, k, load = scenario
    plan = plan_assignments(applications, reviewers, existing, excluded, k, load)
    merged = _merge(existing, plan)
    for application, missing in shortfalls(applications, existing, plan, k).items():
        assert missing > 0
        assert all(r in merged.get(application, set()) or application in excluded.get(r, set())
                   for r in reviewers)


@given(scenarios())
def test_idempotent(scenario):
    applications, reviewers, existing, excluded, k, load = scenario
    plan = plan_assignments(applications, reviewers, existing, excluded, k, load)
    again = plan_assignments(applications, reviewers, _merge(existing, plan), excluded, k,
                             _loads(plan, reviewers, load))
    assert again == []


@given(applications_st, st.sets(st.integers(100, 140), min_size=1, max_size=8), k_st)
def test_loads_differ_by_at_most_one_without_exclusions(applications, reviewers, k):
    plan = plan_assignments(applications, reviewers, {}, {}, k, {})
    loads = _loads(plan, reviewers)
    assert max(loads.values()) - min(loads.values()) <= 1
    assert len(plan) == len(applications) * min(k, len(reviewers))


@given(applications_st, st.sets(st.integers(100, 140), min_size=1, max_size=8), k_st,
       st.integers(1, 6))
def test_balance_holds_when_filling_in_several_rounds(applications, reviewers, k, split):
    """Assigning part of the applications first, then the rest, stays balanced."""
    ordered = sorted(applications)
    first, rest = ordered[:split], ordered[split:]
    plan = plan_assignments(first, reviewers, {}, {}, k, {})
    more = plan_assignments(ordered, reviewers, _merge({}, plan), {}, k,
                            _loads(plan, reviewers))
    loads = _loads(plan + more, reviewers)
    assert max(loads.values()) - min(loads.values()) <= 1
    assert {app for app, _r in more} <= set(rest)


@given(scenarios())
def test_greedy_never_passes_over_a_less_loaded_eligible_reviewer(scenario):
    """Balance among those who could take each application: when a reviewer is chosen, no
    eligible, unchosen reviewer had a smaller load at that moment."""
    applications, reviewers, existing, excluded, k, load = scenario
    plan = plan_assignments(applications, reviewers, existing, excluded, k, load)
    current = {r: load.get(r, 0) for r in reviewers}
    by_application = {}
    for application, reviewer in plan:
        by_application.setdefault(application, []).append(reviewer)
    for application in sorted(by_application):
        chosen = by_application[application]
        eligible = [r for r in reviewers if r not in existing.get(application, set())
                    and application not in excluded.get(r, set())]
        passed_over = [r for r in eligible if r not in chosen]
        if passed_over:
            assert max(current[r] for r in chosen) <= min(current[r] for r in passed_over)
        for reviewer in chosen:
            current[reviewer] += 1
