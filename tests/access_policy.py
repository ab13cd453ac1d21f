"""The access policy of every route: which roles may use it, at which address and with what
data, and what they get (checked by ``test_access_policy.py``; the addresses are built from
the objects of ``access_contexts.py``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

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
    # and review them; finance read them (and their files) and see budgets and the dashboard,
    # as the tranches they release depend on them. An empty add-report form or
    # close-out form is not posted here.
    "monitoring.my_grants": Access(SIGNED_IN, lambda c: "/grants"),
    "monitoring.finance_dashboard": Access(STAFF | {"finance"}, lambda c: "/staff/dashboard"),
    "monitoring.report": Access(STAFF | {"finance"},
                                lambda c: f"/reports/{c['monitoring_report'].id}"),
    "monitoring.edit_report": Access(
        NOBODY, lambda c: f"/reports/{c['monitoring_report'].id}/edit"),
    "monitoring.upload_evidence": Access(
        NOBODY, lambda c: f"/reports/{c['monitoring_report'].id}/evidence", "POST"),
    "monitoring.upload_receipt": Access(
        NOBODY, lambda c: f"/reports/{c['monitoring_report'].id}/expenditures/"
                          f"{c['monitoring_expenditure'].id}/receipt", "POST"),
    "monitoring.file": Access(
        STAFF | {"finance"}, lambda c: f"/reports/{c['monitoring_report'].id}/files/"
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
    "awards.ledger_export": Access(STAFF | {"finance"},
                                   lambda c: f"/awards/{c['active_award'].id}/ledger.xlsx"),
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
                                lambda c: "/reports/workbook/download", "POST", 303,
                                {"from": "2019-01-01"}),
    # Background jobs: the requester (here another user) and staff; the kind may ask more
    # (tests/core/jobs).
    # Open data exports of a fund and period: staff (tests/reporting/test_open_data_exports.py).
    "exports.form": Access(STAFF, lambda c: "/reports/open-data-exports"),
    "exports.queue": Access(STAFF, lambda c: "/reports/open-data-exports", "POST", 303,
                            {"format": "iati-xml"}),
    # A person's own jobs: everyone signed in sees their own list.
    "jobs.mine": Access(SIGNED_IN, lambda c: "/jobs"),
    "jobs.show": Access(STAFF, lambda c: f"/jobs/{c['done_job'].id}"),
    "jobs.status": Access(STAFF, lambda c: f"/jobs/{c['done_job'].id}/status"),
    "jobs.download": Access(STAFF, lambda c: f"/jobs/{c['done_job'].id}/download"),
    "jobs.retry": Access(STAFF, lambda c: f"/jobs/{c['failed_job'].id}/retry", "POST", 302),
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
    "plans.plan_docx_file": Access(
        EVERYONE, lambda c: f"/action-plans/{c['action_plan'].id}/plan.docx"),
    "plans.plan_json_file": Access(
        EVERYONE, lambda c: f"/action-plans/{c['action_plan'].id}/plan.json"),
    "plans.transition_plan": Access(
        STAFF, lambda c: f"/staff/action-plans/{c['action_plan'].id}/state", "POST", 302,
        {"target": "in_consultation"}),
    # The forum: its page, published meetings and the repository are public; staff write
    # them (an empty end-of-membership form is refused, 422).
    "forum.public_forum": Access(EVERYONE, lambda c: "/forum"),
    "forum.public_meeting": Access(EVERYONE,
                                   lambda c: f"/forum/meetings/{c['forum_meeting'].id}"),
    "forum.repository": Access(EVERYONE, lambda c: "/forum/documents?q=draft&year=2020"),
    "forum.document_file": Access(
        EVERYONE, lambda c: f"/forum/documents/{c['forum_document'].id}/file"),
    "forum.edit_forum": Access(STAFF, lambda c: "/staff/forum/edit"),
    "forum.new_member": Access(STAFF, lambda c: "/staff/forum/members/new"),
    "forum.end_member": Access(
        STAFF, lambda c: f"/staff/forum/members/{c['forum_member'].id}/end", "POST", 422),
    "forum.new_meeting": Access(STAFF, lambda c: "/staff/forum/meetings/new"),
    "forum.edit_meeting": Access(
        STAFF, lambda c: f"/staff/forum/meetings/{c['forum_meeting'].id}/edit"),
    "forum.new_document": Access(STAFF, lambda c: "/staff/forum/documents/new"),
    "forum.remove_document": Access(
        STAFF, lambda c: f"/staff/forum/documents/{c['forum_document'].id}/remove", "POST",
        302),
    # Consultations: reading is public; any confirmed account takes part while one is open
    # (every role's account is confirmed); staff open them, moderate and respond. Publishing
    # "what we heard" while open is refused with a message (302 back to the page).
    "consultations.public_list": Access(EVERYONE, lambda c: "/consultations"),
    "consultations.consultation": Access(
        EVERYONE, lambda c: f"/consultations/{c['consultation'].id}"),
    "consultations.proposals": Access(
        EVERYONE, lambda c: f"/consultations/{c['consultation'].id}/proposals"),
    "consultations.proposal": Access(
        EVERYONE, lambda c: f"/consultations/proposals/{c['consultation_proposal'].id}"),
    "consultations.commitment": Access(
        EVERYONE, lambda c: f"/consultations/{c['consultation'].id}/commitments/"
                            f"{c['consultation_commitment'].id}"),
    "consultations.what_we_heard": Access(
        STAFF, lambda c: f"/consultations/{c['consultation'].id}/what-we-heard"),
    "consultations.propose": Access(
        SIGNED_IN, lambda c: f"/consultations/{c['consultation'].id}/propose"),
    "consultations.comment_proposal": Access(
        SIGNED_IN, lambda c: f"/consultations/proposals/{c['consultation_proposal'].id}"
                             f"/comments", "POST", 302, {"body": "Agreed"}),
    "consultations.comment_commitment": Access(
        SIGNED_IN, lambda c: f"/consultations/{c['consultation'].id}/commitments/"
                             f"{c['consultation_commitment'].id}/comments", "POST", 302,
        {"body": "Agreed"}),
    "consultations.support_proposal": Access(
        SIGNED_IN, lambda c: f"/consultations/proposals/{c['consultation_proposal'].id}"
                             f"/support", "POST", 302),
    "consultations.support_commitment": Access(
        SIGNED_IN, lambda c: f"/consultations/{c['consultation'].id}/commitments/"
                             f"{c['consultation_commitment'].id}/support", "POST", 302),
    "consultations.report_proposal": Access(
        SIGNED_IN, lambda c: f"/consultations/proposals/{c['consultation_proposal'].id}"
                             f"/report", "POST", 302, {"reason": "Spam"}),
    "consultations.report_comment": Access(
        SIGNED_IN, lambda c: f"/consultations/comments/{c['consultation_comment'].id}/report",
        "POST", 302, {"reason": "Spam"}),
    "consultations.new": Access(STAFF, lambda c: "/staff/consultations/new"),
    "consultations.edit": Access(
        STAFF, lambda c: f"/staff/consultations/{c['consultation'].id}/edit"),
    "consultations.hide_proposal": Access(
        STAFF, lambda c: f"/staff/consultations/proposals/{c['consultation_proposal'].id}"
                         f"/hide", "POST", 302, {"reason": "Off topic"}),
    "consultations.hide_comment": Access(
        STAFF, lambda c: f"/staff/consultations/comments/{c['consultation_comment'].id}/hide",
        "POST", 302, {"reason": "Off topic"}),
    "consultations.reports": Access(STAFF, lambda c: "/staff/consultations/reports"),
    "consultations.dismiss_report": Access(
        STAFF, lambda c: f"/staff/consultations/reports/{c['consultation_report'].id}/dismiss",
        "POST", 302),
    "consultations.respond": Access(
        STAFF, lambda c: f"/staff/consultations/proposals/{c['consultation_proposal'].id}"
                         f"/respond"),
    "consultations.publish_summary": Access(
        STAFF, lambda c: f"/staff/consultations/{c['consultation'].id}/what-we-heard/publish",
        "POST", 302),
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
    "events.person": Access(STAFF, lambda c: f"/staff/events/people/{c['person'].id}"),
    "events.person_data": Access(STAFF,
                                 lambda c: f"/staff/events/people/{c['person'].id}/data.json"),
    "events.erase_person": Access(
        STAFF, lambda c: f"/staff/events/people/{c['person'].id}/erase", "POST", 302),
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
    # The results framework: read with the reports, written by staff (empty value forms
    # are refused, 422; removing a target or an actual answers with the indicator's page).
    "results.overview": Access(STAFF | {"finance", "donor"}, lambda c: "/reports/results"),
    "results.new_outcome": Access(STAFF, lambda c: "/staff/results/outcomes/new"),
    "results.new_output": Access(
        STAFF, lambda c: f"/staff/results/{c['outcome'].id}/outputs/new"),
    "results.edit_result": Access(STAFF, lambda c: f"/staff/results/{c['output'].id}/edit"),
    "results.new_indicator": Access(
        STAFF, lambda c: f"/staff/results/{c['output'].id}/indicators/new"),
    "results.edit_indicator": Access(
        STAFF, lambda c: f"/staff/results/indicators/{c['result_indicator'].id}"),
    "results.set_target": Access(
        STAFF, lambda c: f"/staff/results/indicators/{c['result_indicator'].id}/targets",
        "POST", 422),
    "results.set_actual": Access(
        STAFF, lambda c: f"/staff/results/indicators/{c['result_indicator'].id}/actuals",
        "POST", 422),
    "results.remove_target": Access(
        STAFF, lambda c: f"/staff/results/targets/{c['result_target'].id}/remove", "POST", 302),
    "results.remove_actual": Access(
        STAFF, lambda c: f"/staff/results/actuals/{c['result_actual'].id}/remove", "POST", 302),
    # 360Giving open data: public.
    "opendata.index": Access(EVERYONE, lambda c: "/open-data"),
    "opendata.download_json": Access(EVERYONE, lambda c: "/open-data/360giving.json"),
    "opendata.download_xlsx": Access(EVERYONE, lambda c: "/open-data/360giving.xlsx"),
    "opendata.download_iati": Access(EVERYONE, lambda c: "/open-data/iati.xml"),
}
