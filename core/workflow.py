"""Workflows as data: a state enum plus a table of named transitions.

Each package's ``states.py`` declares its transitions by name ("sign", "resume", "suspend"):
the states they leave, the state they reach, what must hold for the object (the guard), who
may trigger them, and the action its audit entry records. Operations call
``workflow.check(obj, "sign", user)`` before changing state, so no transition happens that
the table does not list; templates ask ``workflow.available`` which buttons to show.

Two transitions may reach the same state from different ones (signing and resuming both make
an award active): the name, not the pair of states, tells them apart.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from core.errors import OperationError


def _always(*_args) -> tuple[bool, str]:
    return True, ""


def _states(source) -> frozenset:
    # A StrEnum member is itself iterable (as a string): one state is not a list of them.
    if isinstance(source, enum.Enum):
        return frozenset({source})
    return frozenset(source)


@dataclass(frozen=True)
class Transition:
    #: What the transition is called ("submit", "sign"), unique in its workflow.
    name: str
    #: The state or states it leaves from.
    sources: frozenset
    target: enum.Enum
    #: ``(user, obj) -> (allowed, reason)``: who may trigger it.
    who: Callable = field(default=_always)
    #: ``(obj) -> (ok, reason)``: what must hold for the object.
    guard: Callable = field(default=_always)
    #: The audit entry's action; the workflow fills in "<workflow>.<name>" if not given.
    audit: str = ""
    #: ``(obj) -> message`` when it cannot start from the object's state; by default the
    #: workflow's.
    refusal: Callable | None = None

    def __post_init__(self):
        object.__setattr__(self, "sources", _states(self.sources))

    @property
    def action(self) -> str:
        """The name, as templates and forms know it (e.g. to pick a button's label)."""
        return self.name

    def leaves(self, state) -> bool:
        return state in self.sources


class Workflow:
    def __init__(self, name: str, transitions: Iterable[Transition], *,
                 refusal: Callable | None = None):
        """``refusal(obj)`` words the error when a transition cannot start from the object's
        state; by default "This cannot be done while it is “<state>”."."""
        self.name = name
        self.transitions = [t if t.audit else replace(t, audit=f"{name}.{t.name}")
                            for t in transitions]
        self._by_name = {t.name: t for t in self.transitions}
        if len(self._by_name) != len(self.transitions):
            raise ValueError(f"Workflow {name}: transition names must be unique.")
        self._refusal = refusal

    def __getitem__(self, name: str) -> Transition:
        return self._by_name[name]

    def find(self, source, target) -> Transition | None:
        """The transition from ``source`` to ``target``, for forms that post the state
        wanted (each pair of states has at most one transition in such workflows)."""
        return next((t for t in self.transitions if t.target == target and t.leaves(source)),
                    None)

    def allows(self, state, name: str) -> bool:
        """Whether the transition called ``name`` starts from ``state`` (guards aside)."""
        transition = self._by_name.get(name)
        return transition is not None and transition.leaves(state)

    def check(self, obj, name, user=None, *, state=None) -> Transition:
        """The transition called ``name`` (or, given a state, the one reaching it) from
        ``obj.state``, or OperationError saying why it cannot be made now. ``state`` stands
        for ``obj.state`` when there is no object yet (a review not yet written is a
        draft)."""
        state = obj.state if state is None else state
        if isinstance(name, enum.Enum):
            transition = self.find(state, name)
        else:
            transition = self._by_name.get(name)
            if transition is None:
                raise KeyError(f"Workflow {self.name} has no transition {name!r}.")
        if transition is None or not transition.leaves(state):
            refusal = transition.refusal if transition and transition.refusal else self._refusal
            raise OperationError(refusal(obj) if refusal else _not_possible(state))
        for allowed, reason in (transition.who(user, obj), transition.guard(obj)):
            if not allowed:
                raise OperationError(reason)
        return transition

    def available(self, obj, user) -> list[Transition]:
        """Transitions the user may trigger now (guards are checked when they act)."""
        return [t for t in self.transitions
                if t.leaves(obj.state) and t.who(user, obj)[0]]

    def targets_from(self, state) -> set:
        return {t.target for t in self.transitions if t.leaves(state)}

    def pairs(self) -> dict[tuple, str]:
        """``{(source, target): name}``: the table read as moves between states."""
        return {(source, t.target): t.name for t in self.transitions for source in t.sources}


def _not_possible(state):
    from flask_babel import lazy_gettext as _l
    return _l("This cannot be done while it is “%(state)s”.",
              state=str(getattr(state, "title", state.value)))
