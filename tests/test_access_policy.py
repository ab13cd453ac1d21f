"""The access policy of every route, and a check that the app enforces it.

Every endpoint in ``app.url_map`` must have an entry here, saying which roles may use it and
what they get; a new route without an entry fails ``test_every_endpoint_has_a_policy``. Each
(endpoint, role) pair is then requested: allowed roles get the entry's status, a signed-in
user without permission gets 403, and an anonymous visitor is sent to sign in.

The conflicted personas hold a role (staff, finance, reviewer) and belong to the counterpart
organisation of every application of the context: they get what their role gets, except where
an entry's ``conflicted`` status says otherwise (nobody acts for an organisation they belong
to), and no page or export shows them the scores or reviews of those applications.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

#: Conflicted personas and the role each holds.
PERSONAS = {"conflicted_staff": "staff", "conflicted_finance": "finance",
            "conflicted_reviewer": "reviewer"}
ROLES = ("anonymous", "applicant", "reviewer", "staff", "finance", "admin", "donor",
         *PERSONAS)
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
STAFF = frozenset({"staff", "admin"})
ADMIN = frozenset({"admin"})
NOBODY = frozenset()


@dataclass(frozen=True)
class Access:
    allowed: frozenset
    url: Callable[[dict], str]
    method: str = "GET"
    ok: int = 200
    data: dict = field(default_factory=dict)
    #: Status for particular allowed roles, where it differs from ``ok``.
    ok_for: dict = field(default_factory=dict)
    #: Status for a conflicted persona whose role is allowed, where it differs (403: the
    #: action concerns an organisation the persona belongs to).
    conflicted: int | None = None


def _static(ctx):
    return "/static/css/app.css"


POLICY: dict[str, Access] = {
    "static": Access(EVERYONE, _static),
    "core.home": Access(EVERYONE, lambda c: "/"),
    "core.health": Access(EVERYONE, lambda c: "/health"),
    "core.set_language": Access(EVERYONE, lambda c: "/language", "POST", 302,
                                {"locale": "es", "next": "/"}),
    # Sign-in pages: open to everyone; a signed-in user is sent home.
    "accounts.login": Access(EVERYONE, lambda c: "/login",
                             ok_for={r: 302 for r in SIGNED_IN}),
    "accounts.register": Access(EVERYONE, lambda c: "/register",
                                ok_for={r: 302 for r in SIGNED_IN}),
    "accounts.logout": Access(EVERYONE, lambda c: "/logout", "POST", 302),
    "accounts.forgot_password": Access(EVERYONE, lambda c: "/password/forgot"),
    "accounts.resend_confirmation": Access(EVERYONE, lambda c: "/confirm"),
    # Token links are public; an invalid token gets 400 whoever follows it.
    "accounts.confirm_email": Access(EVERYONE, lambda c: "/confirm/not-a-token", ok=400),
    "accounts.reset_password": Access(EVERYONE, lambda c: "/password/reset/not-a-token", ok=400),
    "accounts.accept_invitation": Access(EVERYONE, lambda c: "/invitation/not-a-token", ok=400),
    "accounts.profile": Access(SIGNED_IN, lambda c: "/account"),
    "accounts.change_password": Access(SIGNED_IN, lambda c: "/account/password"),
    "users_admin.list_users": Access(ADMIN, lambda c: "/admin/users"),
    "users_admin.invite_user": Access(ADMIN, lambda c: "/admin/users/invite"),
    "users_admin.user_detail": Access(ADMIN, lambda c: f"/admin/users/{c['other_user'].id}"),
    "users_admin.set_user_enabled": Access(
        ADMIN, lambda c: f"/admin/users/{c['other_user'].id}/enabled", "POST", 302,
        {"enable": "0"}),
    "platform_admin.audit_log": Access(STAFF, lambda c: "/admin/audit"),
    "platform_admin.outbox": Access(ADMIN, lambda c: "/admin/outbox"),
    "platform_admin.outbox_message": Access(ADMIN, lambda c: f"/admin/outbox/{c['message'].id}"),
    "platform_admin.retry_outbox_message": Access(
        ADMIN, lambda c: f"/admin/outbox/{c['dead_message'].id}/retry", "POST", 302),
    "organisations.directory": Access(STAFF, lambda c: "/organisations"),
    "organisations.mine": Access(SIGNED_IN, lambda c: "/organisations/mine"),
    "organisations.create": Access(SIGNED_IN, lambda c: "/organisations/new"),
    "organisations.detail": Access(STAFF, lambda c: f"/organisations/{c['org'].id}"),
    "organisations.edit": Access(STAFF, lambda c: f"/organisations/{c['org'].id}/edit"),
    "organisations.verify": Access(STAFF, lambda c: f"/organisations/{c['org'].id}/verify",
                                   "POST", 302, {"verified": "1"}),
    "organisations.invite_member": Access(
        STAFF, lambda c: f"/organisations/{c['org'].id}/members/invite"),
    "organisations.remove_member": Access(
        STAFF, lambda c: f"/organisations/{c['org'].id}/members/{c['member'].id}/remove",
        "POST", 302),
    "organisations.merge": Access(STAFF, lambda c: f"/organisations/{c['org'].id}/merge"),
    "organisations.revoke_invitation": Access(
        STAFF, lambda c: f"/organisations/{c['org'].id}/invitations/{c['invitation'].id}/revoke",
        "POST", 302),
    # Only the invited person (signed in with the invited address) answers an invitation:
    # no role can, so every role gets 403 (tests/accounts/organisations/test_invitations.py).
    "organisations.invitation": Access(
        NOBODY, lambda c: f"/organisations/invitations/{c['invitation'].id}"),
    "organisations.accept_invitation": Access(
        NOBODY, lambda c: f"/organisations/invitations/{c['invitation'].id}/accept", "POST"),
    "organisations.decline_invitation": Access(
        NOBODY, lambda c: f"/organisations/invitations/{c['invitation'].id}/decline", "POST"),
    # Applications: another organisation's application. Staff may read it; only the
    # applicant's members (covered in tests/grants/applications) may change it.
    "applications.mine": Access(SIGNED_IN, lambda c: "/applications"),
    "applications.start": Access(SIGNED_IN, lambda c: f"/calls/{c['application'].call_id}/apply"),
    "applications.detail": Access(STAFF, lambda c: f"/applications/{c['application'].id}"),
    "applications.print_view": Access(
        STAFF, lambda c: f"/applications/{c['application'].id}/print"),
    "applications.edit_section": Access(
        NOBODY, lambda c: f"/applications/{c['application'].id}/sections/project"),
    "applications.submit": Access(NOBODY, lambda c: f"/applications/{c['application'].id}/submit"),
    "applications.upload_attachment": Access(
        NOBODY, lambda c: f"/applications/{c['application'].id}/attachments", "POST"),
    "applications.remove_attachment": Access(
        NOBODY, lambda c: f"/applications/{c['application'].id}/attachments/"
                          f"{c['attachment'].id}/remove", "POST"),
    "applications.download_attachment": Access(
        STAFF, lambda c: f"/applications/{c['application'].id}/attachments/{c['attachment'].id}"),
    "applications.withdraw": Access(
        NOBODY, lambda c: f"/applications/{c['application'].id}/withdraw", "POST"),
    "applications_admin.list_applications": Access(STAFF, lambda c: "/staff/applications"),
    "applications_admin.transition": Access(
        STAFF, lambda c: f"/staff/applications/{c['application'].id}/transition", "POST", 303,
        {"target": "eligible"}, conflicted=403),
    # Endorsements: the counterpart's link is public (a bad token gets 400 whoever follows
    # it). The context's application is a draft without a counterpart contact: staff pass the
    # policy, then resending is refused (409) and there is no letter to download (404).
    "endorsements.respond": Access(EVERYONE, lambda c: "/endorse/not-a-token", ok=400),
    "endorsements.request_early": Access(
        NOBODY, lambda c: f"/applications/{c['application'].id}/endorsement/request", "POST"),
    "endorsements.letter": Access(
        STAFF, lambda c: f"/applications/{c['application'].id}/endorsement/letter", ok=404),
    "endorsements.resend": Access(
        STAFF, lambda c: f"/staff/applications/{c['application'].id}/endorsement/resend",
        "POST", 409),
    "endorsements.record_paper": Access(
        STAFF, lambda c: f"/staff/applications/{c['application'].id}/endorsement/paper",
        conflicted=403),
    # Screening: a draft is shown read-only to staff.
    "screening.screen": Access(
        STAFF, lambda c: f"/staff/applications/{c['application'].id}/screening"),
    # Calls: the public pages are open to everyone (a draft is 404 for all but staff, in
    # tests/grants/calls); funds and calls are managed by staff.
    "calls.public_list": Access(EVERYONE, lambda c: "/calls"),
    "calls.public_detail": Access(EVERYONE, lambda c: f"/calls/{c['published_call'].id}"),
    "calls_admin.funds": Access(STAFF, lambda c: "/staff/funds"),
    "calls_admin.new_fund": Access(STAFF, lambda c: "/staff/funds/new"),
    "calls_admin.edit_fund": Access(STAFF, lambda c: f"/staff/funds/{c['fund'].id}/edit"),
    "calls_admin.calls": Access(STAFF, lambda c: "/staff/calls"),
    "calls_admin.new_call": Access(STAFF, lambda c: "/staff/calls/new"),
    "calls_admin.call_detail": Access(STAFF, lambda c: f"/staff/calls/{c['draft_call'].id}"),
    "calls_admin.edit_call": Access(STAFF,
                                    lambda c: f"/staff/calls/{c['draft_call'].id}/edit"),
    "calls_admin.edit_rubric": Access(STAFF,
                                      lambda c: f"/staff/calls/{c['draft_call'].id}/rubric"),
    "calls_admin.transition_call": Access(
        STAFF, lambda c: f"/staff/calls/{c['draft_call'].id}/transition", "POST", 302,
        {"target": "published"}),
    # Ranking and decisions: staff (and the panel's chair, covered in tests/grants/ranking).
    # An empty decision form is refused (422); unlocking a panel that is not locked is
    # answered as a repeated unlock, with a note (302).
    "ranking.ranking": Access(STAFF, lambda c: f"/staff/panels/{c['ranking_panel'].id}/ranking"),
    "ranking.decide": Access(
        STAFF, lambda c: f"/staff/panels/{c['ranking_panel'].id}/decisions", "POST", 422),
    "ranking.feedback": Access(
        STAFF, lambda c: f"/staff/panels/{c['ranking_panel'].id}/applications/"
                         f"{c['ranking_application'].id}/feedback", conflicted=403),
    "ranking.lock": Access(STAFF, lambda c: f"/staff/panels/{c['ranking_panel'].id}/lock",
                           "POST", 302),
    "ranking.unlock": Access(STAFF, lambda c: f"/staff/panels/{c['ranking_panel'].id}/unlock",
                             "POST", 302),
    # The discussion phase (the chair too, in tests/grants/reviews); closing a discussion
    # that is not open is answered as a repeated close, with a note (302).
    "ranking.open_discussion": Access(
        STAFF, lambda c: f"/staff/panels/{c['ranking_panel'].id}/discussion/open", "POST", 302),
    "ranking.close_discussion": Access(
        STAFF, lambda c: f"/staff/panels/{c['ranking_panel'].id}/discussion/close", "POST",
        302),
    "ranking.progress": Access(
        STAFF, lambda c: f"/staff/panels/{c['ranking_panel'].id}/progress"),
    "ranking.export": Access(
        STAFF, lambda c: f"/staff/panels/{c['ranking_panel'].id}/scores.xlsx"),
    # Reviews: the context's assignment belongs to a panel reviewer who is none of the test
    # roles, so only its reviewer (tests/grants/reviews) may open, decline or download
    # through it; declaring conflicts is for the panel's members. Staff forms posted empty
    # are refused (422).
    "reviews.workspace": Access(frozenset({"reviewer"}), lambda c: "/reviews"),
    "reviews.review": Access(NOBODY, lambda c: f"/reviews/{c['review_assignment'].id}"),
    "reviews.decline": Access(
        NOBODY, lambda c: f"/reviews/{c['review_assignment'].id}/decline", "POST",
        data={"reason": "No time."}),
    "reviews.attachment": Access(
        NOBODY, lambda c: f"/reviews/{c['review_assignment'].id}/attachments/"
                          f"{c['attachment'].id}"),
    "reviews.declare_conflict": Access(
        NOBODY, lambda c: f"/panels/{c['review_panel'].id}/conflicts/new"),
    "reviews.application_reviews": Access(
        STAFF, lambda c: f"/reviews/applications/{c['review_application'].id}", conflicted=403),
    "panels.overview": Access(STAFF, lambda c: "/staff/panels"),
    "panels.new": Access(STAFF, lambda c: "/staff/panels/new"),
    "panels.detail": Access(STAFF, lambda c: f"/staff/panels/{c['review_panel'].id}"),
    "panels.edit": Access(STAFF, lambda c: f"/staff/panels/{c['review_panel'].id}/edit"),
    "panels.add_member": Access(
        STAFF, lambda c: f"/staff/panels/{c['review_panel'].id}/members", "POST", 422),
    "panels.remove_member": Access(
        STAFF, lambda c: f"/staff/panels/{c['review_panel'].id}/members/"
                         f"{c['spare_member'].id}/remove", "POST", 302),
    "panels.assign": Access(
        STAFF, lambda c: f"/staff/panels/{c['review_panel'].id}/assign", "POST", 422),
    "panels.auto_assign": Access(
        STAFF, lambda c: f"/staff/panels/{c['review_panel'].id}/auto-assign", "POST", 302),
    "panels.reassign": Access(
        STAFF, lambda c: f"/staff/panels/{c['review_panel'].id}/assignments/"
                         f"{c['review_assignment'].id}/reassign", "POST", 422),
    # Keeping or excluding a review after a late conflict: an empty form is refused (422).
    "panels.resolve_late_conflict": Access(
        STAFF, lambda c: f"/staff/panels/{c['review_panel'].id}/reviews/"
                         f"{c['marked_review'].id}/late-conflict", "POST", 422, conflicted=403),
    # Monitoring: the context's award belongs to an organisation none of the test roles is a
    # member of, so only its members (tests/grants/monitoring) write its reports; staff read
    # and review them; finance sees budgets and the dashboard. An empty add-report form or
    # close-out form is not posted here.
    "monitoring.my_grants": Access(SIGNED_IN, lambda c: "/grants"),
    "monitoring.finance_dashboard": Access(STAFF | {"finance"}, lambda c: "/staff/dashboard"),
    "monitoring.report": Access(STAFF, lambda c: f"/reports/{c['monitoring_report'].id}"),
    "monitoring.edit_report": Access(
        NOBODY, lambda c: f"/reports/{c['monitoring_report'].id}/edit"),
    "monitoring.upload_evidence": Access(
        NOBODY, lambda c: f"/reports/{c['monitoring_report'].id}/evidence", "POST"),
    "monitoring.upload_receipt": Access(
        NOBODY, lambda c: f"/reports/{c['monitoring_report'].id}/expenditures/"
                          f"{c['monitoring_expenditure'].id}/receipt", "POST"),
    "monitoring.file": Access(
        STAFF, lambda c: f"/reports/{c['monitoring_report'].id}/files/"
                         f"{c['monitoring_receipt'].id}"),
    "monitoring.review_report": Access(
        STAFF, lambda c: f"/staff/reports/{c['monitoring_report'].id}/review", conflicted=403),
    "monitoring.add_report": Access(
        STAFF, lambda c: f"/staff/awards/{c['monitoring_award'].id}/reports/new"),
    "monitoring.budget": Access(STAFF | {"finance"},
                                lambda c: f"/awards/{c['monitoring_award'].id}/budget"),
    "monitoring.close_out": Access(
        STAFF, lambda c: f"/staff/awards/{c['monitoring_award'].id}/close-out", conflicted=403),
    # Awards: staff issue and manage grant agreements and request disbursements; finance
    # approve, reject, cancel, pay and reverse (never their own request: the context's were
    # made by a staff user who is none of the test roles). Staff and finance read every
    # award; the grantee's members read their own (tests/grants/awards).
    "awards.list_awards": Access(STAFF | {"finance"}, lambda c: "/staff/awards"),
    "awards.finance_queue": Access(STAFF | {"finance"}, lambda c: "/finance/disbursements"),
    "awards.create": Access(
        STAFF, lambda c: f"/staff/applications/{c['award_application'].id}/award", conflicted=403),
    "awards.detail": Access(STAFF | {"finance"}, lambda c: f"/awards/{c['active_award'].id}"),
    "awards.agreement": Access(STAFF | {"finance"},
                               lambda c: f"/awards/{c['active_award'].id}/agreement"),
    "awards.edit": Access(STAFF, lambda c: f"/staff/awards/{c['pending_award'].id}/edit",
                          conflicted=403),
    "awards.sign": Access(STAFF, lambda c: f"/staff/awards/{c['pending_award'].id}/sign",
                          conflicted=403),
    "awards.transition": Access(
        STAFF, lambda c: f"/staff/awards/{c['active_award'].id}/transition", "POST", 302,
        {"action": "suspend", "reason": "Audit."}, conflicted=403),
    "awards.request_disbursement": Access(
        STAFF, lambda c: f"/staff/awards/{c['active_award'].id}/tranches/"
                         f"{c['active_award'].tranches[0].id}/request", conflicted=403),
    "awards.approve": Access(
        frozenset({"finance"}),
        lambda c: f"/finance/disbursements/{c['requested_disbursement'].id}/approve", "POST",
        302, conflicted=403),
    "awards.reject": Access(
        frozenset({"finance"}),
        lambda c: f"/finance/disbursements/{c['requested_disbursement'].id}/reject", "POST",
        302, {"reason": "Wrong account."}, conflicted=403),
    "awards.cancel": Access(
        frozenset({"finance"}),
        lambda c: f"/finance/disbursements/{c['requested_disbursement'].id}/cancel", "POST",
        302, {"reason": "Duplicate."}, conflicted=403),
    "awards.pay": Access(
        frozenset({"finance"}),
        lambda c: f"/finance/disbursements/{c['approved_disbursement'].id}/pay", conflicted=403),
    "awards.reverse": Access(
        frozenset({"finance"}),
        lambda c: f"/finance/disbursements/{c['paid_disbursement'].id}/reverse", conflicted=403),
    # Indicators: staff and donors see the numbers and the lists of events, organisations and
    # grants; lists of people are staff-only (tests/reporting/indicators).
    "indicators.overview": Access(STAFF | {"donor"}, lambda c: "/indicators"),
    "indicators.detail": Access(STAFF | {"donor"}, lambda c: "/indicators/organisations"),
    # Donor workbook: staff, finance and donors; the variant with names is staff's
    # (tests/reporting/test_workbook_views.py).
    "workbook.form": Access(STAFF | {"finance", "donor"}, lambda c: "/reports/workbook"),
    "workbook.download": Access(STAFF | {"finance", "donor"},
                                lambda c: "/reports/workbook/download?from=2019-01-01"),
    # Coalitions: staff only. Empty member and end-of-membership forms are refused (422).
    "coalitions.list_coalitions": Access(STAFF, lambda c: "/coalitions"),
    "coalitions.new": Access(STAFF, lambda c: "/coalitions/new"),
    "coalitions.detail": Access(STAFF, lambda c: f"/coalitions/{c['coalition'].id}"),
    "coalitions.edit": Access(STAFF, lambda c: f"/coalitions/{c['coalition'].id}/edit"),
    "coalitions.add_member": Access(
        STAFF, lambda c: f"/coalitions/{c['coalition'].id}/members", "POST", 422),
    "coalitions.link_award": Access(
        STAFF, lambda c: f"/coalitions/{c['coalition'].id}/awards", "POST", 422),
    "coalitions.unlink_award": Access(
        STAFF, lambda c: f"/coalitions/{c['coalition'].id}/awards/999999/unlink", "POST", 404),
    "coalitions.end_membership": Access(
        STAFF, lambda c: f"/coalitions/{c['coalition'].id}/members/"
                         f"{c['coalition_membership'].id}/end", "POST", 422),
    "coalitions.add_activity": Access(
        STAFF, lambda c: f"/coalitions/{c['coalition'].id}/activities/new"),
    "coalitions.evidence": Access(
        STAFF, lambda c: f"/coalitions/{c['coalition'].id}/activities/"
                         f"{c['coalition_activity'].id}/evidence"),
    # Action plans: a published plan is public; staff write plans, commitments and
    # milestones (empty milestone forms are refused, 422).
    "plans.public_list": Access(EVERYONE, lambda c: "/action-plans"),
    "plans.public_plan": Access(EVERYONE, lambda c: f"/action-plans/{c['action_plan'].id}"),
    "plans.new_plan": Access(STAFF, lambda c: "/staff/action-plans/new"),
    "plans.edit_plan": Access(STAFF,
                              lambda c: f"/staff/action-plans/{c['action_plan'].id}/edit"),
    "plans.new_commitment": Access(
        STAFF, lambda c: f"/staff/action-plans/{c['action_plan'].id}/commitments/new"),
    "plans.edit_commitment": Access(
        STAFF, lambda c: f"/staff/commitments/{c['commitment'].id}/edit"),
    "plans.add_milestone": Access(
        STAFF, lambda c: f"/staff/commitments/{c['commitment'].id}/milestones", "POST", 422),
    "plans.update_milestone": Access(
        STAFF, lambda c: f"/staff/milestones/{c['milestone'].id}", "POST", 422),
    # Events, people and attendance: staff only (personal data). The context's event has an
    # agenda; an error sheet without its signed list is refused (400), an empty merge (422).
    "events.list_events": Access(STAFF, lambda c: "/staff/events"),
    "events.new": Access(STAFF, lambda c: "/staff/events/new"),
    "events.detail": Access(STAFF, lambda c: f"/staff/events/{c['event'].id}"),
    "events.edit": Access(STAFF, lambda c: f"/staff/events/{c['event'].id}/edit"),
    "events.agenda": Access(STAFF, lambda c: f"/staff/events/{c['event'].id}/agenda"),
    "events.import_attendance": Access(STAFF,
                                       lambda c: f"/staff/events/{c['event'].id}/import"),
    "events.import_errors": Access(
        STAFF, lambda c: f"/staff/events/{c['event'].id}/import/errors.xlsx", "POST", 400),
    "events.template": Access(STAFF, lambda c: "/staff/events/template.xlsx"),
    "events.people": Access(STAFF, lambda c: "/staff/events/people"),
    "events.merge_people": Access(STAFF, lambda c: "/staff/events/people/merge", "POST", 422),
    # The public project portal: open to everyone; what is shown is staff's choice.
    "portal.projects": Access(EVERYONE, lambda c: "/projects"),
    "portal.project": Access(EVERYONE, lambda c: f"/projects/{c['active_award'].reference}"),
    "portal.project_sheet": Access(
        EVERYONE, lambda c: f"/projects/{c['active_award'].reference}/sheet"),
    "portal.qr_png": Access(EVERYONE,
                            lambda c: f"/projects/{c['active_award'].reference}/qr.png"),
    "portal.qr_svg": Access(EVERYONE,
                            lambda c: f"/projects/{c['active_award'].reference}/qr.svg"),
    "portal.edit_publication": Access(
        STAFF, lambda c: f"/staff/awards/{c['active_award'].id}/publication"),
    # Reports: staff, finance and donors.
    "dashboards.overview": Access(STAFF | {"finance", "donor"}, lambda c: "/reports/dashboard"),
    # 360Giving open data: public.
    "opendata.index": Access(EVERYONE, lambda c: "/open-data"),
    "opendata.download_json": Access(EVERYONE, lambda c: "/open-data/360giving.json"),
    "opendata.download_xlsx": Access(EVERYONE, lambda c: "/open-data/360giving.xlsx"),
}


@pytest.fixture
def context(factories):
    from accounts.organisations.operations import invite_member
    from core.outbox.operations import queue_email
    from core.outbox.states import MessageState

    owner = factories.user(name="Owner")
    org = factories.organisation(name="Somebody Else's Organisation")
    factories.member(org, owner, "owner")
    member = factories.member(org, factories.user(name="Member"), "member")
    invitation = invite_member(org, owner, email="invited@example.org", name="Invited")
    other_user = factories.user(name="Other")
    message = queue_email(other_user.email, "accounts/confirm", user=other_user,
                          confirm_url="http://127.0.0.1:5000/confirm/x")
    dead = queue_email(other_user.email, "accounts/confirm", user=other_user,
                       confirm_url="http://127.0.0.1:5000/confirm/y")
    dead.state = MessageState.dead
    application, attachment = _application_of(org, owner)
    return {"org": org, "member": member, "invitation": invitation,
            "other_user": other_user, "message": message,
            "dead_message": dead, "application": application, "attachment": attachment,
            **_calls_context(factories), **_ranking_context(factories),
            **_reviews_context(factories), **_monitoring_context(factories),
            **_awards_context(factories), **_coalitions_context(factories),
            **_events_context(factories)}


def _events_context(factories):
    """An event with an agenda (its bytes stored) and one person's attendance."""
    from datetime import date
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    from coalitions.events.models import Attendance, Event, EventType, Person
    from core.uploads.operations import store_upload

    agenda = store_upload(FileStorage(BytesIO(b"%PDF-1.4\n%%EOF\n"), filename="agenda.pdf"),
                          uploaded_by=None)
    event = Event(type=EventType.workshop, title="Open data workshop",
                  starts_on=date(2019, 3, 14), ends_on=date(2019, 3, 14), country="BZ",
                  agenda_file=agenda)
    event.attendances = [Attendance(person=Person(full_name="Private Person", country="BZ"))]
    factories.session.add(event)
    factories.session.flush()
    return {"event": event}


