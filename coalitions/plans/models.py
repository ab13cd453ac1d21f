from __future__ import annotations

from datetime import date

from sqlalchemy import Column, Date, Enum, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

# The enums live in coalitions.plans.states; importing them from here keeps working.
from coalitions.plans.states import MilestoneState, PlanState  # noqa: F401
from core.extensions import db
from core.models import TimestampMixin
from core.translations import Translatable

commitment_supporters = Table(
    "commitment_supporters", db.metadata,
    Column("commitment_id", ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"),
           primary_key=True),
)

commitment_coalitions = Table(
    "commitment_coalitions", db.metadata,
    Column("commitment_id", ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True),
    Column("coalition_id", ForeignKey("coalitions.id", ondelete="CASCADE"), primary_key=True),
)


class ActionPlan(Translatable, TimestampMixin, db.Model):
    __tablename__ = "action_plans"
    __translatable__ = ("title",)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2), default="BZ")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    is_public: Mapped[bool] = mapped_column(default=True)
    state: Mapped[PlanState] = mapped_column(
        Enum(PlanState, native_enum=False, length=20), default=PlanState.drafting, index=True)

    commitments: Mapped[list[Commitment]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Commitment.position")


class Commitment(Translatable, TimestampMixin, db.Model):
    __tablename__ = "commitments"
    #: The texts of OGP's commitment template: the public problem and its cause, what the
    #: commitment is, how it contributes to solving the problem (``ambition``), why it is
    #: relevant to each OGP value, and any additional information.
    __translatable__ = ("title", "problem", "cause", "description", "ambition",
                        "transparency_note", "participation_note", "accountability_note",
                        "additional_information", "thematic_area")

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plans.id", ondelete="CASCADE"),
                                         index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(Text, default="")
    cause: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    #: How the commitment will contribute to solving the problem.
    ambition: Mapped[str] = mapped_column(Text, default="")
    transparency: Mapped[bool] = mapped_column(default=False)
    transparency_note: Mapped[str] = mapped_column(Text, default="")
    participation: Mapped[bool] = mapped_column(default=False)
    participation_note: Mapped[str] = mapped_column(Text, default="")
    accountability: Mapped[bool] = mapped_column(default=False)
    accountability_note: Mapped[str] = mapped_column(Text, default="")
    additional_information: Mapped[str] = mapped_column(Text, default="")
    thematic_area: Mapped[str] = mapped_column(String(120), default="")
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    lead_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"))

    plan: Mapped[ActionPlan] = relationship(back_populates="commitments")
    lead_organisation = relationship("Organisation")
    supporters = relationship("Organisation", secondary=commitment_supporters)
    coalitions = relationship("Coalition", secondary=commitment_coalitions)
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="commitment", cascade="all, delete-orphan", order_by="Milestone.due_on")

    @property
    def progress(self) -> float | None:
        """Completed milestones over all milestones (None without milestones)."""
        if not self.milestones:
            return None
        done = sum(1 for m in self.milestones if m.state == MilestoneState.complete)
        return done / len(self.milestones)


class Milestone(Translatable, db.Model):
    __tablename__ = "milestones"
    __translatable__ = ("title", "outputs")

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id",
                                                          ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    #: When work on the milestone starts (OGP's template asks for it); ``due_on`` is its end.
    starts_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    #: The expected outputs.
    outputs: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[MilestoneState] = mapped_column(
        Enum(MilestoneState, native_enum=False, length=20), default=MilestoneState.not_started)
    evidence: Mapped[str] = mapped_column(Text, default="")

    commitment: Mapped[Commitment] = relationship(back_populates="milestones")
