"""Conflicts that arise after a review was submitted.

A reviewer cannot submit a review while conflicted with the application, so a submitted
review whose reviewer is conflicted now became so afterwards: they declared a conflict with
the application or with its applicant or counterpart organisation, or joined one of them.
Such a review is never dropped silently. Programme staff see the cause and its date on the
ranking and on the application's reviews page and decide, with a reason, to keep the review
in the ranking or to exclude it (audited).

Until staff decide, the review keeps counting and the application cannot be decided. Counting
it keeps the ranking exactly as it stood when every reviewer was independent, so nobody can
move an application up or down merely by declaring a conflict or by adding a member to an
organisation; blocking the decision makes sure no award is made on a score whose fairness is
in question. (Excluding the review at once would hand that lever to whoever can create the
conflict; keeping it without a flag would hide the conflict from the people deciding.)

A decision to keep a review covers the causes known when it was taken: a new cause found
later asks staff again. A decision to exclude stands until staff change it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from accounts.models import User
from accounts.organisations.models import Organisation, OrganisationMember
from core.audit.operations import record
from core.errors import OperationError
from core.extensions import db
from core.timeutil import utcnow
from core.validation import clean_text
from grants.applications.models import Application
from grants.reviews.conflicts import conflicts_by_reviewer
from grants.reviews.models import (
    ConflictDeclaration,
    LateConflictResolution,
    Panel,
    Review,
    ReviewAssignment,
)
from grants.reviews.policies import can_resolve_late_conflict
from grants.reviews.states import AssignmentState, LateConflictOutcome, ReviewState

REASON_MAX = 2000

DECLARED_APPLICATION = "declared_application"
DECLARED_ORGANISATION = "declared_organisation"
MEMBER = "member"


@dataclass(frozen=True)
class Cause:
    kind: str  # DECLARED_APPLICATION | DECLARED_ORGANISATION | MEMBER
    since: datetime | None
    organisation: str = ""
    reason: str = ""


@dataclass
class LateConflict:
    review_id: int
    assignment_id: int
    application_id: int
    reviewer: User
    submitted_at: datetime | None
    causes: list[Cause] = field(default_factory=list)
    resolution: LateConflictResolution | None = None

    @property
    def arose_at(self) -> datetime | None:
        dates = [cause.since for cause in self.causes if cause.since is not None]
        return max(dates) if dates else None

    @property
    def is_resolved(self) -> bool:
        resolution = self.resolution
        if resolution is None:
            return False
        if resolution.outcome == LateConflictOutcome.exclude:
            return True
        # A cause recorded after staff kept the review asks them again.
        return self.arose_at is None or self.arose_at <= resolution.decided_at

    @property
    def is_excluded(self) -> bool:
        return (self.resolution is not None
                and self.resolution.outcome == LateConflictOutcome.exclude)


def _causes(panel: Panel, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], list[Cause]]:
    """{(reviewer id, application id): why they are conflicted, with the dates}."""
    if not pairs:
        return {}
    reviewer_ids = {reviewer_id for reviewer_id, _ in pairs}
    application_ids = {application_id for _, application_id in pairs}
    organisations_of = {app_id: {applicant, counterpart} - {None}
                        for app_id, applicant, counterpart in db.session.execute(
                            select(Application.id, Application.organisation_id,
                                   Application.counterpart_organisation_id)
                            .where(Application.id.in_(application_ids)))}
    memberships = defaultdict(list)
    for user_id, organisation, joined_at in db.session.execute(
            select(OrganisationMember.user_id, Organisation, OrganisationMember.joined_at)
            .join(Organisation, Organisation.id == OrganisationMember.organisation_id)
            .where(OrganisationMember.user_id.in_(reviewer_ids))):
        memberships[user_id].append((organisation, joined_at))
    declarations = defaultdict(list)
    for declaration in db.session.scalars(
            select(ConflictDeclaration).where(ConflictDeclaration.panel_id == panel.id,
                                              ConflictDeclaration.reviewer_id.in_(reviewer_ids))):
        declarations[declaration.reviewer_id].append(declaration)
    result = {}
    for reviewer_id, application_id in pairs:
        organisations = organisations_of.get(application_id, set())
        causes = [Cause(MEMBER, joined_at, organisation=organisation.display_name)
                  for organisation, joined_at in memberships[reviewer_id]
                  if organisation.id in organisations]
        for declaration in declarations[reviewer_id]:
            if declaration.application_id == application_id:
                causes.append(Cause(DECLARED_APPLICATION, declaration.declared_at,
                                    reason=declaration.reason))
            elif declaration.organisation_id in organisations:
                causes.append(Cause(DECLARED_ORGANISATION, declaration.declared_at,
                                    organisation=declaration.organisation.display_name,
                                    reason=declaration.reason))
        result[(reviewer_id, application_id)] = sorted(
            causes, key=lambda cause: (cause.since is None, cause.since or datetime.min))
    return result


def late_conflicts(panel: Panel, application_ids=None) -> dict[int, list[LateConflict]]:
    """{application id: its submitted reviews whose reviewer is conflicted now, or on which
    staff have decided}, in a fixed number of queries. Only those reviews are read: the
    reviewers' conflicts are found first and the query selects the reviews they concern (a
    large call has thousands of reviews, almost none of them concerned)."""
    ids = None if application_ids is None else list(application_ids)
    reviewers = select(ReviewAssignment.reviewer_id).distinct().where(
        ReviewAssignment.panel_id == panel.id,
        ReviewAssignment.state == AssignmentState.assigned)
    if ids is not None:
        reviewers = reviewers.where(ReviewAssignment.application_id.in_(ids))
    reviewer_ids = set(db.session.scalars(reviewers))
    if not reviewer_ids:
        return {}
    conflicts = conflicts_by_reviewer(panel, reviewer_ids)
    resolutions = {resolution.review_id: resolution for resolution in db.session.scalars(
        select(LateConflictResolution).join(Review, Review.id == LateConflictResolution.review_id)
        .join(ReviewAssignment, ReviewAssignment.id == Review.assignment_id)
        .where(ReviewAssignment.panel_id == panel.id))}
    concerning = [and_(ReviewAssignment.reviewer_id == reviewer_id,
                       ReviewAssignment.application_id.in_(sorted(conflicted)))
                  for reviewer_id, conflicted in sorted(conflicts.items()) if conflicted]
    if resolutions:
        concerning.append(Review.id.in_(sorted(resolutions)))
    if not concerning:
        return {}
    query = (select(Review.id, ReviewAssignment.id, ReviewAssignment.reviewer_id,
                    ReviewAssignment.application_id, Review.submitted_at)
             .join(Review.assignment)
             .where(ReviewAssignment.panel_id == panel.id,
                    ReviewAssignment.state == AssignmentState.assigned,
                    Review.state == ReviewState.submitted, or_(*concerning)))
    if ids is not None:
        query = query.where(ReviewAssignment.application_id.in_(ids))
    concerned = db.session.execute(query.order_by(Review.id)).all()
    if not concerned:
        return {}
    causes = _causes(panel, {(row[2], row[3]) for row in concerned})
    users = {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_({row[2] for row in concerned})))}
    result: dict[int, list[LateConflict]] = defaultdict(list)
    for review_id, assignment_id, reviewer_id, application_id, submitted_at in concerned:
        result[application_id].append(LateConflict(
            review_id=review_id, assignment_id=assignment_id, application_id=application_id,
            reviewer=users[reviewer_id], submitted_at=submitted_at,
            causes=causes.get((reviewer_id, application_id), []),
            resolution=resolutions.get(review_id)))
    return dict(result)


def unresolved_application_ids(panel: Panel, application_ids=None) -> set[int]:
    """Applications with a late conflict staff have not decided on: they cannot be decided."""
    return unresolved_of(late_conflicts(panel, application_ids))


def unresolved_of(found: dict[int, list[LateConflict]]) -> set[int]:
    """The applications of ``found`` (from :func:`late_conflicts`) with a late conflict staff
    have not decided on."""
    return {application_id for application_id, items in found.items()
            if any(not item.is_resolved for item in items)}


def excluded_review_ids(panel: Panel) -> set[int]:
    """Reviews staff excluded from the ranking after a conflict arose (one query)."""
    return set(db.session.scalars(
        select(LateConflictResolution.review_id)
        .join(Review, Review.id == LateConflictResolution.review_id)
        .join(ReviewAssignment, ReviewAssignment.id == Review.assignment_id)
        .where(ReviewAssignment.panel_id == panel.id,
               LateConflictResolution.outcome == LateConflictOutcome.exclude)))


# Staff's decision ------------------------------------------------------------------------

def resolve(panel: Panel, review: Review, actor, *, outcome, reason: str
            ) -> LateConflictResolution:
    """Keep ``review`` in the ranking or exclude it, with the reason (audited). Repeating the
    same decision changes nothing."""
    application = review.assignment.application
    allowed, why = can_resolve_late_conflict(actor, panel, application)
    if not allowed:
        raise OperationError(why)
    if panel.is_locked:
        raise OperationError(_l("The panel is locked: its reviews and decisions are frozen."))
    try:
        outcome = LateConflictOutcome(outcome)
    except ValueError:
        raise OperationError(_l("Choose to keep or to exclude the review."),
                             field="outcome") from None
    reason = clean_text(reason, field="reason", max_length=REASON_MAX,
                        required=_l("Give the reason."), multiline=True)
    review = db.session.execute(
        select(Review).where(Review.id == review.id).with_for_update()
        .execution_options(populate_existing=True)).scalar_one()
    assignment = review.assignment
    if assignment.panel_id != panel.id or review.state != ReviewState.submitted:
        raise OperationError(_l("Choose a submitted review of this panel."))
    [item] = [item for item in late_conflicts(panel, [assignment.application_id]).get(
        assignment.application_id, []) if item.review_id == review.id] or [None]
    if item is None:
        raise OperationError(_l("This review's reviewer has no conflict with the application "
                                "to decide on."))
    resolution = item.resolution
    if (resolution is not None and item.is_resolved and resolution.outcome == outcome
            and resolution.reason == reason):
        return resolution  # a repeated request: the decision already stands
    previous = None if resolution is None else resolution.outcome.value
    if resolution is None:
        resolution = LateConflictResolution(review_id=review.id)
        db.session.add(resolution)
    resolution.outcome = outcome
    resolution.reason = reason
    resolution.decided_by_id = actor.id
    resolution.decided_at = utcnow()
    db.session.flush()
    record(f"review.late_conflict.{outcome.value}", review, actor=actor,
           summary=f"{application.display_reference}: the review by {item.reviewer.name} is "
                   f"{'kept in' if outcome == LateConflictOutcome.keep else 'excluded from'} "
                   f"the ranking after a conflict arose",
           data={"panel_id": panel.id, "application_id": application.id,
                 "reviewer_id": item.reviewer.id, "outcome": outcome.value,
                 "previous": previous, "reason": reason,
                 "causes": [{"kind": c.kind, "since": c.since, "organisation": c.organisation}
                            for c in item.causes]})
    return resolution

