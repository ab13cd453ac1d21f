"""Enums whose members have translated titles, declared once per enum.

    class Confidence(TitledEnum):
        low = "low"
        high = "high"

        __titles__ = {low: _l("Low"), high: _l("High")}

Inside the class body a member's name still stands for its value, so the mapping is keyed by
the values; ``Confidence.low.title`` is then "Low" in the reader's language. Templates and
forms use ``.title``; choice lists use ``titles()``.
"""

from __future__ import annotations

import enum


class TitledEnum(enum.StrEnum):
    @property
    def title(self) -> str:
        return str(type(self).__titles__[self.value])

    @classmethod
    def titles(cls) -> dict:
        """``{member: lazy title}``, in the order the members are declared."""
        return {member: cls.__titles__[member.value] for member in cls}

    @classmethod
    def untitled(cls) -> list:
        """Members the mapping forgets (a test keeps this empty for every enum)."""
        titles = getattr(cls, "__titles__", {})
        return [member for member in cls if member.value not in titles]
