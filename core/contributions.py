"""Contributions: a later stage of a pipeline supplies an answer or a part of a page that an
earlier stage needs, without the earlier stage importing the later one (as ``core.navigation``
does for the menu).

The later package provides a function under a name when its module is imported::

    @contributions.provide("application.award")
    def award_for_application(application_id): ...

and the earlier package asks for it by that name::

    award = contributions.ask("application.award", application.id)

The package's ``__init__`` imports its providers, so that they are in place whatever module
is imported first. Asking for a name nobody provides is a programming error, not a user's.
"""

from __future__ import annotations

from collections.abc import Callable

_providers: dict[str, Callable] = {}


def provide(name: str) -> Callable[[Callable], Callable]:
    """Register the decorated function as the provider of ``name`` (one provider a name)."""

    def register(function: Callable) -> Callable:
        existing = _providers.get(name)
        # The same function again (its module imported anew) replaces itself; another
        # function under a taken name is a mistake.
        if existing is not None and (existing.__module__, existing.__qualname__) != \
                (function.__module__, function.__qualname__):
            raise RuntimeError(f"{name!r} is already provided by {existing.__module__}")
        _providers[name] = function
        return function

    return register


def ask(name: str, *args, **kwargs):
    """Call the provider of ``name`` with the arguments and return its answer."""
    try:
        provider = _providers[name]
    except KeyError:
        raise LookupError(f"Nothing provides {name!r}: is its package imported?") from None
    return provider(*args, **kwargs)
