"""States of a plan's milestones."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.enums import TitledEnum


class MilestoneState(TitledEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    complete = "complete"
    delayed = "delayed"

    __titles__ = {
        not_started: _l("Not started"),
        in_progress: _l("In progress"),
        complete: _l("Complete"),
        delayed: _l("Delayed"),
    }
