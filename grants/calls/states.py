"""The life of a call: draft → published → closed → in review → decided → archived."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.enums import TitledEnum
from core.workflow import Transition, Workflow


class CallState(TitledEnum):
    draft = "draft"
    published = "published"
    closed = "closed"
    in_review = "in_review"
    decided = "decided"
    archived = "archived"

    __titles__ = {
        draft: _l("Draft"),
        published: _l("Published"),
        closed: _l("Closed"),
        in_review: _l("In review"),
        decided: _l("Decided"),
        archived: _l("Archived"),
    }


def _staff(user, call) -> tuple[bool, str]:
    from grants.calls.policies import can_manage_calls
    return can_manage_calls(user)


def _ready_to_publish(call) -> tuple[bool, str]:
    missing = call.missing_for_publication()
    if missing:
        return False, str(_l("Before publishing, complete: %(missing)s.",
                             missing=", ".join(str(m) for m in missing)))
    return True, ""


def _deadline_passed(call) -> tuple[bool, str]:
    from core.timeutil import utcnow
    if call.closes_at and utcnow() >= call.closes_at:
        return True, ""
    return False, str(_l("The call can be closed once its closing time has passed."))


CALL_WORKFLOW = Workflow("call", [
    Transition("publish", CallState.draft, CallState.published, _staff, _ready_to_publish),
    Transition("unpublish", CallState.published, CallState.draft, _staff,
               lambda call: (not call.has_submissions(),
                             str(_l("Applications have been submitted: the call stays "
                                    "published.")))),
    Transition("close", CallState.published, CallState.closed, _staff, _deadline_passed),
    Transition("start_review", CallState.closed, CallState.in_review, _staff),
    Transition("decide", CallState.in_review, CallState.decided, _staff),
    Transition("archive", CallState.decided, CallState.archived, _staff),
])
