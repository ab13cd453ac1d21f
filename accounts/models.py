from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

# The enums live in accounts.states; importing them from here keeps working.
from accounts.states import ROLE_TITLES, InvitationState, Role  # noqa: F401
from core.extensions import db
from core.models import TimestampMixin
from core.timeutil import UTCDateTime, utcnow


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20),
                                       primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(10))
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Bumped on logout and password change: every session holding an older value ends.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    failed_login_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=UserRole.role
    )
    memberships = relationship("OrganisationMember", back_populates="user",
                               cascade="all, delete-orphan")

    # Flask-Login protocol -------------------------------------------------------------
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.is_enabled

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    # Roles -------------------------------------------------------------------------------
    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(row.role for row in self.role_rows)

    def has_role(self, *roles: Role | str) -> bool:
        return any(Role(role) in self.roles for role in roles)

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def is_locked(self, now: datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or utcnow())

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserInvitation(db.Model):
    """An administrator's invitation to take roles. The roles wait here, not on the user,
    until the person accepts through the emailed link."""

    __tablename__ = "user_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    #: Role values, comma-separated.
    roles: Mapped[str] = mapped_column(String(200))
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    state: Mapped[InvitationState] = mapped_column(
        Enum(InvitationState, native_enum=False, length=20), default=InvitationState.pending)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(Role(value) for value in self.roles.split(",") if value)
