""""My work": what waits for each person, gathered from every package onto the home page.

Each package provides, in its ``queries.py``, a function that lists the items one kind of
person has to act on, with the policy that says who that is::

    @work.provide("reviews.assignments", _l("Reviews to write"), can_review, order=20)
    def assignments_to_write(user, today): ...

and the home page asks ``work.sections_for(user, today)``, so core never imports the packages
that fill it (as ``core.navigation`` does for the menu). A provider runs a fixed number of
statements whatever the data: counts and a short list, each item one click from its action.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from core.timeutil import to_programme_time

#: How many items of one kind a section lists before it says how many more there are.
LIST_LIMIT = 5


@dataclass(frozen=True)
class WorkItem:
    """One thing to act on, or a count of things of one kind, linking to where to act."""

    label: str
    url: str
    #: How many things the item stands for, when it stands for more than one.
    count: int | None = None
    #: When it is due (a day, or a moment shown in the programme's time zone).
    due: date | datetime | None = None
    #: A short second line: the organisation, the amount, the progress.
    detail: str = ""
    overdue: bool = False


@dataclass(frozen=True)
class WorkSource:
    name: str
    heading: object  # a lazy string, resolved in the reader's language
    #: ``(user) -> (allowed, reason)``: whose home page shows the section.
    policy: Callable
    items: Callable[..., list[WorkItem]]
    order: int = 50
    #: The endpoint of the page with the whole list, when there is one.
    see_all: str | None = None


@dataclass
class WorkSection:
    name: str
    heading: object
    items: list[WorkItem] = field(default_factory=list)
    #: Items beyond those listed, counted but not shown.
    more: int = 0
    #: The endpoint of the page with the whole list, when there is one.
    see_all: str | None = None


_sources: dict[str, WorkSource] = {}


def provide(name: str, heading, policy: Callable, order: int = 50,
            see_all: str | None = None) -> Callable:
    """Register the decorated ``(user, today) -> list[WorkItem]`` function under ``name``."""

    def register(function: Callable) -> Callable:
        existing = _sources.get(name)
        if existing is not None and (existing.items.__module__, existing.items.__qualname__) \
                != (function.__module__, function.__qualname__):
            raise RuntimeError(f"{name!r} is already provided by {existing.items.__module__}")
        _sources[name] = WorkSource(name, heading, policy, function, order, see_all)
        return function

    return register


def sources() -> list[WorkSource]:
    return sorted(_sources.values(), key=lambda source: (source.order, source.name))


def sections_for(user, today: date) -> list[WorkSection]:
    """The sections of ``user``'s home page that have something in them, in menu order."""
    sections = []
    for source in sources():
        if not source.policy(user)[0]:
            continue
        items = source.items(user, today)
        if items:
            sections.append(WorkSection(source.name, source.heading, items[:LIST_LIMIT],
                                        more=max(0, len(items) - LIST_LIMIT),
                                        see_all=source.see_all))
    return sections


def days_left(due: date | datetime | None, today: date) -> int | None:
    """Whole days from ``today`` to ``due`` (negative when past); a moment counts by its day
    in the programme's time zone, as the reader's calendar does."""
    if due is None:
        return None
    day = to_programme_time(due).date() if isinstance(due, datetime) else due
    return (day - today).days
