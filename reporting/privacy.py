"""Releasing data about people without singling anyone out: k-anonymity for records and
small-cell suppression for counts. Pure functions: no database, no request, no translation
(the callers translate what they show).

**k-anonymity of records.** A record's *quasi-identifiers* are the fields a reader could
know from elsewhere and link on (organisation, sex, age group, sector, country, international
expert). A release is k-anonymous when every combination of released quasi-identifiers is
shared by at least ``k`` records (``PRIVACY_MIN_GROUP``, 5 by default), so that knowing
someone's fields points at a group of at least ``k`` rows, never at one person.

Method (full-domain generalisation along a fixed ladder, then suppression, as in Sweeney's
Datafly):

1. Each quasi-identifier has a hierarchy of levels, level 0 being the value itself:

   - organisation: 0 its name; 1 its sector (the organisation column is then released as
     the sector, which the sector column already gives);
   - country: 0 the ISO 3166-1 alpha-2 code; 1 its region (:data:`REGIONS`); 2 the
     programme's country or "abroad";
   - international expert: 0 the flag; 1 dropped;
   - sex, age group and sector are never generalised (they are the breakdowns the
     indicators report): records differing on them can only be suppressed.

2. The generalisation steps, tried in this order (:data:`LADDER`), each keeping the previous
   ones: none; organisation → sector; country → region; expert dropped; region → programme
   country or abroad. Every record is generalised alike (global recoding), so one column
   means one thing in the whole release.

3. At a step, the records whose generalised combination is shared by fewer than ``k``
   records are *at risk*. The step chosen is the first one whose records at risk number at
   most the suppression allowance ``max(k - 1, ⌊rows × max_suppressed_share⌋)`` (5 % by
   default); when no step meets it, the last step. Generalisation is therefore minimal in
   the ladder's order: every earlier step would suppress more than the allowance.

4. The records still at risk are suppressed: all their quasi-identifiers are replaced by
   :data:`SUPPRESSED`, their other fields (counts such as events attended) are kept, and
   their number is reported. No record is dropped: the release has as many rows as the
   input, in the input's order.

The result depends only on the records and their order. Pseudonyms (:func:`pseudonyms`) are
the one random part: drawn afresh at each release from ``secrets``, so that rows of two
releases cannot be matched by their label, and never derived from a database id.

**Small cells.** A count of people below ``k`` (but not zero) in a breakdown shown to donors
or the public is replaced by "fewer than k" (:func:`suppress_cells`). Totals stay exact, so
a single suppressed cell could be recovered by subtracting the others from the total: when
exactly one cell of a breakdown is suppressed, the smallest other cell is suppressed as well
(complementary suppression), ties broken by position.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: The default minimum size of a group of people released (``PRIVACY_MIN_GROUP``).
MIN_GROUP = 5
#: The share of records that may be suppressed before a further generalisation step is
#: taken.
MAX_SUPPRESSED_SHARE = 0.05
#: What replaces a suppressed quasi-identifier (the caller shows it translated).
SUPPRESSED = "suppressed"
#: The programme country's own region, and the value of every other country at level 2.
HOME = "home"
ABROAD = "abroad"

CENTRAL_AMERICA = "central_america"
CARIBBEAN = "caribbean"
REST_OF_AMERICAS = "rest_of_americas"
EUROPE = "europe"
OTHER = "other"

#: ISO 3166-1 alpha-2 codes → region, following the UN M49 geographic regions: Central
#: America (M49 013, Mexico included, the programme country apart), the Caribbean (029),
#: the rest of the Americas (South America 005 and Northern America 021) and Europe (150).
#: Any other code, or none, is "other".
REGIONS: dict[str, str] = {
    **dict.fromkeys(["CR", "SV", "GT", "HN", "MX", "NI", "PA", "BZ"], CENTRAL_AMERICA),
    **dict.fromkeys([
        "AG", "AI", "AW", "BB", "BL", "BQ", "BS", "CU", "CW", "DM", "DO", "GD", "GP", "HT",
        "JM", "KN", "KY", "LC", "MF", "MQ", "MS", "PR", "SX", "TC", "TT", "VC", "VG", "VI",
    ], CARIBBEAN),
    **dict.fromkeys([
        "AR", "BO", "BR", "BV", "CL", "CO", "EC", "FK", "GF", "GS", "GY", "PE", "PY", "SR",
        "UY", "VE", "BM", "CA", "GL", "PM", "US",
    ], REST_OF_AMERICAS),
    **dict.fromkeys([
        "AD", "AL", "AT", "AX", "BA", "BE", "BG", "BY", "CH", "CZ", "DE", "DK", "EE", "ES",
        "FI", "FO", "FR", "GB", "GG", "GI", "GR", "HR", "HU", "IE", "IM", "IS", "IT", "JE",
        "LI", "LT", "LU", "LV", "MC", "MD", "ME", "MK", "MT", "NL", "NO", "PL", "PT", "RO",
        "RS", "RU", "SE", "SI", "SJ", "SK", "SM", "UA", "VA", "XK",
    ], EUROPE),
}


def region(country: str | None, home: str) -> str:
    """The region of an ISO code; the programme country (``home``) is its own region."""
    code = (country or "").upper()
    if code == home.upper():
        return HOME
    return REGIONS.get(code, OTHER)


def home_or_abroad(country: str | None, home: str) -> str:
    return HOME if (country or "").upper() == home.upper() else ABROAD


#: The quasi-identifiers of a participant, in the order of the released columns.
QUASI_IDENTIFIERS = ("sex", "age", "sector", "organisation", "country", "expert")

#: The generalisation steps, in the order they are tried: the level of each generalised
#: quasi-identifier (those missing stay at level 0).
LADDER: tuple[Mapping[str, int], ...] = (
    {},
    {"organisation": 1},
    {"organisation": 1, "country": 1},
    {"organisation": 1, "country": 1, "expert": 1},
    {"organisation": 1, "country": 2, "expert": 1},
)


def hierarchies(home: str) -> dict[str, Callable[[Mapping[str, Any], int], Any]]:
    """Quasi-identifier → (record, level) → its value at that level."""
    return {
        "organisation": lambda record, level: (
            record["organisation"] if level == 0 else record["sector"]),
        "country": lambda record, level: (
            record["country"] if level == 0 else region(record["country"], home)
            if level == 1 else home_or_abroad(record["country"], home)),
        "expert": lambda record, level: record["expert"] if level == 0 else None,
    }


@dataclass(frozen=True)
class Release:
    """Records released k-anonymously: ``rows`` are the input records (same number, same
    order) with their quasi-identifiers generalised or replaced by :data:`SUPPRESSED`."""

    rows: list[dict[str, Any]]
    k: int
    #: Index of the step of :data:`LADDER` (or of the ladder given) applied.
    step: int
    levels: Mapping[str, int]
    suppressed: int
    #: Records at risk at each step tried, up to the one applied (for the minimality check).
    at_risk: tuple[int, ...]

    def is_generalised(self, field: str) -> bool:
        return self.levels.get(field, 0) > 0


def allowance(rows: int, k: int, share: float = MAX_SUPPRESSED_SHARE) -> int:
    """How many records may be suppressed before generalising further."""
    return max(k - 1, int(rows * share))


def _generalise(record: Mapping[str, Any], levels: Mapping[str, int], quasi: Sequence[str],
                rules: Mapping[str, Callable]) -> tuple:
    return tuple(rules[field](record, levels[field]) if levels.get(field) else record[field]
                 for field in quasi)


def anonymise(records: Iterable[Mapping[str, Any]], *, k: int = MIN_GROUP,
              home: str = "BZ", quasi: Sequence[str] = QUASI_IDENTIFIERS,
              ladder: Sequence[Mapping[str, int]] = LADDER,
              max_suppressed_share: float = MAX_SUPPRESSED_SHARE) -> Release:
    """Release ``records`` (mappings holding at least the ``quasi`` fields) k-anonymously;
    see the module's docstring for the method."""
    if k < 1:
        raise ValueError("k must be at least 1")
    records = list(records)
    rules = hierarchies(home)
    limit = allowance(len(records), k, max_suppressed_share)
    at_risk: list[int] = []
    for levels in ladder:
        keys = [_generalise(record, levels, quasi, rules) for record in records]
        sizes = Counter(keys)
        risky = sum(1 for key in keys if sizes[key] < k)
        at_risk.append(risky)
        if risky <= limit:
            break
    rows = []
    for record, key in zip(records, keys, strict=True):
        row = dict(record)
        released = key if sizes[key] >= k else (SUPPRESSED,) * len(quasi)
        row.update(zip(quasi, released, strict=True))
        rows.append(row)
    return Release(rows, k, len(at_risk) - 1, dict(levels), at_risk[-1], tuple(at_risk))


