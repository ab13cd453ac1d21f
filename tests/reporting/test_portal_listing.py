"""The public projects list computed in SQL agrees with the public objects: the same
projects in the same order, count, totals and filter menus, whatever the filters and
whichever parts staff held back."""

from __future__ import annotations

from decimal import Decimal

from grants.awards.states import AwardState
from reporting.portal import listing
from reporting.portal.queries import (
    amount_totals,
    filter_options,
    filter_projects,
    public_projects,
)
from tests.reporting.test_portal_pages import hold_back, make_project


def _projects(db_session, factories, call):
    data, participation = call.thematic_areas
    make_project(db_session, factories, call, districts=("Cayo", "Toledo"),
                 areas=[data, participation])
    held_areas = make_project(db_session, factories, call, districts=("Belize",),
                              areas=[participation], amount=Decimal("1234.56"))
    hold_back(db_session, held_areas, is_area_public=False)
    held_district = make_project(db_session, factories, call, districts=("Toledo",),
                                 amount=Decimal("0.10"))
    hold_back(db_session, held_district, is_district_public=False, is_amount_public=False)
    withdrawn = make_project(db_session, factories, call, districts=("Stann Creek",))
    hold_back(db_session, withdrawn, is_published=False)
    make_project(db_session, factories, call, state=AwardState.pending_signature,
                 districts=("Corozal",))
    make_project(db_session, factories, call, districts=(), areas=[],
                 amount=Decimal("0.20"))
    make_project(db_session, factories, call, districts=("Cayo",), amount=Decimal("0.10"))


def test_the_list_in_sql_agrees_with_the_public_objects(db_session, factories, call):
    _projects(db_session, factories, call)
    every = public_projects()
    options = filter_options(every)
    assert listing.filter_options() == options
    assert options.districts == ("Belize", "Cayo", "Toledo")
    for fund_id in (None, call.fund_id, -1):
        for area in (None, *options.areas, "Nowhere"):
            for district in (None, *options.districts, "Stann Creek"):
                filters = {"fund_id": fund_id, "area": area, "district": district}
                expected = filter_projects(every, **filters)
                pages = [listing.project_list(**filters, page=number, per_page=2)
                         for number in range(1, 5)]
                first = pages[0]
                assert first.count == len(expected), filters
                assert first.totals == amount_totals(expected), filters
                assert first.amounts_held_back == sum(1 for p in expected if p.amount is None)
                assert first.pages == max(1, -(-len(expected) // 2))
                shown = [project for page in pages[:first.pages] for project in page.projects]
                assert shown == expected, filters
                # A page past the end shows the last one.
                assert pages[-1].page == first.pages


def test_the_public_projects_totals_follow_a_publication_change(client, demo_programme,
                                                                remembering):
    """The list's totals and menus are remembered per version: a change staff make to what
    is published shows at once."""
    from core.extensions import db
    from grants.awards.models import Award
    from reporting.portal.operations import update_publication
    from tests.fixtures.demo_numbers import PUBLIC_PROJECTS, reference_projects

    before = client.get("/projects").get_data(as_text=True)
    project = reference_projects()[0]
    update_publication(db.session.get(Award, project.award_id), demo_programme["staff"],
                       is_published=False)
    db.session.commit()
    after = client.get("/projects").get_data(as_text=True)
    assert project.reference in before and project.reference not in after
    # The count comes from the remembered totals: computed again for the new version.
    assert f"<dd>{PUBLIC_PROJECTS}</dd>" in before
    assert f"<dd>{PUBLIC_PROJECTS - 1}</dd>" in after
