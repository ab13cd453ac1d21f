from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Enum, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.outbox.states import TRANSITIONS, MessageState
from core.timeutil import UTCDateTime, utcnow


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_due", "state", "next_attempt_at"),
        Index("ix_outbox_messages_secret_links", "holds_secret_link", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    state: Mapped[MessageState] = mapped_column(
        Enum(MessageState, native_enum=False, length=20), default=MessageState.queued
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    #: What the message is about, e.g. "accounts.confirm", for filtering and tests.
    kind: Mapped[str] = mapped_column(String(80), default="", index=True)
    #: The body still carries a working token link (reset, confirmation, invitation,
    #: endorsement); cleared when the link is scrubbed after delivery or expiry.
    holds_secret_link: Mapped[bool] = mapped_column(Boolean, default=False)

    def move_to(self, state: MessageState) -> None:
        if (self.state, state) not in TRANSITIONS:
            raise ValueError(f"outbox message cannot go from {self.state} to {state}")
        self.state = state