# Pseudonyms ----------------------------------------------------------------------------------

#: Crockford's base 32 without the letters read as digits (I, L, O) or as a word (U).
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def pseudonyms(count: int, *, length: int = 8, prefix: str = "P-") -> list[str]:
    """``count`` distinct random labels ("P-7F3K2Q9M"), new at every call."""
    labels: list[str] = []
    seen: set[str] = set()
    while len(labels) < count:
        label = prefix + "".join(secrets.choice(ALPHABET) for _ in range(length))
        if label not in seen:
            seen.add(label)
            labels.append(label)
    return labels


# Small cells ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    """One count of a breakdown as released: ``value`` is None when suppressed."""

    key: Hashable
    value: int | None

    @property
    def is_suppressed(self) -> bool:
        return self.value is None


def suppress_cells(counts: Iterable[tuple[Hashable, int]], k: int = MIN_GROUP) -> list[Cell]:
    """The cells of a one-way breakdown of people (key, count), in their order, with every
    count from 1 to ``k - 1`` suppressed, and the smallest other cell too when only one
    would be (so that the total, shown exact, does not give it back). Zero stays zero
    unless it is that complementary cell."""
    counts = list(counts)
    hidden = {index for index, (_key, number) in enumerate(counts) if 0 < number < k}
    if len(hidden) == 1:
        others = [(number, index) for index, (_key, number) in enumerate(counts)
                  if index not in hidden]
        if others:
            hidden.add(min(others)[1])
    return [Cell(key, None if index in hidden else number)
            for index, (key, number) in enumerate(counts)]
