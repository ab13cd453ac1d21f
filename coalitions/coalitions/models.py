from __future__ import annotations

from datetime import date

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    Enum,
    ForeignKey,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

# The enums live in coalitions.coalitions.states; importing them from here keeps working.
from coalitions.coalitions.states import ActivityKind, CoalitionState, MembershipRole  # noqa: F401
from core.extensions import db
from core.models import TimestampMixin

coalition_awards = Table(
    "coalition_awards", db.metadata,
    Column("coalition_id", ForeignKey("coalitions.id", ondelete="CASCADE"), primary_key=True),
    Column("award_id", ForeignKey("awards.id", ondelete="CASCADE"), primary_key=True),
)

activity_organisations = Table(
    "coalition_activity_organisations", db.metadata,
    Column("activity_id", ForeignKey("coalition_activities.id", ondelete="CASCADE"),
           primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"),
           primary_key=True),
)


class Coalition(TimestampMixin, db.Model):
    __tablename__ = "coalitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text, default="")
    #: Free thematic areas, e.g. "Open data".
    thematic_areas: Mapped[list] = mapped_column(JSON, default=list)
    lead_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"))
    formed_on: Mapped[date | None] = mapped_column(Date)
    state: Mapped[CoalitionState] = mapped_column(
        Enum(CoalitionState, native_enum=False, length=20), default=CoalitionState.forming)

    lead_organisation = relationship("Organisation")
    memberships: Mapped[list[CoalitionMembership]] = relationship(
        back_populates="coalition", cascade="all, delete-orphan",
        order_by="CoalitionMembership.joined_on")
    activities: Mapped[list[CoalitionActivity]] = relationship(
        back_populates="coalition", cascade="all, delete-orphan",
        order_by="CoalitionActivity.happened_on.desc()")


class CoalitionMembership(db.Model):
    """One period of an organisation's membership; history is kept, never overwritten: a
    change of role ends the period and starts a new one."""

    __tablename__ = "coalition_memberships"
    __table_args__ = (
        CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coalition_id: Mapped[int] = mapped_column(ForeignKey("coalitions.id", ondelete="CASCADE"),
                                              index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    role: Mapped[MembershipRole] = mapped_column(
        Enum(MembershipRole, native_enum=False, length=20), default=MembershipRole.member)
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)

    coalition: Mapped[Coalition] = relationship(back_populates="memberships")
    organisation = relationship("Organisation")


class CoalitionActivity(TimestampMixin, db.Model):
    __tablename__ = "coalition_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    coalition_id: Mapped[int] = mapped_column(ForeignKey("coalitions.id", ondelete="CASCADE"),
                                              index=True)
    kind: Mapped[ActivityKind] = mapped_column(Enum(ActivityKind, native_enum=False,
                                                    length=30))
    happened_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(Text, default="")
    evidence_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id",
                                                                    ondelete="RESTRICT"))

    coalition: Mapped[Coalition] = relationship(back_populates="activities")
    organisations = relationship("Organisation", secondary=activity_organisations)
    evidence_file = relationship("StoredFile")
