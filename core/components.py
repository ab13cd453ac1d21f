"""What the template components (``templates/_macros/ui.html``) need from Python.

- ``state_tone(state)``: the colour family of a state badge. A state enum may say it with a
  ``__tones__`` mapping (value → tone); otherwise its value is looked up in ``TONES``, so
  "awarded" reads as done and "overdue" as a problem wherever either appears.
- ``may_open(endpoint)``: whether the reader passes the policy the target view declares with
  ``core.access.policy_required``; the ``link`` macro renders a link only then. Views whose
  policy needs the object (an application, a report) are linked with ``allowed=`` set from
  that object's policy, so no page offers a link its reader would be refused.
"""

from __future__ import annotations

from enum import Enum

from flask import Flask, current_app
from flask_login import current_user

#: Tones, from good to bad: "done" (finished well), "active" (moving, nothing to do),
#: "waiting" (someone must act), "stopped" (ended without success), and "neutral".
TONES = {
    "done": {"accepted", "approved", "awarded", "complete", "decided", "eligible", "endorsed",
             "paid", "published", "sent", "signed", "submitted", "verified", "open"},
    "active": {"active", "assigned", "in_progress", "in_review", "forming", "queued",
               "sending"},
    "waiting": {"draft", "due", "pending", "pending_signature", "requested", "returned",
                "waitlist", "waitlisted", "delayed", "not_started", "changes_requested",
                "suspended"},
    "stopped": {"cancelled", "closed", "dead", "declined", "dissolved", "ineligible",
                "rejected", "revoked", "terminated", "voided", "withdrawn", "overdue",
                "archived", "dormant"},
}
_TONE_OF = {value: tone for tone, values in TONES.items() for value in values}


def state_tone(state) -> str:
    """The tone for a state enum member, or for a bare value such as "overdue"."""
    value = state.value if isinstance(state, Enum) else str(state)
    own = getattr(type(state), "__tones__", None) if isinstance(state, Enum) else None
    if own and value in own:
        return own[value]
    return _TONE_OF.get(value, "neutral")


def may_open(endpoint: str) -> bool:
    """True when the view behind ``endpoint`` lets the current reader in, as far as its
    declared policy can tell without loading anything; views without one are open."""
    view = current_app.view_functions.get(endpoint)
    if view is None:
        return False
    policy = getattr(view, "policy", None)
    if policy is None:
        return True
    allowed, _reason = policy(current_user)
    return bool(allowed)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(state_tone=state_tone, may_open=may_open)
