"""The donor workbook page: choose a period and a fund; the workbook is made in the
background (``reporting/workbook/jobs.py``) and its page offers the file once ready."""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core import navigation
from core.access import policy_required, require
from core.forms import render_form
from core.jobs.operations import enqueue
from reporting.policies import can_download_named_participants, can_view_reports
from reporting.workbook import jobs, queries
from reporting.workbook.forms import WorkbookForm

bp = Blueprint("workbook", __name__, url_prefix="/reports/workbook")

navigation.register(
    bp, navigation.NavEntry(_l("Donor workbook"), "workbook.form", can_view_reports, order=9,
                            group=navigation.REPORTS))

TEMPLATE = "reporting/workbook/form.html"


def _render(form: WorkbookForm, status: int | None = None):
    return render_form(TEMPLATE, form, status,
                       can_name=can_download_named_participants(current_user)[0])


@bp.route("")
@policy_required(can_view_reports)
def form():
    """The form, filled in from the address when it carries a period (a shared link)."""
    return _render(WorkbookForm(request.args or None, funds=queries.funds()))


@bp.route("/download", methods=["POST"])
@policy_required(can_view_reports)
def download():
    """Queue the workbook in the reader's language and show its progress; bad arguments
    show the form again with the messages next to the fields (422)."""
    form = WorkbookForm(request.form, funds=queries.funds())
    if form.names.data:
        require(can_download_named_participants(current_user))
    if not form.validate():
        return _render(form)
    job = enqueue(jobs.KIND, jobs.parameters(form.period, form.fund_id,
                                             with_names=form.names.data),
                  requested_by=current_user, locale=str(get_locale()))
    return redirect(url_for("jobs.show", job_id=job.id), 303)
