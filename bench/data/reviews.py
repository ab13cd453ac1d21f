"""One review panel per call: four reviewers score every reviewed application, and the
chair's decisions follow the scores (awarded applications score best)."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from bench.data.context import ApplicationInfo, CallInfo, Context
from grants.applications.states import ApplicationState as A
from grants.reviews.scoring import CriterionSpec
from grants.reviews.states import AssignmentState, Confidence, Outcome, Recommendation, ReviewState
from grants.reviews.totals import scores_total

REVIEWERS_PER_APPLICATION = 4
#: Where each state's applications sit on a 0–10 quality scale, before the noise.
QUALITY = {A.awarded: 8.5, A.waitlisted: 7.0, A.in_review: 6.0, A.declined: 4.0}
#: Each panel seat's severity: a harsh, a fair, a lenient and a slightly lenient reviewer.
SEVERITY = (-1.0, 0.0, 1.0, 0.5)
OUTCOMES = {A.awarded: Outcome.award, A.waitlisted: Outcome.waitlist,
            A.declined: Outcome.decline}


def build(context: Context) -> None:
    _panels(context)
    reviewed = [a for a in context.applications if a.state in QUALITY]
    quality = {a.id: QUALITY[a.state] + context.rng.uniform(-1.2, 1.2) for a in reviewed}
    writer = context.writer
    writer.insert("review_assignments", _assignments(context, reviewed))
    scores = list(_scores(context, reviewed, quality))
    writer.insert("reviews", _reviews(reviewed, quality, _totals(reviewed, scores)))
    writer.insert("review_scores", scores)
    writer.insert("decisions", _decisions(context, reviewed, quality))


def _panels(context: Context) -> None:
    reviewers = context.reviewer_ids
    panels, members = [], []
    for index, call in enumerate(context.calls):
        call.panel_id = index + 1
        call.reviewer_ids = [reviewers[(index * REVIEWERS_PER_APPLICATION + seat)
                                       % len(reviewers)]
                             for seat in range(REVIEWERS_PER_APPLICATION)]
        panels.append({
            "id": call.panel_id, "call_id": call.id, "chair_id": call.reviewer_ids[0],
            "due_at": call.closes_at + timedelta(days=30),
            "reviewers_per_application": REVIEWERS_PER_APPLICATION,
            "disagreement_threshold": 25, "is_locked": False, "locked_at": None,
            "locked_by_id": None, "created_at": call.closes_at, "updated_at": call.closes_at,
        })
        members.extend({"id": index * REVIEWERS_PER_APPLICATION + seat + 1,
                        "panel_id": call.panel_id, "user_id": user_id,
                        "added_at": call.closes_at}
                       for seat, user_id in enumerate(call.reviewer_ids))
    context.writer.insert("panels", panels)
    context.writer.insert("panel_members", members)


def _review_id(position: int, seat: int) -> int:
    """Assignment and review ids: four consecutive ids per reviewed application."""
    return position * REVIEWERS_PER_APPLICATION + seat + 1


def _submitted_at(call: CallInfo, seat: int):
    return call.closes_at + timedelta(days=20 + seat, hours=seat)


def _assignments(context: Context, reviewed: list[ApplicationInfo]):
    for position, a in enumerate(reviewed):
        for seat, reviewer_id in enumerate(a.call.reviewer_ids):
            yield {"id": _review_id(position, seat), "panel_id": a.call.panel_id,
                   "application_id": a.id, "reviewer_id": reviewer_id,
                   "state": AssignmentState.assigned,
                   "assigned_at": a.call.closes_at + timedelta(days=8),
                   "assigned_by_id": context.staff_id, "declined_at": None,
                   "decline_reason": "", "last_reminded_on": None}


def _recommendation(share: float) -> Recommendation:
    if share >= 0.7:
        return Recommendation.fund
    if share >= 0.5:
        return Recommendation.fund_with_conditions
    return Recommendation.do_not_fund


def _totals(reviewed: list[ApplicationInfo], scores: list[dict]) -> dict[int, float | None]:
    """Review id → its stored total, as the application computes it from the scores."""
    specs = {a.call.id: [CriterionSpec(id=criterion_id, weight=weight, max_score=max_score,
                                       allows_na=na)
                         for criterion_id, max_score, na, weight in a.call.criteria]
             for a in reviewed}
    call_of = {_review_id(position, seat): a.call.id for position, a in enumerate(reviewed)
               for seat in range(len(SEVERITY))}
    given: dict[int, dict[int, int | None]] = defaultdict(dict)
    for row in scores:
        given[row["review_id"]][row["criterion_id"]] = row["score"]
    return {review_id: scores_total(specs[call_of[review_id]], given[review_id])
            for review_id in call_of}


def _reviews(reviewed: list[ApplicationInfo], quality: dict[int, float],
             totals: dict[int, float | None]):
    for position, a in enumerate(reviewed):
        for seat, severity in enumerate(SEVERITY):
            share = min(max((quality[a.id] + severity) / 10, 0), 1)
            submitted_at = _submitted_at(a.call, seat)
            yield {"id": _review_id(position, seat),
                   "assignment_id": _review_id(position, seat),
                   "state": ReviewState.submitted,
                   "overall_comment": "Strong and well argued." if share >= 0.7
                   else "Sound, with room to sharpen the plan." if share >= 0.5
                   else "Weak: the objectives and the budget do not match.",
                   "recommendation": _recommendation(share), "confidence": Confidence.medium,
                   "submitted_at": submitted_at, "is_shared_with_applicant": seat == 0,
                   "total": totals[_review_id(position, seat)],
                   "created_at": submitted_at - timedelta(days=2), "updated_at": submitted_at}


def _scores(context: Context, reviewed: list[ApplicationInfo], quality: dict[int, float]):
    rng = context.rng
    next_id = 1
    for position, a in enumerate(reviewed):
        for seat, severity in enumerate(SEVERITY):
            for criterion_id, max_score, na_allowed, _weight in a.call.criteria:
                if na_allowed and rng.random() < 0.05:
                    score = None
                else:
                    raw = (quality[a.id] + severity + rng.uniform(-1, 1)) * max_score / 10
                    score = max(0, min(max_score, round(raw)))
                yield {"id": next_id, "review_id": _review_id(position, seat),
                       "criterion_id": criterion_id, "score": score,
                       "comment": "" if score is None else f"{score} of {max_score}."}
                next_id += 1


def _decisions(context: Context, reviewed: list[ApplicationInfo], quality: dict[int, float]):
    for a in reviewed:
        outcome = OUTCOMES.get(a.state)
        if outcome is None:
            continue
        yield {"id": a.id, "application_id": a.id, "outcome": outcome,
               "rationale": "Decided by the panel on the ranking.",
               "score_at_decision": Decimal(f"{quality[a.id] * 10:.3f}"),
               "decided_by_id": a.call.reviewer_ids[0], "decided_at": a.decided_at,
               "method": "raw"}
