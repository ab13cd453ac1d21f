"""The catalogue of routes whose address names an object, for the foreign-id checks
(``test_foreign_ids.py``) and the other security checks that walk every route.

``ROUTES`` has an entry for every route of ``app.url_map`` with a variable part. An entry is
either the list of foreign addresses to try (``Foreign``: Bravo's object, and for nested
addresses Alpha's own object holding Bravo's), with, where the applicant may use the route on
their own objects, the address of Alpha's object and the status Alpha's owner gets there
(proving the route works and the refusal comes from the check), or ``Public`` with the reason
(and addresses that are not public and must be 404 for the applicant). ``COMPOSITE`` holds,
for nested addresses, the outer object's id with an inner object that belongs to another one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tests.security.world import World

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


_CONSULTATIONS = "Consultations are public; any confirmed account takes part in any of them."


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
    # Background jobs: staff's, read by their requester and staff only.
    "jobs.show": Foreign(lambda w: [f"/jobs/{X(w)['done_job'].id}"]),
    "jobs.status": Foreign(lambda w: [f"/jobs/{X(w)['done_job'].id}/status"]),
    "jobs.download": Foreign(lambda w: [f"/jobs/{X(w)['done_job'].id}/download"]),
    "jobs.retry": Foreign(lambda w: [f"/jobs/{X(w)['failed_job'].id}/retry"]),
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
        own=lambda w: f"/applications/{A(w).draft.id}/attachments",
        own_status={"GET": 302, "POST": 422}),
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
    "awards.ledger_export": Foreign(
        lambda w: [f"/awards/{B(w).award.id}/ledger.xlsx"],
        own=lambda w: f"/awards/{A(w).award.id}/ledger.xlsx", own_status={"GET": 200}),
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
        own=lambda w: f"/reports/{A(w).report.id}/evidence",
        own_status={"GET": 302, "POST": 422}),
    "monitoring.upload_receipt": Foreign(
        lambda w: [f"/reports/{B(w).report.id}/expenditures/{B(w).expenditure.id}/receipt",
                   f"/reports/{A(w).report.id}/expenditures/{B(w).expenditure.id}/receipt"],
        own=lambda w: f"/reports/{A(w).report.id}/expenditures/{A(w).expenditure.id}/receipt",
        own_status={"GET": 302, "POST": 422}),
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
    "plans.plan_docx_file": Public(
        "Published action plans are public, in OGP's format too.",
        hidden=lambda w: [f"/action-plans/{X(w)['draft_plan'].id}/plan.docx"]),
    "plans.plan_json_file": Public(
        "Published action plans are public, in OGP's format too.",
        hidden=lambda w: [f"/action-plans/{X(w)['draft_plan'].id}/plan.json"]),
    "plans.transition_plan": Foreign(
        lambda w: [f"/staff/action-plans/{X(w)['action_plan'].id}/state"]),
    "forum.public_meeting": Public(
        "Published forum meetings are public.",
        hidden=lambda w: [f"/forum/meetings/{X(w)['draft_forum_meeting'].id}"]),
    "forum.document_file": Public("The repository's documents are public."),
    "forum.end_member": Foreign(
        lambda w: [f"/staff/forum/members/{X(w)['forum_member'].id}/end"]),
    "forum.edit_meeting": Foreign(
        lambda w: [f"/staff/forum/meetings/{X(w)['forum_meeting'].id}/edit"]),
    "forum.remove_document": Foreign(
        lambda w: [f"/staff/forum/documents/{X(w)['forum_document'].id}/remove"]),
    # Consultations: public reading and participation; staff moderate and respond.
    "consultations.consultation": Public(_CONSULTATIONS),
    "consultations.proposals": Public(_CONSULTATIONS),
    "consultations.proposal": Public(_CONSULTATIONS),
    "consultations.commitment": Public(_CONSULTATIONS),
    "consultations.propose": Public(_CONSULTATIONS),
    "consultations.comment_proposal": Public(_CONSULTATIONS),
    "consultations.comment_commitment": Public(_CONSULTATIONS),
    "consultations.support_proposal": Public(_CONSULTATIONS),
    "consultations.support_commitment": Public(_CONSULTATIONS),
    "consultations.report_proposal": Public(_CONSULTATIONS),
    "consultations.report_comment": Public(_CONSULTATIONS),
    "consultations.what_we_heard": Foreign(
        lambda w: [f"/consultations/{X(w)['consultation'].id}/what-we-heard"]),
    "consultations.edit": Foreign(
        lambda w: [f"/staff/consultations/{X(w)['consultation'].id}/edit"]),
    "consultations.hide_proposal": Foreign(
        lambda w: [f"/staff/consultations/proposals/{X(w)['consultation_proposal'].id}/hide"]),
    "consultations.hide_comment": Foreign(
        lambda w: [f"/staff/consultations/comments/{X(w)['consultation_comment'].id}/hide"]),
    "consultations.dismiss_report": Foreign(
        lambda w: [f"/staff/consultations/reports/{X(w)['consultation_report'].id}/dismiss"]),
    "consultations.respond": Foreign(
        lambda w: [f"/staff/consultations/proposals/{X(w)['consultation_proposal'].id}"
                   f"/respond"]),
    "consultations.publish_summary": Foreign(
        lambda w: [f"/staff/consultations/{X(w)['consultation'].id}/what-we-heard/publish"]),
    "events.detail": Foreign(lambda w: [f"/staff/events/{X(w)['event'].id}"]),
    "events.person": Foreign(lambda w: [f"/staff/events/people/{X(w)['person'].id}"]),
    "events.person_data": Foreign(
        lambda w: [f"/staff/events/people/{X(w)['person'].id}/data.json"]),
    "events.erase_person": Foreign(
        lambda w: [f"/staff/events/people/{X(w)['person'].id}/erase"]),
    "events.edit": Foreign(lambda w: [f"/staff/events/{X(w)['event'].id}/edit"]),
    "events.agenda": Foreign(lambda w: [f"/staff/events/{X(w)['event'].id}/agenda"]),
    "events.import_attendance": Foreign(lambda w: [f"/staff/events/{X(w)['event'].id}/import"]),
    "events.import_errors": Foreign(
        lambda w: [f"/staff/events/{X(w)['event'].id}/import/errors.xlsx"]),
    "indicators.detail": Foreign(lambda w: ["/indicators/organisations", "/indicators/people"]),
    # The results framework: staff's objects.
    "results.new_output": Foreign(lambda w: [f"/staff/results/{X(w)['outcome'].id}/outputs/new"]),
    "results.edit_result": Foreign(lambda w: [f"/staff/results/{X(w)['output'].id}/edit"]),
    "results.new_indicator": Foreign(
        lambda w: [f"/staff/results/{X(w)['output'].id}/indicators/new"]),
    "results.edit_indicator": Foreign(
        lambda w: [f"/staff/results/indicators/{X(w)['result_indicator'].id}"]),
    "results.set_target": Foreign(
        lambda w: [f"/staff/results/indicators/{X(w)['result_indicator'].id}/targets"]),
    "results.set_actual": Foreign(
        lambda w: [f"/staff/results/indicators/{X(w)['result_indicator'].id}/actuals"]),
    "results.remove_target": Foreign(
        lambda w: [f"/staff/results/targets/{X(w)['result_target'].id}/remove"]),
    "results.remove_actual": Foreign(
        lambda w: [f"/staff/results/actuals/{X(w)['result_actual'].id}/remove"]),
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
    # A commitment of another plan than the consultation's.
    "consultations.commitment": (
        "alpha", lambda w: f"/consultations/{X(w)['consultation'].id}/commitments/"
                           f"{X(w)['commitment'].id}"),
    "consultations.comment_commitment": (
        "alpha", lambda w: f"/consultations/{X(w)['consultation'].id}/commitments/"
                           f"{X(w)['commitment'].id}/comments"),
    "consultations.support_commitment": (
        "alpha", lambda w: f"/consultations/{X(w)['consultation'].id}/commitments/"
                           f"{X(w)['commitment'].id}/support"),
    "coalitions.end_membership": (
        "staff", lambda w: f"/coalitions/{X(w)['other_coalition'].id}/members/"
                           f"{X(w)['coalition_membership'].id}/end"),
    "coalitions.evidence": (
        "staff", lambda w: f"/coalitions/{X(w)['other_coalition'].id}/activities/"
                           f"{X(w)['coalition_activity'].id}/evidence"),
    "coalitions.unlink_award": (
        "staff", lambda w: f"/coalitions/{X(w)['coalition'].id}/awards/{B(w).award.id}/unlink"),
}
