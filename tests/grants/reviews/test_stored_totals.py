"""The stored review totals (``Review.total``) stay equal to a recomputation from the raw
score rows, whatever sequence of writes the reviewers and staff make: drafts saved, reviews
submitted and revised, colleagues' reviews read, the discussion opened and closed,
assignments declined, conflicts declared. Refused writes are part of the sequence too."""

from __future__ import annotations

from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from core.errors import OperationError
from core.extensions import db
from grants.reviews import discussion, operations, scoring
from grants.reviews.models import Review, ReviewAssignment, ReviewScore
from grants.reviews.totals import criterion_specs

SLOTS = 6  # (application, reviewer) pairs assigned: 2 applications × 3 reviewers

#: Scores per criterion (Relevance 0–10, Feasibility 0–10, Partnership 0–5 or N/A). One in
#: ten is left out (MISSING: not scored yet, which a submission refuses); the "bad" step
#: sends a score out of range, refused too.
MISSING = "missing"


def _score(valid):
    return st.tuples(st.integers(0, 9), valid).map(
        lambda pair: MISSING if pair[0] == 9 else pair[1])


SCORES = st.tuples(_score(st.integers(0, 10)), _score(st.integers(0, 10)),
                   _score(st.one_of(st.integers(0, 5), st.none())))
SLOT = st.integers(0, SLOTS - 1)
SAVE = st.tuples(st.just("save"), SLOT, SCORES, st.integers(0, 3).map(lambda n: n != 3))
#: Mostly saves (three in four submit), so that reviews are written, submitted and revised
#: again and again.
STEPS = st.one_of(
    SAVE, SAVE, SAVE, SAVE, SAVE, SAVE,
    st.tuples(st.just("bad"), SLOT),
    st.tuples(st.just("see"), SLOT),
    st.tuples(st.just("decline"), SLOT),
    st.tuples(st.just("conflict"), SLOT),
    st.tuples(st.just("open"),),
    st.tuples(st.just("close"),),
)


def _apply(step, panel, staff, slots, criteria):
    kind = step[0]
    if kind in ("open", "close"):
        (discussion.open_discussion if kind == "open" else discussion.close_discussion)(
            panel, staff)
        return
    assignment = slots[step[1]]
    reviewer = assignment.reviewer
    if kind == "save":
        scores = {criterion.id: value for criterion, value in zip(criteria, step[2], strict=True)
                  if value != MISSING}
        operations.save_review(assignment, reviewer, scores=scores, comments={},
                               overall_comment="Reasoned.", recommendation="fund",
                               confidence="high", submit=step[3])
    elif kind == "bad":
        operations.save_review(assignment, reviewer, scores={criteria[0].id: 11},
                               comments={}, overall_comment="", recommendation="fund",
                               confidence="high", submit=True)
    elif kind == "see":
        discussion.record_colleagues_seen(reviewer, panel, [assignment.application_id])
    elif kind == "decline":
        operations.decline_assignment(assignment, reviewer, "Too busy this month.")
    else:
        operations.declare_conflict(panel, reviewer, reason="A former colleague.",
                                    application=assignment.application)


def _recomputed(call) -> dict[int, float | None]:
    """Review id → its total from the raw score rows and the rubric, through ``scoring``."""
    specs = criterion_specs(call.criteria)
    scores: dict[int, dict[int, int | None]] = defaultdict(dict)
    for review_id, criterion_id, score in db.session.execute(
            select(ReviewScore.review_id, ReviewScore.criterion_id, ReviewScore.score)):
        scores[review_id][criterion_id] = score
    result = {}
    for review_id in db.session.scalars(select(Review.id)):
        try:
            result[review_id] = scoring.review_total(specs, scores[review_id])
        except ValueError:  # not every criterion scored: a draft
            result[review_id] = None
    return result


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(steps=st.lists(STEPS, min_size=4, max_size=20))
def test_every_stored_total_matches_its_scores(db_session, panel, applications, reviewers,
                                               staff, call, steps):
    # The fixtures are made once for all examples; each example runs in a savepoint.
    slots = db_session.scalars(select(ReviewAssignment).where(
        ReviewAssignment.panel_id == panel.id).order_by(ReviewAssignment.id)).all()
    if not slots:
        slots = [operations.assign(panel, application, reviewer, staff)
                 for application in applications[:2] for reviewer in reviewers[:3]]
        db_session.flush()
    criteria = list(call.criteria)
    savepoint = db_session.begin_nested()
    try:
        for step in steps:
            try:
                _apply(step, panel, staff, slots, criteria)
            except OperationError:
                pass
        db_session.flush()
        db_session.expire_all()
        stored = dict(db_session.execute(select(Review.id, Review.total)).all())
        assert stored == _recomputed(call)
    finally:
        savepoint.rollback()
