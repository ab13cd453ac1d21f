from decimal import Decimal

from reporting.portal.queries import public_project, public_projects
from tests.fixtures.demo_numbers import PUBLIC_PROJECTS, reference_projects
from tests.reporting.conftest import set_publication


def test_demo_publishes_every_signed_award_with_its_parts(demo_programme, db_session):
    projects = public_projects()
    assert len(projects) == PUBLIC_PROJECTS
    first = reference_projects()[0]
    assert first.organisation_name and first.partner_name and first.areas and first.districts
    assert first.amount == Decimal("5000.00") and first.currency == "USD"


def test_held_back_parts_are_absent_and_withdrawn_pages_gone(demo_programme, db_session):
    project = public_projects()[0]
    publication = set_publication(db_session, project.award_id, is_amount_public=False,
                                  is_partner_public=False, public_title="Public title")
    db_session.flush()
    shown = public_project(project.reference)
    assert shown.title == "Public title"
    assert shown.amount is None and shown.partner_name is None
    assert shown.organisation_name == project.organisation_name
    publication.is_published = False
    db_session.flush()
    assert public_project(project.reference) is None
    assert project.reference not in {p.reference for p in public_projects()}
