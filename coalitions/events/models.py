from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Enum,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

# The enums live in coalitions.events.states; importing them from here keeps working.
from coalitions.events.states import AttendanceRole, EventType, Sex  # noqa: F401
from core.extensions import db
from core.models import TimestampMixin
from core.timeutil import UTCDateTime

event_partners = Table(
    "event_partners", db.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"),
           primary_key=True),
)


class Event(TimestampMixin, db.Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[EventType] = mapped_column(Enum(EventType, native_enum=False, length=20),
                                            index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date] = mapped_column(Date)
    district: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(2), default="BZ")
    is_online: Mapped[bool] = mapped_column(Boolean, default=False)
    venue: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"))
    agenda_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id",
                                                                  ondelete="RESTRICT"))

    organiser = relationship("Organisation")
    partners = relationship("Organisation", secondary=event_partners)
    agenda_file = relationship("StoredFile")
    attendances: Mapped[list[Attendance]] = relationship(
        back_populates="event", cascade="all, delete-orphan")


class Person(TimestampMixin, db.Model):
    """Someone who took part in an event, deduplicated across events. Personal data: staff
    only."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200), index=True)
    #: Lower-cased; the same email is the same person.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    sex: Mapped[Sex | None] = mapped_column(Enum(Sex, native_enum=False, length=20))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True)
    country: Mapped[str] = mapped_column(String(2), default="BZ")
    is_international_expert: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Consent to the programme keeping their data: True given, False refused, None not
    #: recorded (attendance sheets made before consent was asked).
    consent: Mapped[bool | None] = mapped_column(Boolean)
    consent_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the name, email and year of birth were erased (on request or after the
    #: retention period); sex, organisation and each attendance's age group remain.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation = relationship("Organisation")
    attendances: Mapped[list[Attendance]] = relationship(back_populates="person")

    @property
    def shown_name(self) -> str:
        """The name, or "Erased person #12" once it is erased."""
        if self.erased_at is None:
            return self.full_name
        from flask_babel import gettext
        return gettext("Erased person #%(number)s", number=self.id)


class Attendance(db.Model):
    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("event_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           index=True)
    role: Mapped[AttendanceRole] = mapped_column(
        Enum(AttendanceRole, native_enum=False, length=20), default=AttendanceRole.participant)
    attended: Mapped[bool] = mapped_column(Boolean, default=True)
    #: The age group at this event ("under_30", "30_and_over"), kept when the person's year
    #: of birth is erased so that every count by age stays exact.
    age_group: Mapped[str | None] = mapped_column(String(20))

    event: Mapped[Event] = relationship(back_populates="attendances")
    person: Mapped[Person] = relationship(back_populates="attendances")
