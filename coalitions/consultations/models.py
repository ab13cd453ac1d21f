"""Consultations on a draft action plan, and what people send during them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coalitions.consultations.states import ResponseKind
from coalitions.events.states import Sex
from core.extensions import db
from core.models import TimestampMixin
from core.timeutil import UTCDateTime, utcnow
from core.translations import Translatable

TITLE_MAX = 200
TEXT_MAX = 5000
SHORT_MAX = 200
REASON_MAX = 500


class Consultation(Translatable, TimestampMixin, db.Model):
    """A period during which anyone signed in may propose, comment on and support
    commitments of a draft action plan."""

    __tablename__ = "consultations"
    __translatable__ = ("title", "description")
    __table_args__ = (CheckConstraint("closes_at > opens_at", name="dates_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plans.id", ondelete="CASCADE"),
                                         index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    #: When "What we heard" was published (None: staff only).
    summary_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    summary_published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))

    plan = relationship("ActionPlan")


class ParticipationProfile(TimestampMixin, db.Model):
    """What a participant chose to say about themselves when they first took part (both
    optional): counted, never shown one by one."""

    __tablename__ = "participation_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         unique=True)
    sex: Mapped[Sex | None] = mapped_column(Enum(Sex, native_enum=False, length=20))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True)


class _Hideable:
    """A moderator may hide the item, with a reason shown in its place."""

    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class Proposal(_Hideable, db.Model):
    __tablename__ = "consultation_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                  index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    problem: Mapped[str] = mapped_column(Text)
    solution: Mapped[str] = mapped_column(Text)
    #: The responsible institution: one of the directory, or a name typed freely.
    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True)
    institution_name: Mapped[str] = mapped_column(String(SHORT_MAX), default="")
    thematic_area: Mapped[str] = mapped_column(String(120), default="", index=True)
    milestones: Mapped[str] = mapped_column(Text, default="")
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    response: Mapped[ResponseKind | None] = mapped_column(
        Enum(ResponseKind, native_enum=False, length=20), index=True)
    response_text: Mapped[str] = mapped_column(Text, default="")
    response_commitment_id: Mapped[int | None] = mapped_column(
        ForeignKey("commitments.id", ondelete="SET NULL"))
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))

    consultation: Mapped[Consultation] = relationship()
    author = relationship("User", foreign_keys=[author_id])
    institution = relationship("Organisation")
    response_commitment = relationship("Commitment")

    @property
    def institution_label(self) -> str:
        return self.institution.name if self.institution is not None else self.institution_name


class Comment(_Hideable, db.Model):
    """A comment on a proposal or on a draft commitment of the plan (exactly one)."""

    __tablename__ = "consultation_comments"
    __table_args__ = (CheckConstraint(
        "(proposal_id IS NULL) <> (commitment_id IS NULL)", name="one_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_proposals.id", ondelete="CASCADE"), index=True)
    commitment_id: Mapped[int | None] = mapped_column(
        ForeignKey("commitments.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                  index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    body: Mapped[str] = mapped_column(Text)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    consultation: Mapped[Consultation] = relationship()
    proposal = relationship("Proposal")
    author = relationship("User", foreign_keys=[author_id])


class Support(db.Model):
    """One person's support of a proposal or a draft commitment. ``subject`` is
    "proposal:<id>" or "commitment:<id>"; ``email_key`` the supporter's normalised email,
    so that a second account on the same mailbox cannot support again."""

    __tablename__ = "consultation_supports"
    __table_args__ = (
        UniqueConstraint("consultation_id", "subject", "email_key"),
        UniqueConstraint("consultation_id", "subject", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(40))
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_proposals.id", ondelete="CASCADE"), index=True)
    commitment_id: Mapped[int | None] = mapped_column(
        ForeignKey("commitments.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    email_key: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AbuseReport(db.Model):
    """A person's report of a proposal or a comment, one per person and item, until a
    moderator hides the item or dismisses the report."""

    __tablename__ = "consultation_reports"
    __table_args__ = (UniqueConstraint("subject", "reporter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    #: "proposal:<id>" or "comment:<id>".
    subject: Mapped[str] = mapped_column(String(40))
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_proposals.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_comments.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                             index=True)
    reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    #: "hidden" or "dismissed".
    outcome: Mapped[str] = mapped_column(String(20), default="")

    proposal = relationship("Proposal")
    comment = relationship("Comment")


def subject_key(kind: str, item_id: int) -> str:
    return f"{kind}:{item_id}"


