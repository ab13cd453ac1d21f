"""The public list of funded projects, paged, filtered and summed in SQL.

Only the projects of the page shown are built as :class:`~reporting.portal.queries.PublicProject`
objects (by ``queries``, the one place that decides what of an award is public). The filter
menus, the count, the amounts' totals and the page's awards are aggregates and ids read in a
fixed number of statements, whatever the number of projects; they apply the same rules as
the objects: a project is listed when its award is in a publishable state and its page is not
withdrawn, and a part held back (its amount, areas or districts) neither adds to a total nor
matches a filter nor offers a menu entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, case, exists, func, or_, select, true

from core.extensions import db
from core.freshness import PROJECTS, remembered
from core.money import cents
from grants.applications.models import Application, application_thematic_areas
from grants.awards.models import Award
from grants.calls.models import Call, Fund, ThematicArea
from reporting.portal.models import ProjectPublication
from reporting.portal.queries import (
    PUBLISHABLE_STATES,
    FilterOptions,
    PublicProject,
    public_projects_by_id,
)


@dataclass(frozen=True)
class ProjectList:
    """One page of the public list, with what the page says about the whole (filtered) list."""

    #: The page's projects, newest award first.
    projects: list[PublicProject]
    #: Projects matching the filters, and the page shown (1..pages) of them.
    count: int
    page: int
    pages: int
    options: FilterOptions
    #: The published amounts of the matching projects, by currency.
    totals: dict[str, Decimal]
    #: Matching projects whose amount is held back.
    amounts_held_back: int


def _shown(flag):
    """A publication setting, true where the award has no settings row (the defaults)."""
    return or_(ProjectPublication.id.is_(None), flag == true())


def _public(*columns):
    """``columns`` over the published awards (joined to their application and call)."""
    return (select(*columns).select_from(Award)
            .join(Application, Application.id == Award.application_id)
            .join(Call, Call.id == Application.call_id)
            .outerjoin(ProjectPublication, ProjectPublication.award_id == Award.id)
            .where(Award.state.in_(PUBLISHABLE_STATES),
                   _shown(ProjectPublication.is_published)))


def _districts():
    """The elements of ``Application.districts`` (a JSON list) as a table of texts."""
    name = db.session.get_bind().dialect.name
    function = func.json_array_elements_text if name == "postgresql" else func.json_each
    return function(Application.districts).table_valued("value").alias("district")


def _filters(fund_id: int | None, area: str | None, district: str | None) -> list:
    criteria = []
    if fund_id is not None:
        criteria.append(Call.fund_id == fund_id)
    if area is not None:
        link = application_thematic_areas.c
        criteria.append(and_(_shown(ProjectPublication.is_area_public), exists(
            select(1).select_from(application_thematic_areas)
            .join(ThematicArea, ThematicArea.id == link.thematic_area_id)
            .where(link.application_id == Application.id, ThematicArea.name == area))))
    if district is not None:
        names = _districts()
        criteria.append(and_(_shown(ProjectPublication.is_district_public), exists(
            select(1).select_from(names).where(names.c.value == district))))
    return criteria


def filter_options() -> FilterOptions:
    """The funds, thematic areas and districts some published project shows, sorted for
    the filter menus (three statements when the published projects changed, else none)."""
    return remembered(PROJECTS, ("portal.filter_options",), _filter_options)


def _filter_options() -> FilterOptions:
    funds = db.session.execute(
        _public(Fund.id, Fund.name).join(Fund, Fund.id == Call.fund_id).distinct()).all()
    link = application_thematic_areas.c
    areas = db.session.scalars(
        _public(ThematicArea.name)
        .join(application_thematic_areas, link.application_id == Application.id)
        .join(ThematicArea, ThematicArea.id == link.thematic_area_id)
        .where(_shown(ProjectPublication.is_area_public)).distinct()).all()
    names = _districts()
    districts = db.session.scalars(
        _public(names.c.value).join(names, true())
        .where(_shown(ProjectPublication.is_district_public)).distinct()).all()
    return FilterOptions(
        funds=tuple(sorted(((fund_id, name) for fund_id, name in funds),
                           key=lambda item: (item[1].casefold(), item[0]))),
        areas=tuple(sorted(areas, key=str.casefold)),
        districts=tuple(sorted(districts, key=str.casefold)))


def _by_currency(criteria: list) -> list[tuple]:
    """Per currency: the projects, those whose amount is held back, the amounts shown."""
    amount_shown = _shown(ProjectPublication.is_amount_public)
    return [tuple(row) for row in db.session.execute(
        _public(Award.currency, func.count(), func.count(case((~amount_shown, 1))),
                func.sum(case((amount_shown, Award.amount))))
        .where(*criteria).group_by(Award.currency))]


def project_list(*, fund_id: int | None = None, area: str | None = None,
                 district: str | None = None, page: int = 1,
                 per_page: int = 24) -> ProjectList:
    """Page ``page`` (brought within range) of the published projects matching every given
    filter, newest award first."""
    criteria = _filters(fund_id, area, district)
    by_currency = remembered(PROJECTS, ("portal.totals", fund_id, area, district),
                             lambda: _by_currency(criteria))
    count = sum(row[1] for row in by_currency)
    held_back = sum(row[2] for row in by_currency)
    totals = dict(sorted((currency, cents(amount)) for currency, _count, _held, amount
                         in by_currency if amount is not None))
    pages = max(1, -(-count // per_page))
    page = min(max(page, 1), pages)
    ids = db.session.scalars(
        _public(Award.id).where(*criteria)
        .order_by(Award.created_at.desc(), Award.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    return ProjectList(projects=public_projects_by_id(ids), count=count, page=page,
                       pages=pages, options=filter_options(), totals=totals,
                       amounts_held_back=held_back)