def _calls_context(factories):
    """A fund with a published (open) call and a complete draft ready to publish."""
    from tests.fixtures.grants import GrantFactories

    grants = GrantFactories(factories.session, factories)
    fund = grants.fund()
    return {"fund": fund, "published_call": grants.call(fund=fund),
            "draft_call": grants.call(fund=fund, state="draft")}


def _ranking_context(factories):
    """A panel (without a chair) of a call with one application in review, with a submitted
    review (marked) and its audit entry."""
    from grants.reviews.models import Panel
    from tests.fixtures.grants import GrantFactories

    grants = GrantFactories(factories.session, factories)
    call = grants.call()
    application = grants.application(call, state="in_review")
    panel = Panel(call=call)
    factories.session.add(panel)
    factories.session.flush()
    _marked_review(factories, panel, application)
    return {"ranking_panel": panel, "ranking_application": application}


#: Written in the context's submitted reviews and their audit entries: whoever is conflicted
#: with the application must not read it anywhere.
REVIEW_MARKER = "Remark that only the unconflicted may read"


def _marked_review(factories, panel, application):
    """A submitted review of ``application`` by a reviewer who is none of the test roles,
    with the audit entry its revision writes (scores and all)."""
    from core.audit.operations import record
    from core.timeutil import utcnow
    from grants.reviews.models import Review, ReviewAssignment
    from grants.reviews.states import Recommendation, ReviewState

    reviewer = factories.user(roles=("reviewer",), name="Marking Reviewer")
    assignment = ReviewAssignment(panel=panel, application=application, reviewer=reviewer)
    review = Review(assignment=assignment, state=ReviewState.submitted,
                    overall_comment=REVIEW_MARKER, recommendation=Recommendation.fund,
                    submitted_at=utcnow())
    factories.session.add_all([assignment, review])
    factories.session.flush()
    record("review.revise", review, actor=reviewer,
           summary=f"{reviewer.name}: review of {application.display_reference} revised "
                   f"({REVIEW_MARKER})",
           data={"assignment_id": assignment.id, "application_id": application.id,
                 "scores": {"1": 9}, "recommendation": "fund", "confidence": None})
    return review


