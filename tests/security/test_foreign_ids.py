"""Another organisation's ids: a signed-in applicant who owns organisation Alpha asks for
Bravo's objects, by every route whose address names an object, with every method the route
accepts. Each request must be refused (403 or 404: never a 200, a redirect into the object,
or a 500), must not show any of Bravo's text, and a POST must write nothing.

``ROUTES`` (in ``foreign_routes.py``) has an entry for every route of ``app.url_map`` with a
variable part: a new route
without an entry fails ``test_every_id_route_has_a_case``. An entry is either the list of
foreign addresses to try (``Foreign``: Bravo's object, and for nested addresses Alpha's own
object holding Bravo's), with, where the applicant may use the route on their own objects,
the address of Alpha's object and the status Alpha's owner gets there (proving the route
works and the refusal comes from the check), or ``Public`` with the reason (and addresses
that are not public and must be 404 for the applicant).

Nested addresses are also checked the other way round for staff (``COMPOSITE``): the outer
object's id with an inner object that belongs to another one is 404 for everybody.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.security.foreign_routes import COMPOSITE, ROUTES, Foreign, Public
from tests.security.routes import (
    REPORTING_BLUEPRINTS,
    composite_endpoints,
    id_endpoints,
    methods,
    row_counts,
    rule_of,
    rules,
    sign_in,
    undone,
)
from tests.security.world import BRAVO_MARKER


@pytest.fixture
def world(world, db_session, factories):
    """The shared world plus an unpublished action plan and a second coalition."""
    from datetime import date

    from coalitions.coalitions import operations as coalition_operations
    from coalitions.plans import operations as plan_operations

    staff = world.staff
    world.extra["draft_plan"] = plan_operations.create_plan(
        staff, title="Unpublished plan", country="BZ", starts_on=date(2022, 1, 1),
        ends_on=date(2023, 12, 31))
    world.extra["draft_plan"].is_public = False
    world.extra["other_coalition"] = coalition_operations.create_coalition(
        staff, name="Another Coalition")
    db_session.flush()
    return world


# Enumeration -------------------------------------------------------------------------------

def test_every_id_route_has_a_case(app):
    endpoints = id_endpoints(app)
    missing = sorted(endpoints - ROUTES.keys())
    pending = [e for e in missing if e.split(".")[0] in REPORTING_BLUEPRINTS]
    assert not missing, (
        f"routes naming an object without a foreign-id case: {missing}"
        + (f" (reporting routes, being built: {pending})" if pending else ""))
    stale = sorted(ROUTES.keys() - endpoints)
    assert not stale, f"cases for routes that no longer exist: {stale}"


def test_every_nested_route_has_a_mismatch_case(app):
    endpoints = composite_endpoints(app)
    assert not sorted(endpoints - COMPOSITE.keys()), "nested routes without a mismatch case"
    assert not sorted(COMPOSITE.keys() - endpoints), "mismatch cases for missing routes"


def _blueprints(endpoints) -> list[str]:
    return sorted({endpoint.split(".")[0] for endpoint in endpoints})


def _foreign_endpoints(blueprint: str) -> list[str]:
    return sorted(name for name, case in ROUTES.items()
                  if isinstance(case, Foreign) and name.split(".")[0] == blueprint)


# The checks --------------------------------------------------------------------------------

def _refused(response, what: str) -> list[str]:
    problems = []
    if response.status_code not in (403, 404):
        problems.append(f"{what}: {response.status_code}")
    if BRAVO_MARKER.encode() in response.data:
        problems.append(f"{what}: shows Bravo's data")
    return problems


@pytest.mark.parametrize("blueprint", _blueprints(
    name for name, case in ROUTES.items() if isinstance(case, Foreign)))
def test_bravos_objects_are_refused_to_alphas_owner(blueprint, app, client, world, db_session):
    """One blueprint's routes at a time (one world for all of them: nothing may change)."""
    sign_in(client, world.alpha.owner)
    problems = []
    for endpoint in _foreign_endpoints(blueprint):
        for url in ROUTES[endpoint].urls(world):
            for method in methods(rule_of(app, endpoint)):
                before = row_counts(db_session) if method == "POST" else None
                response = client.open(url, method=method, data={})
                problems += _refused(response, f"{endpoint}: {method} {url}")
                if before is not None and row_counts(db_session) != before:
                    problems.append(f"{endpoint}: {method} {url}: wrote to the database")
    assert not problems, problems


@pytest.mark.parametrize("endpoint", sorted(
    name for name, case in ROUTES.items() if isinstance(case, Foreign) and case.own))
def test_alphas_owner_gets_through_on_alphas_own_objects(endpoint, app, client, world,
                                                         db_session):
    """The control: the same route with Alpha's object is not refused, so the refusals
    above come from the ownership check, not from a broken address."""
    case = ROUTES[endpoint]
    sign_in(client, world.alpha.owner)
    url = case.own(world)
    assert set(case.own_status) == set(methods(rule_of(app, endpoint))), endpoint
    for method, status in sorted(case.own_status.items()):
        with undone(db_session):
            response = client.open(url, method=method, data={})
        assert response.status_code == status, f"{method} {url}"
        assert BRAVO_MARKER.encode() not in response.data


