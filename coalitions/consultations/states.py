"""The phases of a consultation and the responses a proposal receives."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from core.enums import TitledEnum
from core.timeutil import as_utc


class Phase(TitledEnum):
    upcoming = "upcoming"
    open = "open"
    closed = "closed"

    __titles__ = {
        upcoming: _l("Not open yet"),
        open: _l("Open for participation"),
        closed: _l("Closed"),
    }


def phase_at(consultation, now: datetime) -> Phase:
    """Open from ``opens_at`` (included) to ``closes_at`` (excluded)."""
    now = as_utc(now)
    if now < as_utc(consultation.opens_at):
        return Phase.upcoming
    if now >= as_utc(consultation.closes_at):
        return Phase.closed
    return Phase.open


class ResponseKind(TitledEnum):
    merged = "merged"
    accepted = "accepted"
    declined = "declined"

    __titles__ = {
        merged: _l("Merged into a commitment"),
        accepted: _l("Accepted, to be drafted"),
        declined: _l("Not taken up"),
    }
    __tones__ = {merged: "done", accepted: "done", declined: "stopped"}


#: The status filter of the proposals list: a response, or none yet.
AWAITING = "awaiting"


def status_titles() -> dict[str, object]:
    return {AWAITING: _l("Awaiting a response"),
            **{kind.value: title for kind, title in ResponseKind.titles().items()}}


#: The orders of the proposals list.
SORTS_TITLES = {"support": _l("Most supported"), "date": _l("Newest")}
