"""Progress reports (writing, evidence, receipts, review), budget versus actual, close-out and
the grantee's and the finance dashboards."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from accounts.policies import is_applicant
from core import navigation
from core.access import policy_required, require
from core.errors import OperationError, render_error
from core.extensions import db
from core.forms import render_form
from core.loading import get_or_404
from core.locking import AlreadyDone
from core.params import arg_id
from core.timeutil import programme_today
from grants.applications.models import BUDGET_CATEGORY_TITLES
from grants.applications.policies import check_disinterested, interested_organisation_ids
from grants.awards.models import Award
from grants.monitoring import operations, queries
from grants.monitoring.forms import (
    BLANK_ROWS,
    AddReportForm,
    CloseOutForm,
    EvidenceForm,
    ReceiptForm,
    ReportForm,
    ReviewForm,
)
from grants.monitoring.models import Expenditure, ProgressReport
from grants.monitoring.policies import (
    EDITABLE_STATES,
    can_add_report,
    can_close_out,
    can_edit_report,
    can_review_reports,
    can_view_budget,
    can_view_finance_dashboard,
    can_view_my_grants,
    can_view_report,
    is_grantee_member,
    report_is_editable,
)
from grants.monitoring.states import ReportState

bp = Blueprint("monitoring", __name__)

navigation.register(
    bp,
    navigation.NavEntry(_l("Grants dashboard"), "monitoring.finance_dashboard",
                        can_view_finance_dashboard, order=5, group=navigation.MONEY),
    navigation.NavEntry(_l("My grants"), "monitoring.my_grants", is_applicant, order=16,
                        group=navigation.GRANTS),
)


def percent(value) -> str:
    """A variance in percent for display, signed, in the reader's language."""
    if value is None:
        return "—"
    return f"{format_decimal(value, format='+#,##0.0;-#,##0.0')} %"


def category_title(key: str) -> str:
    title = BUDGET_CATEGORY_TITLES.get(key)
    return str(title) if title is not None else key


def _has_award_page() -> bool:
    return "awards.detail" in current_app.view_functions


def award_url(award_id: int) -> str:
    """The award's page (grant agreement, tranches, payments) when the awards pages are
    installed, else its budget page."""
    if _has_award_page():
        return url_for("awards.detail", award_id=award_id)
    return url_for("monitoring.budget", award_id=award_id)


def _helpers(**context) -> dict:
    return {"percent": percent, "category_title": category_title, "award_url": award_url,
            "has_award_page": _has_award_page(), "ReportState": ReportState,
            "editable_states": EDITABLE_STATES, "today": programme_today(),
            "check_disinterested": check_disinterested, **context}


def _load_report(report_id: int) -> ProgressReport:
    report = queries.load_report(report_id)
    if report is None:
        abort(404)
    return report


def _load_award(award_id: int) -> Award:
    award = queries.load_award(award_id)
    if award is None:
        abort(404)
    return award


# Dashboards --------------------------------------------------------------------------------

@bp.route("/grants")
@policy_required(can_view_my_grants)
def my_grants():
    today = programme_today()
    return render_template("grants/monitoring/my_grants.html",
                           **_helpers(grants=queries.grants_of_user(current_user, today)))


@bp.route("/staff/dashboard")
@policy_required(can_view_finance_dashboard)
def finance_dashboard():
    funds = queries.money_by_fund()
    # The reader's organisations, for the separation-of-duties check of each report waiting
    # for review: loaded once here, so the page's queries do not depend on its rows.
    interested_organisation_ids(current_user)
    return render_template(
        "grants/monitoring/finance_dashboard.html", **_helpers(
            funds=funds,
            totals=queries.totals_by_currency(row for fund in funds for row in fund.calls),
            requests=queries.requests_awaiting_approval(),
            tranches=queries.upcoming_tranches(),
            overdue=queries.overdue_reports(programme_today()),
            awaiting_review=queries.reports_awaiting_review(),
            can_review=can_review_reports(current_user)[0]))


# Reading a report --------------------------------------------------------------------------

def _chosen_version(report: ProgressReport):
    number = arg_id("version")
    if number is None:
        return queries.latest_submitted_version(report)
    version = next((v for v in queries.submitted_versions(report) if v.number == number),
                   None)
    if version is None:
        abort(404)
    return version


@bp.route("/reports/<int:report_id>")
def report(report_id: int):
    report = _load_report(report_id)
    require(can_view_report(current_user, report))
    return render_template(
        "grants/monitoring/report.html", **_helpers(
            report=report, award=report.award, version=_chosen_version(report),
            versions=queries.submitted_versions(report),
            results=report.award.application.results,
            is_member=is_grantee_member(current_user, report.award)[0],
            can_edit=can_edit_report(current_user, report)[0],
            can_review=can_review_reports(current_user, report)[0],
            is_staff=can_review_reports(current_user)[0],
            separation=can_review_reports(current_user, report)))


