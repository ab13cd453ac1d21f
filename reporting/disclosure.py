"""Counts of people as a reader may see them: exact for programme staff, with small cells
suppressed for everyone else (donors, finance officers, the anonymised workbook), by the rule
of :func:`reporting.privacy.suppress_cells` with ``k = PRIVACY_MIN_GROUP``.

A suppressed count is a :class:`Fewer`: it prints as "fewer than 5" in the reader's
language, counts as no bar on a chart, and is never a number a page could add up.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import TypeVar

from flask import current_app
from flask_babel import gettext
from markupsafe import escape

from accounts.policies import is_staff
from core import disclosure as core_disclosure
from reporting import privacy

K = TypeVar("K", bound=Hashable)


class Fewer:
    """A count of people withheld because it is below ``k`` (or would give one back)."""

    __slots__ = ("k",)

    def __init__(self, k: int):
        self.k = k

    def __str__(self) -> str:
        return gettext("fewer than %(k)d", k=self.k)

    def __html__(self) -> str:
        return str(escape(str(self)))

    def __eq__(self, other) -> bool:
        return isinstance(other, Fewer) and other.k == self.k

    def __hash__(self) -> int:
        return hash(("fewer", self.k))

    def __repr__(self) -> str:
        return f"Fewer({self.k})"


def configured_k() -> int:
    return int(current_app.config.get("PRIVACY_MIN_GROUP", privacy.MIN_GROUP))


def min_group_for(user) -> int | None:
    """The ``k`` the reader's breakdowns of people are released with; None for programme
    staff, who see every count exact."""
    return None if is_staff(user) else configured_k()


def suppressed_pairs(rows: Iterable[tuple[K, int]], k: int | None) -> list[tuple[K, int | Fewer]]:
    """(key, count) pairs of one breakdown, in their order, the small cells as
    :class:`Fewer` (unchanged when ``k`` is None)."""
    rows = list(rows)
    if k is None:
        return rows
    return [(key, Fewer(k) if cell.is_suppressed else cell.value)
            for (key, _number), cell in zip(rows, privacy.suppress_cells(rows, k), strict=True)]


def breakdown(counts: Mapping[K, int], k: int | None) -> dict[K, int | Fewer]:
    """A breakdown of people (key → count) as released with ``k``."""
    return dict(suppressed_pairs(counts.items(), k))


def count(number: int, k: int | None) -> int | Fewer:
    """A count of people standing alone (the people one organisation sent, say): withheld
    from 1 to ``k - 1``."""
    return Fewer(k) if k is not None and 0 < number < k else number


def share(part: int, total: int, k: int | None) -> int | Fewer:
    """One count of people out of ``total`` (women among participants, say), suppressed
    with its complement: the part is withheld when it, or the rest, is a small cell."""
    return suppressed_pairs([("part", part), ("rest", total - part)], k)[0][1]


def plotted(value) -> int | None:
    """The value a chart draws: none for a withheld count."""
    return None if isinstance(value, Fewer) else value


def cell(value):
    """The value as a spreadsheet cell: a withheld count as its words."""
    return str(value) if isinstance(value, Fewer) else value


class _ReadersRule:
    """The rule as ``core.disclosure`` asks for it: by reader."""

    @staticmethod
    def count(user, number: int):
        return count(number, min_group_for(user))

    @staticmethod
    def share(user, part: int, total: int):
        return share(part, total, min_group_for(user))


core_disclosure.provide(_ReadersRule())
