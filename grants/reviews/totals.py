"""A review's stored total: ``Review.total``, kept equal to what ``scoring.review_total``
computes from its scores and the call's rubric, so that the ranking reads one number per
review instead of totalling thousands of score rows on every request.

The total is written at flush time by ``store_totals`` (a ``before_flush`` hook registered in
``grants.reviews.models``) for every review that is new or whose scores changed, whatever
wrote them: a draft saved, a review submitted or revised (in or out of a discussion phase),
or rows written directly. Nothing else changes a total: the rubric cannot change once an
application has been submitted (``grants.calls.operations.update_rubric``), and a review left
out after a late conflict keeps its total and is left out when read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import inspect

from grants.reviews import scoring


def criterion_specs(criteria: Iterable) -> list[scoring.CriterionSpec]:
    """The rubric's criteria (``Criterion`` rows, or anything with the same attributes) as
    the scoring reads them."""
    return [scoring.CriterionSpec(id=c.id, weight=c.weight, max_score=c.max_score,
                                  allows_na=bool(c.is_na_allowed)) for c in criteria]


def scores_total(specs: list[scoring.CriterionSpec],
                 scores: Mapping[int, int | None]) -> float | None:
    """The 0–100 total of a review given as {criterion id: score}; None when every criterion
    is N/A or when the review does not match the rubric (a criterion it has no score for,
    as in a draft; scores of criteria not in the rubric are left out)."""
    rubric = {spec.id for spec in specs}
    try:
        return scoring.review_total(specs, {criterion_id: score
                                            for criterion_id, score in scores.items()
                                            if criterion_id in rubric})
    except ValueError:
        return None


def _review_of(session, score, review_class):
    review = score.review
    if review is None and score.review_id is not None:
        review = session.get(review_class, score.review_id)
    return review


def _scores_changed(review) -> bool:
    state = inspect(review)
    return any(state.attrs[name].history.has_changes() for name in ("scores", "assignment",
                                                                   "assignment_id"))


def _rubric_of(session, review, assignment_class):
    assignment = review.assignment
    if assignment is None and review.assignment_id is not None:
        assignment = session.get(assignment_class, review.assignment_id)
    if assignment is None or assignment.panel is None or assignment.panel.call is None:
        return None
    return assignment.panel.call


def store_totals(session, review_class, score_class, assignment_class) -> None:
    """Set ``total`` on every review of the session that is new or whose scores (or the
    scores' values) changed, from its scores as they will be once flushed."""
    reviews = {}
    for obj in session.new:
        if isinstance(obj, review_class):
            reviews[id(obj)] = obj
    for obj in session.dirty:
        if isinstance(obj, review_class) and _scores_changed(obj):
            reviews[id(obj)] = obj
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, score_class):
            review = _review_of(session, obj, review_class)
            if review is not None:
                reviews[id(review)] = review
    deleted = set(map(id, session.deleted))
    specs_by_call: dict[int, list[scoring.CriterionSpec]] = {}
    for review in reviews.values():
        if id(review) in deleted:
            continue
        call = _rubric_of(session, review, assignment_class)
        if call is None:
            review.total = None
            continue
        key = id(call)
        if key not in specs_by_call:
            specs_by_call[key] = criterion_specs(call.criteria)
        scores = {row.criterion_id: row.score for row in review.scores
                  if id(row) not in deleted}
        total = scores_total(specs_by_call[key], scores)
        if review.total != total:
            review.total = total
