"""The funded projects as the public may see them.

This is the one place that decides what of an award is public: the portal pages, the QR
project sheets and the 360Giving export all read :class:`PublicProject` objects built here,
so a part staff held back cannot leak through one of them. A part that is not public is
``None`` (or empty) in the object, not merely hidden by a template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload, load_only

from accounts.organisations.models import Organisation
from core import freshness
from core.extensions import db
from core.translations import other_languages
from grants.applications.models import Application, application_thematic_areas
from grants.applications.states import ApplicationState
from grants.awards.dates import award_date
from grants.awards.models import Award, Disbursement
from grants.awards.states import AwardState
from grants.calls.models import Call, Fund, ThematicArea
from grants.ledger.money import Money
from grants.ledger.queries import money_by_award
from grants.monitoring.models import ProgressReport
from grants.monitoring.states import ReportState
from grants.reviews.models import Decision
from reporting.portal.models import ProjectPublication

# Everything read below: a change to any of it makes the public pages and the stored open
# data out of date (see core.freshness), in the transaction that changes it.
for _model, _attributes, _options in (
        (Award, (), {}), (ProjectPublication, (), {}), (Disbursement, (), {}),
        (ProgressReport, ("state", "award_id"), {}), (Decision, ("decided_at",), {}),
        (Application, (), {"rows": False,
                           "when": lambda app: app.state == ApplicationState.awarded}),
        (Organisation, ("name", "org_id", "district", "country"), {"rows": False}),
        (Fund, ("name", "donor_organisation_id", "managing_organisation_id"), {}),
        (Call, ("title", "fund_id"), {}), (ThematicArea, ("name", "position"), {})):
    freshness.watch(freshness.PROJECTS, _model, *_attributes, **_options)

#: An award appears once its agreement is signed; staff may still withdraw its page.
PUBLISHABLE_STATES = frozenset({AwardState.active, AwardState.suspended, AwardState.closed,
                                AwardState.terminated})


@dataclass(frozen=True)
class PublicProject:
    award_id: int
    #: The award reference (OGB-G-2026-003): the project's permanent public key.
    reference: str
    title: str
    state: AwardState
    call_id: int
    call_title: str
    fund_id: int
    fund_name: str
    #: The grant-making organisation (the fund's managing organisation, else its donor).
    funder_id: int | None
    funder_name: str | None
    funder_org_id: str | None
    #: The award's last change or its publication settings' last change, whichever is later.
    modified_at: datetime
    summary: str | None = None
    organisation_id: int | None = None
    organisation_name: str | None = None
    organisation_org_id: str | None = None
    #: Where the organisation is: its district (None when not recorded) and country code.
    organisation_district: str | None = None
    organisation_country: str | None = None
    partner_name: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    disbursed: Decimal | None = None
    award_date: date | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    areas: tuple[str, ...] = field(default_factory=tuple)
    districts: tuple[str, ...] = field(default_factory=tuple)
    reports_accepted: int | None = None
    reports_total: int | None = None
    #: The public title and summary in the programme's other languages:
    #: ``{"es": {"title": "…", "summary": "…"}}`` (a summary only where it is public).
    translations: dict = field(default_factory=dict, hash=False, compare=False)

    def text_in(self, name: str, language: str) -> str | None:
        """``title`` or ``summary`` in ``language``, else in the main language."""
        return (self.translations.get(language) or {}).get(name) or getattr(self, name)

    def lacks(self, language: str) -> bool:
        """Whether a text shown is not in ``language`` (the main language stands in)."""
        own = self.translations.get(language) or {}
        return not own.get("title") or bool(self.summary and not own.get("summary"))

    @property
    def share_disbursed(self) -> Decimal | None:
        """The part of the award paid so far, as a fraction (0.40 for 40%)."""
        if self.amount is None or self.disbursed is None or not self.amount:
            return None
        return (self.disbursed / self.amount).quantize(Decimal("0.0001"))


def default_publication(award: Award) -> ProjectPublication:
    """The settings of an award staff have not touched: published, every part public."""
    return ProjectPublication(award=award, award_id=award.id, is_published=True,
                              public_title="", public_summary="", is_summary_public=True,
                              is_organisation_public=True, is_partner_public=True,
                              is_amount_public=True, is_dates_public=True,
                              is_area_public=True, is_district_public=True,
                              is_progress_public=True)


def publication_of(award: Award) -> ProjectPublication:
    """The award's stored settings, or the defaults (not added to the session)."""
    stored = db.session.scalar(select(ProjectPublication)
                               .where(ProjectPublication.award_id == award.id))
    return stored or default_publication(award)


def is_public(award: Award, publication: ProjectPublication) -> bool:
    return award.state in PUBLISHABLE_STATES and publication.is_published


@dataclass(frozen=True)
class ProjectSource:
    """A public project with the award it was built from and the award's money, for an
    open-data builder that also reports what only the award holds (IATI's ledger entries):
    it reads them from here instead of loading every award a second time."""

    project: PublicProject
    award: Award
    money: Money