def _reviews_context(factories):
    """A panel of two reviewers who are none of the test roles; one of them is assigned an
    eligible application."""
    from grants.reviews.models import Panel, PanelMember, ReviewAssignment
    from tests.fixtures.grants import GrantFactories

    grants = GrantFactories(factories.session, factories)
    call = grants.call()
    application = grants.application(call, state="in_review")
    reviewer = factories.user(roles=("reviewer",), name="Panel Reviewer")
    spare = factories.user(roles=("reviewer",), name="Spare Reviewer")
    panel = Panel(call=call, is_locked=False, reviewers_per_application=3)
    panel.members = [PanelMember(user=reviewer), PanelMember(user=spare)]
    assignment = ReviewAssignment(panel=panel, application=application, reviewer=reviewer)
    factories.session.add_all([panel, assignment])
    factories.session.flush()
    marked = _marked_review(factories, panel, application)
    return {"review_panel": panel, "review_application": application,
            "review_assignment": assignment, "spare_member": panel.members[1],
            "marked_review": marked}


def _monitoring_context(factories):
    """An active award of an organisation none of the test roles belongs to, whose mid-term
    report is submitted with one expenditure line and its receipt (stored with its bytes)."""
    from datetime import timedelta
    from decimal import Decimal
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    from core.timeutil import utcnow
    from core.uploads.operations import store_upload
    from grants.applications.states import ApplicationState
    from grants.awards.models import Award
    from grants.awards.states import AwardState
    from grants.monitoring.models import Expenditure, ProgressReport, ReportVersion
    from grants.monitoring.states import ReportKind, ReportState
    from tests.fixtures.applications import make_submitted_application

    session = factories.session
    application = make_submitted_application(session, factories,
                                             state=ApplicationState.awarded)
    today = utcnow().date()
    award = Award(application=application, reference="ACCESS-G-1", amount=Decimal("5000.00"),
                  currency="USD", starts_on=today - timedelta(days=30),
                  ends_on=today + timedelta(days=300), state=AwardState.active)
    receipt = store_upload(FileStorage(BytesIO(b"%PDF-1.4\n%%EOF\n"), filename="receipt.pdf"),
                           uploaded_by=None)
    expenditure = Expenditure(category="activities", spent_on=today - timedelta(days=2),
                              description="Venue", amount=Decimal("100.00"),
                              receipt_file=receipt)
    version = ReportVersion(number=1, submitted_at=utcnow(), activities="Workshops",
                            results="Data published", expenditures=[expenditure])
    report = ProgressReport(award=award, kind=ReportKind.midterm,
                            due_on=today + timedelta(days=10), state=ReportState.submitted,
                            versions=[version])
    session.add_all([award, report])
    session.flush()
    return {"monitoring_award": award, "monitoring_report": report,
            "monitoring_expenditure": expenditure, "monitoring_receipt": receipt}