@bp.route("/reports/<int:report_id>/files/<int:file_id>")
def file(report_id: int, file_id: int):
    from core.uploads.responses import send_stored_file

    report = _load_report(report_id)
    require(can_view_report(current_user, report))
    stored = queries.report_file(report, file_id)
    if stored is None:
        abort(404)
    return send_stored_file(stored)


# Writing a report --------------------------------------------------------------------------

def _require_writer(report: ProgressReport):
    """Members of the grantee only; a report that cannot be written now answers 409 with the
    reason (the caller redirects a GET instead)."""
    require(can_view_report(current_user, report))
    require(is_grantee_member(current_user, report.award))
    return report_is_editable(report)


def _fill(form: ReportForm, report: ProgressReport) -> None:
    """The draft's content, or the last version's (without line ids) when there is no draft,
    plus blank rows."""
    draft = queries.draft_version(report)
    source = draft or report.current_version
    if source is not None:
        for name in (*operations.NARRATIVE_FIELDS, *operations.BENEFICIARY_FIELDS):
            getattr(form, name).data = getattr(source, name)
    while len(form.expenditures.entries):
        form.expenditures.pop_entry()
    for line in (source.expenditures if source is not None else []):
        form.expenditures.append_entry({
            "id": str(line.id) if draft is not None else "", "category": line.category,
            "spent_on": line.spent_on, "description": line.description,
            "amount": line.amount})
    for _blank in range(BLANK_ROWS):
        form.expenditures.append_entry()


def _report_form(report: ProgressReport, *, fill: bool) -> ReportForm:
    form = ReportForm(formdata=None) if fill else ReportForm()
    if fill:
        _fill(form, report)
    form.set_categories([(key, category_title(key))
                         for key in queries.budget_categories(report.award.application)])
    return form


def _edit_page(report: ProgressReport, form: ReportForm, *, evidence_form=None,
               receipt_forms=None, status: int | None = None):
    draft = queries.draft_version(report)
    returned = queries.latest_submitted_version(report) \
        if report.state == ReportState.returned else None
    if status is None and ((evidence_form is not None and evidence_form.errors)
                           or any(f.errors for f in (receipt_forms or {}).values())):
        status = 422
    return render_form(
        "grants/monitoring/edit_report.html", form, status=status, **_helpers(
            report=report, award=report.award, draft=draft, returned=returned,
            results=report.award.application.results,
            evidence_form=evidence_form or EvidenceForm(formdata=None),
            receipt_forms=receipt_forms or {}, blank_receipt_form=ReceiptForm(formdata=None)))


@bp.route("/reports/<int:report_id>/edit", methods=["GET", "POST"])
def edit_report(report_id: int):
    report = _load_report(report_id)
    editable, reason = _require_writer(report)
    submitting = request.form.get("action") == "submit"
    if not editable:
        return _not_editable(report, reason, submitting)
    if request.method == "GET":
        return _edit_page(report, _report_form(report, fill=True))
    form = _report_form(report, fill=False)
    if form.validate_on_submit():
        try:
            _save_report(report, form, submitting)
        except OperationError as error:
            if submitting and report.state == ReportState.submitted:
                # Submitted by a click that came first (a double click).
                return _already_submitted(report)
            form.add_operation_error(error)
        else:
            if submitting:
                flash(_("Your report is submitted. The programme team will review it and "
                        "tell you by email."), "success")
                return redirect(url_for("monitoring.report", report_id=report.id))
            flash(_("Draft saved."), "success")
            return redirect(url_for("monitoring.edit_report", report_id=report.id))
    return _edit_page(report, form, status=422)


def _not_editable(report: ProgressReport, reason: str, submitting: bool):
    """A report its writer cannot change (now): the page says why; a form sent says so
    with a 409, or answers a repeated submission as the first was answered."""
    if request.method == "GET":
        flash(reason, "info")
        return redirect(url_for("monitoring.report", report_id=report.id))
    if submitting and report.state == ReportState.submitted:
        return _already_submitted(report)
    return render_error(409, reason)


def _save_report(report: ProgressReport, form, submitting: bool) -> None:
    """Save the draft from the form, and submit it when asked."""
    # A refused submission undoes the save too, so the page shows what is stored.
    with db.session.begin_nested():
        operations.save_draft(
            report, current_user, activities=form.activities.data or "",
            results=form.results.data or "", challenges=form.challenges.data or "",
            beneficiaries=form.beneficiaries(), expenditures=form.expenditure_lines(),
            remove_evidence_ids=form.remove_evidence.data or [])
        if submitting:
            operations.submit_report(report, current_user)


def _already_submitted(report: ProgressReport):
    flash(_("This report has already been submitted; it is waiting for the programme team's "
            "review."), "info")
    return redirect(url_for("monitoring.report", report_id=report.id))