def public_projects(*, fund_id: int | None = None) -> list[PublicProject]:
    """Every published project (of one fund), newest award first, in a fixed number of
    queries whatever their count."""
    return [source.project for source in public_project_sources(fund_id=fund_id)]


def public_project_sources(*, fund_id: int | None = None) -> list[ProjectSource]:
    """:func:`public_projects`, each with its award and money."""
    criteria = [Award.state.in_(PUBLISHABLE_STATES)]
    if fund_id is not None:
        criteria.append(Call.fund_id == fund_id)
    query = _award_query().where(*criteria).order_by(Award.created_at.desc(), Award.id.desc())
    return _build(db.session.execute(query).unique().all(), criteria)


def public_projects_by_id(award_ids: list[int]) -> list[PublicProject]:
    """The published projects of these awards (a page of the public list), newest award
    first, in a fixed number of queries."""
    if not award_ids:
        return []
    criteria = [Award.id.in_(award_ids), Award.state.in_(PUBLISHABLE_STATES)]
    query = _award_query().where(*criteria).order_by(Award.created_at.desc(), Award.id.desc())
    return [source.project
            for source in _build(db.session.execute(query).unique().all(), criteria)]


def public_project(reference: str) -> PublicProject | None:
    """The published project with this award reference, or ``None``."""
    criteria = [Award.reference == reference]
    rows = db.session.execute(_award_query().where(*criteria)).unique().all()
    sources = _build([row for row in rows if row[0].state in PUBLISHABLE_STATES], criteria)
    return sources[0].project if sources else None


def _award_query():
    return (select(Award, ProjectPublication, Decision.decided_at)
            .join(Award.application).join(Application.call)
            .outerjoin(ProjectPublication, ProjectPublication.award_id == Award.id)
            .outerjoin(Decision, Decision.application_id == Award.application_id)
            .options(joinedload(Award.application).options(
                         load_only(*_APPLICATION_COLUMNS),
                         joinedload(Application.organisation).load_only(*_ORGANISATION_COLUMNS),
                         joinedload(Application.counterpart).load_only(
                             *_ORGANISATION_COLUMNS))))


#: What a public project reads of the application and its organisations: thousands of them
#: are loaded at once, and their other columns (long texts, budgets) cost time and memory.
_APPLICATION_COLUMNS = (Application.id, Application.call_id, Application.organisation_id,
                        Application.counterpart_organisation_id, Application.state,
                        Application.title, Application.summary, Application.districts,
                        Application.decided_at)
_ORGANISATION_COLUMNS = (Organisation.id, Organisation.name, Organisation.org_id,
                         Organisation.district, Organisation.country, Organisation.sector)


def _calls_of(awards: list[Award]) -> list[Call]:
    """The awards' calls with their funds and funders, in one statement. Thousands of awards
    share a few calls: read once each rather than repeated (and converted again) on every
    award's row. Held by the caller while it builds, each award's ``application.call`` (and
    the call's ``fund``) is then found in the session without a statement."""
    ids = sorted({award.application.call_id for award in awards})
    return list(db.session.scalars(
        select(Call).where(Call.id.in_(ids))
        .options(joinedload(Call.fund).options(joinedload(Fund.donor),
                                               joinedload(Fund.manager)))))


def _report_counts(award_ids: list[int]) -> dict[int, tuple[int, int]]:
    if not award_ids:
        return {}
    rows = db.session.execute(
        select(ProgressReport.award_id,
               func.count(case((ProgressReport.state == ReportState.accepted, 1))),
               func.count())
        .where(ProgressReport.award_id.in_(award_ids))
        .group_by(ProgressReport.award_id))
    return {award_id: (accepted, total) for award_id, accepted, total in rows}


def _area_names(criteria: list) -> dict[int, tuple[str, ...]]:
    """The thematic area names, in position order, of the applications of the awards
    matching ``criteria`` (the award query's own filter). One statement however many
    awards: a subquery on the filter instead of a list of ids, which would have to be
    sent in chunks."""
    awarded = (select(Award.application_id).join(Award.application).join(Application.call)
               .where(*criteria))
    link = application_thematic_areas.c
    rows = db.session.execute(
        select(link.application_id, ThematicArea.name, ThematicArea.translations)
        .join(ThematicArea, ThematicArea.id == link.thematic_area_id)
        .where(link.application_id.in_(awarded))
        .order_by(link.application_id, ThematicArea.position, ThematicArea.id))
    names: dict[int, list[tuple[str, dict]]] = {}
    for application_id, name, translations in rows:
        names.setdefault(application_id, []).append((name, translations or {}))
    return {application_id: tuple(found) for application_id, found in names.items()}


def _build(rows, criteria: list) -> list[ProjectSource]:
    chosen = [(award, publication or default_publication(award), decided_at)
              for award, publication, decided_at in rows
              if publication is None or publication.is_published]
    if not chosen:
        return []
    awards = [award for award, _, _ in chosen]
    calls = _calls_of(awards)  # noqa: F841 (held while the projects are built)
    money = money_by_award(awards)
    reports = _report_counts([award.id for award in awards])
    areas = _area_names(criteria)
    return [ProjectSource(project=_project(award, publication, decided_at, money[award.id],
                                           reports.get(award.id, (0, 0)),
                                           areas.get(award.application_id, ())),
                          award=award, money=money[award.id])
            for award, publication, decided_at in chosen]


