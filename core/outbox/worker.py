"""The outbox worker: claims due messages, sends them over SMTP and records the outcome.

Unlike request code it commits itself, twice per batch: once to claim (so a second worker
skips the rows), once to record what happened. A worker that dies mid-batch leaves its claims
to expire after ``OUTBOX_CLAIM_MINUTES``; the message is then sent again (at least once).
"""

from __future__ import annotations

import smtplib
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_mail import Message
from sqlalchemy import and_, or_, select

from core.extensions import db, mail
from core.outbox.models import OutboxMessage
from core.outbox.redaction import scrub, scrub_expired
from core.outbox.states import MessageState
from core.timeutil import utcnow
from core.urls import public_base_url

MAX_BACKOFF = timedelta(hours=6)


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8… minutes after each failed attempt, at most six hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def message_id(message: OutboxMessage) -> str:
    """The same Message-ID for every attempt at one outbox row, so that a message sent again
    after a worker died can be recognised as one message by whoever receives it twice."""
    created = int(message.created_at.timestamp()) if message.created_at else 0
    return f"<outbox-{message.id}.{created}@{urlsplit(public_base_url()).hostname}>"


def smtp_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def claim_due(now: datetime, limit: int) -> list[OutboxMessage]:
    stale = now - timedelta(minutes=current_app.config["OUTBOX_CLAIM_MINUTES"])
    due = or_(
        and_(OutboxMessage.state == MessageState.queued, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.state == MessageState.sending, OutboxMessage.claimed_at < stale),
    )
    # SKIP LOCKED lets several workers share the table on PostgreSQL; SQLite ignores it and
    # serialises writers anyway.
    query = (select(OutboxMessage).where(due).order_by(OutboxMessage.id).limit(limit)
             .with_for_update(skip_locked=True))
    messages = list(db.session.scalars(query))
    for message in messages:
        if message.state == MessageState.queued:
            message.move_to(MessageState.sending)
        message.claimed_at = now
    db.session.commit()
    return messages


def _record_failure(message: OutboxMessage, error: Exception, now: datetime) -> bool:
    """Note a failed attempt; returns True when the message is now a dead letter."""
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    message.claimed_at = None
    if message.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        message.move_to(MessageState.dead)
        return True
    message.move_to(MessageState.queued)
    message.next_attempt_at = now + backoff(message.attempts)
    return False


def send_batch(now: datetime | None = None, limit: int | None = None) -> BatchResult:
    now = now or utcnow()
    limit = limit or current_app.config["OUTBOX_BATCH_SIZE"]
    result = BatchResult()
    # Links that can no longer work leave the outbox even where no mail is ever sent.
    if scrub_expired(now):
        db.session.commit()
    if not smtp_configured():
        return result
    messages = claim_due(now, limit)
    result.claimed = len(messages)
    if not messages:
        return result
    previous_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(current_app.config["MAIL_TIMEOUT"])
    try:
        _deliver(messages, now, result)
    finally:
        socket.setdefaulttimeout(previous_timeout)
        db.session.commit()
    return result


def _deliver(messages: list[OutboxMessage], now: datetime, result: BatchResult) -> None:
    try:
        connection = mail.connect()
        connection.__enter__()
    except (OSError, smtplib.SMTPException) as error:
        for message in messages:
            result.dead += _record_failure(message, error, now)
            result.failed += 1
        return
    try:
        for message in messages:
            try:
                email = Message(subject=message.subject, recipients=[message.recipient],
                                body=message.body_text)
                email.msgId = message_id(message)
                connection.send(email)
            except (OSError, smtplib.SMTPException) as error:
                result.dead += _record_failure(message, error, now)
                result.failed += 1
            else:
                message.move_to(MessageState.sent)
                scrub(message)  # delivered: the recipient has the link, the outbox need not
                message.sent_at = utcnow()
                message.attempts += 1
                message.claimed_at = None
                message.last_error = None
                result.sent += 1
    finally:
        try:
            connection.__exit__(None, None, None)
        except (OSError, smtplib.SMTPException):
            pass
