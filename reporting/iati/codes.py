"""The IATI code-list values the export writes, and the thematic areas' DAC sectors.

Only the codes used are named here (the code lists themselves are the standard's); each
comment gives the code's name in its list.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from flask import current_app

from accounts.organisations.states import Sector
from grants.awards.states import AwardState

# OrganisationRole
FUNDING, ACCOUNTABLE, EXTENDING, IMPLEMENTING = "1", "2", "3", "4"

# OrganisationType, from the directory's sector; sectors with no single match get none
# (the attribute is optional on participating organisations).
ORGANISATION_TYPES = {
    Sector.government: "10",      # Government
    Sector.civil_society: "22",   # National NGO
    Sector.private: "70",         # Private Sector
    Sector.academic: "80",        # Academic, Training and Research
    Sector.other: "90",           # Other
}
#: reporting-org must have a type: a National NGO unless configured otherwise.
DEFAULT_REPORTING_ORG_TYPE = "22"

# ActivityStatus. A terminated award was stopped before its end: "Cancelled" (5) rather than
# "Closed" (4), which means the activity was completed.
IMPLEMENTATION, CLOSED, CANCELLED, SUSPENDED = "2", "4", "5", "6"
ACTIVITY_STATUS = {
    AwardState.active: IMPLEMENTATION,
    AwardState.suspended: SUSPENDED,
    AwardState.closed: CLOSED,
    AwardState.terminated: CANCELLED,
}

# ActivityDateType
PLANNED_START, ACTUAL_START, PLANNED_END, ACTUAL_END = "1", "2", "3", "4"
# TransactionType
COMMITMENT, DISBURSEMENT = "2", "3"
# RelatedActivityType
PARENT, CHILD = "1", "2"
# DescriptionType
GENERAL, OTHER = "1", "4"
# DocumentCategory A12: Activity Web Page
WEB_PAGE = "A12"
# SectorVocabulary 1: OECD DAC CRS Purpose Codes (5 digit)
DAC_5 = "1"
# FinanceType 110: Standard grant; AidType C01: Project-type interventions (vocabulary 1)
STANDARD_GRANT, PROJECT_TYPE = "110", "C01"
# LocationReach 1: Activity; LocationExactness 2: Approximate; FeatureDesignation ADM1: a
# first-order administrative division (a district of Belize)
ACTIVITY_REACH, APPROXIMATE, FIRST_ORDER_DIVISION = "1", "2", "ADM1"

#: ISO 3166-2 codes of Belize's districts, used as each location's own reference.
DISTRICT_CODES = {"Belize": "BZ-BZ", "Cayo": "BZ-CY", "Corozal": "BZ-CZL",
                  "Orange Walk": "BZ-OW", "Stann Creek": "BZ-SC", "Toledo": "BZ-TOL"}


@lru_cache(maxsize=1024)
def key(name: str) -> str:
    """An area name compared without case, accents or extra spaces (the few names of a file's
    thousands of activities worked out once each)."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(text.casefold().split())


def sectors(areas: tuple[str, ...]) -> list[tuple[str, str]]:
    """The DAC 5-digit sectors of a project's thematic areas, ``(code, percentage)`` with the
    percentages adding up to 100 (the standard's rule per vocabulary), from ``IATI_SECTORS``
    (area name -> code). Areas without a code, or no public area at all, give
    ``IATI_DEFAULT_SECTOR``: every activity of the programme is in its field."""
    config = current_app.config
    mapping = {key(name): code for name, code in config["IATI_SECTORS"].items()}
    codes: list[str] = []
    for area in areas:
        code = mapping.get(key(area)) or config["IATI_DEFAULT_SECTOR"]
        if code not in codes:
            codes.append(code)
    if not codes:
        codes = [config["IATI_DEFAULT_SECTOR"]]
    share, rest = divmod(10000, len(codes))  # hundredths of a percent
    return [(code, _percentage(share + (rest if index == 0 else 0)))
            for index, code in enumerate(codes)]


def _percentage(hundredths: int) -> str:
    whole, part = divmod(hundredths, 100)
    return f"{whole}" if not part else f"{whole}.{part:02d}"
