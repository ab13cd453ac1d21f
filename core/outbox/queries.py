from __future__ import annotations

from sqlalchemy import func, select

from core.extensions import db
from core.outbox.models import OutboxMessage
from core.outbox.states import MessageState


def outbox_messages(state: str | None = None):
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if state:
        query = query.where(OutboxMessage.state == MessageState(state))
    return query


def outbox_counts() -> dict[MessageState, int]:
    rows = db.session.execute(
        select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
    )
    counts = {state: 0 for state in MessageState}
    counts.update({MessageState(state): count for state, count in rows})
    return counts