def _awards_context(factories):
    """An application awarded by a decision without an agreement yet; an award waiting for
    signature; and an active award (signed, with its agreement's bytes) whose first tranche
    has a request, an approved request and a payment, requested by a staff user who is none
    of the test roles."""
    from datetime import timedelta
    from decimal import Decimal
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    from core.timeutil import utcnow
    from grants.awards import checks, operations
    from grants.awards.models import Disbursement
    from grants.awards.states import DisbursementState
    from grants.reviews.models import Decision
    from grants.reviews.states import Outcome
    from tests.fixtures.grants import GrantFactories

    session = factories.session
    grants = GrantFactories(session, factories)
    call = grants.call(areas=[], statements=[], documents=[], criteria=[])
    # A grant-making organisation, so the active award is a complete open-data grant.
    call.fund.manager = factories.organisation(name="Managing Foundation")
    staff = factories.user(roles=("staff",), name="Awards Staff")

    def awarded():
        application = grants.application(call, state="awarded")
        session.add(Decision(application_id=application.id, outcome=Outcome.award,
                             amount=Decimal("5000.00")))
        return application

    today = operations.programme_today()
    dates = {"starts_on": today - timedelta(days=30), "ends_on": today + timedelta(days=300)}
    waiting = awarded()
    pending = operations.create_award(awarded(), staff, **dates)
    active = operations.create_award(awarded(), staff, **dates)
    operations.sign_award(active, staff, signed_on=today, file_storage=FileStorage(
        BytesIO(b"%PDF-1.4\n%%EOF\n"), filename="agreement.pdf"))
    now = utcnow()

    def entry(state, **fields):
        row = Disbursement(award_id=active.id, tranche_id=active.tranches[0].id, state=state,
                           amount=Decimal("100.00"), planned_on=today,
                           idempotency_key=checks.new_idempotency_key(),
                           payment_method="bank_transfer", payee_reference="Account 1",
                           requested_by_id=staff.id, requested_at=now, **fields)
        session.add(row)
        return row

    requested = entry(DisbursementState.requested)
    approved = entry(DisbursementState.approved, approved_at=now)
    paid = entry(DisbursementState.paid, approved_at=now, paid_on=today, recorded_at=now,
                 bank_reference="TRF-1", paid_currency="USD", paid_amount=Decimal("100.00"),
                 exchange_rate=Decimal("1"), usd_equivalent=Decimal("100.00"))
    session.flush()
    return {"award_application": waiting, "pending_award": pending, "active_award": active,
            "requested_disbursement": requested, "approved_disbursement": approved,
            "paid_disbursement": paid}


