"""One 360Giving grant record per published project.

Records are built from :class:`reporting.portal.queries.PublicProject` objects only: that is
the one place deciding what of an award is public, so a part staff held back is ``None`` there
and cannot reach the open data. The partner (government counterpart) and every personal detail
are never part of a record.

A project whose amount, award date, organisation or funder is not public cannot be a valid
360Giving grant (the standard requires them); it is left out and counted by reason, so the
download page can say how many projects are not published as open data.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

from flask import current_app

from accounts.organisations.forms import country_codes
from core.timeutil import as_utc
from grants.applications.models import DISTRICTS
from reporting.opendata.validation import GRANT_SCHEMA, load_schema
from reporting.portal.queries import PublicProject

COUNTRY_CODE = "BZ"
COUNTRY_NAME = "Belize"

#: Why a published project is not in the open data, in the order the page lists them.
LEFT_OUT_REASONS = ("amount", "award_date", "organisation", "funder")

# Control characters other than tab and line feed, DEL and the C1 controls, lone surrogates
# (not encodable as UTF-8) and the two non-characters: removed from every published string.
_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Records:
    """The grants of a set of published projects, and what could not be published."""

    grants: list[dict]
    #: Reason (one of :data:`LEFT_OUT_REASONS`) -> number of projects left out for it.
    left_out: dict[str, int] = field(default_factory=dict)

    @property
    def left_out_total(self) -> int:
        return sum(self.left_out.values())

    @property
    def projects(self) -> int:
        """Published projects considered, whether or not they became grants."""
        return len(self.grants) + self.left_out_total


def prefix() -> str:
    return current_app.config["OPEN_DATA_PREFIX"]


def grant_identifier(reference: str) -> str:
    return f"360G-{prefix()}-{reference}"


def organisation_identifier(org_id: str | None, organisation_id: int) -> str:
    """The org-id.guide identifier when registered, else one in the publisher's namespace."""
    return clean(org_id).strip() or f"360G-{prefix()}-ORG-{organisation_id}"


def vocabulary() -> str:
    return f"{prefix()}-thematic-areas"


def clean(text: str | None) -> str:
    """``text`` fit for the open data: line breaks as line feeds, no control characters."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNWANTED.sub("", text)


def slug(text: str) -> str:
    """A stable ASCII code for a thematic area ("Digital/online requests" ->
    "digital-online-requests"); names without a Latin letter or digit get a code from their
    characters so two areas never share one."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    code = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")[:80].strip("-")
    if code:
        return code
    return "area-" + "-".join(f"{ord(character):x}" for character in text.strip()[:20])


def duration_in_months(starts_on: date, ends_on: date) -> int | None:
    """Whole calendar months from the first to the last day inclusive, a remainder of half a
    month or more counting as one (1 June to 31 May is 12). ``None`` when the end is before
    the start."""
    after = ends_on + timedelta(days=1)
    if after <= starts_on:
        return None
    months = (after.year - starts_on.year) * 12 + after.month - starts_on.month
    if after.day < starts_on.day:
        months -= 1
    anniversary = _add_months(starts_on, months)
    if (after - anniversary).days >= 15:
        months += 1
    return months


def _add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def missing_part(project: PublicProject) -> str | None:
    """The reason ``project`` cannot be a 360Giving grant, or ``None`` when it can."""
    if project.amount is None or project.currency is None:
        return "amount"
    if project.award_date is None:
        return "award_date"
    if project.organisation_id is None or not clean(project.organisation_name):
        return "organisation"
    if project.funder_id is None or not clean(project.funder_name):
        return "funder"
    return None


def build_records(projects: list[PublicProject], *, urls=None) -> Records:
    """The grant records of ``projects``; ``urls`` (optional) is a callable giving a
    project's public page address and the file's address, see :func:`grant_record`."""
    grants: list[dict] = []
    left_out: dict[str, int] = {}
    for project in projects:
        reason = missing_part(project)
        if reason:
            left_out[reason] = left_out.get(reason, 0) + 1
        else:
            grants.append(grant_record(project, urls=urls))
    ordered = {reason: left_out[reason] for reason in LEFT_OUT_REASONS if reason in left_out}
    return Records(grants=grants, left_out=ordered)


