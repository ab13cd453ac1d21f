"""The double-post case of every POST route, keyed by endpoint.

A route either has a ``Case`` (who sends it, where, a valid form, and any objects it needs
besides the world's) or is listed as ``NotStateChanging`` with the reason. ``PENDING`` names
routes that still need a case; it must only shrink.
"""

from __future__ import annotations

from datetime import date

from tests.security.double_post.harness import Case, NotStateChanging

A = lambda w: w.alpha  # noqa: E731
X = lambda w: w.extra  # noqa: E731


def _submittable_draft(world, session, factories):
    """A complete draft of Alpha's owner in a call of its own reference series."""
    from grants.applications.models import Activity, ExpectedResult
    from grants.applications.states import ApplicationState
    from tests.fixtures.applications import make_call, make_submitted_application

    call = make_call(session, factories)
    call.reference_prefix = "DBL"
    draft = make_submitted_application(
        session, factories, call=call, member=world.alpha.owner,
        state=ApplicationState.draft, reference=None, submitted_at=None)
    draft.thematic_areas = list(call.thematic_areas)
    draft.activities = [Activity(description="Workshops", milestone="Three workshops held",
                                 starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 1))]
    draft.results = [ExpectedResult(result="Budget online", indicator="Datasets published",
                                    target="12")]
    session.flush()
    return {"draft": draft}


def _submitted(world, session, factories):
    """A submitted application whose every automatic screening check passes."""
    from tests.fixtures.applications import make_submitted_application

    return {"application": make_submitted_application(session, factories,
                                                      counterpart_required=False)}


def _eligible(world, session, factories):
    from grants.applications.states import ApplicationState
    from tests.fixtures.applications import make_submitted_application

    return {"application": make_submitted_application(
        session, factories, counterpart_required=False, state=ApplicationState.eligible)}


def _review_data(world, ctx):
    data = {"overall_comment": "Sound plan.", "recommendation": "fund",
            "confidence": "high", "action": "submit"}
    for criterion in world.assignment.panel.call.criteria:
        data[f"score_{criterion.id}"] = str(criterion.max_score)
    return data


CASES: dict[str, Case | NotStateChanging] = {
    # The six reported races -----------------------------------------------------------------
    "applications.submit": Case(
        "alpha", lambda w, c: f"/applications/{c['draft'].id}/submit",
        setup=_submittable_draft),
    "screening.screen": Case(
        "staff", lambda w, c: f"/staff/applications/{c['application'].id}/screening",
        lambda w, c: {"outcome": "eligible", "reason": ""}, setup=_submitted),
    "ranking.decide": Case(
        "staff", lambda w, c: f"/staff/panels/{X(w)['ranking_panel'].id}/decisions",
        lambda w, c: {"application_ids": str(X(w)["ranking_application"].id),
                      "outcome": "waitlist", "rationale": "Just below the line.",
                      "method": "raw"}),
    "reviews.review": Case("reviewer", lambda w, c: f"/reviews/{w.assignment.id}",
                           _review_data),
    "applications_admin.transition": Case(
        "staff", lambda w, c: f"/staff/applications/{c['application'].id}/transition",
        lambda w, c: {"target": "in_review"}, setup=_eligible),
}

#: Routes still without a case (each is named in the coverage test's output).
PENDING: frozenset[str] = frozenset({
    "accounts.accept_invitation",
    "accounts.change_password",
    "accounts.forgot_password",
    "accounts.login",
    "accounts.logout",
    "accounts.profile",
    "accounts.register",
    "accounts.resend_confirmation",
    "accounts.reset_password",
    "applications.edit_section",
    "applications.remove_attachment",
    "applications.start",
    "applications.upload_attachment",
    "applications.withdraw",
    "awards.approve",
    "awards.cancel",
    "awards.create",
    "awards.edit",
    "awards.pay",
    "awards.reject",
    "awards.request_disbursement",
    "awards.reverse",
    "awards.sign",
    "awards.transition",
    "calls_admin.edit_call",
    "calls_admin.edit_fund",
    "calls_admin.edit_rubric",
    "calls_admin.new_call",
    "calls_admin.new_fund",
    "calls_admin.transition_call",
    "coalitions.add_activity",
    "coalitions.add_member",
    "coalitions.edit",
    "coalitions.end_membership",
    "coalitions.link_award",
    "coalitions.new",
    "coalitions.unlink_award",
    "core.set_language",
    "endorsements.record_paper",
    "endorsements.request_early",
    "endorsements.resend",
    "endorsements.respond",
    "events.edit",
    "events.import_attendance",
    "events.import_errors",
    "events.merge_people",
    "events.new",
    "monitoring.add_report",
    "monitoring.close_out",
    "monitoring.edit_report",
    "monitoring.review_report",
    "monitoring.upload_evidence",
    "monitoring.upload_receipt",
    "organisations.accept_invitation",
    "organisations.create",
    "organisations.decline_invitation",
    "organisations.edit",
    "organisations.invite_member",
    "organisations.merge",
    "organisations.remove_member",
    "organisations.revoke_invitation",
    "organisations.verify",
    "panels.add_member",
    "panels.assign",
    "panels.auto_assign",
    "panels.edit",
    "panels.new",
    "panels.reassign",
    "panels.remove_member",
    "panels.resolve_late_conflict",
    "plans.add_milestone",
    "plans.edit_commitment",
    "plans.edit_plan",
    "plans.new_commitment",
    "plans.new_plan",
    "plans.update_milestone",
    "platform_admin.retry_outbox_message",
    "portal.edit_publication",
    "ranking.close_discussion",
    "ranking.feedback",
    "ranking.lock",
    "ranking.open_discussion",
    "ranking.unlock",
    "reviews.declare_conflict",
    "reviews.decline",
    "users_admin.invite_user",
    "users_admin.set_user_enabled",
    "users_admin.user_detail",
})
