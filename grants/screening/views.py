"""The screening page: the checklist computed from the application, and the outcome."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.access import require
from core.errors import OperationError
from core.forms import render_form
from core.locking import AlreadyDone
from grants.applications.endorsement_terms import counterpart_warnings
from grants.applications.models import Application
from grants.applications.states import ApplicationState
from grants.screening import operations, queries
from grants.screening.forms import ELIGIBLE, screening_form
from grants.screening.policies import can_screen, can_view_screening

bp = Blueprint("screening", __name__, url_prefix="/staff/applications")


def _load(application_id: int) -> Application:
    application = queries.application_for_screening(application_id)
    if application is None:
        abort(404)
    return application


def _already_screened(application: Application):
    flash(_("%(reference)s has already been screened: it is “%(state)s”.",
            reference=application.display_reference, state=application.state.title), "info")
    return redirect(url_for("screening.screen", application_id=application.id))


@bp.route("/<int:application_id>/screening", methods=["GET", "POST"])
def screen(application_id: int):
    application = _load(application_id)
    require(can_view_screening(current_user, application))
    if request.method == "POST" and operations.already_screened_so(
            application, request.form.get("outcome") == ELIGIBLE):
        # The same screening sent again (a double click): answered as the first one was.
        return _already_screened(application)
    if application.state != ApplicationState.submitted:
        return _recorded_check(application)
    require(can_screen(current_user, application))
    checklist = queries.build_checklist(application)
    form = screening_form(checklist)
    if form.validate_on_submit():
        try:
            operations.record_screening(application, current_user, eligible=form.is_eligible,
                                        reason=form.reason.data, notes=form.notes())
        except AlreadyDone:
            return _already_screened(application)
        except OperationError as error:
            form.add_operation_error(error)
        else:
            _flash_screened(application)
            return redirect(url_for("screening.screen", application_id=application.id))
    return render_form("grants/screening/screen.html", form, application=application,
                       check=application.eligibility_check, checklist=checklist,
                       failing=queries.failing_items(checklist),
                       contact_warnings=counterpart_warnings(application))


def _recorded_check(application):
    """Screened already (or not submitted yet): the recorded check, read-only."""
    status = 409 if request.method == "POST" else 200
    return render_template("grants/screening/screen.html", application=application,
                           check=application.eligibility_check, form=None, checklist=None,
                           contact_warnings=counterpart_warnings(application)), status


def _flash_screened(application) -> None:
    if application.state == ApplicationState.eligible:
        flash(_("%(reference)s is eligible and can go on to review.",
                reference=application.display_reference), "success")
    else:
        flash(_("%(reference)s is ineligible; the applicant has been told why.",
                reference=application.display_reference), "success")