def _back_to_report_form(report: ProgressReport):
    """A failed upload is shown at the upload's address: reloading it, or switching
    language, goes back to the report's form."""
    return redirect(url_for("monitoring.edit_report", report_id=report.id))


@bp.route("/reports/<int:report_id>/evidence", methods=["GET", "POST"])
def upload_evidence(report_id: int):
    report = _load_report(report_id)
    editable, reason = _require_writer(report)
    if request.method == "GET":
        return _back_to_report_form(report)
    if not editable:
        return render_error(409, reason)
    form = EvidenceForm()
    if form.validate_on_submit():
        try:
            operations.add_evidence(report, current_user, file_storage=form.file.data,
                                    description=form.description.data or "")
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("Evidence attached."), "success")
            return redirect(url_for("monitoring.edit_report", report_id=report.id))
    return _edit_page(report, _report_form(report, fill=True), evidence_form=form,
                      status=422)


@bp.route("/reports/<int:report_id>/expenditures/<int:expenditure_id>/receipt",
          methods=["GET", "POST"])
def upload_receipt(report_id: int, expenditure_id: int):
    report = _load_report(report_id)
    editable, reason = _require_writer(report)
    if not editable:
        return _back_to_report_form(report) if request.method == "GET" else \
            render_error(409, reason)
    draft = queries.draft_version(report)
    expenditure = get_or_404(Expenditure, expenditure_id)
    if draft is None or expenditure.version_id != draft.id:
        abort(404)
    if request.method == "GET":
        return _back_to_report_form(report)
    form = ReceiptForm()
    if form.validate_on_submit():
        try:
            operations.attach_receipt(report, current_user, expenditure,
                                      file_storage=form.file.data)
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("Receipt attached."), "success")
            return redirect(url_for("monitoring.edit_report", report_id=report.id,
                                    _anchor="receipts"))
    return _edit_page(report, _report_form(report, fill=True),
                      receipt_forms={expenditure.id: form}, status=422)


# Staff: review and new reports -------------------------------------------------------------

@bp.route("/staff/reports/<int:report_id>/review", methods=["GET", "POST"])
def review_report(report_id: int):
    report = _load_report(report_id)
    require(can_review_reports(current_user, report))
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            if form.decision.data == "accept":
                operations.accept_report(report, current_user, comment=form.comment.data or "")
                message = _("The report is accepted; the grantee has been told.")
            else:
                operations.return_report(report, current_user, comment=form.comment.data or "")
                message = _("The report is returned to the grantee with your comments.")
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(url_for("monitoring.report", report_id=report.id))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(message, "success")
            return redirect(url_for("monitoring.report", report_id=report.id))
    return render_form("grants/monitoring/review.html", form, **_helpers(
        report=report, award=report.award, version=queries.latest_submitted_version(report),
        versions=queries.submitted_versions(report), results=report.award.application.results))


@bp.route("/staff/awards/<int:award_id>/reports/new", methods=["GET", "POST"])
def add_report(award_id: int):
    award = _load_award(award_id)
    require(can_add_report(current_user, award))
    form = AddReportForm()
    if form.validate_on_submit():
        try:
            report = operations.add_report(award, current_user, title=form.title.data or "",
                                           due_on=form.due_on.data)
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(url_for("monitoring.report", report_id=done.existing.id))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("Report added. The grantee is reminded by email as its due date "
                    "approaches."), "success")
            return redirect(url_for("monitoring.report", report_id=report.id))
    return render_form("grants/monitoring/add_report.html", form, award=award)


# Budget and close-out ----------------------------------------------------------------------

@bp.route("/awards/<int:award_id>/budget", endpoint="budget")
def budget_page(award_id: int):
    award = _load_award(award_id)
    require(can_view_budget(current_user, award))
    is_staff = can_close_out(current_user)[0]
    return render_template("grants/monitoring/budget.html", **_helpers(
        award=award, data=queries.award_budget(award), reports=queries.award_reports(award),
        is_staff=is_staff, can_close=can_close_out(current_user, award),
        can_open_reports=is_staff or is_grantee_member(current_user, award)[0]))


@bp.route("/staff/awards/<int:award_id>/close-out", methods=["GET", "POST"])
def close_out(award_id: int):
    award = _load_award(award_id)
    require(can_close_out(current_user, award))
    form = CloseOutForm()
    if form.validate_on_submit():
        from grants.awards.operations import close_award

        try:
            close_award(award, current_user,
                        deobligation_reason=form.deobligation_reason.data or "")
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(url_for("monitoring.budget", award_id=award.id))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The award %(reference)s is closed.", reference=award.reference),
                  "success")
            return redirect(url_for("monitoring.budget", award_id=award.id))
    return render_form("grants/monitoring/close_out.html", form, **_helpers(
        award=award, checklist=queries.close_out(award)))
