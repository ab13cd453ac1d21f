"""What every sheet module hands to the builder: a sheet not written yet."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from core.spreadsheets import Column


@dataclass
class SheetSpec:
    """A sheet's translated title and columns, its rows (a generator: nothing is read from
    the database until the sheet is written) and the columns totalled below the data."""

    title: str
    columns: list[Column]
    rows: Iterable[Sequence[Any]]
    #: Column index → "sum" (see ``core.spreadsheets.TOTAL_FUNCTIONS``).
    totals: dict[int, str] = field(default_factory=dict)


def zone() -> str:
    """The programme's time zone, named in the title of every column of times."""
    return current_app.config["PROGRAMME_TIMEZONE"]


def at(label: str) -> str:
    """A column title for times, naming the zone: "Submitted (America/Belize)"."""
    return _("%(label)s (%(zone)s)", label=label, zone=zone())


def title_of(value) -> str | None:
    """The translated title of an enum value (None stays empty)."""
    return None if value is None else value.title


def money_totals(columns: list[Column], *indexes: int) -> dict[int, str]:
    """Sum ``indexes``, but only those money columns that have a single currency: amounts
    in different currencies are never added up."""
    return {index: "sum" for index in indexes
            if columns[index].kind != "money" or columns[index].currency}
