"""Automatic assignment of reviewers: a pure, deterministic greedy planner.

For each application needing reviewers (in increasing id order) the planner picks, among
the panel's members who are neither excluded from it (conflicted, or declined it before)
nor already assigned to it, the ones with the smallest current load, ties broken by the
smaller user id, until the application has ``k`` reviewers or nobody is left.

Balance: with nothing excluded and loads starting within one of each other, every
reviewer's load stays within one of every other's. Exclusions can make that impossible (if
only two members may review an application, they both get it); the balance then holds among
the reviewers who could take each application: nobody is given an application while an
eligible member with a smaller load was passed over. Applications that cannot get ``k``
reviewers are reported by ``shortfalls``.

Re-running the planner on its own output adds nothing: it only fills gaps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def plan_assignments(application_ids: Iterable[int], reviewer_ids: Iterable[int],
                     existing: Mapping[int, set[int]], excluded: Mapping[int, set[int]],
                     k: int, current_load: Mapping[int, int]) -> list[tuple[int, int]]:
    """New ``(application id, reviewer id)`` pairs so that each application reaches ``k``
    reviewers where possible.

    ``existing``: application id → reviewers already (actively) assigned to it; a declined
    assignment does not fill a slot, and belongs in ``excluded`` instead.
    ``excluded``: reviewer id → applications they must never get (conflicts, declines).
    ``current_load``: reviewer id → active assignments they already hold.
    """
    reviewers = sorted(set(reviewer_ids))
    load = {reviewer: current_load.get(reviewer, 0) for reviewer in reviewers}
    plan: list[tuple[int, int]] = []
    for application in sorted(set(application_ids)):
        assigned = set(existing.get(application, ()))
        needed = k - len(assigned)
        if needed <= 0:
            continue
        candidates = [reviewer for reviewer in reviewers
                      if reviewer not in assigned
                      and application not in excluded.get(reviewer, ())]
        candidates.sort(key=lambda reviewer: (load[reviewer], reviewer))
        for reviewer in candidates[:needed]:
            plan.append((application, reviewer))
            load[reviewer] += 1
    return plan


def shortfalls(application_ids: Iterable[int], existing: Mapping[int, set[int]],
               plan: Iterable[tuple[int, int]], k: int) -> dict[int, int]:
    """Application id → how many reviewers it still lacks after ``plan`` (only those short)."""
    counts = {application: len(existing.get(application, ())) for application in
              set(application_ids)}
    for application, _reviewer in plan:
        counts[application] = counts.get(application, 0) + 1
    return {application: k - count for application, count in sorted(counts.items())
            if count < k}
