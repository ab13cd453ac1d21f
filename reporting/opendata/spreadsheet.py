"""The 360Giving grants as a spreadsheet, one row per grant, in the standard's flattened form.

Column titles are the standard's own, read from the vendored schema and joined with ":" as
360Giving's spreadsheet template does ("Planned Dates:Start Date", "Recipient Org:Name"). A
list that holds several items in some grant (beneficiary locations, classifications) gets
numbered column groups starting at 0 ("Beneficiary Location:0:Name",
"Beneficiary Location:1:Name"), which is how 360Giving's guidance spreads one-to-many values
over the main sheet; a list of at most one item per grant keeps the plain titles. The titles
stay in English whatever the reader's language: they are the standard's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from core.spreadsheets import Column, Workbook
from reporting.opendata.validation import GRANT_SCHEMA, load_schema

SHEET_TITLE = "grants"
#: Excel keeps at most 32,767 characters in a cell; longer texts are cut (the JSON has them
#: whole), leaving room for the quote core.spreadsheets may put before formula-like text.
MAX_CELL_TEXT = 32_000

#: (path in a grant, column kind) of the columns, in the template's order. A path through a
#: list names the list's first item unless it is in REPEATED.
FIELDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("id",), "text"),
    (("title",), "text"),
    (("description",), "text"),
    (("currency",), "text"),
    (("amountAwarded",), "money"),
    (("amountDisbursed",), "money"),
    (("awardDate",), "date"),
    (("plannedDates", "startDate"), "date"),
    (("plannedDates", "endDate"), "date"),
    (("plannedDates", "duration"), "integer"),
    (("recipientOrganization", "id"), "text"),
    (("recipientOrganization", "name"), "text"),
    (("fundingOrganization", "id"), "text"),
    (("fundingOrganization", "name"), "text"),
    (("beneficiaryLocation", "name"), "text"),
    (("beneficiaryLocation", "countryCode"), "text"),
    (("grantProgramme", "code"), "text"),
    (("grantProgramme", "title"), "text"),
    (("fromOpenCall",), "text"),
    (("classifications", "vocabulary"), "text"),
    (("classifications", "code"), "text"),
    (("classifications", "title"), "text"),
    (("dateModified",), "datetime"),
    (("url",), "text"),
    (("dataSource",), "text"),
)
#: Lists that may hold several items per grant, and so may need numbered columns.
REPEATED = ("beneficiaryLocation", "classifications")
#: Columns shown only when some grant has a value (the addresses need a public base URL).
OPTIONAL = ("url", "dataSource")


@dataclass(frozen=True)
class GrantColumn:
    title: str
    kind: str
    #: Keys and list indexes leading to the value in a grant record.
    path: tuple


def schema_title(path: tuple) -> str:
    """The standard's flattened title of ``path``: each field's schema title, list indexes as
    numbers, joined with ":" (("plannedDates", "startDate") -> "Planned Dates:Start Date")."""
    schema = load_schema(GRANT_SCHEMA)
    node = schema
    parts = []
    for key in path:
        if isinstance(key, int):
            parts.append(str(key))
            continue
        node = _resolve(schema, node)
        if "items" in node:
            node = _resolve(schema, node["items"])
        node = node["properties"][key]
        parts.append(node.get("title") or _resolve(schema, node)["title"])
    return ":".join(parts)


def _resolve(schema: dict, node: dict) -> dict:
    reference = node.get("$ref")
    if not reference:
        return node
    if not reference.startswith("#/"):
        raise ValueError(f"only local references are expected in the grant schema: {reference}")
    for part in reference[2:].split("/"):
        schema = schema[part]
    return schema


def columns_for(grants: list[dict]) -> list[GrantColumn]:
    """The columns of a sheet of ``grants``: a repeated list gets numbered groups when some
    grant has several items; the optional addresses appear only when some grant has one."""
    counts = {name: max((len(grant.get(name, ())) for grant in grants), default=0)
              for name in REPEATED}
    columns: list[GrantColumn] = []
    numbered: set[str] = set()
    for path, kind in FIELDS:
        head = path[0]
        if head in OPTIONAL and not any(head in grant for grant in grants):
            continue
        if head in REPEATED and counts[head] > 1:
            if head not in numbered:  # the whole list's groups, at its first field
                numbered.add(head)
                columns.extend(_numbered_groups(head, counts[head]))
            continue
        columns.append(GrantColumn(schema_title(path), kind, path))
    return columns


def _numbered_groups(name: str, count: int) -> Iterator[GrantColumn]:
    fields = [(path, kind) for path, kind in FIELDS if path[0] == name]
    for index in range(count):
        for path, kind in fields:
            numbered = (name, index, *path[1:])
            yield GrantColumn(schema_title(numbered), kind, numbered)


def value_at(grant: dict, path: tuple):
    """The value at ``path`` in ``grant``: lists are entered at the given index, else at
    their first item; ``None`` when absent."""
    current = grant
    for key in path:
        if isinstance(current, list):
            index = key if isinstance(key, int) else 0
            if index >= len(current):
                return None
            current = current[index]
            if isinstance(key, int):
                continue
        if not isinstance(current, dict):
            return None
        current = current.get(key)
        if current is None:
            return None
    return current


def cell_value(value, kind: str):
    """A grant value as the cell core.spreadsheets should write: dates and times as such,
    amounts as they are (Decimal), long texts cut to what Excel holds."""
    if value is None:
        return None
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "datetime":
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, str) and len(value) > MAX_CELL_TEXT:
        return value[:MAX_CELL_TEXT - 1] + "…"
    return value


def build_workbook(grants: list[dict]) -> Workbook:
    """A workbook with the ``grants`` sheet. Times are written in UTC, as in the JSON (the
    standard's "Last Modified" title cannot name a zone)."""
    columns = columns_for(grants)
    workbook = Workbook(timezone="UTC")
    try:
        workbook.add_sheet(
            SHEET_TITLE,
            [Column(column.title, column.kind) for column in columns],
            ([cell_value(value_at(grant, column.path), column.kind) for column in columns]
             for grant in grants))
    except BaseException:
        workbook.close()
        raise
    return workbook
