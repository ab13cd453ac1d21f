"""Counts of people as a reader may see them, for the packages that come before
``reporting``: ``reporting.disclosure`` holds the rule (exact for programme staff, small cells
withheld for everyone else, with the complement of a share) and provides it here when it is
imported, so a consultation's page withholds exactly as the indicators do.

Asking before a rule is provided is an error, never an exact count shown by default.
"""

from __future__ import annotations

from typing import Protocol


class Rule(Protocol):
    def count(self, user, number: int): ...

    def share(self, user, part: int, total: int): ...


_rule: Rule | None = None


def provide(rule: Rule) -> None:
    global _rule
    _rule = rule


def count(user, number: int):
    """A count of people standing alone, as ``user`` may see it."""
    if _rule is None:
        raise RuntimeError("no disclosure rule is provided (reporting.disclosure)")
    return _rule.count(user, number)


def share(user, part: int, total: int):
    """``part`` of ``total`` people (the women among participants, say), withheld with its
    complement, as ``user`` may see it."""
    if _rule is None:
        raise RuntimeError("no disclosure rule is provided (reporting.disclosure)")
    return _rule.share(user, part, total)
