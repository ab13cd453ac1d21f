"""The ranking read through the stored aggregates (``grants.ranking.stored``) is always the
ranking of the reviews as committed: after any random sequence of writes (reviews saved,
submitted and revised, conflicts declared and resolved, assignments declined and given to
someone else, applications withdrawn or moved between states, amounts requested and decided,
the rubric, the pool and the threshold changed), it equals a recomputation from the raw rows
(``panel_scores``, what the ranking page read before the aggregates were stored), both within
the transaction that made the change and after its commit."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, select

from core import freshness
from core.errors import OperationError
from core.extensions import db
from grants.applications.states import ApplicationState
from grants.ranking import queries, stored
from grants.ranking.models import RankingFigures
from grants.reviews import discussion, late_conflicts, operations
from grants.reviews.models import Decision, Review, ReviewAssignment
from grants.reviews.states import LateConflictOutcome, Outcome

RANKED = 3  # applications given reviewers, three each
STATES = (ApplicationState.in_review, ApplicationState.eligible, ApplicationState.withdrawn,
          ApplicationState.waitlisted, ApplicationState.declined, ApplicationState.awarded)

SCORE = st.integers(0, 10)
SLOT = st.integers(0, 3 * RANKED - 1)
SAVE = st.tuples(st.just("save"), SLOT,
                 st.tuples(SCORE, SCORE, st.one_of(st.integers(0, 5), st.none())),
                 st.sampled_from(["fund", "do_not_fund", "fund_with_conditions"]),
                 st.integers(0, 3).map(lambda n: n != 3))
STEPS = st.one_of(
    SAVE, SAVE, SAVE, SAVE, SAVE,
    st.tuples(st.just("conflict"), SLOT),
    st.tuples(st.just("resolve"), SLOT, st.sampled_from(list(LateConflictOutcome))),
    st.tuples(st.just("decline"), SLOT),
    st.tuples(st.just("reassign"), SLOT),
    st.tuples(st.just("see"), SLOT),
    st.tuples(st.just("state"), st.integers(0, RANKED - 1), st.sampled_from(STATES)),
    st.tuples(st.just("amount"), st.integers(0, RANKED - 1), st.integers(1, 9)),
    st.tuples(st.just("decided"), st.integers(0, RANKED - 1), st.integers(1, 9)),
    st.tuples(st.just("weight"), st.integers(0, 2), st.integers(1, 4)),
    st.tuples(st.just("threshold"), st.integers(0, 40)),
    st.tuples(st.just("pool"), st.integers(0, 3)),
    st.tuples(st.just("budget"), st.integers(0, 4)),
    st.tuples(st.just("open"),),
    st.tuples(st.just("close"),),
)


def _slots(panel):
    return db.session.scalars(select(ReviewAssignment).where(
        ReviewAssignment.panel_id == panel.id).order_by(ReviewAssignment.id)).all()


def _apply(step, panel, staff, reviewers, applications, criteria) -> None:
    kind = step[0]
    slots = _slots(panel)
    assignment = slots[step[1] % len(slots)] if kind in (
        "save", "conflict", "resolve", "decline", "reassign", "see") else None
    if kind == "save":
        scores = {criterion.id: value for criterion, value in zip(criteria, step[2], strict=True)}
        operations.save_review(assignment, assignment.reviewer, scores=scores, comments={},
                               overall_comment="Reasoned.", recommendation=step[3],
                               confidence="high", submit=step[4])
    elif kind == "conflict":
        operations.declare_conflict(panel, assignment.reviewer, reason="A former colleague.",
                                    application=assignment.application)
    elif kind == "resolve":
        review = assignment.review
        if review is None:
            return
        late_conflicts.resolve(panel, review, staff, outcome=step[2], reason="Checked.")
    elif kind == "decline":
        operations.decline_assignment(assignment, assignment.reviewer, "Too busy.")
    elif kind == "reassign":
        taken = {slot.reviewer_id for slot in slots
                 if slot.application_id == assignment.application_id}
        free = [reviewer for reviewer in reviewers if reviewer.id not in taken]
        if free:
            operations.reassign(assignment, free[0], staff)
    elif kind == "see":
        discussion.record_colleagues_seen(assignment.reviewer, panel, [assignment.application_id])
    elif kind == "state":
        applications[step[1]].state = step[2]
    elif kind == "amount":
        applications[step[1]].requested_amount = Decimal(step[2] * 1000)
    elif kind == "decided":
        _decide(applications[step[1]], Decimal(step[2] * 500), staff)
    elif kind == "weight":
        criteria[step[1]].weight = Decimal(step[2])
    elif kind == "threshold":
        panel.disagreement_threshold = step[1]
    elif kind in ("pool", "budget"):
        _set_pool(panel.call, kind, step[1])
    else:
        (discussion.open_discussion if kind == "open" else discussion.close_discussion)(
            panel, staff)
    db.session.flush()


def _set_pool(call, kind, number) -> None:
    if kind == "pool":
        call.max_awards = number
    else:
        call.fund.total_budget = Decimal(number * 2500)


def _decide(application, amount, staff) -> None:
    """An award decided for ``amount`` (its decision made, or its amount changed)."""
    decision = db.session.scalar(select(Decision).where(
        Decision.application_id == application.id))
    if decision is None:
        db.session.add(Decision(application_id=application.id, outcome=Outcome.award,
                                decided_by_id=staff.id, amount=amount))
    else:
        decision.amount = amount
    application.state = ApplicationState.awarded


def _page(ranking) -> list[tuple]:
    return [(row.application_id, row.state, row.requested_amount, row.stats, row.rank,
             row.cumulative, row.is_funded, dict(row.recommendations), row.is_conflicted,
             row.is_decidable, row.has_conflict_to_resolve)
            for row in ranking.rows + ranking.conflicted_rows] + [
        (ranking.line_index, ranking.funded_count, ranking.funded_total, ranking.alpha,
         ranking.awarded_total, ranking.awarded_count)]


def _assert_exact(panel, viewer, monkeypatch) -> None:
    fresh = queries.panel_scores(panel)
    read = stored.ranking_scores(panel)
    assert read.stats == fresh.stats
    assert read.alpha == fresh.alpha
    assert read.recommendations == fresh.recommendations
    assert read.ranked == fresh.ranked
    assert read.awarded == fresh.awarded
    assert read.pool == fresh.pool
    for method in queries.METHODS:
        shown = _page(queries.build_ranking(panel, viewer, method))
        with monkeypatch.context() as patched:
            patched.setattr(queries, "ranking_scores", queries.panel_scores)
            assert shown == _page(queries.build_ranking(panel, viewer, method))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(steps=st.lists(STEPS, min_size=3, max_size=14))
def test_the_stored_ranking_equals_a_recomputation_after_any_writes(
        db_session, panel, applications, reviewers, staff, call, monkeypatch, remembering,
        steps):
    # The fixtures are made once for all examples; the writes of each example stay. What
    # each process remembers of the ranking per version, pool and threshold is kept too.
    criteria = sorted(call.criteria, key=lambda criterion: criterion.id)
    if not _slots(panel):
        for application in applications[:RANKED]:
            for reviewer in reviewers[:3]:
                operations.assign(panel, application, reviewer, staff)
            application.state = ApplicationState.in_review
        db_session.commit()
    viewer = reviewers[1]
    for step in steps:
        try:
            _apply(step, panel, staff, reviewers, applications[:RANKED], criteria)
        except OperationError:
            pass
        # The transaction that made the change sees it before its commit...
        _assert_exact(panel, viewer, monkeypatch)
        db_session.commit()
        # ...and every later one after it, from the stored aggregates.
        _assert_exact(panel, viewer, monkeypatch)
        version = freshness.current_version(stored.RANKING)
        assert db_session.scalar(select(func.count()).select_from(RankingFigures).where(
            RankingFigures.panel_id == panel.id, RankingFigures.version == version)) == 1


def test_the_aggregates_are_read_back_in_two_statements(
        db_session, panel, applications, reviewers, staff, call, submit_review):
    for application in applications[:2]:
        for reviewer in reviewers[:3]:
            submit_review(operations.assign(panel, application, reviewer, staff))
        application.state = ApplicationState.in_review
    db_session.commit()
    ranked = {row.id: row for row in queries.ranked_application_rows(call)}
    first = stored.stored(panel, lambda: stored.compute(panel, ranked))
    count = 0

    def counted(*_args, **_kwargs):
        nonlocal count
        count += 1
    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        again = stored.stored(panel, lambda: {})
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
    assert count == 2 and again == first and first["alpha"] is not None
    # A change to a review makes them stale; storing the new ones drops the old.
    review = db_session.scalars(select(Review)).first()
    review.total = 12.5
    db_session.commit()
    assert stored.stored(panel, lambda: {"new": True}) == {"new": True}
    assert db_session.scalar(select(func.count()).select_from(RankingFigures)) == 1
