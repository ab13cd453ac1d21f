from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Date,
    Enum,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.extensions import db
from core.models import TimestampMixin
from core.money import MoneyAmount
from core.timeutil import UTCDateTime, utcnow
from grants.awards.states import AwardState, DisbursementKind, DisbursementState, TrancheCondition


def _enum(kind, length=30):
    return Enum(kind, native_enum=False, length=length)


class Award(TimestampMixin, db.Model):
    """The grant agreement that follows an award decision."""

    __tablename__ = "awards"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="RESTRICT"), unique=True)
    #: e.g. OGB-G-2026-003
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    amount: Mapped[Decimal] = mapped_column(MoneyAmount)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    conditions: Mapped[str] = mapped_column(Text, default="")
    agreement_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_files.id", ondelete="RESTRICT"))
    signed_on: Mapped[date | None] = mapped_column(Date)
    state: Mapped[AwardState] = mapped_column(_enum(AwardState),
                                              default=AwardState.pending_signature, index=True)
    #: Part of the award that will not be paid (termination or close-out), with the reason.
    deobligated_amount: Mapped[Decimal] = mapped_column(MoneyAmount, default=Decimal("0.00"))
    deobligation_reason: Mapped[str] = mapped_column(Text, default="")
    termination_reason: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                 ondelete="SET NULL"))

    application = relationship("Application")
    agreement_file = relationship("StoredFile")
    tranches: Mapped[list[Tranche]] = relationship(
        back_populates="award", order_by="Tranche.sequence", cascade="all, delete-orphan")
    disbursements: Mapped[list[Disbursement]] = relationship(
        back_populates="award", order_by="Disbursement.id")


class Tranche(db.Model):
    __tablename__ = "tranches"
    __table_args__ = (UniqueConstraint("award_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"),
                                          index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    percentage: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    planned_amount: Mapped[Decimal] = mapped_column(MoneyAmount)
    planned_on: Mapped[date | None] = mapped_column(Date)
    condition: Mapped[TrancheCondition] = mapped_column(_enum(TrancheCondition))

    award: Mapped[Award] = relationship(back_populates="tranches")


class Disbursement(db.Model):
    """One entry of the append-only ledger: a payment request moving to paid (or rejected,
    or cancelled), or a reversal correcting a paid entry. Paid entries never change."""

    __tablename__ = "disbursements"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="RESTRICT"),
                                          index=True)
    tranche_id: Mapped[int | None] = mapped_column(ForeignKey("tranches.id",
                                                              ondelete="RESTRICT"))
    kind: Mapped[DisbursementKind] = mapped_column(_enum(DisbursementKind, 20),
                                                   default=DisbursementKind.payment)
    state: Mapped[DisbursementState] = mapped_column(
        _enum(DisbursementState, 20), default=DisbursementState.requested, index=True)
    #: In the award's currency. Negative for a reversal.
    amount: Mapped[Decimal] = mapped_column(MoneyAmount)
    #: A double-submitted form carries the same key, so it creates one entry.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    planned_on: Mapped[date | None] = mapped_column(Date)
    payment_method: Mapped[str] = mapped_column(String(40), default="")
    payee_reference: Mapped[str] = mapped_column(String(120), default="")
    #: A tranche requested although its condition does not hold yet.
    override_reason: Mapped[str] = mapped_column(Text, default="")

    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                   ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                  ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                  ondelete="SET NULL"))
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                   ondelete="SET NULL"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str] = mapped_column(Text, default="")

    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                              ondelete="SET NULL"))
    paid_on: Mapped[date | None] = mapped_column(Date)
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    bank_reference: Mapped[str] = mapped_column(String(120), default="")
    paid_currency: Mapped[str | None] = mapped_column(String(3))
    paid_amount: Mapped[Decimal | None] = mapped_column(MoneyAmount)
    #: Units of the paid currency per one unit of the award's currency (BZD 2.00 per USD).
    exchange_rate: Mapped[Decimal | None] = mapped_column(Numeric(14, 6))
    usd_equivalent: Mapped[Decimal | None] = mapped_column(MoneyAmount)

    #: For a reversal: the paid entry it corrects, and why.
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("disbursements.id",
                                                               ondelete="RESTRICT"))
    reversal_reason: Mapped[str] = mapped_column(Text, default="")

    award: Mapped[Award] = relationship(back_populates="disbursements")
    tranche = relationship("Tranche")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])
    paid_by = relationship("User", foreign_keys=[paid_by_id])
    reverses = relationship("Disbursement", remote_side=[id])


class PaidEntryIsFinal(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_paid_entries(session, flush_context, instances):
    """The ledger's rule, enforced below every route: a paid entry is never updated or
    deleted (a correction is a new reversal entry)."""
    for obj in list(session.dirty) + list(session.deleted):
        if not isinstance(obj, Disbursement):
            continue
        history = inspect(obj).attrs.state.history
        was_paid = (history.deleted and history.deleted[0] == DisbursementState.paid) or (
            not history.has_changes() and obj.state == DisbursementState.paid)
        if was_paid and (obj in session.deleted or session.is_modified(obj)):
            raise PaidEntryIsFinal("a paid disbursement cannot be changed or deleted")
