"""Another organisation's ids: a signed-in applicant who owns organisation Alpha asks for
Bravo's objects, by every route whose address names an object, with every method the route
accepts. Each request must be refused (403 or 404: never a 200, a redirect into the object,
or a 500), must not show any of Bravo's text, and a POST must write nothing.

``ROUTES`` has an entry for every route of ``app.url_map`` with a variable part: a new route
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

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

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
from tests.security.world import BRAVO_MARKER, World

Urls = Callable[[World], list[str]]


@dataclass(frozen=True)
class Foreign:
    urls: Urls
    #: Alpha's own object, for the routes Alpha's owner may use, and the status they get
    #: there for each method.
    own: Callable[[World], str] | None = None
    own_status: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Public:
    reason: str
    #: Addresses of objects that are not public: 404 for the applicant.
    hidden: Urls | None = None


A = lambda w: w.alpha  # noqa: E731
B = lambda w: w.bravo  # noqa: E731
X = lambda w: w.extra  # noqa: E731

ROUTES: dict[str, Foreign | Public] = {
    "static": Public("Vendored CSS, JavaScript and fonts."),
    # Token links: the signed token is the permission (tests/accounts, tests/grants/endorsements).
    "accounts.confirm_email": Public("The emailed, signed token is the permission."),
    "accounts.reset_password": Public("The emailed, signed token is the permission."),
    "accounts.accept_invitation": Public("The emailed, signed token is the permission."),
    "endorsements.respond": Public("The counterpart's emailed, signed link is the permission."),
    # Administration.
    "users_admin.user_detail": Foreign(lambda w: [f"/admin/users/{B(w).owner.id}"]),
    "users_admin.set_user_enabled": Foreign(
        lambda w: [f"/admin/users/{B(w).owner.id}/enabled"]),
    "platform_admin.outbox_message": Foreign(
        lambda w: [f"/admin/outbox/{X(w)['message'].id}"]),
    "platform_admin.retry_outbox_message": Foreign(
        lambda w: [f"/admin/outbox/{X(w)['dead_message'].id}/retry"]),
    # Organisations: owners manage their own.
    "organisations.detail": Foreign(
        lambda w: [f"/organisations/{B(w).org.id}"],
        own=lambda w: f"/organisations/{A(w).org.id}", own_status={"GET": 200}),
    "organisations.edit": Foreign(
        lambda w: [f"/organisations/{B(w).org.id}/edit"],
        # An empty form keeps the stored values (Flask-WTF reads none): saved unchanged.
        own=lambda w: f"/organisations/{A(w).org.id}/edit",
        own_status={"GET": 200, "POST": 302}),
    "organisations.verify": Foreign(lambda w: [f"/organisations/{B(w).org.id}/verify"]),
    "organisations.invite_member": Foreign(
        lambda w: [f"/organisations/{B(w).org.id}/members/invite"],
        own=lambda w: f"/organisations/{A(w).org.id}/members/invite",
        own_status={"GET": 200, "POST": 422}),
    "organisations.remove_member": Foreign(
        lambda w: [f"/organisations/{B(w).org.id}/members/{B(w).membership.id}/remove",
                   f"/organisations/{A(w).org.id}/members/{B(w).membership.id}/remove"],
        own=lambda w: f"/organisations/{A(w).org.id}/members/{A(w).membership.id}/remove",
        own_status={"POST": 409}),
    "organisations.merge": Foreign(lambda w: [f"/organisations/{B(w).org.id}/merge"]),
    "organisations.revoke_invitation": Foreign(
        lambda w: [f"/organisations/{B(w).org.id}/invitations/{B(w).invitation.id}/revoke",
                   f"/organisations/{A(w).org.id}/invitations/{B(w).invitation.id}/revoke"],
        own=lambda w: f"/organisations/{A(w).org.id}/invitations/{A(w).invitation.id}/revoke",
        own_status={"POST": 302}),
    # Only the invited person answers an invitation: not even the owner who sent it.
    "organisations.invitation": Foreign(
        lambda w: [f"/organisations/invitations/{B(w).invitation.id}",
                   f"/organisations/invitations/{A(w).invitation.id}"]),
    "organisations.accept_invitation": Foreign(
        lambda w: [f"/organisations/invitations/{B(w).invitation.id}/accept",
                   f"/organisations/invitations/{A(w).invitation.id}/accept"]),
    "organisations.decline_invitation": Foreign(
        lambda w: [f"/organisations/invitations/{B(w).invitation.id}/decline",
                   f"/organisations/invitations/{A(w).invitation.id}/decline"]),
    # Applications.
    "applications.start": Public(
        "Calls are public; applying for another's organisation is refused "
        "(test_applying_for_another_organisation_is_refused).",
        hidden=lambda w: [f"/calls/{X(w)['draft_call'].id}/apply"]),
    "applications.detail": Foreign(
        lambda w: [f"/applications/{B(w).draft.id}", f"/applications/{B(w).application.id}"],
        own=lambda w: f"/applications/{A(w).draft.id}", own_status={"GET": 200}),
    "applications.print_view": Foreign(
        lambda w: [f"/applications/{B(w).draft.id}/print",
                   f"/applications/{B(w).application.id}/print"],
        own=lambda w: f"/applications/{A(w).application.id}/print", own_status={"GET": 200}),
    "applications.edit_section": Foreign(
        lambda w: [f"/applications/{B(w).draft.id}/sections/project",
                   f"/applications/{B(w).draft.id}/sections/documents"],
        own=lambda w: f"/applications/{A(w).draft.id}/sections/project",
        own_status={"GET": 200, "POST": 302}),
    "applications.submit": Foreign(
        lambda w: [f"/applications/{B(w).draft.id}/submit"],
        own=lambda w: f"/applications/{A(w).draft.id}/submit",
        own_status={"GET": 200, "POST": 422}),
    "applications.upload_attachment": Foreign(
        lambda w: [f"/applications/{B(w).draft.id}/attachments"],
        own=lambda w: f"/applications/{A(w).draft.id}/attachments", own_status={"POST": 422}),
    "applications.remove_attachment": Foreign(
        lambda w: [f"/applications/{B(w).draft.id}/attachments/{B(w).attachment.id}/remove",
                   f"/applications/{A(w).draft.id}/attachments/{B(w).attachment.id}/remove"],
        own=lambda w: f"/applications/{A(w).draft.id}/attachments/{A(w).attachment.id}/remove",
        own_status={"POST": 302}),
    "applications.download_attachment": Foreign(
        lambda w: [f"/applications/{B(w).draft.id}/attachments/{B(w).attachment.id}",
                   f"/applications/{A(w).draft.id}/attachments/{B(w).attachment.id}",
                   f"/applications/{A(w).application.id}/attachments/"
                   f"{B(w).application_attachment.id}"],
        own=lambda w: f"/applications/{A(w).draft.id}/attachments/{A(w).attachment.id}",
        own_status={"GET": 200}),
    "applications.withdraw": Foreign(
        lambda w: [f"/applications/{B(w).draft.id}/withdraw"],
        own=lambda w: f"/applications/{A(w).draft.id}/withdraw", own_status={"POST": 302}),
    "applications_admin.transition": Foreign(
        lambda w: [f"/staff/applications/{B(w).draft.id}/transition"]),
    # Endorsements.
    "endorsements.request_early": Foreign(
        lambda w: [f"/applications/{B(w).draft.id}/endorsement/request"],
        # Alpha's draft has no counterpart yet: the request passes the check, then is refused.
        own=lambda w: f"/applications/{A(w).draft.id}/endorsement/request",
        own_status={"POST": 409}),
    "endorsements.letter": Foreign(
        lambda w: [f"/applications/{B(w).application.id}/endorsement/letter"],
        own=lambda w: f"/applications/{A(w).application.id}/endorsement/letter",
        own_status={"GET": 200}),
    "endorsements.resend": Foreign(
        lambda w: [f"/staff/applications/{B(w).application.id}/endorsement/resend"]),
    "endorsements.record_paper": Foreign(
        lambda w: [f"/staff/applications/{B(w).draft.id}/endorsement/paper"]),
    "screening.screen": Foreign(
        lambda w: [f"/staff/applications/{B(w).application.id}/screening"]),
    # Calls and funds.
    "calls.public_detail": Public(
        "Published calls are public.", hidden=lambda w: [f"/calls/{X(w)['draft_call'].id}"]),
    "calls_admin.edit_fund": Foreign(lambda w: [f"/staff/funds/{X(w)['fund'].id}/edit"]),
    "calls_admin.call_detail": Foreign(lambda w: [f"/staff/calls/{X(w)['draft_call'].id}"]),
    "calls_admin.edit_call": Foreign(lambda w: [f"/staff/calls/{X(w)['draft_call'].id}/edit"]),
    "calls_admin.edit_rubric": Foreign(
        lambda w: [f"/staff/calls/{X(w)['draft_call'].id}/rubric"]),
    "calls_admin.transition_call": Foreign(
        lambda w: [f"/staff/calls/{X(w)['draft_call'].id}/transition"]),
    # Review panels, reviews and ranking.
    "reviews.review": Foreign(lambda w: [f"/reviews/{X(w)['review_assignment'].id}"]),
    "reviews.decline": Foreign(lambda w: [f"/reviews/{X(w)['review_assignment'].id}/decline"]),
    "reviews.attachment": Foreign(
        lambda w: [f"/reviews/{w.assignment.id}/attachments/{A(w).application_attachment.id}",
                   f"/reviews/{X(w)['review_assignment'].id}/attachments/"
                   f"{B(w).attachment.id}"]),
    "reviews.declare_conflict": Foreign(
        lambda w: [f"/panels/{X(w)['review_panel'].id}/conflicts/new"]),
    "reviews.application_reviews": Foreign(
        lambda w: [f"/reviews/applications/{X(w)['review_application'].id}",
                   f"/reviews/applications/{B(w).application.id}"]),
    "panels.detail": Foreign(lambda w: [f"/staff/panels/{X(w)['review_panel'].id}"]),
    "panels.edit": Foreign(lambda w: [f"/staff/panels/{X(w)['review_panel'].id}/edit"]),
    "panels.add_member": Foreign(lambda w: [f"/staff/panels/{X(w)['review_panel'].id}/members"]),
    "panels.remove_member": Foreign(
        lambda w: [f"/staff/panels/{X(w)['review_panel'].id}/members/"
                   f"{X(w)['spare_member'].id}/remove"]),
    "panels.assign": Foreign(lambda w: [f"/staff/panels/{X(w)['review_panel'].id}/assign"]),
    "panels.auto_assign": Foreign(
        lambda w: [f"/staff/panels/{X(w)['review_panel'].id}/auto-assign"]),
    "panels.reassign": Foreign(
        lambda w: [f"/staff/panels/{X(w)['review_panel'].id}/assignments/"
                   f"{X(w)['review_assignment'].id}/reassign"]),
    "ranking.ranking": Foreign(lambda w: [f"/staff/panels/{X(w)['ranking_panel'].id}/ranking"]),
    "ranking.decide": Foreign(
        lambda w: [f"/staff/panels/{X(w)['ranking_panel'].id}/decisions"]),
    "ranking.feedback": Foreign(
        lambda w: [f"/staff/panels/{X(w)['ranking_panel'].id}/applications/"
                   f"{X(w)['ranking_application'].id}/feedback"]),
    "ranking.lock": Foreign(lambda w: [f"/staff/panels/{X(w)['ranking_panel'].id}/lock"]),
    "ranking.unlock": Foreign(lambda w: [f"/staff/panels/{X(w)['ranking_panel'].id}/unlock"]),
    "ranking.open_discussion": Foreign(
        lambda w: [f"/staff/panels/{X(w)['ranking_panel'].id}/discussion/open"]),
    "ranking.close_discussion": Foreign(
        lambda w: [f"/staff/panels/{X(w)['ranking_panel'].id}/discussion/close"]),
    "panels.resolve_late_conflict": Foreign(
        lambda w: [f"/staff/panels/{X(w)['review_panel'].id}/reviews/"
                   f"{X(w)['marked_review'].id}/late-conflict"]),
    "ranking.progress": Foreign(
        lambda w: [f"/staff/panels/{X(w)['ranking_panel'].id}/progress"]),
    "ranking.export": Foreign(
        lambda w: [f"/staff/panels/{X(w)['ranking_panel'].id}/scores.xlsx"]),
    # Awards and the disbursement ledger.
    "awards.create": Foreign(lambda w: [f"/staff/applications/{B(w).application.id}/award"]),
    "awards.detail": Foreign(
        lambda w: [f"/awards/{B(w).award.id}", f"/awards/{B(w).pending_award.id}"],
        own=lambda w: f"/awards/{A(w).award.id}", own_status={"GET": 200}),
    "awards.agreement": Foreign(
        lambda w: [f"/awards/{B(w).award.id}/agreement"],
        own=lambda w: f"/awards/{A(w).award.id}/agreement", own_status={"GET": 200}),
    "awards.edit": Foreign(lambda w: [f"/staff/awards/{B(w).pending_award.id}/edit"]),
    "awards.sign": Foreign(lambda w: [f"/staff/awards/{B(w).pending_award.id}/sign"]),
    "awards.transition": Foreign(lambda w: [f"/staff/awards/{B(w).award.id}/transition"]),
    "awards.request_disbursement": Foreign(
        lambda w: [f"/staff/awards/{B(w).award.id}/tranches/{B(w).tranche.id}/request",
                   f"/staff/awards/{A(w).award.id}/tranches/{B(w).tranche.id}/request"]),
    "awards.approve": Foreign(
        lambda w: [f"/finance/disbursements/{B(w).disbursements['requested'].id}/approve"]),
    "awards.reject": Foreign(
        lambda w: [f"/finance/disbursements/{B(w).disbursements['requested'].id}/reject"]),
    "awards.cancel": Foreign(
        lambda w: [f"/finance/disbursements/{B(w).disbursements['requested'].id}/cancel"]),
    "awards.pay": Foreign(
        lambda w: [f"/finance/disbursements/{B(w).disbursements['approved'].id}/pay"]),
    "awards.reverse": Foreign(
        lambda w: [f"/finance/disbursements/{B(w).disbursements['paid'].id}/reverse"]),
    # Progress reports, receipts and evidence.
    "monitoring.report": Foreign(
        lambda w: [f"/reports/{B(w).report.id}"],
        own=lambda w: f"/reports/{A(w).report.id}", own_status={"GET": 200}),
    "monitoring.edit_report": Foreign(
        lambda w: [f"/reports/{B(w).report.id}/edit"],
        own=lambda w: f"/reports/{A(w).report.id}/edit", own_status={"GET": 200, "POST": 302}),
    "monitoring.upload_evidence": Foreign(
        lambda w: [f"/reports/{B(w).report.id}/evidence"],
        own=lambda w: f"/reports/{A(w).report.id}/evidence", own_status={"POST": 422}),
    "monitoring.upload_receipt": Foreign(
        lambda w: [f"/reports/{B(w).report.id}/expenditures/{B(w).expenditure.id}/receipt",
                   f"/reports/{A(w).report.id}/expenditures/{B(w).expenditure.id}/receipt"],
        own=lambda w: f"/reports/{A(w).report.id}/expenditures/{A(w).expenditure.id}/receipt",
        own_status={"POST": 422}),
    "monitoring.file": Foreign(
        lambda w: [f"/reports/{B(w).report.id}/files/{B(w).receipt.id}",
                   f"/reports/{B(w).report.id}/files/{B(w).evidence.id}",
                   f"/reports/{A(w).report.id}/files/{B(w).receipt.id}",
                   f"/reports/{A(w).report.id}/files/{B(w).evidence.id}",
                   f"/reports/{A(w).report.id}/files/{B(w).attachment.stored_file_id}",
                   f"/reports/{A(w).report.id}/files/{B(w).award.agreement_file_id}"],
        own=lambda w: f"/reports/{A(w).report.id}/files/{A(w).receipt.id}",
        own_status={"GET": 200}),
    "monitoring.review_report": Foreign(lambda w: [f"/staff/reports/{B(w).report.id}/review"]),
    "monitoring.add_report": Foreign(lambda w: [f"/staff/awards/{B(w).award.id}/reports/new"]),
    "monitoring.budget": Foreign(
        lambda w: [f"/awards/{B(w).award.id}/budget"],
        own=lambda w: f"/awards/{A(w).award.id}/budget", own_status={"GET": 200}),
    "monitoring.close_out": Foreign(lambda w: [f"/staff/awards/{B(w).award.id}/close-out"]),
    # Coalitions, action plans, events and indicators: staff's objects.
    "coalitions.detail": Foreign(lambda w: [f"/coalitions/{X(w)['coalition'].id}"]),
    "coalitions.edit": Foreign(lambda w: [f"/coalitions/{X(w)['coalition'].id}/edit"]),
    "coalitions.add_member": Foreign(lambda w: [f"/coalitions/{X(w)['coalition'].id}/members"]),
    "coalitions.end_membership": Foreign(
        lambda w: [f"/coalitions/{X(w)['coalition'].id}/members/"
                   f"{X(w)['coalition_membership'].id}/end"]),
    "coalitions.add_activity": Foreign(
        lambda w: [f"/coalitions/{X(w)['coalition'].id}/activities/new"]),
    "coalitions.evidence": Foreign(
        lambda w: [f"/coalitions/{X(w)['coalition'].id}/activities/"
                   f"{X(w)['coalition_activity'].id}/evidence"]),
    "coalitions.link_award": Foreign(lambda w: [f"/coalitions/{X(w)['coalition'].id}/awards"]),
    "coalitions.unlink_award": Foreign(
        lambda w: [f"/coalitions/{X(w)['coalition'].id}/awards/{B(w).award.id}/unlink"]),
    "plans.public_plan": Public(
        "Published action plans are public.",
        hidden=lambda w: [f"/action-plans/{X(w)['draft_plan'].id}"]),
    "plans.edit_plan": Foreign(
        lambda w: [f"/staff/action-plans/{X(w)['action_plan'].id}/edit"]),
    "plans.new_commitment": Foreign(
        lambda w: [f"/staff/action-plans/{X(w)['action_plan'].id}/commitments/new"]),
    "plans.edit_commitment": Foreign(
        lambda w: [f"/staff/commitments/{X(w)['commitment'].id}/edit"]),
    "plans.add_milestone": Foreign(
        lambda w: [f"/staff/commitments/{X(w)['commitment'].id}/milestones"]),
    "plans.update_milestone": Foreign(lambda w: [f"/staff/milestones/{X(w)['milestone'].id}"]),
    "events.detail": Foreign(lambda w: [f"/staff/events/{X(w)['event'].id}"]),
    "events.edit": Foreign(lambda w: [f"/staff/events/{X(w)['event'].id}/edit"]),
    "events.agenda": Foreign(lambda w: [f"/staff/events/{X(w)['event'].id}/agenda"]),
    "events.import_attendance": Foreign(lambda w: [f"/staff/events/{X(w)['event'].id}/import"]),
    "events.import_errors": Foreign(
        lambda w: [f"/staff/events/{X(w)['event'].id}/import/errors.xlsx"]),
    "indicators.detail": Foreign(lambda w: ["/indicators/organisations", "/indicators/people"]),
    # Reporting (being completed). The public project pages show what staff published of a
    # signed award: an award waiting for signature is not a project.
    "portal.project": Public(
        "Public project pages of signed, published awards.",
        hidden=lambda w: [f"/projects/{B(w).pending_award.reference}"]),
    "portal.project_sheet": Public(
        "Printable sheet of a public project page.",
        hidden=lambda w: [f"/projects/{B(w).pending_award.reference}/sheet"]),
    "portal.qr_png": Public(
        "QR code of a public project page's address.",
        hidden=lambda w: [f"/projects/{B(w).pending_award.reference}/qr.png"]),
    "portal.qr_svg": Public(
        "QR code of a public project page's address.",
        hidden=lambda w: [f"/projects/{B(w).pending_award.reference}/qr.svg"]),
    "portal.edit_publication": Foreign(
        lambda w: [f"/staff/awards/{B(w).award.id}/publication"]),
}

#: Nested addresses whose inner object belongs to another outer object: 404 for a user who
#: may use the outer one. (who, address)
COMPOSITE: dict[str, tuple[str, Callable[[World], str]]] = {
    "applications.download_attachment": (
        "staff", lambda w: f"/applications/{A(w).draft.id}/attachments/{B(w).attachment.id}"),
    "applications.remove_attachment": (
        "alpha", lambda w: f"/applications/{A(w).draft.id}/attachments/"
                           f"{B(w).attachment.id}/remove"),
    "organisations.remove_member": (
        "staff", lambda w: f"/organisations/{A(w).org.id}/members/{B(w).membership.id}/remove"),
    "organisations.revoke_invitation": (
        "staff", lambda w: f"/organisations/{A(w).org.id}/invitations/{B(w).invitation.id}"
                           f"/revoke"),
    "reviews.attachment": (
        "reviewer", lambda w: f"/reviews/{w.assignment.id}/attachments/{B(w).attachment.id}"),
    "ranking.feedback": (
        "staff", lambda w: f"/staff/panels/{X(w)['ranking_panel'].id}/applications/"
                           f"{B(w).application.id}/feedback"),
    "panels.remove_member": (
        "staff", lambda w: f"/staff/panels/{X(w)['ranking_panel'].id}/members/"
                           f"{X(w)['spare_member'].id}/remove"),
    "panels.reassign": (
        "staff", lambda w: f"/staff/panels/{X(w)['ranking_panel'].id}/assignments/"
                           f"{X(w)['review_assignment'].id}/reassign"),
    "panels.resolve_late_conflict": (
        "staff", lambda w: f"/staff/panels/{X(w)['ranking_panel'].id}/reviews/"
                           f"{X(w)['marked_review'].id}/late-conflict"),
    "monitoring.upload_receipt": (
        "alpha", lambda w: f"/reports/{A(w).report.id}/expenditures/"
                           f"{B(w).expenditure.id}/receipt"),
    "monitoring.file": (
        "staff", lambda w: f"/reports/{A(w).report.id}/files/{B(w).receipt.id}"),
    "awards.request_disbursement": (
        "staff", lambda w: f"/staff/awards/{A(w).award.id}/tranches/{B(w).tranche.id}/request"),
    "coalitions.end_membership": (
        "staff", lambda w: f"/coalitions/{X(w)['other_coalition'].id}/members/"
                           f"{X(w)['coalition_membership'].id}/end"),
    "coalitions.evidence": (
        "staff", lambda w: f"/coalitions/{X(w)['other_coalition'].id}/activities/"
                           f"{X(w)['coalition_activity'].id}/evidence"),
    "coalitions.unlink_award": (
        "staff", lambda w: f"/coalitions/{X(w)['coalition'].id}/awards/{B(w).award.id}/unlink"),
}


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
