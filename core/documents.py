"""The documents of a co-creation process, gathered from every package into one public
repository (the forum's, ``coalitions/forum``), as ``core.work`` gathers the home page.

A package whose rows are documents of the process (a plan's drafts, a consultation's report,
a meeting's minutes) registers a source: a function returning a ``select`` with the columns
of :data:`COLUMNS`, and a function giving a listed row's address::

    @documents.provide("consultations.reports", channel="consultations",
                       url=lambda row: f"/consultations/{row.ref_id}")
    def consultation_reports():
        return select(Consultation.id.label("ref_id"),
                      literal(DocumentKind.consultation_report.value).label("kind"), ...)

The repository joins every source's select in one ``UNION ALL`` and searches, filters and
pages it in SQL, so a page costs the same few statements whatever the sources hold. Core
imports none of the packages that register: each does so in its ``queries.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from core.enums import TitledEnum


class DocumentKind(TitledEnum):
    draft_plan = "draft_plan"
    minutes = "minutes"
    consultation_report = "consultation_report"
    plan = "plan"
    other = "other"

    __titles__ = {
        draft_plan: _l("Draft action plan"),
        minutes: _l("Minutes"),
        consultation_report: _l("Consultation report"),
        plan: _l("Action plan"),
        other: _l("Other document"),
    }


#: The columns (labels) every source's select gives, in this order: the row's id in its own
#: table, the kind (a ``DocumentKind`` value), the title and description in the programme's
#: main language, the row's ``translations`` (JSON, keys ``title`` and ``description``), the
#: document's date and, when the document is a link, the link (else NULL).
COLUMNS = ("ref_id", "kind", "title", "description", "translations", "document_date", "link")


@dataclass(frozen=True)
class DocumentSource:
    name: str
    #: ``() -> Select`` with the labelled :data:`COLUMNS`; only what the public may see.
    query: Callable
    #: ``(row) -> str``: the address of a listed row (a path of this site).
    url: Callable
    #: The ``core.freshness`` channel whose version moves when the source's rows change
    #: (the repository's page is validated by it).
    channel: str | None = None


_sources: dict[str, DocumentSource] = {}


def provide(name: str, *, url: Callable, channel: str | None = None) -> Callable:
    """Register the decorated select-building function as the source ``name``."""

    def register(function: Callable) -> Callable:
        existing = _sources.get(name)
        if existing is not None and (existing.query.__module__, existing.query.__qualname__) \
                != (function.__module__, function.__qualname__):
            raise RuntimeError(f"{name!r} is already provided by {existing.query.__module__}")
        _sources[name] = DocumentSource(name, function, url, channel)
        return function

    return register


def sources() -> list[DocumentSource]:
    return [_sources[name] for name in sorted(_sources)]


def source(name: str) -> DocumentSource:
    return _sources[name]
