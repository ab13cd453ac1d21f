"""Workflows as data: a state enum plus a table of allowed transitions.

Each package's ``states.py`` declares its transitions; operations call ``workflow.check`` before
changing state, so no transition happens that the table does not list, and templates ask
``workflow.available`` which buttons to show.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field

from core.errors import OperationError


def _always(*_args) -> tuple[bool, str]:
    return True, ""


@dataclass(frozen=True)
class Transition:
    source: enum.Enum
    target: enum.Enum
    #: Name of the action, used for the audit entry and the button (e.g. "submit").
    action: str
    #: ``(user, obj) -> (allowed, reason)``: who may trigger it.
    who: Callable = field(default=_always)
    #: ``(obj) -> (ok, reason)``: what must hold for the object.
    guard: Callable = field(default=_always)


class Workflow:
    def __init__(self, name: str, transitions: list[Transition]):
        self.name = name
        self.transitions = transitions
        self._by_pair = {(t.source, t.target): t for t in transitions}

    def find(self, source, target) -> Transition | None:
        return self._by_pair.get((source, target))

    def check(self, obj, target, user) -> Transition:
        """The transition from ``obj.state`` to ``target``, or OperationError saying why not."""
        transition = self.find(obj.state, target)
        if transition is None:
            raise OperationError(_not_possible(obj.state, target))
        for decision in (transition.who(user, obj), transition.guard(obj)):
            allowed, reason = decision
            if not allowed:
                raise OperationError(reason)
        return transition

    def available(self, obj, user) -> list[Transition]:
        """Transitions the user may trigger now (guards are checked when they act)."""
        return [t for t in self.transitions
                if t.source == obj.state and t.who(user, obj)[0]]

    def targets_from(self, state) -> set:
        return {t.target for t in self.transitions if t.source == state}


def _not_possible(source, target):
    from flask_babel import lazy_gettext as _l
    return _l("This cannot be done while it is “%(state)s”.",
              state=str(getattr(source, "title", source.value)))
