from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import TimestampMixin
from core.money import MoneyAmount
from core.timeutil import UTCDateTime, utcnow
from grants.applications.states import ApplicationState, EndorsementState

#: The districts of Belize, offered when choosing where a project takes place.
DISTRICTS = ["Belize", "Cayo", "Corozal", "Orange Walk", "Stann Creek", "Toledo"]

MAX_SUMMARY_WORDS = 300

#: The categories of a budget line, in the order budgets and spending are shown; monitoring
#: compares spending with the budget by these.
BUDGET_CATEGORIES = [
    ("personnel", _l("Personnel")),
    ("activities", _l("Activities and events")),
    ("materials", _l("Materials and printing")),
    ("equipment", _l("Equipment")),
    ("travel", _l("Travel")),
    ("communications", _l("Communications")),
    ("administration", _l("Administration")),
    ("other", _l("Other")),
]
BUDGET_CATEGORY_TITLES = dict(BUDGET_CATEGORIES)


application_thematic_areas = Table(
    "application_thematic_areas", db.metadata,
    Column("application_id", ForeignKey("applications.id", ondelete="CASCADE"),
           primary_key=True),
    Column("thematic_area_id", ForeignKey("thematic_areas.id", ondelete="RESTRICT"),
           primary_key=True),
)

application_affirmations = Table(
    "application_affirmations", db.metadata,
    Column("application_id", ForeignKey("applications.id", ondelete="CASCADE"),
           primary_key=True),
    Column("statement_id", ForeignKey("eligibility_statements.id", ondelete="CASCADE"),
           primary_key=True),
    # The language and the words of the statement as the applicant affirmed it.
    Column("language", String(8), nullable=False, server_default=""),
    Column("wording", Text, nullable=False, server_default=""),
)


class Application(TimestampMixin, db.Model):
    __tablename__ = "applications"
    # The staff list's default order (newest submission first) read from the index, a page
    # at a time, instead of sorting every application for each page.
    __table_args__ = (Index("ix_applications_submitted_at_id", "submitted_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="RESTRICT"),
                                         index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    #: Given on submission, e.g. OGB-2026-0007.
    reference: Mapped[str | None] = mapped_column(String(30), unique=True)
    state: Mapped[ApplicationState] = mapped_column(
        Enum(ApplicationState, native_enum=False, length=20), default=ApplicationState.draft,
        index=True)

    # The project.
    title: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    problem: Mapped[str] = mapped_column(Text, default="")
    objectives: Mapped[str] = mapped_column(Text, default="")
    duration_months: Mapped[int | None] = mapped_column(Integer)
    districts: Mapped[list] = mapped_column(JSON, default=list)
    beneficiaries_total: Mapped[int | None] = mapped_column(Integer)
    beneficiaries_women: Mapped[int | None] = mapped_column(Integer)
    beneficiaries_youth: Mapped[int | None] = mapped_column(Integer)
    beneficiaries_description: Mapped[str] = mapped_column(Text, default="")
    requested_amount: Mapped[Decimal | None] = mapped_column(MoneyAmount)

    # The government counterpart.
    counterpart_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    counterpart_contact_name: Mapped[str] = mapped_column(String(120), default="")
    counterpart_contact_position: Mapped[str] = mapped_column(String(120), default="")
    counterpart_contact_email: Mapped[str] = mapped_column(String(254), default="")

    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    call = relationship("Call")
    organisation = relationship("Organisation", foreign_keys=[organisation_id])
    counterpart = relationship("Organisation", foreign_keys=[counterpart_organisation_id])
    created_by = relationship("User")
    thematic_areas = relationship("ThematicArea", secondary=application_thematic_areas,
                                  order_by="ThematicArea.position")
    affirmed_statements = relationship("EligibilityStatement",
                                       secondary=application_affirmations)
    activities: Mapped[list[Activity]] = relationship(
        back_populates="application", order_by="Activity.position",
        cascade="all, delete-orphan")
    results: Mapped[list[ExpectedResult]] = relationship(
        back_populates="application", order_by="ExpectedResult.position",
        cascade="all, delete-orphan")
    budget_lines: Mapped[list[BudgetLine]] = relationship(
        back_populates="application", order_by="BudgetLine.position",
        cascade="all, delete-orphan")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="application", order_by="Attachment.id", cascade="all, delete-orphan")
    endorsement: Mapped[Endorsement | None] = relationship(
        back_populates="application", cascade="all, delete-orphan", uselist=False)
    eligibility_check: Mapped[EligibilityCheck | None] = relationship(
        back_populates="application", cascade="all, delete-orphan", uselist=False)

    @property
    def currency(self) -> str:
        return self.call.currency

    @property
    def budget_total(self) -> Decimal:
        return sum((line.amount for line in self.budget_lines), Decimal("0.00"))

    @property
    def is_editable(self) -> bool:
        return self.state == ApplicationState.draft

    @property
    def display_reference(self) -> str:
        return self.reference or str(_l("Draft #%(id)s", id=self.id))

    def __repr__(self) -> str:
        return f"<Application {self.id} {self.reference or 'draft'} {self.state}>"


class Activity(db.Model):
    """An activity of the project, with its timeline and milestone."""

    __tablename__ = "application_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    milestone: Mapped[str] = mapped_column(String(300), default="")
    application: Mapped[Application] = relationship(back_populates="activities")


class ExpectedResult(db.Model):
    __tablename__ = "application_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[str] = mapped_column(Text)
    indicator: Mapped[str] = mapped_column(String(300))
    target: Mapped[str] = mapped_column(String(120), default="")
    application: Mapped[Application] = relationship(back_populates="results")


class BudgetLine(db.Model):
    __tablename__ = "budget_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    category: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(String(300))
    amount: Mapped[Decimal] = mapped_column(MoneyAmount)
    application: Mapped[Application] = relationship(back_populates="budget_lines")


class Attachment(db.Model):
    __tablename__ = "application_attachments"
    __table_args__ = (UniqueConstraint("application_id", "required_document_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    #: The call's required document this file answers; None for additional files.
    required_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("required_documents.id", ondelete="SET NULL"))
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id",
                                                           ondelete="RESTRICT"))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                  ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[Application] = relationship(back_populates="attachments")
    required_document = relationship("RequiredDocument")
    stored_file = relationship("StoredFile", lazy="joined")


