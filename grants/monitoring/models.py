from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import TimestampMixin
from core.money import MoneyAmount
from core.timeutil import UTCDateTime
from grants.monitoring.states import ReportKind, ReportState


def _enum(kind, length=20):
    return Enum(kind, native_enum=False, length=length)


class ProgressReport(TimestampMixin, db.Model):
    """A report the grantee owes, with every version they submitted."""

    __tablename__ = "progress_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"),
                                          index=True)
    kind: Mapped[ReportKind] = mapped_column(_enum(ReportKind))
    title: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[date] = mapped_column(Date, index=True)
    state: Mapped[ReportState] = mapped_column(_enum(ReportState), default=ReportState.due,
                                               index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_reminded_on: Mapped[date | None] = mapped_column(Date)

    award = relationship("Award")
    versions: Mapped[list[ReportVersion]] = relationship(
        back_populates="report", order_by="ReportVersion.number", cascade="all, delete-orphan")

    @property
    def current_version(self) -> ReportVersion | None:
        return self.versions[-1] if self.versions else None


class ReportVersion(db.Model):
    """What the grantee submitted, once; a returned report gets a new version."""

    __tablename__ = "report_versions"
    __table_args__ = (UniqueConstraint("report_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("progress_reports.id",
                                                      ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                   ondelete="SET NULL"))
    activities: Mapped[str] = mapped_column(Text, default="")
    results: Mapped[str] = mapped_column(Text, default="")
    challenges: Mapped[str] = mapped_column(Text, default="")
    # Beneficiaries reached, by sex and age group.
    women_under_30: Mapped[int] = mapped_column(Integer, default=0)
    women_30_and_over: Mapped[int] = mapped_column(Integer, default=0)
    men_under_30: Mapped[int] = mapped_column(Integer, default=0)
    men_30_and_over: Mapped[int] = mapped_column(Integer, default=0)
    other_under_30: Mapped[int] = mapped_column(Integer, default=0)
    other_30_and_over: Mapped[int] = mapped_column(Integer, default=0)
    # Staff's answer to this version.
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                  ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    staff_comment: Mapped[str] = mapped_column(Text, default="")

    report: Mapped[ProgressReport] = relationship(back_populates="versions")
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])
    evidence: Mapped[list[ReportEvidence]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="ReportEvidence.id")
    expenditures: Mapped[list[Expenditure]] = relationship(
        back_populates="version", cascade="all, delete-orphan",
        order_by="Expenditure.position")

    @property
    def beneficiaries_total(self) -> int:
        return sum((self.women_under_30, self.women_30_and_over, self.men_under_30,
                    self.men_30_and_over, self.other_under_30, self.other_30_and_over))


class ReportEvidence(db.Model):
    __tablename__ = "report_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("report_versions.id",
                                                       ondelete="CASCADE"), index=True)
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id",
                                                           ondelete="RESTRICT"))
    description: Mapped[str] = mapped_column(String(300), default="")

    version: Mapped[ReportVersion] = relationship(back_populates="evidence")
    stored_file = relationship("StoredFile", lazy="joined")


class Expenditure(db.Model):
    """A line of the expenditure statement, in the award's currency, with its receipt."""

    __tablename__ = "expenditures"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("report_versions.id",
                                                       ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: A budget category key of the application's budget (grants.applications.forms).
    category: Mapped[str] = mapped_column(String(60))
    spent_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(300))
    amount: Mapped[Decimal] = mapped_column(MoneyAmount)
    receipt_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id",
                                                                   ondelete="RESTRICT"))

    version: Mapped[ReportVersion] = relationship(back_populates="expenditures")
    receipt_file = relationship("StoredFile")