def _coalitions_context(factories):
    """A coalition with one current membership and an activity whose evidence is stored
    with its bytes; a published action plan with one commitment and one milestone."""
    from datetime import date
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    from coalitions.coalitions import operations as coalition_operations
    from coalitions.plans import operations as plan_operations

    staff = factories.user(roles=("staff",), name="Coalitions Staff")
    coalition = coalition_operations.create_coalition(staff, name="Open Data Coalition")
    membership = coalition_operations.add_member(
        coalition, staff, organisation_id=factories.organisation().id,
        joined_on=date(2019, 1, 1))
    activity = coalition_operations.add_activity(
        coalition, staff, kind="meeting", happened_on=date(2019, 2, 1), description="Met",
        file_storage=FileStorage(BytesIO(b"%PDF-1.4\n%%EOF\n"), filename="minutes.pdf"))
    plan = plan_operations.create_plan(staff, title="Action plan", country="BZ",
                                       starts_on=date(2020, 1, 1), ends_on=date(2021, 12, 31))
    commitment = plan_operations.create_commitment(plan, staff, title="Open data")
    milestone = plan_operations.add_milestone(commitment, staff, title="Portal",
                                              due_on=date(2020, 6, 1))
    return {"coalition": coalition, "coalition_membership": membership,
            "coalition_activity": activity, "action_plan": plan, "commitment": commitment,
            "milestone": milestone}


