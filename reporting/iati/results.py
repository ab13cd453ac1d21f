"""Where a results framework adds ``result`` elements to the IATI activities.

The export does not know about outcomes, indicators or targets. A package that does registers
a provider here; the export asks every provider for each activity it writes and puts what they
return, in registration order, where the schema wants results. With nothing registered (as
now) no activity has a result::

    # reporting/results/iati.py (imported when that package loads)
    from reporting.iati import results

    @results.provide
    def award_results(activity: results.Activity) -> list:
        if activity.award_id is None:        # the programme's own activity
            return programme_result_elements(...)
        return [result_element(...) for ... in outcomes_of(activity.award_id)]

A provider returns lxml ``result`` elements (namespace-free, as the schema defines them) or
an empty list. The whole file is validated against the schema before it is stored or written,
so an element that breaks the schema keeps the last good file in place and is logged; it
never reaches a reader.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Activity:
    """What a provider is told about the activity being written."""

    identifier: str
    #: The award of a project's activity; ``None`` for the programme's activity.
    award_id: int | None = None
    #: The award reference (OGB-G-2026-003), ``None`` for the programme.
    reference: str | None = None


Provider = Callable[[Activity], list]
_providers: list[Provider] = []


def provide(provider: Provider) -> Provider:
    """Register ``provider`` (usable as a decorator); registering it twice has no effect."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def withdraw(provider: Provider) -> None:
    """Remove ``provider`` (for tests)."""
    if provider in _providers:
        _providers.remove(provider)


def elements_for(activity: Activity) -> list:
    """Every registered provider's result elements for ``activity``, in registration
    order."""
    found: list = []
    for provider in _providers:
        found.extend(provider(activity) or ())
    return found
