"""Progress report workflow, as data."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from core.enums import TitledEnum
from core.workflow import Transition, Workflow

# The kinds of report are set by the grant agreement (its tranches wait on them): they live
# with the awards, an earlier stage.
from grants.awards.states import ReportKind  # noqa: F401


class ReportState(TitledEnum):
    due = "due"
    submitted = "submitted"
    returned = "returned"
    accepted = "accepted"

    # In context: a report's "Due" is a state (not a date column's heading), and Spanish
    # agrees "Submitted" with "informe", not "solicitud".
    __titles__ = {
        due: lazy_pgettext("report state", "Due"),
        submitted: lazy_pgettext("report state", "Submitted"),
        returned: _l("Returned for changes"),
        accepted: lazy_pgettext("report state", "Accepted"),
    }


def _review_refusal(report):
    return _l("Only a submitted report can be accepted or returned; this one is "
              "“%(state)s”.", state=report.state.title)


_R = ReportState

#: The grantee submits (again after a return); staff accept or return.
REPORT_WORKFLOW = Workflow("report", [
    Transition("submit", _R.due, _R.submitted),
    Transition("resubmit", _R.returned, _R.submitted),
    Transition("accept", _R.submitted, _R.accepted, refusal=_review_refusal),
    Transition("return", _R.submitted, _R.returned, refusal=_review_refusal),
], refusal=lambda report: _l("This cannot be done while the report is “%(state)s”.",
                             state=report.state.title))


class Sex(enum.StrEnum):
    female = "female"
    male = "male"
    other = "other"


class AgeGroup(enum.StrEnum):
    under_30 = "under_30"
    from_30 = "from_30"