def _application_of(organisation, owner):
    """A draft application of ``organisation`` to an open call, with one attachment."""
    from datetime import timedelta
    from decimal import Decimal
    from io import BytesIO

    from flask import current_app
    from werkzeug.datastructures import FileStorage

    from core.timeutil import utcnow
    from grants.applications.operations import attach_document, start_application
    from grants.calls.models import Call, Fund
    from grants.calls.states import CallState

    current_app.config["UPLOAD_FOLDER"] = current_app.config.get("UPLOAD_FOLDER") or \
        str(Path(current_app.instance_path) / "uploads")
    call = Call(fund=Fund(name="Fund", currency="USD", total_budget=Decimal("1000.00")),
                title="Open call", summary="Open", state=CallState.published,
                opens_at=utcnow() - timedelta(days=1), closes_at=utcnow() + timedelta(days=1))
    application = start_application(call, organisation, owner)
    pdf = FileStorage(BytesIO(b"%PDF-1.4\n%%EOF\n"), filename="letter.pdf")
    attachment = attach_document(application, owner, file_storage=pdf)
    return application, attachment


def test_every_endpoint_has_a_policy(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - POLICY.keys())
    assert not missing, f"endpoints without an access policy entry: {missing}"
    stale = sorted(POLICY.keys() - endpoints)
    assert not stale, f"policy entries for endpoints that no longer exist: {stale}"


