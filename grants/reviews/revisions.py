"""Writing a review: drafts, submission and revisions, with every submitted version kept.

Review independence: once a reviewer has been shown colleagues' reviews of an application
(``ReviewAssignment.colleagues_seen_at``), their submitted review can be revised only while
the panel's discussion phase is open (``grants.reviews.discussion``). The rule is checked by
the policy ``can_review`` and again here, after the assignment's row is locked, so a second
request or a phase closed meanwhile is seen. Each submission and each revision adds a
``ReviewVersion``: a revision never loses the scores it replaces.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.audit.operations import record
from core.errors import OperationError
from core.extensions import db
from core.timeutil import utcnow
from core.translations import tr
from core.validation import clean_text
from grants.reviews.models import Review, ReviewAssignment, ReviewScore, ReviewVersion
from grants.reviews.policies import can_review
from grants.reviews.states import REVIEW_WORKFLOW, Confidence, Recommendation, ReviewState

COMMENT_MAX = 5000
OVERALL_COMMENT_MAX = 10000


def lock_assignment(assignment: ReviewAssignment) -> ReviewAssignment:
    """Lock the assignment's row until the transaction ends and reload it with its panel, so
    that two submissions of the same review run one after the other and the second sees
    what the first wrote (and whether the discussion phase is still open)."""
    locked = db.session.execute(
        select(ReviewAssignment).where(ReviewAssignment.id == assignment.id)
        .with_for_update().execution_options(populate_existing=True)).scalar_one()
    db.session.refresh(locked.panel)
    db.session.refresh(locked, ["review"])
    if locked.review is not None:
        db.session.refresh(locked.review)
    return locked


def _snapshot(review: Review, *, saved_at, in_discussion: bool) -> ReviewVersion:
    return ReviewVersion(
        number=len(review.versions) + 1,
        scores={str(row.criterion_id): row.score for row in review.scores},
        recommendation=review.recommendation, confidence=review.confidence,
        overall_comment=review.overall_comment or "", saved_at=saved_at,
        in_discussion=in_discussion)


def _keep_earlier_version(review: Review) -> None:
    """A submitted review without versions (written before they were kept) records its
    current state as version 1 before it changes, so its earlier scores survive."""
    if review.state == ReviewState.submitted and not review.versions:
        review.versions.append(_snapshot(
            review, saved_at=review.submitted_at or review.updated_at or utcnow(),
            in_discussion=False))


def _existing_review(assignment: ReviewAssignment) -> Review | None:
    """The assignment's review as committed now, with its scores and versions."""
    review = db.session.execute(
        select(Review).where(Review.assignment_id == assignment.id)
        .execution_options(populate_existing=True)).scalar_one_or_none()
    if review is not None:
        db.session.refresh(review, ["scores", "versions"])
    return review


def create_review(assignment: ReviewAssignment, reviewer) -> Review:
    """Start the (only) review of an assignment."""
    allowed, why = can_review(reviewer, assignment)
    if not allowed:
        raise OperationError(why)
    if _existing_review(assignment) is not None:
        raise OperationError(_l("This assignment already has a review: open it to continue."))
    review = Review(assignment=assignment, state=ReviewState.draft, overall_comment="")
    db.session.add(review)
    db.session.flush()
    return review


def _enum_value(kind, value, field_name: str, message):
    if value in (None, ""):
        return None
    if isinstance(value, kind):
        return value
    try:
        return kind(value)
    except ValueError:
        raise OperationError(message, field=field_name) from None


def _check_text(text: str | None, limit: int, field_name: str) -> str:
    return clean_text(text, field=field_name, max_length=limit, multiline=True)