def grant_record(project: PublicProject, *, urls=None) -> dict:
    """The 360Giving grant of a project that has every required part (see
    :func:`missing_part`). Amounts stay ``Decimal``; dates are ISO strings."""
    title = clean(project.title) or project.reference
    record: dict = {
        "id": grant_identifier(project.reference),
        "title": title,
        "description": clean(project.summary) or title,
        "currency": project.currency,
        "amountAwarded": project.amount,
    }
    if project.disbursed is not None:
        record["amountDisbursed"] = project.disbursed
    record["awardDate"] = project.award_date.isoformat()
    planned = planned_dates(project)
    if planned:
        record["plannedDates"] = [planned]
    recipient = {
        "id": organisation_identifier(project.organisation_org_id, project.organisation_id),
        "name": clean(project.organisation_name)}
    location = organisation_location(project.organisation_district,
                                     project.organisation_country)
    if location:
        recipient["location"] = [location]
    record["recipientOrganization"] = [recipient]
    record["fundingOrganization"] = [{
        "id": organisation_identifier(project.funder_org_id, project.funder_id),
        "name": clean(project.funder_name)}]
    record["beneficiaryLocation"] = beneficiary_locations(project.districts)
    record["grantProgramme"] = [{"code": f"call-{project.call_id}",
                                 "title": clean(project.call_title)}]
    record["fromOpenCall"] = "Yes"
    areas = classifications(project.areas)
    if areas:
        record["classifications"] = areas
    record["dateModified"] = timestamp(project.modified_at)
    if urls is not None:
        page, source = urls(project)
        if page:
            record["url"] = page
        if source:
            record["dataSource"] = source
    return record


def planned_dates(project: PublicProject) -> dict | None:
    """The planned period (start, end, duration when both are known), or ``None`` when the
    dates are held back or unknown."""
    planned: dict = {}
    if project.starts_on is not None:
        planned["startDate"] = project.starts_on.isoformat()
    if project.ends_on is not None:
        planned["endDate"] = project.ends_on.isoformat()
    if project.starts_on is not None and project.ends_on is not None:
        months = duration_in_months(project.starts_on, project.ends_on)
        if months is not None:
            planned["duration"] = months
    return planned or None


def district_name(district: str) -> str:
    """Known districts are named "<name> District", which keeps the Belize District apart
    from the country."""
    return f"{district} District" if district in DISTRICTS else district


def beneficiary_locations(districts: tuple[str, ...]) -> list[dict]:
    """One location per public district, or the country when none is public.

    The standard's geoCodeType code list names only the United Kingdom's statistical
    geographies: Belize's districts have no code type in it, so no geoCode is given.
    """
    locations = []
    seen = set()
    for district in districts:
        name = clean(district).strip()
        if not name or name in seen:
            continue
        seen.add(name)
        locations.append({"name": district_name(name), "countryCode": COUNTRY_CODE})
    return locations or [{"name": COUNTRY_NAME, "countryCode": COUNTRY_CODE}]


def organisation_location(district: str | None, country: str | None) -> dict | None:
    """Where the recipient organisation is: its district in Belize, else its country (by
    code: the standard's countryCode list holds every ISO 3166-1 country). ``None`` when
    the organisation has no country, or one the standard does not list."""
    code = (country or "").strip().upper()
    if code not in standard_country_codes():
        return None
    name = clean(district).strip() if code == COUNTRY_CODE else ""
    if name:
        return {"name": district_name(name), "countryCode": code}
    return {"name": country_codes().get(code, code), "countryCode": code}


@cache
def standard_country_codes() -> frozenset[str]:
    """The country codes the vendored schema accepts."""
    location = load_schema(GRANT_SCHEMA)["$defs"]["Location"]["properties"]["countryCode"]
    return frozenset(location["enum"])


def classifications(areas: tuple[str, ...]) -> list[dict]:
    """The project's thematic areas in the publisher's own vocabulary."""
    result = []
    codes = set()
    for area in areas:
        title = clean(area).strip()
        if not title:
            continue
        code = slug(title)
        if code in codes:  # two names with the same code: the first stands for both
            continue
        codes.add(code)
        result.append({"vocabulary": vocabulary(), "code": code, "title": title})
    return result


def timestamp(moment) -> str:
    """An RFC 3339 UTC time to the second, e.g. 2026-03-01T14:05:00Z."""
    return as_utc(moment).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def decimal_number(value: Decimal) -> int | float:
    """A money amount as a JSON number.

    The standard's amounts are JSON numbers, and Python's ``json`` writes only ints and
    floats. Amounts are ``Numeric(12, 2)``: at most 12 significant digits, well within a
    float's 15, and a float's ``repr`` is the shortest text that reads back as the same float,
    so the number written is exactly the ``Decimal``'s digits (5000 or 1234.56). No arithmetic
    happens on the float.
    """
    if value == value.to_integral_value():
        return int(value)
    return float(value)
