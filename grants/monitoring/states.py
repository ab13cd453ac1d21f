"""Progress report workflow, as data."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

# The kinds of report are set by the grant agreement (its tranches wait on them): they live
# with the awards, an earlier stage.
from grants.awards.states import ReportKind  # noqa: F401


class ReportState(enum.StrEnum):
    due = "due"
    submitted = "submitted"
    returned = "returned"
    accepted = "accepted"

    @property
    def title(self) -> str:
        return str({ReportState.due: _l("Due"), ReportState.submitted: _l("Submitted"),
                    ReportState.returned: _l("Returned for changes"),
                    ReportState.accepted: _l("Accepted")}[self])


#: (from, to): action. The grantee submits (again after a return); staff accept or return.
REPORT_TRANSITIONS = {
    (ReportState.due, ReportState.submitted): "submit",
    (ReportState.returned, ReportState.submitted): "resubmit",
    (ReportState.submitted, ReportState.accepted): "accept",
    (ReportState.submitted, ReportState.returned): "return",
}


class Sex(enum.StrEnum):
    female = "female"
    male = "male"
    other = "other"


class AgeGroup(enum.StrEnum):
    under_30 = "under_30"
    from_30 = "from_30"