def _conflict_with_every_application(factories):
    """An organisation made the counterpart of every application there is."""
    from sqlalchemy import select

    from accounts.organisations.models import Sector
    from grants.applications.models import Application

    ministry = factories.organisation(name="Ministry of Conflicts", sector=Sector.government)
    for application in factories.session.scalars(select(Application)):
        application.counterpart_organisation_id = ministry.id
    factories.session.flush()
    factories.session.expire_all()
    return ministry


def sign_in_as(role, login_as, factories, ministry=None):
    """Sign in as ``role``; a conflicted persona belongs to ``ministry``, the counterpart of
    every application."""
    if role not in PERSONAS:
        return login_as(role)
    user = login_as(PERSONAS[role], name=role.replace("_", " ").title())
    factories.member(ministry or _conflict_with_every_application(factories), user, "member")
    return user


def expected_status(access: Access, role: str) -> int | None:
    """The status ``role`` gets from an entry, or None when it is refused."""
    base = PERSONAS.get(role, role)
    if role not in access.allowed and base not in access.allowed:
        return None
    if role in PERSONAS and access.conflicted is not None:
        return access.conflicted
    return access.ok_for.get(role, access.ok_for.get(base, access.ok))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(POLICY))
def test_access(endpoint, role, client, login_as, factories, context):
    access = POLICY[endpoint]
    if role != "anonymous":
        sign_in_as(role, login_as, factories)
    url = access.url(context)
    response = client.open(url, method=access.method, data=access.data)
    expected = expected_status(access, role)
    if expected is not None:
        assert response.status_code == expected, f"{role} on {endpoint}"
    elif role == "anonymous":
        assert response.status_code == 302, f"{role} on {endpoint}"
        assert response.location.startswith("/login"), f"{role} on {endpoint}"
    else:
        assert response.status_code == 403, f"{role} on {endpoint}"


