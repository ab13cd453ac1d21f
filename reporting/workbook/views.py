"""The donor workbook page: choose a period and a fund, download the .xlsx."""

from __future__ import annotations

from flask import Blueprint, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core import navigation
from core.access import policy_required, require
from core.forms import render_form
from core.spreadsheets import send_workbook
from reporting.policies import can_download_named_participants, can_view_reports
from reporting.workbook import queries
from reporting.workbook.builder import UnknownFund, build_donor_workbook, workbook_filename
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
    return _render(WorkbookForm(funds=queries.funds()))


@bp.route("/download")
@policy_required(can_view_reports)
def download():
    """The workbook in the reader's language; bad arguments show the form again with the
    messages next to the fields (422)."""
    form = WorkbookForm(request.args, funds=queries.funds())
    if form.names.data:
        require(can_download_named_participants(current_user))
    if not form.validate():
        return _render(form)
    try:
        workbook = build_donor_workbook(form.period, form.fund_id, with_names=form.names.data,
                                        viewer=current_user)
    except UnknownFund:  # removed since the form was checked
        form.fund.errors = [*form.fund.errors, str(_l("Choose a fund from the list."))]
        return _render(form, 422)
    return send_workbook(workbook, workbook_filename(form.period, form.fund_id,
                                                     with_names=form.names.data))
