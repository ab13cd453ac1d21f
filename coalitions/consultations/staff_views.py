"""The staff's consultation pages: opening and changing a consultation, moderating (hiding
with a public reason, the queue of reports), responding to each proposal and publishing
"What we heard"."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from coalitions.consultations import moderation, operations, queries
from coalitions.consultations.forms import (
    ConsultationForm,
    ConsultationTranslationForm,
    ReasonForm,
    ResponseForm,
    programme_wall_time,
)
from coalitions.consultations.models import AbuseReport, Comment
from coalitions.consultations.policies import can_manage, can_moderate, can_respond
from coalitions.consultations.views import bp, load_consultation, load_proposal
from coalitions.plans.models import ActionPlan, Commitment
from core.access import policy_required, require
from core.errors import OperationError
from core.extensions import db
from core.forms import BaseForm, render_form
from core.loading import get_or_404
from core.locking import AlreadyDone
from core.translations import form_in_languages


def _plans():
    return list(db.session.scalars(select(ActionPlan).order_by(ActionPlan.starts_on.desc())))


@bp.route("/staff/consultations/new", methods=["GET", "POST"])
@policy_required(can_manage)
def new():
    form = form_in_languages(ConsultationForm, ConsultationTranslationForm, plans=_plans(),
                             data={"plan_id": request.args.get("plan", "")[:12]})
    if form.validate_on_submit():
        try:
            item = operations.create_consultation(current_user, **form.consultation_fields())
        except AlreadyDone as done:
            flash(str(done.message), "info")
            item = done.existing
        except OperationError as error:
            form.add_operation_error(error)
            return render_form("coalitions/consultations/form.html", form, consultation=None)
        else:
            flash(_("The consultation is added."), "success")
        return redirect(url_for("consultations.consultation", consultation_id=item.id))
    return render_form("coalitions/consultations/form.html", form, consultation=None)


@bp.route("/staff/consultations/<int:consultation_id>/edit", methods=["GET", "POST"])
def edit(consultation_id: int):
    item = load_consultation(consultation_id)
    require(can_manage(current_user))
    form = form_in_languages(ConsultationForm, ConsultationTranslationForm, plans=_plans(),
                             obj=item, translated=item, data={
                                 "plan_id": str(item.plan_id),
                                 "opens_at": programme_wall_time(item.opens_at),
                                 "closes_at": programme_wall_time(item.closes_at)})
    if form.validate_on_submit():
        try:
            changes = operations.update_consultation(item, current_user,
                                                     **form.consultation_fields())
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The changes are saved.") if changes else _("Nothing was changed."),
                  "success")
            return redirect(url_for("consultations.consultation", consultation_id=item.id))
    return render_form("coalitions/consultations/form.html", form, consultation=item)


def _hide(item, hide, target: str):
    require(can_moderate(current_user))
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for e in form.reason.errors) or _("Give a reason."), "error")
        return redirect(target)
    try:
        hide(item, current_user, form.reason.data)
    except AlreadyDone as done:
        flash(str(done.message), "info")
    except OperationError as error:
        flash(str(error.message), "error")
    else:
        flash(_("Hidden. The reason is shown in its place."), "success")
    return redirect(target)


@bp.route("/staff/consultations/proposals/<int:proposal_id>/hide", methods=["POST"])
def hide_proposal(proposal_id: int):
    proposal = load_proposal(proposal_id)
    return _hide(proposal, moderation.hide_proposal,
                 url_for("consultations.proposal", proposal_id=proposal.id))


@bp.route("/staff/consultations/comments/<int:comment_id>/hide", methods=["POST"])
def hide_comment(comment_id: int):
    comment = get_or_404(Comment, comment_id)
    consultation = load_consultation(comment.consultation_id)
    target = (url_for("consultations.proposal", proposal_id=comment.proposal_id)
              if comment.proposal_id else
              url_for("consultations.commitment", consultation_id=consultation.id,
                      commitment_id=comment.commitment_id))
    return _hide(comment, moderation.hide_comment, target + "#comments")


@bp.route("/staff/consultations/reports")
@policy_required(can_moderate)
def reports():
    return render_template("coalitions/consultations/reports.html",
                           reports=queries.open_reports(), reason_form=ReasonForm(),
                           form=BaseForm())


@bp.route("/staff/consultations/reports/<int:report_id>/dismiss", methods=["POST"])
def dismiss_report(report_id: int):
    report = get_or_404(AbuseReport, report_id)
    require(can_moderate(current_user))
    try:
        moderation.dismiss_report(report, current_user)
    except AlreadyDone as done:
        flash(str(done.message), "info")
    else:
        flash(_("The report is dismissed."), "success")
    return redirect(url_for("consultations.reports"))


@bp.route("/staff/consultations/proposals/<int:proposal_id>/respond", methods=["GET", "POST"])
def respond(proposal_id: int):
    proposal = load_proposal(proposal_id)
    require(can_respond(current_user))
    commitments = db.session.scalars(select(Commitment).where(
        Commitment.plan_id == proposal.consultation.plan_id).order_by(Commitment.position))
    form = ResponseForm(commitments=list(commitments), data={
        "kind": proposal.response.value if proposal.response else "",
        "text": proposal.response_text,
        "commitment_id": str(proposal.response_commitment_id or "")})
    if form.validate_on_submit():
        try:
            moderation.respond(proposal, current_user, **form.response_fields())
        except AlreadyDone as done:
            flash(str(done.message), "info")
        except OperationError as error:
            form.add_operation_error(error)
            return render_form("coalitions/consultations/respond.html", form,
                               proposal=proposal)
        else:
            flash(_("The response is published."), "success")
        return redirect(url_for("consultations.proposal", proposal_id=proposal.id))
    return render_form("coalitions/consultations/respond.html", form, proposal=proposal)


@bp.route("/staff/consultations/<int:consultation_id>/what-we-heard/publish", methods=["POST"])
def publish_summary(consultation_id: int):
    item = load_consultation(consultation_id)
    require(can_respond(current_user))
    try:
        moderation.publish_summary(item, current_user)
    except AlreadyDone as done:
        flash(str(done.message), "info")
    except OperationError as error:
        flash(str(error.message), "error")
    else:
        flash(_("What we heard is published."), "success")
    return redirect(url_for("consultations.what_we_heard", consultation_id=item.id))