def _check_scores(criteria, scores: dict, comments: dict, submit: bool) -> dict[int, dict]:
    """``{criterion id: {"score": int | None, "comment": str}}`` for the rows to keep.

    ``scores``: criterion id → an int, or None for "not applicable"; a criterion absent from
    it is not scored yet."""
    by_id = {criterion.id: criterion for criterion in criteria}
    for criterion_id in set(scores) | set(comments):
        if criterion_id not in by_id:
            raise OperationError(_l("Score only the criteria of this call's rubric."))
    rows = {}
    for criterion in criteria:
        field_name = f"score_{criterion.id}"
        shown = tr(criterion, "name")  # as the reviewer reads it
        comment = _check_text(comments.get(criterion.id), COMMENT_MAX,
                              f"comment_{criterion.id}")
        if criterion.id in scores:
            score = scores[criterion.id]
            if score is None:
                if not criterion.is_na_allowed:
                    raise OperationError(_l("“Not applicable” is not allowed for "
                                            "%(criterion)s.", criterion=shown),
                                         field=field_name)
            elif isinstance(score, bool) or not isinstance(score, int) \
                    or not 0 <= score <= criterion.max_score:
                raise OperationError(_l("Give %(criterion)s a score from 0 to %(max)s.",
                                        criterion=shown, max=criterion.max_score),
                                     field=field_name)
            rows[criterion.id] = {"score": score, "comment": comment}
        elif submit:
            raise OperationError(_l("Score %(criterion)s before submitting.",
                                    criterion=shown), field=field_name)
        elif comment:
            if criterion.is_na_allowed:
                # A row without a score reads as "not applicable" here: ask for a choice.
                raise OperationError(_l("Choose a score or “not applicable” to keep your "
                                        "comment on %(criterion)s.", criterion=shown),
                                     field=field_name)
            rows[criterion.id] = {"score": None, "comment": comment}
    return rows


def save_review(assignment: ReviewAssignment, reviewer, *, scores: dict, comments: dict,
                overall_comment: str, recommendation, confidence, submit: bool) -> Review:
    """Save the review as a draft, or submit it. A submitted review can be revised (it stays
    submitted, so it must stay complete) until the panel is locked, and, once its reviewer
    has read colleagues' reviews, only during a discussion phase. Every submitted state is
    kept as a version.

    ``scores``: criterion id → int, or None for "not applicable" (only where the criterion
    allows it); criteria left out are not scored yet. Submitting needs every criterion, a
    recommendation and a confidence level."""
    allowed, why = can_review(reviewer, assignment)
    if not allowed:
        raise OperationError(why)
    assignment = lock_assignment(assignment)
    allowed, why = can_review(reviewer, assignment)  # again, on the state just locked
    if not allowed:
        raise OperationError(why)
    review = _existing_review(assignment)
    source = review.state if review is not None else ReviewState.draft
    submit = bool(submit) or source == ReviewState.submitted
    name = "revise" if source == ReviewState.submitted else "submit" if submit else "save"
    transition = REVIEW_WORKFLOW.check(review, name, reviewer, state=source)
    target = transition.target
    criteria = list(assignment.panel.call.criteria)
    rows = _check_scores(criteria, scores or {}, comments or {}, submit)
    overall_comment = _check_text(overall_comment, OVERALL_COMMENT_MAX, "overall_comment")
    recommendation = _enum_value(Recommendation, recommendation, "recommendation",
                                 _l("Choose a recommendation from the list."))
    confidence = _enum_value(Confidence, confidence, "confidence",
                             _l("Choose a confidence level from the list."))
    if submit and recommendation is None:
        raise OperationError(_l("Choose a recommendation before submitting."),
                             field="recommendation")
    if submit and confidence is None:
        raise OperationError(_l("Choose your confidence level before submitting."),
                             field="confidence")

    # Everything is valid: write.
    if review is None:
        review = create_review(assignment, reviewer)
    _keep_earlier_version(review)
    existing = {row.criterion_id: row for row in review.scores}
    for criterion_id, row in list(existing.items()):
        if criterion_id not in rows:
            review.scores.remove(row)
    for criterion_id, values in rows.items():
        row = existing.get(criterion_id)
        if row is None:
            review.scores.append(ReviewScore(criterion_id=criterion_id, **values))
        else:
            row.score, row.comment = values["score"], values["comment"]
    review.overall_comment = overall_comment
    review.recommendation = recommendation
    review.confidence = confidence
    now = utcnow()
    if transition.name == "submit":
        review.submitted_at = now
    review.state = target
    review.updated_at = now
    in_discussion = transition.name == "revise" and \
        assignment.panel.discussion_opened_at is not None
    if target == ReviewState.submitted:
        review.versions.append(_snapshot(review, saved_at=now, in_discussion=in_discussion))
    db.session.flush()
    application = assignment.application
    record(transition.audit, review, actor=reviewer,
           summary=f"{reviewer.name}: review of {application.display_reference} "
                   f"{'revised' if transition.name == 'revise' else target.value}",
           data={"assignment_id": assignment.id, "application_id": application.id,
                 "scores": {str(k): v["score"] for k, v in rows.items()},
                 "recommendation": recommendation, "confidence": confidence,
                 "version": len(review.versions), "in_discussion": in_discussion})
    return review
