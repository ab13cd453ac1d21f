"""The double-post case of every POST route, keyed by endpoint.

A route either has a ``Case`` (who sends it, where, a valid form, and any objects it needs
besides the world's) or is listed as ``NotStateChanging`` with the reason. ``PENDING`` names
routes that still need a case; it must only shrink.
"""

from __future__ import annotations

from datetime import timedelta

from tests.security.double_post.consultation_cases import CONSULTATION_CASES
from tests.security.double_post.harness import Case, NotStateChanging
from tests.security.double_post.helpers import (
    PASSWORD,
    A,
    X,
    admin_invitation,
    attendance_sheet,
    award_dates,
    award_edit,
    call_form,
    closable_award,
    duplicate_organisation,
    duplicate_person,
    eligible,
    endorsement_link,
    fund_form,
    idempotency_key,
    implemented_plan,
    late_conflict,
    linked_award,
    locked_panel,
    new_call_form,
    open_discussion,
    pdf_upload,
    project_section,
    ranking_review,
    report_form,
    reset_link,
    review_data,
    rubric_form,
    submittable_draft,
    submitted,
    submitted_report,
    today,
    unconfirmed,
)

CASES: dict[str, Case | NotStateChanging] = {
    # The six reported races -----------------------------------------------------------------
    "applications.submit": Case(
        "alpha", lambda w, c: f"/applications/{c['draft'].id}/submit",
        setup=submittable_draft),
    "screening.screen": Case(
        "staff", lambda w, c: f"/staff/applications/{c['application'].id}/screening",
        lambda w, c: {"outcome": "eligible", "reason": ""}, setup=submitted),
    "ranking.decide": Case(
        "staff", lambda w, c: f"/staff/panels/{X(w)['ranking_panel'].id}/decisions",
        lambda w, c: {"application_ids": str(X(w)["ranking_application"].id),
                      "outcome": "waitlist", "rationale": "Just below the line.",
                      "method": "raw"}),
    "reviews.review": Case("reviewer", lambda w, c: f"/reviews/{w.assignment.id}",
                           review_data),
    "applications_admin.transition": Case(
        "staff", lambda w, c: f"/staff/applications/{c['application'].id}/transition",
        lambda w, c: {"target": "in_review"}, setup=eligible),
    # Applications ----------------------------------------------------------------------------
    "applications.start": Case(
        "alpha", lambda w, c: f"/calls/{X(w)['published_call'].id}/apply",
        lambda w, c: {"organisation_id": str(A(w).org.id)}),
    "applications.edit_section": Case(
        "alpha", lambda w, c: f"/applications/{A(w).draft.id}/sections/project",
        project_section),
    "applications.upload_attachment": Case(
        "alpha", lambda w, c: f"/applications/{A(w).draft.id}/attachments",
        lambda w, c: {"file": pdf_upload(w, c), "required_document_id": ""},
        repeats_by_design="each upload stores the file it carries; two uploads of a file "
                          "are two attachments, as if sent one after the other"),
    "applications.remove_attachment": Case(
        "alpha", lambda w, c: f"/applications/{A(w).draft.id}/attachments/"
                              f"{A(w).attachment.id}/remove"),
    "applications.withdraw": Case(
        "alpha", lambda w, c: f"/applications/{A(w).draft.id}/withdraw",
        lambda w, c: {"reason": "Changed our plans."}),
    # Endorsements ----------------------------------------------------------------------------
    "endorsements.respond": Case(
        "anonymous", lambda w, c: f"/endorse/{c['token']}",
        lambda w, c: {"answer": "endorse", "name": "Maria Chen", "position": "Director",
                      "comment": ""}, setup=endorsement_link),
    # The button carries the link last sent (none yet, or its time), as the page shows it.
    "endorsements.request_early": Case(
        "alpha", lambda w, c: f"/applications/{c['draft'].id}/endorsement/request",
        lambda w, c: {"link": "none"}, setup=submittable_draft),
    "endorsements.resend": Case(
        "staff", lambda w, c: f"/staff/applications/{c['application'].id}/endorsement/resend",
        lambda w, c: {"link": c["application"].endorsement.link_version},
        setup=endorsement_link),
    "endorsements.record_paper": Case(
        "staff", lambda w, c: f"/staff/applications/{c['application'].id}/endorsement/paper",
        lambda w, c: {"answer": "endorse", "name": "Maria Chen", "position": "Director",
                      "comment": "", "letter": pdf_upload(w, c)}, setup=submitted),
    # Reviews and panels ------------------------------------------------------------------------
    "reviews.decline": Case("reviewer", lambda w, c: f"/reviews/{w.assignment.id}/decline",
                            lambda w, c: {"reason": "I am away that month."}),
    "reviews.declare_conflict": Case(
        "reviewer", lambda w, c: f"/panels/{w.assignment.panel_id}/conflicts/new",
        lambda w, c: {"application_id": str(A(w).application.id), "organisation_id": "",
                      "reason": "I advise this organisation."}),
    "ranking.feedback": Case(
        "staff", lambda w, c: f"/staff/panels/{X(w)['ranking_panel'].id}/applications/"
                              f"{X(w)['ranking_application'].id}/feedback",
        lambda w, c: {"shared": [str(c["review"].id)]}, setup=ranking_review),
    "ranking.lock": Case("staff",
                         lambda w, c: f"/staff/panels/{X(w)['ranking_panel'].id}/lock"),
    "ranking.unlock": Case("staff",
                           lambda w, c: f"/staff/panels/{X(w)['ranking_panel'].id}/unlock",
                           setup=locked_panel),
    "ranking.open_discussion": Case(
        "staff", lambda w, c: f"/staff/panels/{X(w)['ranking_panel'].id}/discussion/open"),
    "ranking.close_discussion": Case(
        "staff", lambda w, c: f"/staff/panels/{X(w)['ranking_panel'].id}/discussion/close",
        setup=open_discussion),
    "panels.edit": Case(
        "staff", lambda w, c: f"/staff/panels/{X(w)['review_panel'].id}/edit",
        lambda w, c: {"due_at": "2030-01-15T12:00", "reviewers_per_application": "2",
                      "chair_id": ""}),
    "panels.add_member": Case(
        "staff", lambda w, c: f"/staff/panels/{X(w)['review_panel'].id}/members",
        lambda w, c: {"user_id": str(w.reviewer.id)}),
    "panels.remove_member": Case(
        "staff", lambda w, c: f"/staff/panels/{X(w)['review_panel'].id}/members/"
                              f"{X(w)['spare_member'].id}/remove"),
    "panels.assign": Case(
        "staff", lambda w, c: f"/staff/panels/{X(w)['review_panel'].id}/assign",
        lambda w, c: {"application_id": str(X(w)["review_application"].id),
                      "reviewer_id": str(X(w)["spare_member"].user_id)}),
    "panels.auto_assign": Case(
        "staff", lambda w, c: f"/staff/panels/{X(w)['review_panel'].id}/auto-assign"),
    "panels.reassign": Case(
        "staff", lambda w, c: f"/staff/panels/{X(w)['review_panel'].id}/assignments/"
                              f"{X(w)['review_assignment'].id}/reassign",
        lambda w, c: {"reviewer_id": str(X(w)["spare_member"].user_id)}),
    "panels.resolve_late_conflict": Case(
        "staff", lambda w, c: f"/staff/panels/{X(w)['review_panel'].id}/reviews/"
                              f"{X(w)['marked_review'].id}/late-conflict",
        lambda w, c: {f"late{X(w)['marked_review'].id}-outcome": "keep",
                      f"late{X(w)['marked_review'].id}-reason": "Declared after the ranking."},
        setup=late_conflict),
    # Awards and the ledger ----------------------------------------------------------------------
    "awards.create": Case(
        "staff", lambda w, c: f"/staff/applications/{X(w)['award_application'].id}/award",
        award_dates),
    "awards.edit": Case("staff", lambda w, c: f"/staff/awards/{A(w).pending_award.id}/edit",
                        award_edit),
    "awards.sign": Case(
        "staff", lambda w, c: f"/staff/awards/{A(w).pending_award.id}/sign",
        lambda w, c: {"agreement": pdf_upload(w, c), "signed_on": today().isoformat()}),
    "awards.transition": Case(
        "staff", lambda w, c: f"/staff/awards/{A(w).award.id}/transition",
        lambda w, c: {"action": "suspend", "reason": "Audit pending."}),
    "awards.request_disbursement": Case(
        "staff", lambda w, c: f"/staff/awards/{A(w).award.id}/tranches/{A(w).tranche.id}/"
                              f"request",
        lambda w, c: {"amount": "50.00", "planned_on": today().isoformat(),
                      "payment_method": "bank_transfer", "payee_reference": "Account 1",
                      "override_reason": "", "idempotency_key": c["key"]},
        setup=idempotency_key),
    "awards.approve": Case(
        "finance", lambda w, c: f"/finance/disbursements/"
                                f"{A(w).disbursements['requested'].id}/approve",
        lambda w, c: {"reason": ""}),
    "awards.reject": Case(
        "finance", lambda w, c: f"/finance/disbursements/"
                                f"{A(w).disbursements['requested'].id}/reject",
        lambda w, c: {"reason": "Not in the budget."}),
    "awards.cancel": Case(
        "finance", lambda w, c: f"/finance/disbursements/"
                                f"{A(w).disbursements['requested'].id}/cancel",
        lambda w, c: {"reason": "Sent twice."}),
    "awards.pay": Case(
        "finance", lambda w, c: f"/finance/disbursements/"
                                f"{A(w).disbursements['approved'].id}/pay",
        lambda w, c: {"paid_on": today().isoformat(), "bank_reference": "TRF-2",
                      "paid_currency": "USD", "exchange_rate": "1", "paid_amount": "",
                      "usd_equivalent": ""}),
    "awards.reverse": Case(
        "finance", lambda w, c: f"/finance/disbursements/"
                                f"{A(w).disbursements['paid'].id}/reverse",
        lambda w, c: {"reason": "Paid to the wrong account.",
                      "reversed_on": today().isoformat(), "bank_reference": "TRF-R",
                      "idempotency_key": c["key"]}, setup=idempotency_key),
    # Monitoring -------------------------------------------------------------------------------
    "monitoring.edit_report": Case("alpha", lambda w, c: f"/reports/{A(w).report.id}/edit",
                                   report_form),
    "monitoring.upload_evidence": Case(
        "alpha", lambda w, c: f"/reports/{A(w).report.id}/evidence",
        lambda w, c: {"file": pdf_upload(w, c), "description": "Photo of the workshop"},
        repeats_by_design="each upload stores the file it carries, as if sent one after "
                          "the other"),
    "monitoring.upload_receipt": Case(
        "alpha", lambda w, c: f"/reports/{A(w).report.id}/expenditures/"
                              f"{A(w).expenditure.id}/receipt",
        lambda w, c: {"file": pdf_upload(w, c)},
        repeats_by_design="each upload stores the file it carries; the later one is the "
                          "line's receipt, as if sent one after the other"),
    "monitoring.review_report": Case(
        "staff", lambda w, c: f"/staff/reports/{A(w).report.id}/review",
        lambda w, c: {"decision": "accept", "comment": "Thank you."},
        setup=submitted_report),
    "monitoring.add_report": Case(
        "staff", lambda w, c: f"/staff/awards/{A(w).award.id}/reports/new",
        lambda w, c: {"title": "Extra report",
                      "due_on": (today() + timedelta(days=30)).isoformat()}),
    "monitoring.close_out": Case(
        "staff", lambda w, c: f"/staff/awards/{A(w).award.id}/close-out",
        lambda w, c: {"deobligation_reason": "The project ended early."},
        setup=closable_award),
    # Calls and funds ---------------------------------------------------------------------------
    "calls_admin.edit_fund": Case("staff", lambda w, c: f"/staff/funds/{X(w)['fund'].id}/edit",
                                  fund_form),
    "calls_admin.edit_call": Case(
        "staff", lambda w, c: f"/staff/calls/{X(w)['draft_call'].id}/edit", call_form),
    "calls_admin.edit_rubric": Case(
        "staff", lambda w, c: f"/staff/calls/{X(w)['draft_call'].id}/rubric", rubric_form),
    "calls_admin.transition_call": Case(
        "staff", lambda w, c: f"/staff/calls/{X(w)['draft_call'].id}/transition",
        lambda w, c: {"target": "published"}),
    # Accounts --------------------------------------------------------------------------------
    "core.set_language": NotStateChanging(
        "keeps the chosen language in the session and as the user's preference: the same "
        "choice twice leaves the same value, and nothing is recorded or sent"),
    "accounts.login": NotStateChanging(
        "each sign-in starts a session of its own, as two browser tabs would; the programme's "
        "data does not change"),
    "accounts.logout": Case("alpha", lambda w, c: "/logout"),
    "accounts.register": Case(
        "anonymous", lambda w, c: "/register",
        lambda w, c: {"name": "Double Registrant", "email": "double@example.org",
                      "password": PASSWORD}),
    "accounts.resend_confirmation": Case(
        "anonymous", lambda w, c: "/confirm", lambda w, c: {"email": c["user"].email},
        setup=unconfirmed),
    "accounts.forgot_password": Case(
        "anonymous", lambda w, c: "/password/forgot",
        lambda w, c: {"email": A(w).owner.email}),
    "accounts.reset_password": Case(
        "anonymous", lambda w, c: f"/password/reset/{c['token']}",
        lambda w, c: {"password": PASSWORD}, setup=reset_link),
    "accounts.accept_invitation": Case(
        "anonymous", lambda w, c: f"/invitation/{c['token']}",
        lambda w, c: {"password": PASSWORD}, setup=admin_invitation),
    "accounts.profile": Case("alpha", lambda w, c: "/account",
                             lambda w, c: {"name": "Alpha Owner Renamed", "locale": "es"}),
    "accounts.change_password": Case(
        "alpha", lambda w, c: "/account/password",
        lambda w, c: {"current_password": "correct horse battery staple",
                      "password": PASSWORD}),
    "users_admin.invite_user": Case(
        "admin", lambda w, c: "/admin/users/invite",
        lambda w, c: {"name": "New Reviewer", "email": "new-reviewer@example.org",
                      "roles": ["reviewer"]}),
    "users_admin.user_detail": Case(
        "admin", lambda w, c: f"/admin/users/{X(w)['other_user'].id}",
        lambda w, c: {"roles": ["applicant", "reviewer"]}),
    "users_admin.set_user_enabled": Case(
        "admin", lambda w, c: f"/admin/users/{X(w)['other_user'].id}/enabled",
        lambda w, c: {"enable": "0"}),
    # The same retry twice queues the job once; the same workbook asked twice is one job.
    "jobs.retry": Case("staff", lambda w, c: f"/jobs/{X(w)['failed_job'].id}/retry"),
    "workbook.download": Case("staff", lambda w, c: "/reports/workbook/download",
                              lambda w, c: {"from": "2019-01-01", "to": "2019-12-31"}),
    "exports.queue": Case("staff", lambda w, c: "/reports/open-data-exports",
                          lambda w, c: {"from": "2019-01-01", "format": "360giving-json"}),
    "platform_admin.retry_outbox_message": Case(
        "admin", lambda w, c: f"/admin/outbox/{X(w)['dead_message'].id}/retry"),
    # Organisations -----------------------------------------------------------------------------
    "organisations.create": Case(
        "alpha", lambda w, c: "/organisations/new",
        lambda w, c: {"name": "Double Click Foundation", "sector": "civil_society",
                      "country": "BZ"},),
    "organisations.edit": Case(
        "alpha", lambda w, c: f"/organisations/{A(w).org.id}/edit",
        lambda w, c: {"name": "Alpha Organisation Renamed", "sector": "civil_society",
                      "country": "BZ"}),
    "organisations.verify": Case("staff",
                                 lambda w, c: f"/organisations/{A(w).org.id}/verify",
                                 lambda w, c: {"verified": "0"}),
    "organisations.invite_member": Case(
        "alpha", lambda w, c: f"/organisations/{A(w).org.id}/members/invite",
        lambda w, c: {"name": "New Member", "email": "new-member@example.org",
                      "role": "member"},),
    "organisations.remove_member": Case(
        "alpha", lambda w, c: f"/organisations/{A(w).org.id}/members/{c['membership'].id}"
                              f"/remove",
        setup=lambda w, s, f: {"membership": f.member(A(w).org, f.user(name="Leaving"))}),
    "organisations.merge": Case(
        "staff", lambda w, c: f"/organisations/{A(w).org.id}/merge",
        lambda w, c: {"duplicate_id": str(c["duplicate"].id), "confirm": "y"},
        setup=duplicate_organisation),
    "organisations.revoke_invitation": Case(
        "alpha", lambda w, c: f"/organisations/{A(w).org.id}/invitations/"
                              f"{A(w).invitation.id}/revoke"),
    "organisations.accept_invitation": Case(
        "finance", lambda w, c: f"/organisations/invitations/{A(w).invitation.id}/accept"),
    "organisations.decline_invitation": Case(
        "finance", lambda w, c: f"/organisations/invitations/{A(w).invitation.id}/decline"),
    # Coalitions, plans and events --------------------------------------------------------------
    "coalitions.edit": Case(
        "staff", lambda w, c: f"/coalitions/{X(w)['coalition'].id}/edit",
        lambda w, c: {"name": "Renamed coalition", "purpose": "", "thematic_areas": "",
                      "formed_on": "", "state": "active"}),
    "coalitions.add_member": Case(
        "staff", lambda w, c: f"/coalitions/{X(w)['coalition'].id}/members",
        lambda w, c: {"organisation_id": str(A(w).org.id), "role": "member",
                      "joined_on": today().isoformat()}),
    "coalitions.end_membership": Case(
        "staff", lambda w, c: f"/coalitions/{X(w)['coalition'].id}/members/"
                              f"{X(w)['coalition_membership'].id}/end",
        lambda w, c: {"left_on": today().isoformat(), "new_role": ""}),
    "coalitions.link_award": Case(
        "staff", lambda w, c: f"/coalitions/{X(w)['coalition'].id}/awards",
        lambda w, c: {"reference": A(w).award.reference}),
    "plans.edit_plan": Case(
        "staff", lambda w, c: f"/staff/action-plans/{X(w)['action_plan'].id}/edit",
        lambda w, c: {"title": "Renamed plan", "country": X(w)["action_plan"].country,
                      "starts_on": X(w)["action_plan"].starts_on.isoformat(),
                      "ends_on": X(w)["action_plan"].ends_on.isoformat(), "is_public": "y"}),
    "plans.edit_commitment": Case(
        "staff", lambda w, c: f"/staff/commitments/{X(w)['commitment'].id}/edit",
        lambda w, c: {"title": "Renamed commitment", "problem": "", "ambition": "",
                      "thematic_area": "", "lead_organisation_id": ""}),
    "results.edit_result": Case(
        "staff", lambda w, c: f"/staff/results/{X(w)['output'].id}/edit",
        lambda w, c: {"code": "1.1", "title": "Renamed output"}),
    "results.edit_indicator": Case(
        "staff", lambda w, c: f"/staff/results/indicators/{X(w)['result_indicator'].id}",
        lambda w, c: {"code": "1.1a", "title": "Renamed indicator", "unit": "%",
                      "kind": "manual", "measure": "", "baseline": "40"}),
    "plans.update_milestone": Case(
        "staff", lambda w, c: f"/staff/milestones/{X(w)['milestone'].id}",
        lambda w, c: {"state": "complete", "evidence": "Published."}, setup=implemented_plan),
    "plans.transition_plan": Case(
        "staff", lambda w, c: f"/staff/action-plans/{X(w)['action_plan'].id}/state",
        lambda w, c: {"target": "in_consultation"}),
    "events.edit": Case(
        "staff", lambda w, c: f"/staff/events/{X(w)['event'].id}/edit",
        lambda w, c: {"type": X(w)["event"].type.value, "title": "Renamed event",
                      "starts_on": X(w)["event"].starts_on.isoformat(),
                      "ends_on": X(w)["event"].ends_on.isoformat(),
                      "country": X(w)["event"].country or "BZ", "district": "",
                      "venue": "", "organiser_id": "", "description": ""}),
    "events.import_attendance": Case(
        "staff", lambda w, c: f"/staff/events/{X(w)['event'].id}/import", attendance_sheet),
    "events.import_errors": NotStateChanging(
        "builds a spreadsheet of the rows a dry run refused, from the file sent; nothing is "
        "stored"),
    "events.erase_person": Case(
        "staff", lambda w, c: f"/staff/events/people/{X(w)['person'].id}/erase"),
    "events.merge_people": Case(
        "staff", lambda w, c: "/staff/events/people/merge",
        lambda w, c: {"kept_id": str(c["kept"].id), "duplicate_id": str(c["duplicate"].id)},
        setup=duplicate_person),
    "forum.edit_forum": Case(
        "staff", lambda w, c: "/staff/forum/edit",
        lambda w, c: {"name": "Renamed forum", "rules": "Be kind."}),
    "forum.end_member": Case(
        "staff", lambda w, c: f"/staff/forum/members/{X(w)['forum_member'].id}/end",
        lambda w, c: {"left_on": today().isoformat()}),
    "forum.edit_meeting": Case(
        "staff", lambda w, c: f"/staff/forum/meetings/{X(w)['forum_meeting'].id}/edit",
        lambda w, c: {"title": "Renamed meeting", "starts_at": "2020-02-03T09:00",
                      "format": "online", "place": "", "agenda": "", "minutes": "Met.",
                      "other_attendees": "2", "decisions": "Adopt the rules",
                      "is_published": "y"}),
    "forum.remove_document": Case(
        "staff", lambda w, c: f"/staff/forum/documents/{X(w)['forum_document'].id}/remove",
        same_status=False),
    "portal.edit_publication": Case(
        "staff", lambda w, c: f"/staff/awards/{A(w).award.id}/publication",
        lambda w, c: {"is_published": "y", "public_title": "Open budgets",
                      "public_summary": "Publishing the budget."}),
    # Creating ----------------------------------------------------------------------------------
    "panels.new": Case(
        "staff", lambda w, c: "/staff/panels/new",
        lambda w, c: {"call_id": str(X(w)["published_call"].id), "due_at": "2030-01-15T12:00",
                      "reviewers_per_application": "2"}),
    "calls_admin.new_fund": Case(
        "staff", lambda w, c: "/staff/funds/new",
        lambda w, c: {"name": "Double fund", "donor_organisation_id": "",
                      "managing_organisation_id": "", "currency": "USD",
                      "total_budget": "10000.00"}),
    "calls_admin.new_call": Case("staff", lambda w, c: "/staff/calls/new", new_call_form),
    "coalitions.new": Case(
        "staff", lambda w, c: "/coalitions/new",
        lambda w, c: {"name": "Double coalition", "purpose": "", "thematic_areas": "",
                      "formed_on": "", "state": "active"}),
    "coalitions.add_activity": Case(
        "staff", lambda w, c: f"/coalitions/{X(w)['coalition'].id}/activities/new",
        lambda w, c: {"kind": "meeting", "happened_on": today().isoformat(),
                      "description": "Met the ministry.", "outcome": ""}),
    "coalitions.unlink_award": Case(
        "staff", lambda w, c: f"/coalitions/{X(w)['coalition'].id}/awards/{A(w).award.id}"
                              f"/unlink", setup=linked_award),
    "plans.new_plan": Case(
        "staff", lambda w, c: "/staff/action-plans/new",
        lambda w, c: {"title": "Double plan", "country": "BZ", "starts_on": "2027-01-01",
                      "ends_on": "2028-12-31", "is_public": "y"}),
    "plans.new_commitment": Case(
        "staff", lambda w, c: f"/staff/action-plans/{X(w)['action_plan'].id}/commitments/new",
        lambda w, c: {"title": "Double commitment", "problem": "", "ambition": "",
                      "thematic_area": "", "lead_organisation_id": ""}),
    "plans.add_milestone": Case(
        "staff", lambda w, c: f"/staff/commitments/{X(w)['commitment'].id}/milestones",
        lambda w, c: {"milestone-title": "Double milestone", "milestone-due_on": "2027-06-30",
                      "milestone-state": "not_started"}),
    "results.new_outcome": Case(
        "staff", lambda w, c: "/staff/results/outcomes/new",
        lambda w, c: {"code": "2", "title": "Double outcome"}),
    "results.new_output": Case(
        "staff", lambda w, c: f"/staff/results/{X(w)['outcome'].id}/outputs/new",
        lambda w, c: {"code": "1.2", "title": "Double output"}),
    "results.new_indicator": Case(
        "staff", lambda w, c: f"/staff/results/{X(w)['output'].id}/indicators/new",
        lambda w, c: {"code": "1.1b", "title": "Double indicator", "unit": "people",
                      "kind": "computed", "measure": "people_trained",
                      "disaggregation": "sex", "sums_actuals": "y", "baseline": "0"}),
    "results.set_target": Case(
        "staff", lambda w, c: f"/staff/results/indicators/{X(w)['result_indicator'].id}"
                              f"/targets",
        lambda w, c: {"target-year": "2020", "target-value": "70"}),
    "results.set_actual": Case(
        "staff", lambda w, c: f"/staff/results/indicators/{X(w)['result_indicator'].id}"
                              f"/actuals",
        lambda w, c: {"actual-year": "2020", "actual-value": "58", "actual-source": ""}),
    "results.remove_target": Case(
        "staff", lambda w, c: f"/staff/results/targets/{X(w)['result_target'].id}/remove",
        same_status=False),
    "results.remove_actual": Case(
        "staff", lambda w, c: f"/staff/results/actuals/{X(w)['result_actual'].id}/remove",
        same_status=False),
    "forum.new_member": Case(
        "staff", lambda w, c: "/staff/forum/members/new",
        lambda w, c: {"organisation_id": str(A(w).org.id), "joined_on": today().isoformat(),
                      "representative_name": "Ana", "representative_role": "Director"}),
    "forum.new_meeting": Case(
        "staff", lambda w, c: "/staff/forum/meetings/new",
        lambda w, c: {"title": "Double meeting", "starts_at": "2020-09-03T09:00",
                      "format": "in_person", "place": "Belmopan", "agenda": "",
                      "minutes": "", "other_attendees": "0", "decisions": "One\nTwo"}),
    "forum.new_document": Case(
        "staff", lambda w, c: "/staff/forum/documents/new",
        lambda w, c: {"kind": "minutes", "title": "Double minutes",
                      "document_date": "2020-02-03", "description": "", "link": "",
                      "file": pdf_upload(w, c)}),
    "events.new": Case(
        "staff", lambda w, c: "/staff/events/new",
        lambda w, c: {"type": "workshop", "title": "Double workshop",
                      "starts_on": today().isoformat(), "ends_on": today().isoformat(),
                      "country": "BZ", "district": "", "venue": "", "organiser_id": "",
                      "description": ""}),
}

CASES.update(CONSULTATION_CASES)

#: Routes still without a case (each is named in the coverage test's output).
PENDING: frozenset[str] = frozenset()
