"""The public projects list computed in SQL agrees with the public objects: the same
projects in the same order, count, totals and filter menus, whatever the filters and
whichever parts staff held back."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

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


_ACTIONS = st.lists(st.tuples(
    st.sampled_from(["add", "published", "amount", "area", "district", "state", "money",
                     "districts"]),
    st.integers(min_value=0, max_value=20)), min_size=1, max_size=8)


@settings(max_examples=12, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(actions=_ACTIONS)
def test_the_remembered_totals_and_menus_agree_with_the_records_after_any_change(
        db_session, factories, call, remembering, actions):
    """After a random sequence of committed changes to what the list sums and offers, the
    totals and menus it remembers per version equal a fresh computation from the public
    objects."""
    from reporting.portal.models import ProjectPublication

    awards = [make_project(db_session, factories, call)]
    db_session.commit()
    for action, number in actions:
        award = awards[number % len(awards)]
        publication = db_session.scalar(
            select(ProjectPublication).where(ProjectPublication.award_id == award.id))
        if action == "add":
            awards.append(make_project(db_session, factories, call, districts=("Toledo",),
                                       amount=Decimal(f"{number}.25")))
        elif action == "state":
            award.state = (AwardState.pending_signature if award.state == AwardState.active
                           else AwardState.active)
        elif action == "money":
            award.amount = Decimal(f"{1000 + number}.10")
        elif action == "districts":
            award.application.districts = ["Cayo", "Orange Walk"][: number % 3]
        else:
            field = {"published": "is_published", "amount": "is_amount_public",
                     "area": "is_area_public", "district": "is_district_public"}[action]
            if publication is None:
                hold_back(db_session, award, **{field: bool(number % 2)})
            else:
                setattr(publication, field, bool(number % 2))
        db_session.commit()
        every = public_projects()
        assert listing.filter_options() == filter_options(every)
        for district in (None, "Cayo", "Toledo"):
            expected = filter_projects(every, fund_id=None, area=None, district=district)
            found = listing.project_list(district=district)
            assert found.count == len(expected)
            assert found.totals == amount_totals(expected)
            assert found.amounts_held_back == sum(1 for p in expected if p.amount is None)
