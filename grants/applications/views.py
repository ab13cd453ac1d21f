from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from accounts.organisations.models import Organisation
from accounts.policies import is_applicant, is_signed_in
from core import contributions, navigation
from core.access import policy_required, require
from core.errors import OperationError
from core.extensions import db
from core.forms import BaseForm, render_form
from core.loading import get_or_404
from core.locking import AlreadyDone
from core.params import arg_id, parse_id
from core.translations import tr
from grants.applications import operations, queries
from grants.applications.checks import SECTIONS as SECTION_TITLES
from grants.applications.checks import budget_gap, submission_problems
from grants.applications.endorsement_terms import counterpart_warnings
from grants.applications.forms import (
    BUDGET_CATEGORY_TITLES,
    AttachmentForm,
    StartForm,
    WithdrawForm,
)
from grants.applications.models import (
    DISTRICTS,
    Application,
    Attachment,
    EndorsementState,
)
from grants.applications.policies import (
    can_edit,
    can_list_all,
    can_start,
    can_view,
    check_disinterested,
    is_applicant_member,
)
from grants.applications.sections import SECTIONS
from grants.applications.states import (
    APPLICATION_WORKFLOW,
    DECIDED_STATES,
    ApplicationState,
)
from grants.calls.models import Call
from grants.calls.policies import can_view_call

bp = Blueprint("applications", __name__)
admin_bp = Blueprint("applications_admin", __name__, url_prefix="/staff/applications")

PER_PAGE = 25

navigation.register(
    bp,
    navigation.NavEntry(_l("My applications"), "applications.mine", is_applicant, order=15,
                        group=navigation.GRANTS),
)
navigation.register(
    admin_bp,
    navigation.NavEntry(_l("Applications"), "applications_admin.list_applications",
                        can_list_all, order=35, group=navigation.GRANTS),
)


@bp.app_context_processor
def _application_helpers():
    return {"section_titles": dict(SECTION_TITLES),
            "budget_category_titles": BUDGET_CATEGORY_TITLES,
            "EndorsementState": EndorsementState, "ApplicationState": ApplicationState,
            "budget_gap": budget_gap}


def _load(application_id: int) -> Application:
    application = queries.load_for_overview(application_id)
    if application is None:
        abort(404)
    return application


def _attachment(application: Application, attachment_id: int) -> Attachment:
    attachment = get_or_404(Attachment, attachment_id)
    if attachment.application_id != application.id:
        abort(404)
    return attachment


# Starting ----------------------------------------------------------------------------------

def _start_form(call, organisations) -> StartForm:
    """The organisations the user may apply for; one that has applied to ``call`` says so,
    and the first that has not is proposed."""
    applied = queries.applications_to_call(call, organisations)
    form = StartForm()
    form.organisation_id.choices = [
        (str(o.id), o.display_name if o.id not in applied else _(
            "%(organisation)s (already applied: %(reference)s)", organisation=o.display_name,
            reference=applied[o.id].display_reference))
        for o in organisations]
    if not form.is_submitted():
        form.organisation_id.data = next((str(o.id) for o in organisations
                                          if o.id not in applied), None)
    return form


@bp.route("/calls/<int:call_id>/apply", methods=["GET", "POST"])
@policy_required(is_signed_in)
def start(call_id: int):
    call = get_or_404(Call, call_id)
    if not can_view_call(current_user, call)[0]:
        abort(404)  # a draft call does not exist outside staff, as on its public page
    organisations = queries.applicant_organisations(current_user)
    form = _start_form(call, organisations)
    if not organisations:
        return render_template("grants/applications/start.html", call=call, form=None)
    if form.validate_on_submit():
        organisation_id = parse_id(form.organisation_id.data)
        organisation = db.session.get(Organisation, organisation_id) \
            if organisation_id is not None else None
        if organisation is None:
            abort(400)
        require(can_start(current_user, organisation))
        try:
            application = operations.start_application(call, organisation, current_user)
        except AlreadyDone as done:
            flash(str(done.message), "info")
            application = operations.active_application(call, organisation)
            return redirect(url_for("applications.edit_section", application_id=application.id,
                                    section="project"))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("Your draft is saved. Complete each section, then submit."), "success")
            return redirect(url_for("applications.edit_section", application_id=application.id,
                                    section="project"))
    return render_form("grants/applications/start.html", form, call=call)


@bp.route("/applications")
@policy_required(is_signed_in)
def mine():
    return render_template("grants/applications/mine.html",
                           applications=queries.applications_of_user(current_user))


# Viewing -----------------------------------------------------------------------------------

