"""The multi-stakeholder forum (one for the programme), its members, meetings, decisions
and the documents staff add to the public repository of the co-creation process."""

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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coalitions.forum.states import MeetingFormat
from core.documents import DocumentKind
from core.extensions import db
from core.models import TimestampMixin
from core.timeutil import UTCDateTime
from core.translations import Translatable

forum_coalitions = Table(
    "forum_coalitions", db.metadata,
    Column("forum_id", ForeignKey("forums.id", ondelete="CASCADE"), primary_key=True),
    Column("coalition_id", ForeignKey("coalitions.id", ondelete="CASCADE"), primary_key=True),
)

#: The member organisations present at a meeting (by their membership in the forum).
meeting_attendance = Table(
    "forum_meeting_attendance", db.metadata,
    Column("meeting_id", ForeignKey("forum_meetings.id", ondelete="CASCADE"),
           primary_key=True),
    Column("member_id", ForeignKey("forum_members.id", ondelete="CASCADE"), primary_key=True),
)


class Forum(Translatable, TimestampMixin, db.Model):
    """The programme's multi-stakeholder forum; there is one, made when staff first write
    to it."""

    __tablename__ = "forums"
    __translatable__ = ("name", "rules")

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: The public rules of participation, in Markdown.
    rules: Mapped[str] = mapped_column(Text, default="")

    coalitions = relationship("Coalition", secondary=forum_coalitions,
                              order_by="Coalition.name")


class ForumMember(TimestampMixin, db.Model):
    """An organisation's period in the forum, with the person who represents it."""

    __tablename__ = "forum_members"
    __table_args__ = (
        CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"),
                                          index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    representative_name: Mapped[str] = mapped_column(String(200), default="")
    representative_role: Mapped[str] = mapped_column(String(200), default="")
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)

    organisation = relationship("Organisation")


class Meeting(Translatable, TimestampMixin, db.Model):
    __tablename__ = "forum_meetings"
    __translatable__ = ("title", "agenda", "minutes")
    __table_args__ = (
        CheckConstraint("other_attendees >= 0", name="other_attendees_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"),
                                          index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The day of ``starts_at`` in the programme's time zone (filters and the repository).
    held_on: Mapped[date] = mapped_column(Date, index=True)
    format: Mapped[MeetingFormat] = mapped_column(
        Enum(MeetingFormat, native_enum=False, length=20), default=MeetingFormat.in_person)
    place: Mapped[str] = mapped_column(String(300), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")
    #: People present who do not represent a member organisation.
    other_attendees: Mapped[int] = mapped_column(Integer, default=0)
    is_published: Mapped[bool] = mapped_column(Boolean, default=False)

    forum: Mapped[Forum] = relationship()
    attendees = relationship("ForumMember", secondary=meeting_attendance)
    decisions: Mapped[list[MeetingDecision]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan",
        order_by="MeetingDecision.position, MeetingDecision.id")


class MeetingDecision(Translatable, db.Model):
    """One decision a meeting took, in a sentence or two."""

    __tablename__ = "forum_decisions"
    __translatable__ = ("text",)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("forum_meetings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(String(500))

    meeting: Mapped[Meeting] = relationship(back_populates="decisions")


class RepositoryDocument(Translatable, TimestampMixin, db.Model):
    """A document of the co-creation process that staff add to the repository: an uploaded
    file or a link to a page of this site."""

    __tablename__ = "forum_documents"
    __translatable__ = ("title", "description")
    __table_args__ = (
        CheckConstraint("(file_id IS NULL) <> (link IS NULL)", name="file_or_link"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"),
                                          index=True)
    kind: Mapped[DocumentKind] = mapped_column(Enum(DocumentKind, native_enum=False,
                                                    length=30), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    document_date: Mapped[date] = mapped_column(Date, index=True)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id",
                                                           ondelete="RESTRICT"))
    #: A path of this site (``/action-plans/3``).
    link: Mapped[str | None] = mapped_column(String(500))

    file = relationship("StoredFile")
