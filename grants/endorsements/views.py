"""The endorsement pages: the public page the counterpart's link opens, and the actions of
staff (resend, record a letter) and of the applicant (ask for the endorsement early)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.access import require
from core.errors import OperationError, render_error
from core.forms import render_form
from core.loading import get_or_404
from core.locking import AlreadyDone
from grants.applications.models import Application
from grants.endorsements import operations
from grants.endorsements.forms import EndorsementResponseForm, PaperEndorsementForm
from grants.endorsements.policies import (
    can_download_letter,
    can_record_paper,
    can_request_early,
    can_resend,
)

bp = Blueprint("endorsements", __name__)


@bp.after_request
def _keep_the_link_private(response):
    """The counterpart's page has the token in its address: send it in no Referer header
    and keep the page out of search engines."""
    if request.endpoint == "endorsements.respond":
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _load(application_id: int) -> Application:
    return get_or_404(Application, application_id)


def _application_url(application: Application) -> str:
    return url_for("applications.detail", application_id=application.id)


# The counterpart's page --------------------------------------------------------------------

def _link_problem(error: operations.EndorsementLinkError):
    """400 for an unknown or altered link, 410 for an expired one, with the reason."""
    return render_template("grants/endorsements/respond.html", problem=error.message,
                           expired=error.status == 410), error.status


@bp.route("/endorse/<token>", methods=["GET", "POST"])
def respond(token: str):
    """Open to anyone holding the link: no account is needed. The link is the permission."""
    try:
        endorsement = operations.endorsement_for_token(token)
    except operations.EndorsementLinkError as error:
        return _link_problem(error)
    application = endorsement.application
    if endorsement.is_answered:
        # A replayed link shows the answer given; it never changes it.
        return _answered(endorsement)
    is_open = operations.is_open_for_endorsement(application)
    form = EndorsementResponseForm()
    if is_open and form.validate_on_submit():
        try:
            operations.respond(endorsement, endorse=form.endorses, name=form.name.data,
                               position=form.position.data, comment=form.comment.data)
        except operations.EndorsementLinkError as error:
            return _link_problem(error)
        except AlreadyDone:
            # The same answer sent twice at once: the page shows the answer recorded.
            return _answered(endorsement)
        except OperationError as error:
            form.add_operation_error(error)
        else:
            return _answered(endorsement, just_answered=True)
    return render_form("grants/endorsements/respond.html", form, endorsement=endorsement,
                       application=application, is_open=is_open)


def _answered(endorsement, just_answered: bool = False):
    """The page of an answered endorsement (shown again to a replayed link)."""
    if just_answered:
        return render_template("grants/endorsements/answered.html", endorsement=endorsement,
                               application=endorsement.application, just_answered=True)
    return render_template("grants/endorsements/answered.html", endorsement=endorsement,
                           application=endorsement.application)


# The applicant ------------------------------------------------------------------------------

@bp.route("/applications/<int:application_id>/endorsement/request", methods=["POST"])
def request_early(application_id: int):
    application = _load(application_id)
    require(can_request_early(current_user, application))
    try:
        endorsement = operations.request_early(
            application, current_user, seen_link=request.form.get("link") or None)
    except AlreadyDone as done:
        flash(str(done.message), "info")
        return redirect(_application_url(application))
    except OperationError as error:
        # Nothing changed: an error status rolls the transaction back.
        return render_error(409, error.message)
    flash(_("We have emailed %(email)s a link to endorse the application.",
            email=endorsement.recipient_email), "success")
    return redirect(_application_url(application))


@bp.route("/applications/<int:application_id>/endorsement/letter")
def letter(application_id: int):
    from core.uploads.responses import send_stored_file

    application = _load(application_id)
    require(can_download_letter(current_user, application))
    endorsement = application.endorsement
    if endorsement is None or endorsement.letter_file is None:
        abort(404)
    return send_stored_file(endorsement.letter_file)


# Staff --------------------------------------------------------------------------------------

@bp.route("/staff/applications/<int:application_id>/endorsement/resend", methods=["POST"])
def resend(application_id: int):
    application = _load(application_id)
    require(can_resend(current_user, application))
    try:
        endorsement = operations.resend(
            application, current_user, seen_link=request.form.get("link") or None)
    except AlreadyDone as done:
        flash(str(done.message), "info")
        return redirect(_application_url(application))
    except OperationError as error:
        return render_error(409, error.message)
    flash(_("A new endorsement link is on its way to %(email)s; the previous link no longer "
            "works.", email=endorsement.recipient_email), "success")
    return redirect(_application_url(application))


def _already_answered(application: Application, endorsement):
    flash(_("The counterpart has already answered: %(answer)s.",
            answer=endorsement.state.title), "info")
    return redirect(_application_url(application))


@bp.route("/staff/applications/<int:application_id>/endorsement/paper",
          methods=["GET", "POST"])
def record_paper(application_id: int):
    application = _load(application_id)
    require(can_record_paper(current_user, application))
    endorsement = application.endorsement
    if endorsement is not None and endorsement.is_answered:
        if request.method == "POST":
            # Recorded by a click that came first (a double click): answered as it was.
            return _already_answered(application, endorsement)
        return render_template("grants/endorsements/answered.html", endorsement=endorsement,
                               application=application, staff_view=True)
    form = PaperEndorsementForm()
    if form.validate_on_submit():
        try:
            operations.record_paper_endorsement(
                application, current_user, endorse=form.endorses, name=form.name.data,
                position=form.position.data, comment=form.comment.data,
                file_storage=form.letter.data)
        except AlreadyDone:
            return _already_answered(application, application.endorsement)
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The counterpart's answer is recorded with the letter."), "success")
            return redirect(_application_url(application))
    return render_form("grants/endorsements/paper.html", form, application=application,
                       endorsement=endorsement)
