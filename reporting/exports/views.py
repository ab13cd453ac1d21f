"""The open data exports page (staff): choose a fund, a period and a format; the file is made
in the background (``reporting/exports/jobs.py``) and its page offers it once ready."""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core import navigation
from core.access import policy_required
from core.forms import render_form
from core.jobs.operations import enqueue
from reporting.exports import jobs  # noqa: F401  (registers the kinds)
from reporting.exports.forms import ExportForm
from reporting.opendata import queries
from reporting.policies import can_export_open_data

bp = Blueprint("exports", __name__, url_prefix="/reports/open-data-exports")

navigation.register(
    bp, navigation.NavEntry(_l("Open data exports"), "exports.form", can_export_open_data,
                            order=91, group=navigation.REPORTS))

TEMPLATE = "reporting/exports/form.html"


def _funds() -> list[tuple[int, str]]:
    return [(fund.id, fund.name) for fund in queries.funds()]


@bp.route("")
@policy_required(can_export_open_data)
def form():
    return render_form(TEMPLATE, ExportForm(funds=_funds()))


@bp.route("", methods=["POST"])
@policy_required(can_export_open_data)
def queue():
    """Queue the export in the reader's language and show its progress; bad input shows the
    form again with the messages next to the fields (422)."""
    form = ExportForm(request.form, funds=_funds())
    if not form.validate():
        return render_form(TEMPLATE, form)
    kind, parameters = form.job()
    job = enqueue(kind, parameters, requested_by=current_user, locale=str(get_locale()))
    return redirect(url_for("jobs.show", job_id=job.id), 303)
