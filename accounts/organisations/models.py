from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Boolean, Enum, ForeignKey, String, Text, UniqueConstraint, inspect, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

# The enums live in accounts.organisations.states; importing them from here keeps working.
from accounts.organisations.states import SECTOR_TITLES, MemberRole, Sector  # noqa: F401
from accounts.states import InvitationState
from core.extensions import db
from core.models import TimestampMixin
from core.timeutil import UTCDateTime, utcnow

#: Room for a 200-character name once spaced and decomposed; a longer key ends in a digest,
#: so that it still fits the column and a PostgreSQL index entry.
NAME_KEY_LENGTH = 600
_WORDS_AND_MARKS = re.compile(r"\w+|[^\w\s]")


def organisation_name_key(name: str | None) -> str:
    """The name as the directory compares names: without accents, case or spacing
    differences, so "Fundación  Acceso" and "fundacion acceso" are one organisation, and
    "Acceso,Belize" and "Acceso , Belize" too. Computed in Python, so that SQLite and
    PostgreSQL match alike (neither database's lower() removes accents)."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", name or "")
                                       .casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    key = " ".join(_WORDS_AND_MARKS.findall(plain))
    if len(key) > NAME_KEY_LENGTH:
        digest = hashlib.sha256(key.encode()).hexdigest()
        key = f"{key[:NAME_KEY_LENGTH - len(digest) - 1]}#{digest}"
    return key


def _name_key_default(context) -> str:
    # Rows inserted without the ORM (bulk loads) get their key here.
    return organisation_name_key(context.get_current_parameters().get("name"))


class Organisation(TimestampMixin, db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    #: :func:`organisation_name_key` of the name, kept in step by :meth:`_keep_name_key`;
    #: every look-up of an organisation by name compares it.
    name_key: Mapped[str] = mapped_column(String(NAME_KEY_LENGTH), index=True,
                                          default=_name_key_default)
    acronym: Mapped[str | None] = mapped_column(String(30))
    sector: Mapped[Sector] = mapped_column(Enum(Sector, native_enum=False, length=30),
                                           index=True)
    country: Mapped[str] = mapped_column(String(2), default="BZ")
    district: Mapped[str | None] = mapped_column(String(100))
    registration_number: Mapped[str | None] = mapped_column(String(100))
    #: A registered org-id.guide identifier (e.g. ``BZ-COA-...``), when one exists.
    org_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    website: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(50))
    address: Mapped[str | None] = mapped_column(Text)
    is_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    members: Mapped[list[OrganisationMember]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )

    @validates("name")
    def _keep_name_key(self, _key: str, name: str) -> str:
        self.name_key = organisation_name_key(name)
        return name

    @property
    def open_data_identifier(self) -> str:
        """The org-id when registered, otherwise one in the programme's 360Giving namespace."""
        if self.org_id:
            return self.org_id
        prefix = current_app.config["OPEN_DATA_PREFIX"]
        return f"360G-{prefix}-ORG-{self.id}"

    @property
    def display_name(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def member_role(self, user) -> MemberRole | None:
        """The user's role in this organisation, or None when they do not belong to it."""
        user_id = getattr(user, "id", None)
        if user_id is None or self.id is None:
            return None
        if "members" not in inspect(self).unloaded:
            return next((m.role for m in self.members if m.user_id == user_id), None)
        return db.session.scalar(
            select(OrganisationMember.role).where(
                OrganisationMember.organisation_id == self.id,
                OrganisationMember.user_id == user_id,
            )
        )

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name}>"


class OrganisationMember(db.Model):
    __tablename__ = "organisation_members"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[MemberRole] = mapped_column(Enum(MemberRole, native_enum=False, length=20),
                                             default=MemberRole.member)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="members")
    user = relationship("User", back_populates="memberships")


class OrganisationInvitation(db.Model):
    """An owner's invitation to join. Nobody becomes a member until they accept it, signed in
    as the account with the invited address."""

    __tablename__ = "organisation_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[MemberRole] = mapped_column(Enum(MemberRole, native_enum=False, length=20),
                                             default=MemberRole.member)
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    state: Mapped[InvitationState] = mapped_column(
        Enum(InvitationState, native_enum=False, length=20), default=InvitationState.pending)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
    invited_by = relationship("User")

    def expires_at(self) -> datetime:
        return self.created_at + timedelta(seconds=current_app.config["INVITE_TOKEN_MAX_AGE"])

    def is_open(self, now: datetime | None = None) -> bool:
        """Pending and not expired: the only invitations that can still be answered."""
        return (self.state is InvitationState.pending
                and self.expires_at() > (now or utcnow()))
