"""The ``iati-activity`` elements: one for the programme, one per published project.

Every fact about a project comes from its :class:`~reporting.portal.queries.PublicProject`,
so what staff hold back (amount, dates, organisation, partner, areas, districts, progress)
is not written; the ledger and the directory only add detail to parts that are public (the
entries behind a public disbursed amount, the identifier of a public organisation). Texts
are in the programme's main language, with the other languages' public title and summary
beside them.

The elements are written in the order the schema's sequence requires.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache, lru_cache

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from lxml import etree

from core.timeutil import as_utc, programme_today, to_programme_time
from core.translations import main_language
from grants.awards.states import AwardState, DisbursementKind
from grants.calls.models import Fund
from reporting.iati import codes, results
from reporting.iati.queries import AwardFacts
from reporting.portal.queries import PublicProject

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
COUNTRY_CODE = "BZ"
#: Why a published project has no activity: the schema needs a date and a participant.
LEFT_OUT_REASONS = ("dates", "funder")
FINISHED = (AwardState.closed, AwardState.terminated)


@dataclass(frozen=True)
class Publisher:
    """The reporting organisation and the identifiers derived from it."""

    ref: str
    type: str
    name: str
    activity_prefix: str

    @property
    def programme_identifier(self) -> str:
        return f"{self.activity_prefix}-PROGRAMME"

    def award_identifier(self, reference: str) -> str:
        return f"{self.activity_prefix}-{reference}"


def publisher(funds: list[Fund]) -> Publisher:
    """From configuration, else from the first fund's managing organisation (see the README's
    IATI section: register the organisation and configure its identifier before publishing
    to the IATI Registry)."""
    config = current_app.config
    manager = next((fund.manager for fund in funds if fund.manager is not None), None)
    ref = (config.get("IATI_REPORTING_ORG_ID") or (manager.org_id if manager else None)
           or f"XX-{config['OPEN_DATA_PREFIX'].upper()}")
    org_type = (config.get("IATI_REPORTING_ORG_TYPE")
                or (codes.ORGANISATION_TYPES.get(manager.sector) if manager else None)
                or codes.DEFAULT_REPORTING_ORG_TYPE)
    name = (config.get("IATI_REPORTING_ORG_NAME") or (manager.name if manager else None)
            or config["PROGRAMME_NAME"])
    return Publisher(ref=ref.strip(), type=org_type, name=name,
                     activity_prefix=(config.get("IATI_ACTIVITY_PREFIX") or ref).strip())


# Small builders --------------------------------------------------------------------------------

def _sub(parent, tag: str, text: str | None = None, **attributes) -> etree._Element:
    element = etree.SubElement(parent, tag, _attributes(attributes) if attributes else None)
    if text is not None:
        element.text = text
    return element


def _attributes(values: dict) -> dict[str, str]:
    """Keyword arguments as XML attributes (``iso_date`` is ``iso-date``), ``None`` left out."""
    return {name.replace("_", "-"): value if type(value) is str else str(value)
            for name, value in values.items() if value is not None}


def _narratives(parent, text: str, others: dict[str, str] | None = None) -> None:
    """The main language's text (the activity's xml:lang), then each other language's."""
    _sub(parent, "narrative", clean(text))
    for language, translated in (others or {}).items():
        if translated and clean(translated):
            _sub(parent, "narrative", clean(translated)).set(XML_LANG, language)


#: What XML 1.0 cannot hold: control characters other than tab and line feed (carriage
#: returns are made line feeds first), lone surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[^\t\n\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str | None) -> str:
    """``text`` without the characters XML 1.0 cannot hold."""
    if not text:
        return ""
    return _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _org(parent, tag: str, name: str, organisation=None, **attributes) -> etree._Element:
    ref = (organisation.org_id or "").strip() if organisation is not None else ""
    org_type = codes.ORGANISATION_TYPES.get(organisation.sector) \
        if organisation is not None else None
    # lxml's copy of an element is a deep copy, made in C.
    element = _org_element(tag, name, ref or None, org_type, tuple(attributes.items())).__copy__()
    parent.append(element)
    return element


@lru_cache(maxsize=1024)
def _org_element(tag: str, name: str, ref: str | None, org_type: str | None,
                 attributes: tuple) -> etree._Element:
    """An organisation's element, built once and copied where it appears again: the funder
    and the grantee appear in every transaction of an activity. Never changed once made."""
    element = etree.Element(tag, _attributes({"ref": ref, "type": org_type, **dict(attributes)}))
    _narratives(element, name)
    return element


def _date(value: date) -> str:
    return value.isoformat()


def _moment(value: datetime) -> str:
    return as_utc(value).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _in_main_language(message: str, **values) -> str:
    """A sentence the file itself says, in the programme's main language (the reader's
    language plays no part in published data)."""
    text = _main_language_text(message, main_language())
    return text % values if values else text


@cache
def _main_language_text(message: str, language: str) -> str:
    # Looked up once per sentence: a file of thousands of activities says the same few.
    with force_locale(language):
        return _(message)


# The activity's common parts ------------------------------------------------------------------

