from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Double,
    Enum,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.extensions import db
from core.models import TimestampMixin
from core.money import MoneyAmount
from core.timeutil import UTCDateTime, utcnow
from grants.reviews import totals
from grants.reviews.states import (
    AssignmentState,
    Confidence,
    LateConflictOutcome,
    Outcome,
    Recommendation,
    ReviewState,
)

DEFAULT_REVIEWERS_PER_APPLICATION = 3
DEFAULT_DISAGREEMENT_THRESHOLD = 25


def _enum(kind, length=30):
    return Enum(kind, native_enum=False, length=length)


class Panel(TimestampMixin, db.Model):
    """The review panel of one call."""

    __tablename__ = "panels"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="RESTRICT"),
                                         unique=True)
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewers_per_application: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_REVIEWERS_PER_APPLICATION)
    disagreement_threshold: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_DISAGREEMENT_THRESHOLD)
    is_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                ondelete="SET NULL"))
    #: Set while the panel discusses its reviews: only then may a reviewer who has read
    #: colleagues' reviews revise their own (see ``grants.reviews.discussion``).
    discussion_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    call = relationship("Call")
    chair = relationship("User", foreign_keys=[chair_id])
    locked_by = relationship("User", foreign_keys=[locked_by_id])
    members: Mapped[list[PanelMember]] = relationship(
        back_populates="panel", cascade="all, delete-orphan", order_by="PanelMember.id")
    assignments: Mapped[list[ReviewAssignment]] = relationship(
        back_populates="panel", cascade="all, delete-orphan")
    conflicts: Mapped[list[ConflictDeclaration]] = relationship(
        back_populates="panel", cascade="all, delete-orphan")


class PanelMember(db.Model):
    __tablename__ = "panel_members"
    __table_args__ = (UniqueConstraint("panel_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"),
                                          index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"),
                                         index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    panel: Mapped[Panel] = relationship(back_populates="members")
    user = relationship("User")


class ConflictDeclaration(db.Model):
    """A reviewer's declared conflict with one application or with an organisation.

    Conflicts found automatically (the reviewer belongs to the applicant or counterpart
    organisation) are computed, not stored."""

    __tablename__ = "conflict_declarations"
    __table_args__ = (
        CheckConstraint("(application_id IS NULL) <> (organisation_id IS NULL)",
                        name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"),
                                          index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                             index=True)
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    panel: Mapped[Panel] = relationship(back_populates="conflicts")
    reviewer = relationship("User")
    application = relationship("Application")
    organisation = relationship("Organisation")


class ReviewAssignment(db.Model):
    __tablename__ = "review_assignments"
    __table_args__ = (UniqueConstraint("application_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"),
                                          index=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"),
                                             index=True)
    state: Mapped[AssignmentState] = mapped_column(_enum(AssignmentState),
                                                   default=AssignmentState.assigned)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                  ondelete="SET NULL"))
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    last_reminded_on: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The first time the reviewer was shown colleagues' reviews of this application: after
    #: it, their review can be revised only during a discussion phase.
    colleagues_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    panel: Mapped[Panel] = relationship(back_populates="assignments")
    application = relationship("Application")
    reviewer = relationship("User", foreign_keys=[reviewer_id])
    review: Mapped[Review | None] = relationship(back_populates="assignment", uselist=False,
                                                 cascade="all, delete-orphan")


class Review(TimestampMixin, db.Model):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("review_assignments.id", ondelete="CASCADE"), unique=True)
    state: Mapped[ReviewState] = mapped_column(_enum(ReviewState), default=ReviewState.draft,
                                               index=True)
    overall_comment: Mapped[str] = mapped_column(Text, default="")
    recommendation: Mapped[Recommendation | None] = mapped_column(_enum(Recommendation))
    confidence: Mapped[Confidence | None] = mapped_column(_enum(Confidence))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Staff chose to pass this review's comments, anonymised, to the applicant.
    is_shared_with_applicant: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The 0–100 total of the scores against the call's rubric, as ``scoring.review_total``
    #: computes it (None: every criterion N/A, or not every criterion scored yet). Written
    #: whenever the scores change (``grants.reviews.totals``); the ranking reads it.
    total: Mapped[float | None] = mapped_column(Double)

    assignment: Mapped[ReviewAssignment] = relationship(back_populates="review")
    scores: Mapped[list[ReviewScore]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewScore.id")
    versions: Mapped[list[ReviewVersion]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewVersion.number")


class ReviewScore(db.Model):
    __tablename__ = "review_scores"
    __table_args__ = (UniqueConstraint("review_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"),
                                           index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="RESTRICT"))
    #: None means "not applicable" (only where the criterion allows it).
    score: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")

    review: Mapped[Review] = relationship(back_populates="scores")
    criterion = relationship("Criterion")


class ReviewVersion(db.Model):
    """A submitted review as it stood after one submission or revision: earlier scores are
    kept when the review is revised."""

    __tablename__ = "review_versions"
    __table_args__ = (UniqueConstraint("review_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"),
                                           index=True)
    number: Mapped[int] = mapped_column(Integer)
    #: {criterion id (as text): score, or None for "not applicable"}
    scores: Mapped[dict] = mapped_column(JSON, default=dict)
    recommendation: Mapped[Recommendation | None] = mapped_column(_enum(Recommendation))
    confidence: Mapped[Confidence | None] = mapped_column(_enum(Confidence))
    overall_comment: Mapped[str] = mapped_column(Text, default="")
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Written while the panel's discussion phase was open.
    in_discussion: Mapped[bool] = mapped_column(Boolean, default=False)

    review: Mapped[Review] = relationship(back_populates="versions")


class LateConflictResolution(db.Model):
    """Staff's decision on a review whose reviewer became conflicted with the application
    after submitting it: keep it in the ranking or exclude it, with the reason."""

    __tablename__ = "late_conflict_resolutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"),
                                           unique=True)
    outcome: Mapped[LateConflictOutcome] = mapped_column(_enum(LateConflictOutcome, 10))
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                 ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    review = relationship("Review")
    decided_by = relationship("User")


class Decision(db.Model):
    """The chair's decision on an application, with its rationale."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), unique=True)
    outcome: Mapped[Outcome] = mapped_column(_enum(Outcome, 20))
    rationale: Mapped[str] = mapped_column(Text, default="")
    #: The score and rank the decision was taken on, kept for the record.
    score_at_decision: Mapped[float | None] = mapped_column(Numeric(7, 3))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                 ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    method: Mapped[str] = mapped_column(String(20), default="raw")
    #: An award's amount, as decided: what the application requested unless staff set
    #: another (within the call's maximum, with ``amount_reason``). The pool check, the grant
    #: agreement and every report use this one number. None for other outcomes.
    amount: Mapped[Decimal | None] = mapped_column(MoneyAmount)
    amount_reason: Mapped[str] = mapped_column(Text, default="")

    application = relationship("Application")
    decided_by = relationship("User")

    @property
    def awarded_amount(self) -> Decimal | None:
        """The amount decided; for an award recorded without one, the amount requested."""
        if self.outcome != Outcome.award:
            return None
        if self.amount is not None:
            return self.amount
        return self.application.requested_amount


@event.listens_for(Session, "before_flush")
def _store_review_totals(session, flush_context, instances):
    """Every review whose scores change gets its total in the same flush."""
    totals.store_totals(session, Review, ReviewScore, ReviewAssignment)
