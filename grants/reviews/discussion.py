"""Review independence and the panel's discussion phase.

A reviewer writes their review without seeing their colleagues'. The first time they are shown
colleagues' reviews of an application (its reviews page, or as the chair the ranking or the
feedback page) is recorded on their assignment; from then on their submitted review can be
revised only while the panel's discussion phase is open (``policies.can_review``,
re-checked by ``revisions.save_review`` under lock). Programme staff or the chair open and
close the phase; both are audited. A revision made during the discussion keeps the earlier
scores (``ReviewVersion``) and staff see "revised during discussion: was X, now Y".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select, update

from core.audit.operations import record
from core.errors import OperationError
from core.extensions import db
from core.locking import AlreadyDone
from core.timeutil import utcnow
from grants.reviews import scoring
from grants.reviews.models import Panel, Review, ReviewAssignment, ReviewVersion
from grants.reviews.policies import can_run_discussion
from grants.reviews.states import AssignmentState


def _lock_panel(panel: Panel) -> Panel:
    return db.session.execute(
        select(Panel).where(Panel.id == panel.id).with_for_update()
        .execution_options(populate_existing=True)).scalar_one()


def _check_actor(panel: Panel, actor) -> None:
    allowed, why = can_run_discussion(actor, panel)
    if not allowed:
        raise OperationError(why)
    if panel.is_locked:
        raise OperationError(_l("The panel is locked: its reviews can no longer change."))


def open_discussion(panel: Panel, actor) -> None:
    """Let reviewers who have read their colleagues' reviews revise their own."""
    _check_actor(panel, actor)
    panel = _lock_panel(panel)
    _check_actor(panel, actor)
    if panel.discussion_opened_at is not None:
        raise AlreadyDone(_l("The discussion is already open."))
    panel.discussion_opened_at = utcnow()
    db.session.flush()
    record("panel.open_discussion", panel, actor=actor,
           summary=f"Discussion opened in the panel of {panel.call.title}")


def close_discussion(panel: Panel, actor) -> None:
    """End the discussion: reviews read against colleagues' are frozen again."""
    _check_actor(panel, actor)
    panel = _lock_panel(panel)
    _check_actor(panel, actor)
    if panel.discussion_opened_at is None:
        raise AlreadyDone(_l("The discussion is not open."))
    opened_at = panel.discussion_opened_at
    panel.discussion_opened_at = None
    db.session.flush()
    record("panel.close_discussion", panel, actor=actor,
           summary=f"Discussion closed in the panel of {panel.call.title}",
           data={"opened_at": opened_at})


def record_colleagues_seen(user, panel: Panel, application_ids=None) -> None:
    """Note that ``user`` is being shown colleagues' reviews of these applications (ids, or a
    statement selecting them; every application of the panel when None), on their own
    assignments that do not record it yet. The earliest time is kept: the condition makes a
    repeated or concurrent call harmless. Objects already loaded are not updated; writes
    reload the assignment under lock."""
    if user is None or not getattr(user, "is_authenticated", False):
        return
    statement = (update(ReviewAssignment)
                 .where(ReviewAssignment.panel_id == panel.id,
                        ReviewAssignment.reviewer_id == user.id,
                        ReviewAssignment.state == AssignmentState.assigned,
                        ReviewAssignment.colleagues_seen_at.is_(None))
                 .values(colleagues_seen_at=utcnow())
                 .execution_options(synchronize_session=False))
    if application_ids is not None:
        if not isinstance(application_ids, Select):
            application_ids = list(application_ids)
            if not application_ids:
                return
        statement = statement.where(ReviewAssignment.application_id.in_(application_ids))
    db.session.execute(statement)


# Reading revisions -----------------------------------------------------------------------

@dataclass(frozen=True)
class DiscussionRevision:
    """A review changed during the discussion: its total before (the last version written
    outside the discussion) and now."""

    review_id: int
    assignment_id: int
    reviewer_id: int
    application_id: int
    was: float | None
    now: float | None


def _total(specs, scores: dict) -> float | None:
    rubric = {spec.id for spec in specs}
    try:
        return scoring.review_total(specs, {int(k): v for k, v in scores.items()
                                            if int(k) in rubric})
    except ValueError:
        return None


def discussion_revisions(panel: Panel, application_ids=None) -> dict[int, list[DiscussionRevision]]:
    """{application id: its reviews revised during a discussion}, in two queries."""
    query = (select(ReviewVersion, ReviewAssignment.id, ReviewAssignment.reviewer_id,
                    ReviewAssignment.application_id)
             .join(Review, Review.id == ReviewVersion.review_id)
             .join(ReviewAssignment, ReviewAssignment.id == Review.assignment_id)
             .where(ReviewAssignment.panel_id == panel.id,
                    ReviewVersion.review_id.in_(
                        select(ReviewVersion.review_id).where(ReviewVersion.in_discussion)))
             .order_by(ReviewVersion.review_id, ReviewVersion.number))
    if application_ids is not None:
        query = query.where(ReviewAssignment.application_id.in_(list(application_ids)))
    specs = [scoring.CriterionSpec(id=c.id, weight=c.weight, max_score=c.max_score,
                                   allows_na=bool(c.is_na_allowed)) for c in panel.call.criteria]
    versions = defaultdict(list)
    owners = {}
    for version, assignment_id, reviewer_id, application_id in db.session.execute(query):
        versions[version.review_id].append(version)
        owners[version.review_id] = (assignment_id, reviewer_id, application_id)
    result: dict[int, list[DiscussionRevision]] = defaultdict(list)
    for review_id, history in versions.items():
        first = next(i for i, v in enumerate(history) if v.in_discussion)
        before = history[:first]
        if not before:
            continue
        assignment_id, reviewer_id, application_id = owners[review_id]
        result[application_id].append(DiscussionRevision(
            review_id=review_id, assignment_id=assignment_id, reviewer_id=reviewer_id,
            application_id=application_id, was=_total(specs, before[-1].scores),
            now=_total(specs, history[-1].scores)))
    return dict(result)