def _activity(root, publisher_: Publisher, identifier: str, *, hierarchy: str,
              updated: datetime) -> etree._Element:
    activity = _sub(root, "iati-activity", last_updated_datetime=_moment(updated),
                    default_currency=current_app.config["DEFAULT_CURRENCY"],
                    hierarchy=hierarchy)
    activity.set(XML_LANG, main_language())
    _sub(activity, "iati-identifier", identifier)
    reporting = _sub(activity, "reporting-org", ref=publisher_.ref, type=publisher_.type)
    _narratives(reporting, publisher_.name)
    return activity


def _places(activity, districts: tuple[str, ...]) -> None:
    _sub(activity, "recipient-country", code=COUNTRY_CODE, percentage="100")
    seen = set()
    for district in districts:
        name = clean(district).strip()
        if not name or name in seen:
            continue
        seen.add(name)
        location = _sub(activity, "location", ref=codes.DISTRICT_CODES.get(name))
        _sub(location, "location-reach", code=codes.ACTIVITY_REACH)
        _narratives(_sub(location, "name"),
                    _in_main_language("%(district)s District", district=name)
                    if name in codes.DISTRICT_CODES else name)
        _sub(location, "exactness", code=codes.APPROXIMATE)
        _sub(location, "feature-designation", code=codes.FIRST_ORDER_DIVISION)


def _classification(activity, areas: tuple[str, ...]) -> None:
    for code, percentage in codes.sectors(areas):
        _sub(activity, "sector", vocabulary=codes.DAC_5, code=code, percentage=percentage)
    _sub(activity, "default-finance-type", code=codes.STANDARD_GRANT)
    _sub(activity, "default-aid-type", code=codes.PROJECT_TYPE, vocabulary="1")


def _web_page(activity, url: str | None, title: str) -> None:
    if not url:
        return
    link = _sub(activity, "document-link", url=url, format="text/html")
    _narratives(_sub(link, "title"), title)
    _sub(link, "category", code=codes.WEB_PAGE)
    _sub(link, "language", code=main_language())


def _results(activity, about: results.Activity) -> None:
    for element in results.elements_for(about):
        activity.append(element)


# The programme --------------------------------------------------------------------------------

def programme_activity(root, publisher_: Publisher, funds: list[Fund],
                       projects: list[PublicProject], children: list[str], *,
                       page_url: str | None) -> etree._Element | None:
    """The programme's activity (``None`` when no fund names a donor or a manager: the
    schema needs a participating organisation)."""
    donors = _distinct(fund.donor for fund in funds)
    managers = _distinct(fund.manager for fund in funds)
    if not donors and not managers:
        return None
    config = current_app.config
    updated = max([fund.updated_at for fund in funds if fund.updated_at]
                  + [project.modified_at for project in projects])
    activity = _activity(root, publisher_, publisher_.programme_identifier, hierarchy="1",
                         updated=updated)
    _narratives(_sub(activity, "title"), config["PROGRAMME_NAME"])
    description = config.get("IATI_PROGRAMME_DESCRIPTION") or _in_main_language(
        "Grants to civil society organisations for open-government projects in Belize, each "
        "carried out with a government counterpart.")
    _narratives(_sub(activity, "description", type=codes.GENERAL), description)
    for donor in donors:
        _org(activity, "participating-org", donor.name, donor, role=codes.FUNDING)
    for manager in managers:
        _org(activity, "participating-org", manager.name, manager, role=codes.IMPLEMENTING)
    running = any(project.state not in FINISHED for project in projects)
    finished = bool(projects) and not running
    _sub(activity, "activity-status",
         code=codes.CLOSED if finished else codes.IMPLEMENTATION)
    starts = [day for project in projects
              for day in (project.starts_on, project.award_date) if day is not None]
    first = min(starts) if starts else min(
        to_programme_time(fund.created_at).date() for fund in funds)
    _sub(activity, "activity-date", iso_date=_date(first), type=codes.ACTUAL_START)
    ends = [project.ends_on for project in projects if project.ends_on is not None]
    if ends:
        _sub(activity, "activity-date", iso_date=_date(max(ends)),
             type=codes.ACTUAL_END if finished else codes.PLANNED_END)
    _places(activity, tuple(sorted({district for project in projects
                                    for district in project.districts})))
    _classification(activity, tuple(dict.fromkeys(area for project in projects
                                                  for area in project.areas)))
    _web_page(activity, page_url, config["PROGRAMME_NAME"])
    for child in children:
        _sub(activity, "related-activity", ref=child, type=codes.CHILD)
    _results(activity, results.Activity(identifier=publisher_.programme_identifier))
    return activity


def _distinct(organisations) -> list:
    found: dict[int, object] = {}
    for organisation in organisations:
        if organisation is not None and organisation.id not in found:
            found[organisation.id] = organisation
    return list(found.values())


# A project ------------------------------------------------------------------------------------

def missing_part(project: PublicProject) -> str | None:
    """Why ``project`` cannot be an activity (see :data:`LEFT_OUT_REASONS`), or ``None``."""
    if project.starts_on is None and project.award_date is None:
        return "dates"
    if project.funder_id is None:
        return "funder"
    return None