def _readable_text(response) -> str:
    """What a reader gets: the page, or every sheet's XML of a workbook."""
    import zipfile
    from io import BytesIO

    data = response.get_data()
    if data[:2] == b"PK":
        with zipfile.ZipFile(BytesIO(data)) as archive:
            return "".join(archive.read(name).decode("utf-8", "replace")
                           for name in archive.namelist() if name.endswith(".xml"))
    return data.decode("utf-8", "replace")


#: Pages the walk adds to the policy's addresses: the audit log filtered on reviews.
EXTRA_SCORE_URLS = ("/admin/audit?object_type=reviews", "/admin/audit?action=review.")


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_no_page_or_export_shows_a_conflicted_persona_the_reviews(
        persona, client, login_as, factories, context):
    """Every page and export the persona's role may open, the audit log included: neither
    the reviews nor the scores of the applications the persona is conflicted with."""
    sign_in_as(persona, login_as, factories)
    urls = [access.url(context) for _endpoint, access in sorted(POLICY.items())
            if access.method == "GET" and expected_status(access, persona) is not None]
    if PERSONAS[persona] == "staff":
        urls += EXTRA_SCORE_URLS
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        text = _readable_text(response)
        assert REVIEW_MARKER not in text, url
        assert '"scores"' not in text, url


def test_the_walk_would_see_the_reviews_of_an_unconflicted_reader(client, login_as, context):
    """The marker the walk looks for is there for staff without a conflict."""
    login_as("staff")
    for url in (f"/reviews/applications/{context['review_application'].id}",
                f"/staff/panels/{context['ranking_panel'].id}/applications/"
                f"{context['ranking_application'].id}/feedback",
                f"/staff/panels/{context['ranking_panel'].id}/scores.xlsx",
                *EXTRA_SCORE_URLS):
        text = _readable_text(client.get(url))
        assert REVIEW_MARKER in text, url
    assert '"scores"' in _readable_text(client.get(EXTRA_SCORE_URLS[0]))
