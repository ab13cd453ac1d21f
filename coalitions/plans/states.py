"""States of a plan's milestones."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class MilestoneState(enum.StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    complete = "complete"
    delayed = "delayed"

    @property
    def title(self) -> str:
        return str({MilestoneState.not_started: _l("Not started"),
                    MilestoneState.in_progress: _l("In progress"),
                    MilestoneState.complete: _l("Complete"),
                    MilestoneState.delayed: _l("Delayed")}[self])
