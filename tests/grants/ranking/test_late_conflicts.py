"""A conflict that arises after a review was submitted never removes the review silently.

In the scored panel F ranks fifth (mean 53.3) thanks to the lenient reviewer's 9; without that
review it would fall below E (50.0)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.audit.models import AuditEntry
from core.errors import OperationError
from core.timeutil import utcnow
from grants.applications.states import ApplicationState
from grants.ranking import operations, queries
from grants.reviews import late_conflicts
from grants.reviews.models import (
    ConflictDeclaration,
    LateConflictResolution,
    Review,
    ReviewAssignment,
)
from grants.reviews.states import Outcome


def _rank(scored, viewer, key):
    ranking = queries.build_ranking(scored.panel, viewer)
    return next(row for row in ranking.rows if row.application == scored.apps[key])


def _review_of(db_session, scored, kind, key) -> Review:
    return db_session.scalar(select(Review).join(Review.assignment).where(
        ReviewAssignment.reviewer_id == scored.reviewers[kind].id,
        ReviewAssignment.application_id == scored.apps[key].id))


def _declare(db_session, scored, kind, key, reason="Joined the board"):
    db_session.add(ConflictDeclaration(panel_id=scored.panel.id,
                                       reviewer_id=scored.reviewers[kind].id,
                                       application_id=scored.apps[key].id, reason=reason))
    db_session.flush()


def _audit(db_session, action) -> int:
    return db_session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == action))


def test_a_declared_conflict_does_not_silently_change_the_ranking(db_session, scored, staff):
    before = _rank(scored, staff, "F")
    assert (before.rank, before.stats.count) == (5, 3)
    _declare(db_session, scored, "lenient", "F")
    after = _rank(scored, staff, "F")
    assert (after.rank, after.stats.count) == (5, 3)  # still counted...
    assert after.has_conflict_to_resolve and not after.is_decidable  # ...and flagged
    [item] = late_conflicts.late_conflicts(scored.panel)[scored.apps["F"].id]
    assert item.reviewer == scored.reviewers["lenient"] and not item.is_resolved
    [cause] = item.causes
    assert cause.kind == late_conflicts.DECLARED_APPLICATION
    assert cause.reason == "Joined the board" and cause.since is not None


def test_membership_of_the_applicant_after_the_review_is_flagged_too(db_session, scored,
                                                                     factories, staff):
    factories.member(scored.apps["F"].organisation, scored.reviewers["lenient"])
    row = _rank(scored, staff, "F")
    assert (row.rank, row.stats.count, row.has_conflict_to_resolve) == (5, 3, True)
    [item] = late_conflicts.late_conflicts(scored.panel)[scored.apps["F"].id]
    [cause] = item.causes
    assert cause.kind == late_conflicts.MEMBER
    assert cause.organisation == scored.apps["F"].organisation.display_name


def test_the_application_cannot_be_decided_until_staff_resolve(db_session, scored, staff):
    _declare(db_session, scored, "lenient", "F")
    with pytest.raises(OperationError, match="conflict to resolve"):
        operations.decide(scored.panel, [scored.apps["F"]], Outcome.decline, staff,
                          rationale="Below the line.")
    assert scored.apps["F"].state is ApplicationState.in_review
    review = _review_of(db_session, scored, "lenient", "F")
    late_conflicts.resolve(scored.panel, review, staff, outcome="keep",
                           reason="The board seat began after the review.")
    assert _rank(scored, staff, "F").is_decidable
    operations.decide(scored.panel, [scored.apps["F"]], Outcome.decline, staff,
                      rationale="Below the line.")
    assert scored.apps["F"].state is ApplicationState.declined
    assert _audit(db_session, "review.late_conflict.keep") == 1


def test_excluding_the_review_takes_it_out_of_the_ranking(db_session, scored, staff):
    _declare(db_session, scored, "lenient", "F")
    review = _review_of(db_session, scored, "lenient", "F")
    late_conflicts.resolve(scored.panel, review, staff, outcome="exclude",
                           reason="Undisclosed interest.")
    row = _rank(scored, staff, "F")
    assert (row.rank, row.stats.count, row.has_conflict_to_resolve) == (6, 2, False)
    entry = db_session.scalar(select(AuditEntry).where(
        AuditEntry.action == "review.late_conflict.exclude"))
    assert entry.data["reason"] == "Undisclosed interest." and entry.actor_id == staff.id


def test_a_new_cause_after_keeping_asks_staff_again(db_session, scored, staff, factories):
    _declare(db_session, scored, "lenient", "F")
    review = _review_of(db_session, scored, "lenient", "F")
    resolution = late_conflicts.resolve(scored.panel, review, staff, outcome="keep",
                                        reason="Harmless.")
    resolution.decided_at = utcnow() - timedelta(minutes=5)
    db_session.flush()
    factories.member(scored.apps["F"].organisation, scored.reviewers["lenient"])
    assert _rank(scored, staff, "F").has_conflict_to_resolve


def test_repeating_a_decision_writes_nothing_more(db_session, scored, staff):
    _declare(db_session, scored, "lenient", "F")
    review = _review_of(db_session, scored, "lenient", "F")
    for _ in range(2):
        late_conflicts.resolve(scored.panel, review, staff, outcome="keep", reason="Fine.")
    assert _audit(db_session, "review.late_conflict.keep") == 1
    assert db_session.scalar(select(func.count()).select_from(LateConflictResolution)) == 1


def test_who_may_resolve_and_bad_input(db_session, scored, staff, factories):
    _declare(db_session, scored, "lenient", "F")
    review = _review_of(db_session, scored, "lenient", "F")
    with pytest.raises(OperationError, match="Only programme staff"):
        late_conflicts.resolve(scored.panel, review, scored.chair, outcome="keep",
                               reason="Chair's view.")
    with pytest.raises(OperationError, match="reason"):
        late_conflicts.resolve(scored.panel, review, staff, outcome="keep", reason=" ")
    with pytest.raises(OperationError, match="keep or to exclude"):
        late_conflicts.resolve(scored.panel, review, staff, outcome="drop", reason="X")
    conflicted_staff = factories.user(roles=("staff",))
    factories.member(scored.apps["F"].organisation, conflicted_staff)
    with pytest.raises(OperationError, match="conflict of interest"):
        late_conflicts.resolve(scored.panel, review, conflicted_staff, outcome="exclude",
                               reason="Mine.")
    unconflicted = _review_of(db_session, scored, "harsh", "F")
    with pytest.raises(OperationError, match="no conflict"):
        late_conflicts.resolve(scored.panel, unconflicted, staff, outcome="exclude",
                               reason="X")
    assert db_session.scalar(select(func.count()).select_from(LateConflictResolution)) == 0


# The pages ---------------------------------------------------------------------------------

def test_staff_see_the_conflict_and_decide_on_the_pages(client, login_as, db_session, scored,
                                                        staff):
    _declare(db_session, scored, "lenient", "F")
    application = scored.apps["F"]
    login_as(staff)
    page = client.get(f"/staff/panels/{scored.panel.id}/ranking").get_data(as_text=True)
    row = page[page.index(application.reference):]
    assert "Conflict to resolve" in row[:3000]
    assert "Conflict arose after the review" in row[:3000]
    assert "Joined the board" in row[:3000]
    assert f'value="{application.id}" id="decide-{application.id}"' not in page
    url = f"/reviews/applications/{application.id}"
    text = client.get(url).get_data(as_text=True)
    assert "Conflict arose after the review" in text and "Joined the board" in text
    review = _review_of(db_session, scored, "lenient", "F")
    action = f"/staff/panels/{scored.panel.id}/reviews/{review.id}/late-conflict"
    assert action in text
    field = f"late{review.id}-"  # each review's form has its own field names
    assert f'name="{field}reason"' in text
    response = client.post(action, data={f"{field}outcome": "exclude", f"{field}reason": ""})
    assert response.status_code == 422
    assert db_session.scalar(select(func.count()).select_from(LateConflictResolution)) == 0
    response = client.post(action, data={f"{field}outcome": "exclude",
                                         f"{field}reason": "Undisclosed."})
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    text = client.get(url).get_data(as_text=True)
    assert "Excluded from the ranking" in text and "Undisclosed." in text
    login_as(scored.chair)
    assert client.post(action, data={f"{field}outcome": "keep",
                                     f"{field}reason": "X"}).status_code == 403