@bp.route("/applications/<int:application_id>")
def detail(application_id: int):
    application = _load(application_id)
    require(can_view(current_user, application))
    return render_template(
        "grants/applications/detail.html", application=application,
        progress=queries.section_progress(application),
        is_member=is_applicant_member(current_user, application)[0],
        can_manage_endorsement=contributions.ask("application.can_resend_endorsement",
                                                 current_user, application)[0],
        staff_view=can_list_all(current_user)[0],
        contact_warnings=(counterpart_warnings(application)
                          if can_list_all(current_user)[0] else []),
        can_record_paper=contributions.ask("application.can_record_paper_endorsement",
                                           current_user, application)[0],
        # Later stages' parts of the page (endorsements above, the award here) are asked
        # through core.contributions: applications do not import them.
        award=contributions.ask("application.award", application.id),
        can_issue_award=contributions.ask("application.can_issue_award", current_user,
                                          application)[0],
        # Staff who belong to the applicant or counterpart are told why they cannot act.
        separation=check_disinterested(current_user, application)
        if can_list_all(current_user)[0] else (True, ""),
        transitions=APPLICATION_WORKFLOW.available(application, current_user),
        action_form=BaseForm(), withdraw_form=WithdrawForm())


@bp.route("/applications/<int:application_id>/print")
def print_view(application_id: int):
    application = _load(application_id)
    require(can_view(current_user, application))
    return render_template("grants/applications/print.html", application=application)


# Editing -----------------------------------------------------------------------------------

@bp.route("/applications/<int:application_id>/sections/<section>", methods=["GET", "POST"])
def edit_section(application_id: int, section: str):
    application = _load(application_id)
    require(can_view(current_user, application))
    handler = SECTIONS.get(section)
    if handler is None and section != "documents":
        abort(404)
    require(can_edit(current_user, application))
    if section == "documents":
        return _documents_page(application, AttachmentForm())
    form = handler.form_class()
    handler.prepare(form, application)
    if request.method == "GET":
        handler.fill(form, application)
    elif form.validate_on_submit():
        try:
            voided = handler.save(form, application, current_user)
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("Section saved."), "success")
            if voided:
                flash(_("The counterpart's endorsement no longer applies: it was given for "
                        "the application before this change. Ask the counterpart to "
                        "endorse it again."), "info")
            return redirect(_next_section_url(application, section))
    return render_form(f"grants/applications/sections/{section}.html", form,
                       application=application, section=section,
                       progress=queries.section_progress(application))


def _next_section_url(application: Application, section: str) -> str:
    keys = [key for key, _title in SECTION_TITLES]
    if request.form.get("then") == "stay":
        return url_for("applications.edit_section", application_id=application.id,
                       section=section)
    following = keys[keys.index(section) + 1:] if section in keys else []
    if following:
        return url_for("applications.edit_section", application_id=application.id,
                       section=following[0])
    return url_for("applications.submit", application_id=application.id)


def _documents_page(application: Application, form: AttachmentForm, status: int = 200):
    form.required_document_id.choices = [("", _("Another supporting document"))] + [
        (str(d.id), tr(d, "name")) for d in application.call.required_documents]
    return render_template("grants/applications/sections/documents.html", form=form,
                           application=application, section="documents",
                           progress=queries.section_progress(application),
                           action_form=BaseForm()), status


@bp.route("/applications/<int:application_id>/attachments", methods=["GET", "POST"])
def upload_attachment(application_id: int):
    application = _load(application_id)
    require(can_view(current_user, application))
    if request.method == "GET":
        # The address a failed upload is shown at: reloading it, or switching language,
        # goes back to the documents page.
        return redirect(url_for("applications.edit_section", application_id=application.id,
                                section="documents"))
    require(can_edit(current_user, application))
    form = AttachmentForm()
    if form.validate_on_submit():
        document = None
        if form.required_document_id.data:
            document = next((d for d in application.call.required_documents
                             if d.id == int(form.required_document_id.data)), None)
            if document is None:
                abort(400)
        try:
            operations.attach_document(application, current_user,
                                       file_storage=form.file.data,
                                       required_document=document)
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("Document attached."), "success")
            return redirect(url_for("applications.edit_section",
                                    application_id=application.id, section="documents"))
    return _documents_page(application, form, status=422)


@bp.route("/applications/<int:application_id>/attachments/<int:attachment_id>/remove",
          methods=["POST"])
def remove_attachment(application_id: int, attachment_id: int):
    application = _load(application_id)
    require(can_view(current_user, application))
    done = url_for("applications.edit_section", application_id=application.id,
                   section="documents")
    if db.session.get(Attachment, attachment_id) is None:
        # Removed by a click that came first (a double click): answered as that one was.
        flash(_("The document is already removed."), "info")
        return redirect(done)
    attachment = _attachment(application, attachment_id)
    require(can_edit(current_user, application))
    try:
        operations.remove_attachment(application, current_user, attachment)
    except AlreadyDone as already:
        flash(str(already.message), "info")
        return redirect(done)
    flash(_("Document removed."), "success")
    return redirect(url_for("applications.edit_section", application_id=application.id,
                            section="documents"))