@pytest.mark.parametrize("endpoint", sorted(
    name for name, case in ROUTES.items() if isinstance(case, Public) and case.hidden))
def test_public_routes_hide_what_is_not_public(endpoint, client, world):
    sign_in(client, world.alpha.owner)
    for url in ROUTES[endpoint].hidden(world):
        response = client.get(url)
        assert response.status_code == 404, url
        assert BRAVO_MARKER.encode() not in response.data, url


@pytest.mark.parametrize("endpoint", sorted(COMPOSITE))
def test_nested_ids_must_belong_together(endpoint, app, client, world, db_session):
    who, url = COMPOSITE[endpoint]
    user = world.alpha.owner if who == "alpha" else getattr(world, who)
    sign_in(client, user)
    for method in methods(rule_of(app, endpoint)):
        before = row_counts(db_session)
        response = client.open(url(world), method=method, data={})
        assert response.status_code == 404, f"{who}: {method} {url(world)}"
        assert row_counts(db_session) == before


# Ids inside form bodies --------------------------------------------------------------------

def test_applying_for_another_organisation_is_refused(client, world, db_session):
    from grants.applications.models import Application

    sign_in(client, world.alpha.owner)
    call = world.extra["published_call"]
    response = client.post(f"/calls/{call.id}/apply",
                           data={"organisation_id": str(world.bravo.org.id)})
    assert response.status_code in (400, 403, 422)
    assert db_session.scalar(select(Application).where(
        Application.call_id == call.id, Application.organisation_id == world.bravo.org.id)) \
        is None


def test_a_report_cannot_take_over_another_reports_expense_line(client, world, db_session):
    from grants.monitoring.models import Expenditure

    sign_in(client, world.alpha.owner)
    line = world.bravo.expenditure
    response = client.post(f"/reports/{world.alpha.report.id}/edit", data={
        "activities": "Ours", "results": "Ours",
        "expenditures-0-id": str(line.id), "expenditures-0-category": "activities",
        "expenditures-0-spent_on": line.spent_on.isoformat(),
        "expenditures-0-description": "Taken over", "expenditures-0-amount": "1.00"})
    assert response.status_code == 422
    db_session.expire_all()
    kept = db_session.get(Expenditure, line.id)
    assert kept.description == f"{BRAVO_MARKER} venue" and kept.version_id == line.version_id


def test_a_report_cannot_remove_another_reports_evidence(client, world, db_session):
    from grants.monitoring.models import ReportEvidence

    sign_in(client, world.alpha.owner)
    evidence = db_session.scalar(select(ReportEvidence).where(
        ReportEvidence.stored_file_id == world.bravo.evidence.id))
    response = client.post(f"/reports/{world.alpha.report.id}/edit", data={
        "activities": "Ours", "results": "Ours", "remove_evidence": str(evidence.id)})
    assert response.status_code == 422
    db_session.expire_all()
    assert db_session.get(ReportEvidence, evidence.id) is not None


def test_an_attachment_cannot_be_filed_under_another_calls_document(client, world,
                                                                    db_session):
    from io import BytesIO

    from grants.applications.models import Attachment
    from tests.security.world import PDF

    sign_in(client, world.alpha.owner)
    foreign_document = world.bravo.draft.call.required_documents[0]
    before = db_session.scalar(select(Attachment.id).order_by(Attachment.id.desc()).limit(1))
    response = client.post(f"/applications/{world.alpha.draft.id}/attachments", data={
        "required_document_id": str(foreign_document.id), "file": (BytesIO(PDF), "a.pdf")})
    assert response.status_code in (400, 422)
    assert db_session.scalar(select(Attachment.id).order_by(Attachment.id.desc()).limit(1)) \
        == before


# Lists -------------------------------------------------------------------------------------

#: Pages without an id that show other organisations' data on purpose: what staff published.
PUBLIC_LISTS = {
    "portal.projects": "The published projects (Bravo's signed award is one).",
    "opendata.index": "The published projects as open data.",
    "opendata.download_json": "The published projects as open data.",
    "opendata.download_xlsx": "The published projects as open data.",
    "opendata.download_iati": "The published projects as open data.",
}


def test_alphas_owner_sees_none_of_bravos_data_in_lists(app, client, world):
    assert PUBLIC_LISTS.keys() <= app.view_functions.keys()
    sign_in(client, world.alpha.owner)
    leaks = []
    for rule in rules(app):
        if rule.arguments or "GET" not in rule.methods or rule.endpoint in PUBLIC_LISTS:
            continue
        response = client.get(rule.rule)
        if BRAVO_MARKER.encode() in response.data:
            leaks.append(f"{rule.rule} ({response.status_code})")
    assert not leaks, leaks
    # The control: Alpha's own lists do show Alpha's objects.
    assert b"Alpha draft" in client.get("/applications").data
