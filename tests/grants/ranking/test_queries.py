from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import event

from core.extensions import db
from grants.applications.states import ApplicationState
from grants.ranking import queries
from grants.reviews.models import ConflictDeclaration
from grants.reviews.states import Recommendation
from tests.fixtures.applications import make_submitted_application
from tests.grants.ranking.conftest import add_review


def _order(ranking):
    return [row.application.title[-1] for row in ranking.rows]


def test_the_pool_is_the_smaller_of_the_awards_and_what_remains_of_the_fund(scored):
    pool = queries.pool_for(scored.call)
    assert pool.by_awards == Decimal("20000.00")
    assert pool.awarded_elsewhere == Decimal("5000.00")
    assert pool.fund_remaining == Decimal("16000.00")
    assert pool.amount == Decimal("16000.00")
    assert pool.is_limited_by_fund


def test_awards_of_the_same_call_do_not_shrink_the_fund_remaining(scored, db_session):
    scored.apps["A"].state = ApplicationState.awarded
    db_session.flush()
    assert queries.pool_for(scored.call).awarded_elsewhere == Decimal("5000.00")
    assert queries.awarded_in_call(scored.call) == (Decimal("5000.00"), 1)


def test_raw_ranking_statistics_and_the_funding_line(scored, staff):
    ranking = queries.build_ranking(scored.panel, staff, queries.RAW)
    assert _order(ranking) == ["A", "B", "C", "D", "F", "E"]
    first = ranking.rows[0]
    assert first.rank == 1 and first.stats.count == 3
    assert first.stats.mean == pytest.approx(90)
    assert first.stats.median == pytest.approx(90)
    assert (first.stats.minimum, first.stats.maximum) == (pytest.approx(80), pytest.approx(100))
    assert first.stats.spread == pytest.approx(20)
    assert first.count(Recommendation.fund) == 3
    # The funding line falls after C: 14,000 fits in 16,000, D's 3,000 does not.
    assert ranking.line_index == 3
    assert [row.is_funded for row in ranking.rows] == [True, True, True, False, False, False]
    assert ranking.funded_total == Decimal("14000.00") and ranking.funded_count == 3
    assert [row.cumulative for row in ranking.rows][:4] == [
        Decimal("5000.00"), Decimal("10000.00"), Decimal("14000.00"), Decimal("17000.00")]
    flagged = {row.application.title[-1] for row in ranking.rows if row.stats.is_disagreement}
    assert flagged == {"F"}


def test_normalised_ranking_sorts_by_the_normalised_rank(scored, staff):
    ranking = queries.build_ranking(scored.panel, staff, queries.NORMALISED)
    ranks = [row.stats.normalised_rank for row in ranking.rows]
    assert ranks == sorted(ranks)
    assert [row.rank for row in ranking.rows] == ranks


def test_staff_get_krippendorffs_alpha(scored, staff):
    ranking = queries.build_ranking(scored.panel, staff)
    assert ranking.alpha is not None
    assert 0 < ranking.alpha <= 1


def test_a_conflicted_chair_sees_no_scores_for_that_application(scored, db_session):
    db_session.add(ConflictDeclaration(panel=scored.panel, reviewer_id=scored.chair.id,
                                       application_id=scored.apps["B"].id,
                                       reason="My cousin runs it."))
    db_session.flush()
    ranking = queries.build_ranking(scored.panel, scored.chair)
    assert "B" not in _order(ranking)
    [hidden] = ranking.conflicted_rows
    assert hidden.application == scored.apps["B"] and not hidden.is_decidable
    # The funding line is the panel's, whoever looks at it.
    assert ranking.funded_total == Decimal("14000.00")


def test_membership_of_the_applicant_organisation_is_a_conflict(scored, db_session,
                                                                 factories):
    factories.member(scored.apps["A"].organisation, scored.chair)
    ranking = queries.build_ranking(scored.panel, scored.chair)
    assert [row.application for row in ranking.conflicted_rows] == [scored.apps["A"]]


