from __future__ import annotations

import enum


class MessageState(enum.StrEnum):
    queued = "queued"
    sending = "sending"
    sent = "sent"
    dead = "dead"


#: (from, to) pairs a message may move through; anything else is a bug.
TRANSITIONS = {
    (MessageState.queued, MessageState.sending),
    (MessageState.sending, MessageState.sent),
    (MessageState.sending, MessageState.queued),  # failed attempt, will retry
    (MessageState.sending, MessageState.dead),  # gave up after the last attempt
    (MessageState.dead, MessageState.queued),  # an admin retries a dead letter
}
