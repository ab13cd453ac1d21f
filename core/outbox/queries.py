from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from core import work
from core.extensions import db
from core.outbox.models import OutboxMessage
from core.outbox.states import MessageState
from core.policies import can_manage_outbox


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


@work.provide("outbox.dead", _l("Email"), can_manage_outbox, order=90,
              see_all="platform_admin.outbox")
def dead_letters_work(user, today) -> list[work.WorkItem]:
    """Emails the worker gave up on: someone did not hear from the programme."""
    dead = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.state == MessageState.dead))
    if not dead:
        return []
    return [work.WorkItem(label=_("Emails that could not be delivered"), count=dead,
                          url=url_for("platform_admin.outbox", state=MessageState.dead.value),
                          overdue=True)]