def _project(award: Award, publication: ProjectPublication, decided_at, money: Money,
             reports: tuple[int, int], areas: tuple[tuple[str, dict], ...]) -> PublicProject:
    application = award.application
    call = application.call
    fund = call.fund
    funder = fund.manager or fund.donor
    shown = publication.is_public
    modified = max(filter(None, [award.updated_at, publication.updated_at]))
    parts: dict = {}
    if shown("summary"):
        parts["summary"] = publication.public_summary or application.summary
    if shown("organisation"):
        organisation = application.organisation
        parts.update(organisation_id=organisation.id, organisation_name=organisation.name,
                     organisation_org_id=organisation.org_id,
                     organisation_district=organisation.district,
                     organisation_country=organisation.country)
    if shown("partner") and application.counterpart is not None:
        parts["partner_name"] = application.counterpart.name
    if shown("amount"):
        parts.update(amount=money.awarded, currency=award.currency)
    if shown("dates"):
        parts.update(award_date=award_date(application.decided_at, award.created_at),
                     starts_on=award.starts_on, ends_on=award.ends_on)
    if shown("area"):
        parts["areas"] = tuple(name for name, _translations in areas)
    if shown("district"):
        parts["districts"] = tuple(application.districts or ())
    if shown("progress"):
        parts.update(disbursed=money.disbursed, reports_accepted=reports[0],
                     reports_total=reports[1])
        if "currency" not in parts:
            parts["currency"] = award.currency
    translations = {}
    for language in other_languages():
        texts = (publication.translations or {}).get(language) or {}
        own = {"title": texts.get("public_title")}
        if "summary" in parts:
            own["summary"] = texts.get("public_summary")
        if "areas" in parts:
            # An area not yet translated keeps its name in the main language.
            own["areas"] = tuple(((area_translations.get(language) or {}).get("name") or name)
                                 for name, area_translations in areas)
        translations[language] = {name: text for name, text in own.items() if text}
    return PublicProject(
        award_id=award.id, reference=award.reference, translations=translations,
        title=publication.public_title or application.title, state=award.state,
        call_id=call.id, call_title=call.title, fund_id=fund.id, fund_name=fund.name,
        funder_id=funder.id if funder else None, funder_name=funder.name if funder else None,
        funder_org_id=funder.org_id if funder else None, modified_at=modified, **parts)


# Portal helpers (added for the public pages; the functions above stay as they are) ---------

@dataclass(frozen=True)
class FilterOptions:
    """What the public list can be filtered by: only values some published project shows."""

    funds: tuple[tuple[int, str], ...]
    areas: tuple[str, ...]
    districts: tuple[str, ...]


def filter_options(projects: list[PublicProject]) -> FilterOptions:
    """The funds, thematic areas and districts of ``projects``, sorted for the filter
    menus. Built from the public objects so a held-back area or district offers nothing."""
    funds = {project.fund_id: project.fund_name for project in projects}
    areas = {area for project in projects for area in project.areas}
    districts = {district for project in projects for district in project.districts}
    return FilterOptions(
        funds=tuple(sorted(funds.items(), key=lambda item: (item[1].casefold(), item[0]))),
        areas=tuple(sorted(areas, key=str.casefold)),
        districts=tuple(sorted(districts, key=str.casefold)))


def filter_projects(projects: list[PublicProject], *, fund_id: int | None = None,
                    area: str | None = None,
                    district: str | None = None) -> list[PublicProject]:
    """The projects matching every given filter. Filtering the public objects (not the
    awards) means a project whose area or district is held back never matches it."""
    return [project for project in projects
            if (fund_id is None or project.fund_id == fund_id)
            and (area is None or area in project.areas)
            and (district is None or district in project.districts)]


def amount_totals(projects: list[PublicProject]) -> dict[str, Decimal]:
    """The sum of the published amounts, by currency (projects whose amount is held back
    are left out)."""
    totals: dict[str, Decimal] = {}
    for project in projects:
        if project.amount is not None:
            totals[project.currency] = totals.get(project.currency, Decimal("0.00")) \
                + project.amount
    return dict(sorted(totals.items()))


def preview_project(award: Award, publication: ProjectPublication) -> PublicProject:
    """What the public would see of ``award`` under ``publication`` (saved or not), whether
    or not the award is published yet: the settings page's preview."""
    row = db.session.execute(_award_query().where(Award.id == award.id)).unique().first()
    decided_at = row[2] if row is not None else None
    calls = _calls_of([award])  # noqa: F841 (held while the project is built)
    money = money_by_award([award])[award.id]
    reports = _report_counts([award.id]).get(award.id, (0, 0))
    areas = _area_names([Award.id == award.id]).get(award.application_id, ())
    return _project(award, publication, decided_at, money, reports, areas)
