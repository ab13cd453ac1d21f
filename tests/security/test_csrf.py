"""CSRF with the production setting: every POST route of ``app.url_map``, sent without a
token by a user who may otherwise use it, is refused with 400 and the "form had expired"
page, before its view runs, writing nothing. The same request with the session's token
reaches the view (so the refusal is the token check's, not the route's own).

``POSTS`` has an entry (who sends it, and where) for every route accepting POST: a new one
without an entry fails ``test_every_post_route_has_a_case``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import pytest

from tests.security.conftest import stored_paths
from tests.security.routes import (
    CSRF_MESSAGE,
    post_endpoints,
    row_counts,
    sign_in,
    undone,
)
from tests.security.world import World

A = lambda w: w.alpha  # noqa: E731
X = lambda w: w.extra  # noqa: E731

#: endpoint -> (who sends it: "anonymous", "alpha" (the owner of organisation Alpha),
#: "staff", "admin", "finance" or "reviewer"; the address).
POSTS: dict[str, tuple[str, Callable[[World], str]]] = {
    "core.set_language": ("anonymous", lambda w: "/language"),
    "accounts.login": ("anonymous", lambda w: "/login"),
    "accounts.register": ("anonymous", lambda w: "/register"),
    "accounts.logout": ("alpha", lambda w: "/logout"),
    "accounts.resend_confirmation": ("anonymous", lambda w: "/confirm"),
    "accounts.forgot_password": ("anonymous", lambda w: "/password/forgot"),
    "accounts.reset_password": ("anonymous", lambda w: "/password/reset/not-a-token"),
    "accounts.accept_invitation": ("anonymous", lambda w: "/invitation/not-a-token"),
    "accounts.profile": ("alpha", lambda w: "/account"),
    "accounts.change_password": ("alpha", lambda w: "/account/password"),
    "users_admin.invite_user": ("admin", lambda w: "/admin/users/invite"),
    "users_admin.user_detail": ("admin", lambda w: f"/admin/users/{X(w)['other_user'].id}"),
    "users_admin.set_user_enabled": (
        "admin", lambda w: f"/admin/users/{X(w)['other_user'].id}/enabled"),
    "jobs.retry": ("staff", lambda w: f"/jobs/{X(w)['failed_job'].id}/retry"),
    "workbook.download": ("staff", lambda w: "/reports/workbook/download"),
    "exports.queue": ("staff", lambda w: "/reports/open-data-exports"),
    "platform_admin.retry_outbox_message": (
        "admin", lambda w: f"/admin/outbox/{X(w)['dead_message'].id}/retry"),
    "organisations.create": ("alpha", lambda w: "/organisations/new"),
    "organisations.edit": ("alpha", lambda w: f"/organisations/{A(w).org.id}/edit"),
    "organisations.verify": ("staff", lambda w: f"/organisations/{A(w).org.id}/verify"),
    "organisations.invite_member": (
        "alpha", lambda w: f"/organisations/{A(w).org.id}/members/invite"),
    "organisations.remove_member": (
        "alpha", lambda w: f"/organisations/{A(w).org.id}/members/{A(w).membership.id}/remove"),
    "organisations.merge": ("staff", lambda w: f"/organisations/{A(w).org.id}/merge"),
    "organisations.revoke_invitation": (
        "alpha", lambda w: f"/organisations/{A(w).org.id}/invitations/{A(w).invitation.id}/revoke"),
    # Alpha's invitation is addressed to the finance user.
    "organisations.accept_invitation": (
        "finance", lambda w: f"/organisations/invitations/{A(w).invitation.id}/accept"),
    "organisations.decline_invitation": (
        "finance", lambda w: f"/organisations/invitations/{A(w).invitation.id}/decline"),
    "applications.start": ("alpha", lambda w: f"/calls/{X(w)['published_call'].id}/apply"),
    "applications.edit_section": (
        "alpha", lambda w: f"/applications/{A(w).draft.id}/sections/project"),
    "applications.submit": ("alpha", lambda w: f"/applications/{A(w).draft.id}/submit"),
    "applications.upload_attachment": (
        "alpha", lambda w: f"/applications/{A(w).draft.id}/attachments"),
    "applications.remove_attachment": (
        "alpha", lambda w: f"/applications/{A(w).draft.id}/attachments/"
                           f"{A(w).attachment.id}/remove"),
    "applications.withdraw": ("alpha", lambda w: f"/applications/{A(w).draft.id}/withdraw"),
    "applications_admin.transition": (
        "staff", lambda w: f"/staff/applications/{A(w).draft.id}/transition"),
    "endorsements.respond": ("anonymous", lambda w: "/endorse/not-a-token"),
    "endorsements.request_early": (
        "alpha", lambda w: f"/applications/{A(w).draft.id}/endorsement/request"),
    "endorsements.resend": (
        "staff", lambda w: f"/staff/applications/{A(w).draft.id}/endorsement/resend"),
    "endorsements.record_paper": (
        "staff", lambda w: f"/staff/applications/{A(w).draft.id}/endorsement/paper"),
    "screening.screen": (
        "staff", lambda w: f"/staff/applications/{X(w)['review_application'].id}/screening"),
    "calls_admin.new_fund": ("staff", lambda w: "/staff/funds/new"),
    "calls_admin.edit_fund": ("staff", lambda w: f"/staff/funds/{X(w)['fund'].id}/edit"),
    "calls_admin.new_call": ("staff", lambda w: "/staff/calls/new"),
    "calls_admin.edit_call": ("staff", lambda w: f"/staff/calls/{X(w)['draft_call'].id}/edit"),
    "calls_admin.edit_rubric": (
        "staff", lambda w: f"/staff/calls/{X(w)['draft_call'].id}/rubric"),
    "calls_admin.transition_call": (
        "staff", lambda w: f"/staff/calls/{X(w)['draft_call'].id}/transition"),
    "panels.new": ("staff", lambda w: "/staff/panels/new"),
    "panels.edit": ("staff", lambda w: f"/staff/panels/{X(w)['review_panel'].id}/edit"),
    "panels.add_member": ("staff", lambda w: f"/staff/panels/{X(w)['review_panel'].id}/members"),
    "panels.remove_member": (
        "staff", lambda w: f"/staff/panels/{X(w)['review_panel'].id}/members/"
                           f"{X(w)['spare_member'].id}/remove"),
    "panels.assign": ("staff", lambda w: f"/staff/panels/{X(w)['review_panel'].id}/assign"),
    "panels.auto_assign": (
        "staff", lambda w: f"/staff/panels/{X(w)['review_panel'].id}/auto-assign"),
    "panels.reassign": (
        "staff", lambda w: f"/staff/panels/{X(w)['review_panel'].id}/assignments/"
                           f"{X(w)['review_assignment'].id}/reassign"),
    "reviews.review": ("reviewer", lambda w: f"/reviews/{w.assignment.id}"),
    "reviews.decline": ("reviewer", lambda w: f"/reviews/{w.assignment.id}/decline"),
    "reviews.declare_conflict": (
        "reviewer", lambda w: f"/panels/{w.assignment.panel_id}/conflicts/new"),
    "ranking.decide": (
        "staff", lambda w: f"/staff/panels/{X(w)['ranking_panel'].id}/decisions"),
    "ranking.feedback": (
        "staff", lambda w: f"/staff/panels/{X(w)['ranking_panel'].id}/applications/"
                           f"{X(w)['ranking_application'].id}/feedback"),
    "ranking.lock": ("staff", lambda w: f"/staff/panels/{X(w)['ranking_panel'].id}/lock"),
    "ranking.unlock": ("staff", lambda w: f"/staff/panels/{X(w)['ranking_panel'].id}/unlock"),
    "ranking.open_discussion": (
        "staff", lambda w: f"/staff/panels/{X(w)['ranking_panel'].id}/discussion/open"),
    "ranking.close_discussion": (
        "staff", lambda w: f"/staff/panels/{X(w)['ranking_panel'].id}/discussion/close"),
    "panels.resolve_late_conflict": (
        "staff", lambda w: f"/staff/panels/{X(w)['review_panel'].id}/reviews/"
                           f"{X(w)['marked_review'].id}/late-conflict"),
    "awards.create": (
        "staff", lambda w: f"/staff/applications/{X(w)['award_application'].id}/award"),
    "awards.edit": ("staff", lambda w: f"/staff/awards/{A(w).pending_award.id}/edit"),
    "awards.sign": ("staff", lambda w: f"/staff/awards/{A(w).pending_award.id}/sign"),
    "awards.transition": ("staff", lambda w: f"/staff/awards/{A(w).award.id}/transition"),
    "awards.request_disbursement": (
        "staff", lambda w: f"/staff/awards/{A(w).award.id}/tranches/{A(w).tranche.id}/request"),
    "awards.approve": (
        "finance",
        lambda w: f"/finance/disbursements/{A(w).disbursements['requested'].id}/approve"),
    "awards.reject": (
        "finance",
        lambda w: f"/finance/disbursements/{A(w).disbursements['requested'].id}/reject"),
    "awards.cancel": (
        "finance",
        lambda w: f"/finance/disbursements/{A(w).disbursements['requested'].id}/cancel"),
    "awards.pay": (
        "finance", lambda w: f"/finance/disbursements/{A(w).disbursements['approved'].id}/pay"),
    "awards.reverse": (
        "finance",
        lambda w: f"/finance/disbursements/{A(w).disbursements['paid'].id}/reverse"),
    "monitoring.edit_report": ("alpha", lambda w: f"/reports/{A(w).report.id}/edit"),
    "monitoring.upload_evidence": ("alpha", lambda w: f"/reports/{A(w).report.id}/evidence"),
    "monitoring.upload_receipt": (
        "alpha", lambda w: f"/reports/{A(w).report.id}/expenditures/"
                           f"{A(w).expenditure.id}/receipt"),
    "monitoring.review_report": ("staff", lambda w: f"/staff/reports/{A(w).report.id}/review"),
    "monitoring.add_report": ("staff", lambda w: f"/staff/awards/{A(w).award.id}/reports/new"),
    "monitoring.close_out": ("staff", lambda w: f"/staff/awards/{A(w).award.id}/close-out"),
    "coalitions.new": ("staff", lambda w: "/coalitions/new"),
    "coalitions.edit": ("staff", lambda w: f"/coalitions/{X(w)['coalition'].id}/edit"),
    "coalitions.add_member": ("staff", lambda w: f"/coalitions/{X(w)['coalition'].id}/members"),
    "coalitions.end_membership": (
        "staff", lambda w: f"/coalitions/{X(w)['coalition'].id}/members/"
                           f"{X(w)['coalition_membership'].id}/end"),
    "coalitions.add_activity": (
        "staff", lambda w: f"/coalitions/{X(w)['coalition'].id}/activities/new"),
    "coalitions.link_award": ("staff", lambda w: f"/coalitions/{X(w)['coalition'].id}/awards"),
    "coalitions.unlink_award": (
        "staff", lambda w: f"/coalitions/{X(w)['coalition'].id}/awards/{A(w).award.id}/unlink"),
    "plans.new_plan": ("staff", lambda w: "/staff/action-plans/new"),
    "plans.edit_plan": ("staff", lambda w: f"/staff/action-plans/{X(w)['action_plan'].id}/edit"),
    "plans.new_commitment": (
        "staff", lambda w: f"/staff/action-plans/{X(w)['action_plan'].id}/commitments/new"),
    "plans.edit_commitment": (
        "staff", lambda w: f"/staff/commitments/{X(w)['commitment'].id}/edit"),
    "plans.add_milestone": (
        "staff", lambda w: f"/staff/commitments/{X(w)['commitment'].id}/milestones"),
    "plans.update_milestone": ("staff", lambda w: f"/staff/milestones/{X(w)['milestone'].id}"),
    "plans.transition_plan": (
        "staff", lambda w: f"/staff/action-plans/{X(w)['action_plan'].id}/state"),
    "forum.edit_forum": ("staff", lambda w: "/staff/forum/edit"),
    "forum.new_member": ("staff", lambda w: "/staff/forum/members/new"),
    "forum.end_member": (
        "staff", lambda w: f"/staff/forum/members/{X(w)['forum_member'].id}/end"),
    "forum.new_meeting": ("staff", lambda w: "/staff/forum/meetings/new"),
    "forum.edit_meeting": (
        "staff", lambda w: f"/staff/forum/meetings/{X(w)['forum_meeting'].id}/edit"),
    "forum.new_document": ("staff", lambda w: "/staff/forum/documents/new"),
    "forum.remove_document": (
        "staff", lambda w: f"/staff/forum/documents/{X(w)['forum_document'].id}/remove"),
    "consultations.new": ("staff", lambda w: "/staff/consultations/new"),
    "consultations.edit": (
        "staff", lambda w: f"/staff/consultations/{X(w)['consultation'].id}/edit"),
    "consultations.propose": (
        "alpha", lambda w: f"/consultations/{X(w)['consultation'].id}/propose"),
    "consultations.comment_proposal": (
        "alpha", lambda w: f"/consultations/proposals/{X(w)['consultation_proposal'].id}/comments"),
    "consultations.comment_commitment": (
        "alpha", lambda w: f"/consultations/{X(w)['consultation'].id}/commitments/"
                           f"{X(w)['consultation_commitment'].id}/comments"),
    "consultations.support_proposal": (
        "alpha", lambda w: f"/consultations/proposals/{X(w)['consultation_proposal'].id}/support"),
    "consultations.support_commitment": (
        "alpha", lambda w: f"/consultations/{X(w)['consultation'].id}/commitments/"
                           f"{X(w)['consultation_commitment'].id}/support"),
    "consultations.report_proposal": (
        "alpha", lambda w: f"/consultations/proposals/{X(w)['consultation_proposal'].id}/report"),
    "consultations.report_comment": (
        "alpha", lambda w: f"/consultations/comments/{X(w)['consultation_comment'].id}/report"),
    "consultations.hide_proposal": (
        "staff", lambda w: f"/staff/consultations/proposals/{X(w)['consultation_proposal'].id}"
                           f"/hide"),
    "consultations.hide_comment": (
        "staff", lambda w: f"/staff/consultations/comments/{X(w)['consultation_comment'].id}"
                           f"/hide"),
    "consultations.dismiss_report": (
        "staff", lambda w: f"/staff/consultations/reports/{X(w)['consultation_report'].id}"
                           f"/dismiss"),
    "consultations.respond": (
        "staff", lambda w: f"/staff/consultations/proposals/{X(w)['consultation_proposal'].id}"
                           f"/respond"),
    "consultations.publish_summary": (
        "staff", lambda w: f"/staff/consultations/{X(w)['consultation'].id}/what-we-heard"
                           f"/publish"),
    "events.new": ("staff", lambda w: "/staff/events/new"),
    "events.edit": ("staff", lambda w: f"/staff/events/{X(w)['event'].id}/edit"),
    "events.import_attendance": ("staff", lambda w: f"/staff/events/{X(w)['event'].id}/import"),
    "events.import_errors": (
        "staff", lambda w: f"/staff/events/{X(w)['event'].id}/import/errors.xlsx"),
    "events.merge_people": ("staff", lambda w: "/staff/events/people/merge"),
    "events.erase_person": ("staff",
                            lambda w: f"/staff/events/people/{X(w)['person'].id}/erase"),
    "portal.edit_publication": ("staff", lambda w: f"/staff/awards/{A(w).award.id}/publication"),
    "results.new_outcome": ("staff", lambda w: "/staff/results/outcomes/new"),
    "results.new_output": ("staff", lambda w: f"/staff/results/{X(w)['outcome'].id}/outputs/new"),
    "results.edit_result": ("staff", lambda w: f"/staff/results/{X(w)['output'].id}/edit"),
    "results.new_indicator": (
        "staff", lambda w: f"/staff/results/{X(w)['output'].id}/indicators/new"),
    "results.edit_indicator": (
        "staff", lambda w: f"/staff/results/indicators/{X(w)['result_indicator'].id}"),
    "results.set_target": (
        "staff", lambda w: f"/staff/results/indicators/{X(w)['result_indicator'].id}/targets"),
    "results.set_actual": (
        "staff", lambda w: f"/staff/results/indicators/{X(w)['result_indicator'].id}/actuals"),
    "results.remove_target": (
        "staff", lambda w: f"/staff/results/targets/{X(w)['result_target'].id}/remove"),
    "results.remove_actual": (
        "staff", lambda w: f"/staff/results/actuals/{X(w)['result_actual'].id}/remove"),
}

_TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def test_every_post_route_has_a_case(app):
    endpoints = post_endpoints(app)
    missing = sorted(endpoints - POSTS.keys())
    assert not missing, f"POST routes without a CSRF case: {missing}"
    stale = sorted(POSTS.keys() - endpoints)
    assert not stale, f"CSRF cases for routes that no longer exist or take no POST: {stale}"


def test_csrf_is_on_in_production():
    from config import ProductionConfig

    settings = ProductionConfig.from_environment()
    # Flask-WTF protects every form unless told otherwise; production never tells it.
    assert settings.get("WTF_CSRF_ENABLED", True) is True
    assert settings.get("WTF_CSRF_CHECK_DEFAULT", True) is True


def _user(world: World, who: str):
    if who == "anonymous":
        return None
    if who == "alpha":
        return world.alpha.owner
    return getattr(world, who)


def _spy(view):
    """``view``, recording in ``calls`` whether a request reached it."""

    @functools.wraps(view)
    def spy(*args, **kwargs):
        spy.calls += 1
        return view(*args, **kwargs)

    spy.calls = 0
    return spy


@pytest.mark.parametrize("blueprint", sorted({name.split(".")[0] for name in POSTS}))
def test_a_post_without_token_is_refused_and_writes_nothing(
        blueprint, app, client, world, db_session, upload_folder, csrf_enabled, monkeypatch):
    """One blueprint's routes at a time; the requests with a token are undone after each."""
    for endpoint in sorted(name for name in POSTS if name.split(".")[0] == blueprint):
        _check(endpoint, app, client, world, db_session, upload_folder, monkeypatch)


