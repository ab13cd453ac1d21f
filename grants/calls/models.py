from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import contributions
from core.extensions import db
from core.models import TimestampMixin
from core.money import MoneyAmount
from core.timeutil import UTCDateTime, utcnow
from core.translations import Translatable
from grants.calls.states import CallState

#: The reference programme's seven thematic areas, offered for every new call. They are data
#: (staff edit them per call, in the call's language), not interface text.
DEFAULT_THEMATIC_AREAS = [
    "Access to public information",
    "Fight against corruption",
    "E-government",
    "Citizen participation",
    "Digital/online requests",
    "Open data",
    "Education",
]
DEFAULT_AWARD_AMOUNT = Decimal("5000.00")
DEFAULT_MAX_AWARDS = 8


class Fund(TimestampMixin, db.Model):
    __tablename__ = "funds"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    donor_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    managing_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    total_budget: Mapped[Decimal] = mapped_column(MoneyAmount)

    donor = relationship("Organisation", foreign_keys=[donor_organisation_id])
    manager = relationship("Organisation", foreign_keys=[managing_organisation_id])
    calls: Mapped[list[Call]] = relationship(back_populates="fund", order_by="Call.id")


class Call(Translatable, TimestampMixin, db.Model):
    __tablename__ = "calls"
    __translatable__ = ("title", "summary", "body_markdown")

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id", ondelete="RESTRICT"),
                                         index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    #: Full text in Markdown; rendered through the sanitiser, never as raw HTML.
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    award_amount: Mapped[Decimal] = mapped_column(MoneyAmount, default=DEFAULT_AWARD_AMOUNT)
    max_awards: Mapped[int] = mapped_column(Integer, default=DEFAULT_MAX_AWARDS)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The planned timeline after closing, which applicants are told: eligibility results,
    #: the end of the review, and the funding decisions (days in the programme's zone).
    screening_by: Mapped[date | None] = mapped_column(Date)
    review_by: Mapped[date | None] = mapped_column(Date)
    decisions_by: Mapped[date | None] = mapped_column(Date)
    is_counterpart_required: Mapped[bool] = mapped_column(Boolean, default=True)
    is_one_application_per_organisation: Mapped[bool] = mapped_column(Boolean, default=True)
    #: First part of application references, e.g. OGB in OGB-2026-0007.
    reference_prefix: Mapped[str] = mapped_column(String(10), default="OGB")
    state: Mapped[CallState] = mapped_column(Enum(CallState, native_enum=False, length=20),
                                             default=CallState.draft, index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    fund: Mapped[Fund] = relationship(back_populates="calls")
    thematic_areas: Mapped[list[ThematicArea]] = relationship(
        back_populates="call", order_by="ThematicArea.position", cascade="all, delete-orphan")
    eligibility_statements: Mapped[list[EligibilityStatement]] = relationship(
        back_populates="call", order_by="EligibilityStatement.position",
        cascade="all, delete-orphan")
    required_documents: Mapped[list[RequiredDocument]] = relationship(
        back_populates="call", order_by="RequiredDocument.position",
        cascade="all, delete-orphan")
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="call", order_by="Criterion.position", cascade="all, delete-orphan")

    @property
    def currency(self) -> str:
        return self.fund.currency

    def is_open(self, now: datetime | None = None) -> bool:
        """Accepting applications: published, and the server clock is inside the window."""
        now = now or utcnow()
        return (self.state == CallState.published and self.opens_at is not None
                and self.closes_at is not None and self.opens_at <= now < self.closes_at)

    def is_upcoming(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return (self.state == CallState.published and self.opens_at is not None
                and now < self.opens_at)

    def is_past_deadline(self, now: datetime | None = None) -> bool:
        return self.closes_at is not None and (now or utcnow()) >= self.closes_at

    def has_submissions(self) -> bool:
        # Applications come later in the pipeline: they answer (grants.applications.queries).
        return contributions.ask("call.has_submissions", self)

    def missing_for_publication(self) -> list:
        missing = []
        if not (self.opens_at and self.closes_at):
            missing.append(_l("opening and closing times"))
        if not self.thematic_areas:
            missing.append(_l("thematic areas"))
        if not self.criteria:
            missing.append(_l("review rubric"))
        if not self.summary:
            missing.append(_l("summary"))
        return missing

    def __repr__(self) -> str:
        return f"<Call {self.id} {self.title!r} {self.state}>"


class _CallListItem:
    """Columns shared by the ordered lists a call holds."""

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class ThematicArea(Translatable, _CallListItem, db.Model):
    __tablename__ = "thematic_areas"
    __translatable__ = ("name",)
    __table_args__ = (UniqueConstraint("call_id", "name"),)

    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    call: Mapped[Call] = relationship(back_populates="thematic_areas")


class EligibilityStatement(Translatable, _CallListItem, db.Model):
    __tablename__ = "eligibility_statements"
    __translatable__ = ("text",)

    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    call: Mapped[Call] = relationship(back_populates="eligibility_statements")


class RequiredDocument(Translatable, _CallListItem, db.Model):
    __tablename__ = "required_documents"
    __translatable__ = ("name",)

    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    call: Mapped[Call] = relationship(back_populates="required_documents")


class Criterion(Translatable, _CallListItem, db.Model):
    """One line of the review rubric."""

    __tablename__ = "criteria"
    __translatable__ = ("name", "guidance")

    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    guidance: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal("1.00"))
    max_score: Mapped[int] = mapped_column(Integer, default=10)
    is_na_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    call: Mapped[Call] = relationship(back_populates="criteria")