def test_ineligible_withdrawn_and_draft_reviews_are_left_out(scored, db_session, factories):
    ineligible = make_submitted_application(db_session, factories, call=scored.call,
                                            state=ApplicationState.ineligible)
    add_review(db_session, scored.panel, scored.apps["E"], scored.chair, 10, submitted=False)
    ranking = queries.build_ranking(scored.panel, scored.chair)
    assert ineligible not in [row.application for row in ranking.rows]
    e_row = next(row for row in ranking.rows if row.application == scored.apps["E"])
    assert e_row.stats.count == 3


def test_not_applicable_scores_leave_the_criterion_out(scored, db_session, factories):
    application = make_submitted_application(db_session, factories, call=scored.call,
                                             state=ApplicationState.in_review,
                                             requested_amount=Decimal("1000.00"),
                                             budget=[Decimal("1000.00")])
    add_review(db_session, scored.panel, application, scored.reviewers["normal"], 6,
               na_feasibility=True)
    ranking = queries.build_ranking(scored.panel, scored.chair)
    row = next(row for row in ranking.rows if row.application == application)
    assert row.stats.mean == pytest.approx(60)


def _count_queries(callback) -> int:
    statements = []

    def count(*_args):
        statements.append(1)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        callback()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_ranking_does_not_query_per_application(scored, db_session, factories, staff):
    def build():
        db_session.expire_all()
        panel = queries.load_panel(scored.panel.id)
        ranking = queries.build_ranking(panel, staff)
        for row in ranking.rows:
            row.application.organisation.display_name  # noqa: B018 (what the page reads)
        return ranking

    before = _count_queries(build)
    for key in ("G", "H", "I"):
        application = make_submitted_application(
            db_session, factories, call=scored.call, state=ApplicationState.in_review,
            requested_amount=Decimal("1000.00"), budget=[Decimal("1000.00")],
            title=f"Project {key}")
        for reviewer in scored.reviewers.values():
            add_review(db_session, scored.panel, application, reviewer, 5)
    assert before > 5
    assert _count_queries(build) == before


def test_progress_counts_late_reviews_after_the_due_date(scored, db_session, factories):
    from datetime import timedelta

    from core.timeutil import utcnow

    late_reviewer = factories.user(roles=("reviewer",), name="Late Reviewer")
    for key in ("A", "B"):
        add_review(db_session, scored.panel, scored.apps[key], late_reviewer, 5,
                   submitted=False)
    rows = {row.reviewer.id: row for row in queries.progress(scored.panel)}
    assert rows[late_reviewer.id].assigned == 2 and rows[late_reviewer.id].late == 0
    assert rows[scored.reviewers["harsh"].id].submitted == 6

    scored.panel.due_at = utcnow() - timedelta(hours=1)
    db_session.flush()
    first, *rest = queries.progress(scored.panel)
    assert first.reviewer == late_reviewer
    assert (first.assigned, first.submitted, first.late) == (2, 0, 2)
    assert sorted(first.late_references) == sorted(
        scored.apps[key].display_reference for key in ("A", "B"))
    assert all(row.late == 0 for row in rest)


def test_a_review_whose_reviewer_later_declared_a_conflict_counts_until_staff_decide(
        db_session, scored, staff):
    from grants.ranking.queries import submitted_reviews
    from grants.reviews import late_conflicts
    from grants.reviews.models import ConflictDeclaration

    panel = scored.panel
    reviews = submitted_reviews(panel)
    first = reviews[0].assignment
    db_session.add(ConflictDeclaration(panel_id=panel.id, reviewer_id=first.reviewer_id,
                                       application_id=first.application_id,
                                       reason="Became a board member"))
    db_session.flush()
    assert len(submitted_reviews(panel)) == len(reviews)
    late_conflicts.resolve(panel, reviews[0], staff, outcome="exclude", reason="Board seat.")
    remaining = submitted_reviews(panel)
    assert len(remaining) == len(reviews) - 1
    assert all(r.assignment_id != first.id for r in remaining)