def _check(endpoint, app, client, world, db_session, upload_folder, monkeypatch):
    who, url = POSTS[endpoint]
    url = url(world)
    spy = _spy(app.view_functions[endpoint])
    monkeypatch.setitem(app.view_functions, endpoint, spy)
    sign_in(client, _user(world, who))
    page = client.get("/")
    token = _TOKEN.search(page.data.decode()).group(1)
    before, files = row_counts(db_session), stored_paths(upload_folder)

    for data in ({}, {"csrf_token": ""}, {"csrf_token": "forged.token.value"}):
        response = client.post(url, data=data)
        assert response.status_code == 400, (endpoint, data)
        assert CSRF_MESSAGE in response.data, (endpoint, data)
    assert spy.calls == 0, endpoint
    assert row_counts(db_session) == before, endpoint
    assert stored_paths(upload_folder) == files, endpoint

    # The same request with the session's token passes the check and reaches the view as a
    # user allowed to use it (whatever the view then says about the empty form).
    with undone(db_session):
        response = client.post(url, data={"csrf_token": token})
    assert spy.calls == 1, endpoint
    assert CSRF_MESSAGE not in response.data, endpoint
    assert response.status_code != 403, endpoint
    assert not (response.status_code == 302 and response.location.startswith("/login")), \
        endpoint