def award_activity(root, publisher_: Publisher, project: PublicProject, facts: AwardFacts,
                   fund: Fund, *, page_url: str | None) -> etree._Element:
    award = facts.award
    identifier = publisher_.award_identifier(project.reference)
    updated = max([project.modified_at]
                  + [entry.recorded_at for entry in facts.paid if entry.recorded_at])
    activity = _activity(root, publisher_, identifier, hierarchy="2", updated=updated)
    others = {language: texts for language, texts in project.translations.items()}
    title = clean(project.title) or project.reference
    _narratives(_sub(activity, "title"), title,
                {language: texts.get("title") for language, texts in others.items()})
    summary = clean(project.summary)
    _narratives(_sub(activity, "description", type=codes.GENERAL), summary or title,
                {language: texts.get("summary") if summary else texts.get("title")
                 for language, texts in others.items()})
    if project.partner_name:
        _narratives(_sub(activity, "description", type=codes.OTHER), _in_main_language(
            "Government counterpart: %(partner)s, the public institution that carries out "
            "the project together with the grantee.", partner=clean(project.partner_name)))
    if fund.donor is not None:
        _org(activity, "participating-org", fund.donor.name, fund.donor, role=codes.FUNDING)
    if fund.manager is not None:
        _org(activity, "participating-org", fund.manager.name, fund.manager,
             role=codes.EXTENDING)
    if project.organisation_id is not None:
        _org(activity, "participating-org", project.organisation_name, facts.organisation,
             role=codes.IMPLEMENTING)
    if project.partner_name:
        _org(activity, "participating-org", project.partner_name, facts.counterpart,
             role=codes.IMPLEMENTING)
    _sub(activity, "activity-status", code=codes.ACTIVITY_STATUS[project.state])
    for day, kind in _activity_dates(project, award):
        _sub(activity, "activity-date", iso_date=_date(day), type=kind)
    _places(activity, project.districts)
    _classification(activity, project.areas)
    _transactions(activity, project, facts, fund.manager or fund.donor)
    _web_page(activity, page_url, title)
    _sub(activity, "related-activity", ref=publisher_.programme_identifier, type=codes.PARENT)
    _results(activity, results.Activity(identifier=identifier, award_id=project.award_id,
                                        reference=project.reference))
    return activity


def _activity_dates(project: PublicProject, award) -> list[tuple[date, str]]:
    """Planned start and end as agreed; the actual start once the planned one has come (or
    the signature when no start is set); the actual end when the award was closed or
    terminated."""
    dates = []
    today = programme_today()
    if project.starts_on is not None:
        dates.append((project.starts_on, codes.PLANNED_START))
        if project.starts_on <= today:
            dates.append((project.starts_on, codes.ACTUAL_START))
    elif project.award_date is not None:
        dates.append((project.award_date, codes.ACTUAL_START))
    if project.ends_on is not None:
        dates.append((project.ends_on, codes.PLANNED_END))
    if project.state in FINISHED and award.closed_at is not None:
        dates.append((to_programme_time(award.closed_at).date(), codes.ACTUAL_END))
    return dates


def _transactions(activity, project: PublicProject, facts: AwardFacts, funder) -> None:
    """The commitment (the amount awarded, on the award date) and, when part of it was
    de-obligated, a negative commitment when the award was closed, so the commitments add up
    to the ledger's committed amount; then every paid entry as a disbursement, reversals
    negative, adding up to the ledger's disbursed amount. Each only when that part is
    public."""
    award = facts.award
    currency = award.currency
    if project.amount is not None:
        committed_on = project.award_date or project.starts_on
        _transaction(activity, codes.COMMITMENT, committed_on, facts.money.awarded, currency,
                     project, facts, funder)
        if facts.money.deobligated:
            moment = award.closed_at or award.updated_at
            day = to_programme_time(moment).date() if moment else committed_on
            _transaction(activity, codes.COMMITMENT, day, -facts.money.deobligated, currency,
                         project, facts, funder)
    if project.disbursed is not None:
        for entry in facts.paid:
            day = entry.paid_on or to_programme_time(entry.recorded_at).date()
            _transaction(activity, codes.DISBURSEMENT, day, entry.amount, currency, project,
                         facts, funder, reversal=entry.kind == DisbursementKind.reversal)


def _transaction(activity, kind: str, day: date, amount: Decimal, currency: str,
                 project: PublicProject, facts: AwardFacts, funder, *,
                 reversal: bool = False) -> None:
    """One transaction; ``funder`` (the fund's managing organisation, else its donor) is the
    provider, the grantee (when public) the receiver."""
    transaction = _sub(activity, "transaction")
    _sub(transaction, "transaction-type", code=kind)
    _sub(transaction, "transaction-date", iso_date=_date(day))
    _sub(transaction, "value", _amount(amount), currency=currency, value_date=_date(day))
    if reversal:
        _narratives(_sub(transaction, "description"),
                    _in_main_language("Reversal of an earlier payment."))
    if funder is not None:
        _org(transaction, "provider-org", funder.name, funder)
    if project.organisation_id is not None:
        _org(transaction, "receiver-org", project.organisation_name, facts.organisation)