@bp.route("/applications/<int:application_id>/attachments/<int:attachment_id>")
def download_attachment(application_id: int, attachment_id: int):
    from core.uploads.responses import send_stored_file

    application = _load(application_id)
    require(can_view(current_user, application))
    return send_stored_file(_attachment(application, attachment_id).stored_file)


# Submitting and withdrawing ----------------------------------------------------------------

def _already_submitted(application: Application):
    flash(_("This application is already submitted. Its reference is %(reference)s.",
            reference=application.display_reference), "info")
    return redirect(url_for("applications.detail", application_id=application.id))


@bp.route("/applications/<int:application_id>/submit", methods=["GET", "POST"])
def submit(application_id: int):
    application = _load(application_id)
    require(can_view(current_user, application))
    if request.method == "POST" and application.submitted_at is not None:
        # Submitted by a click that came first (a double click): answered as that one was.
        require(is_applicant_member(current_user, application))
        return _already_submitted(application)
    require(can_edit(current_user, application))
    form = BaseForm()
    status = 200
    if form.validate_on_submit():
        try:
            operations.submit(application, current_user)
        except AlreadyDone:
            return _already_submitted(application)
        except OperationError as error:
            flash(str(error.message), "error")
            status = 422
        else:
            flash(_("Application submitted. Your reference is %(reference)s.",
                    reference=application.reference), "success")
            return redirect(url_for("applications.detail", application_id=application.id))
    return render_template("grants/applications/submit.html", application=application,
                           form=form, problems=submission_problems(application),
                           progress=queries.section_progress(application)), status


@bp.route("/applications/<int:application_id>/withdraw", methods=["POST"])
def withdraw(application_id: int):
    application = _load(application_id)
    require(can_view(current_user, application))
    require(is_applicant_member(current_user, application))
    form = WithdrawForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        operations.withdraw(application, current_user, reason=form.reason.data)
    except AlreadyDone as done:
        flash(str(done.message), "info")
        return redirect(url_for("applications.detail", application_id=application.id))
    except OperationError as error:
        flash(str(error.message), "error")
        return redirect(url_for("applications.detail", application_id=application.id)), 303
    flash(_("The application is withdrawn."), "success")
    return redirect(url_for("applications.detail", application_id=application.id))


# Staff -------------------------------------------------------------------------------------

def _staff_filters() -> queries.StaffFilters:
    args = request.args

    state = args.get("state") or None
    if state is not None and state not in ApplicationState.__members__:
        abort(400)
    endorsement = args.get("endorsement") or None
    if endorsement is not None and endorsement not in queries.ENDORSEMENT_FILTERS:
        abort(400)
    search = args.get("q", "").strip()
    if len(search) > 100:
        abort(400)
    return queries.StaffFilters(
        call_id=arg_id("call_id"), state=ApplicationState(state) if state else None,
        thematic_area_id=arg_id("area_id"), district=(args.get("district") or None),
        endorsement=endorsement, search=search,
        sort=args.get("sort") if args.get("sort") in queries.SORTS else "submitted")


@admin_bp.route("")
@policy_required(can_list_all)
def list_applications():
    filters = _staff_filters()
    page = db.paginate(queries.staff_application_ids(filters), per_page=PER_PAGE,
                       max_per_page=PER_PAGE)
    page.items = queries.applications_with_details(list(page.items))
    return render_template("grants/applications/admin/list.html", page=page, filters=filters,
                           counts=queries.counts_by_state(filters),
                           calls=queries.calls_with_applications(),
                           areas=queries.areas_of_call(filters.call_id),
                           districts=DISTRICTS, sorts=list(queries.SORTS),
                           endorsement_filters=queries.ENDORSEMENT_FILTERS)


@admin_bp.route("/<int:application_id>/transition", methods=["POST"])
def transition(application_id: int):
    application = _load(application_id)
    require(can_list_all(current_user))
    require(check_disinterested(current_user, application))
    target = request.form.get("target", "")
    if target not in ApplicationState.__members__:
        abort(400)
    if ApplicationState(target) in DECIDED_STATES:
        # Decisions go through the panel's ranking page, which keeps them within the pool.
        flash(_("Record decisions on the review panel's ranking page."), "error")
        return redirect(url_for("applications.detail", application_id=application.id)), 303
    try:
        operations.transition(application, ApplicationState(target), current_user,
                              note=request.form.get("note", "")[:2000])
    except AlreadyDone as done:
        flash(str(done.message), "info")
        return redirect(url_for("applications.detail", application_id=application.id))
    except OperationError as error:
        flash(str(error.message), "error")
        return redirect(url_for("applications.detail", application_id=application.id)), 303
    flash(_("The application is now “%(state)s”.", state=application.state.title), "success")
    return redirect(url_for("applications.detail", application_id=application.id))