class Endorsement(TimestampMixin, db.Model):
    """The government counterpart's answer to the partnership, given through a signed link
    (only the token's hash is kept) or recorded by staff from a letter on paper."""

    __tablename__ = "endorsements"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), unique=True)
    state: Mapped[EndorsementState] = mapped_column(
        Enum(EndorsementState, native_enum=False, length=20), default=EndorsementState.pending,
        index=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    recipient_email: Mapped[str] = mapped_column(String(254))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_reminded_on: Mapped[date | None] = mapped_column(Date)
    reminder_count: Mapped[int] = mapped_column(Integer, default=0)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responder_name: Mapped[str] = mapped_column(String(120), default="")
    responder_position: Mapped[str] = mapped_column(String(120), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    #: Set when staff recorded an answer received on paper.
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                  ondelete="SET NULL"))
    letter_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id",
                                                                  ondelete="RESTRICT"))
    #: What was put to the counterpart when it was asked (or when staff recorded a letter):
    #: counterpart organisation, contact, title, summary, budget total and period. The
    #: endorsement holds only while the application's terms still have this fingerprint.
    terms: Mapped[dict | None] = mapped_column(JSON)
    terms_hash: Mapped[str | None] = mapped_column(String(64))
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    application: Mapped[Application] = relationship(back_populates="endorsement")
    recorded_by = relationship("User")
    letter_file = relationship("StoredFile")

    @property
    def is_answered(self) -> bool:
        return self.state in (EndorsementState.endorsed, EndorsementState.declined)

    @property
    def link_version(self) -> str:
        """Which link was last sent (its time): a page's "send again" button carries it, so
        that the same click arriving twice sends one new link, not two."""
        return self.sent_at.isoformat() if self.sent_at else "none"

    @property
    def is_voided(self) -> bool:
        return self.state == EndorsementState.voided

    def is_expired(self, now: datetime | None = None) -> bool:
        return (self.state == EndorsementState.pending and self.expires_at is not None
                and (now or utcnow()) >= self.expires_at)


class EligibilityCheck(TimestampMixin, db.Model):
    """Staff's screening of a submitted application against the call's checklist."""

    __tablename__ = "eligibility_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), unique=True)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                 ondelete="SET NULL"))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    is_eligible: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text, default="")
    #: The checklist as staff saw and confirmed it: [{"item": ..., "ok": bool, "note": ...}].
    checklist: Mapped[list] = mapped_column(JSON, default=list)

    application: Mapped[Application] = relationship(back_populates="eligibility_check")
    checked_by = relationship("User")
