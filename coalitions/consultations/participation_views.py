"""Taking part in a consultation: proposing, commenting, supporting and reporting abuse.
Each POST is rate limited per account (all of them together); proposals and comments also
count against the daily cap the operations check."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coalitions.consultations import operations, queries
from coalitions.consultations.forms import CommentForm, ProposalForm, ReasonForm
from coalitions.consultations.models import Comment
from coalitions.consultations.policies import can_report, can_take_part, has_confirmed_account
from coalitions.consultations.views import (
    bp,
    commitment_page,
    limit_participation,
    load_commitment,
    load_consultation,
    load_proposal,
    proposal_page,
)
from core.access import require
from core.errors import OperationError
from core.forms import render_form
from core.loading import get_or_404
from core.locking import AlreadyDone


def _refused(error: OperationError, target: str):
    flash(str(error.message), "error")
    return redirect(target)


@bp.route("/consultations/<int:consultation_id>/propose", methods=["GET", "POST"])
@limit_participation
def propose(consultation_id: int):
    consultation = load_consultation(consultation_id)
    require(has_confirmed_account(current_user))
    back = url_for("consultations.consultation", consultation_id=consultation.id)
    allowed, reason = can_take_part(current_user, consultation)
    if not allowed:
        flash(reason, "error")
        return redirect(back)
    form = ProposalForm()
    if form.validate_on_submit():
        try:
            proposal = operations.propose(consultation, current_user, **form.proposal_fields(),
                                          **form.about_you())
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(url_for("consultations.proposal", proposal_id=done.existing.id))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("Thank you: your proposal is published."), "success")
            return redirect(url_for("consultations.proposal", proposal_id=proposal.id))
    return render_form("coalitions/consultations/propose.html", form,
                       consultation=consultation, first_time=not queries.has_profile(
                           current_user))


@bp.route("/consultations/proposals/<int:proposal_id>/comments", methods=["POST"])
@limit_participation
def comment_proposal(proposal_id: int):
    proposal = load_proposal(proposal_id)
    require(has_confirmed_account(current_user))
    form = CommentForm()
    target = url_for("consultations.proposal", proposal_id=proposal.id)
    if form.validate_on_submit():
        try:
            operations.comment(proposal.consultation, current_user, form.body.data,
                               proposal=proposal, **form.about_you())
        except AlreadyDone as done:
            flash(str(done.message), "info")
        except OperationError as error:
            if error.field is None:
                return _refused(error, target)
            form.add_operation_error(error)
            return proposal_page(proposal, form, 422)
        else:
            flash(_("Thank you: your comment is published."), "success")
        return redirect(target + "#comments")
    return proposal_page(proposal, form, 422)


@bp.route("/consultations/<int:consultation_id>/commitments/<int:commitment_id>/comments",
          methods=["POST"])
@limit_participation
def comment_commitment(consultation_id: int, commitment_id: int):
    consultation = load_consultation(consultation_id)
    commitment = load_commitment(consultation, commitment_id)
    require(has_confirmed_account(current_user))
    form = CommentForm()
    target = url_for("consultations.commitment", consultation_id=consultation.id,
                     commitment_id=commitment.id)
    if form.validate_on_submit():
        try:
            operations.comment(consultation, current_user, form.body.data,
                               commitment=commitment, **form.about_you())
        except AlreadyDone as done:
            flash(str(done.message), "info")
        except OperationError as error:
            if error.field is None:
                return _refused(error, target)
            form.add_operation_error(error)
            return commitment_page(consultation, commitment, form, 422)
        else:
            flash(_("Thank you: your comment is published."), "success")
        return redirect(target + "#comments")
    return commitment_page(consultation, commitment, form, 422)


def _support(consultation, target: str, **subject):
    require(has_confirmed_account(current_user))
    try:
        operations.support(consultation, current_user, **subject)
    except AlreadyDone as done:
        flash(str(done.message), "info")
    except OperationError as error:
        return _refused(error, target)
    else:
        flash(_("Thank you: your support is counted."), "success")
    return redirect(target)


@bp.route("/consultations/proposals/<int:proposal_id>/support", methods=["POST"])
@limit_participation
def support_proposal(proposal_id: int):
    proposal = load_proposal(proposal_id)
    return _support(proposal.consultation,
                    url_for("consultations.proposal", proposal_id=proposal.id),
                    proposal=proposal)


@bp.route("/consultations/<int:consultation_id>/commitments/<int:commitment_id>/support",
          methods=["POST"])
@limit_participation
def support_commitment(consultation_id: int, commitment_id: int):
    consultation = load_consultation(consultation_id)
    commitment = load_commitment(consultation, commitment_id)
    return _support(consultation, url_for("consultations.commitment",
                                          consultation_id=consultation.id,
                                          commitment_id=commitment.id), commitment=commitment)


def _report(target: str, **item):
    require(can_report(current_user))
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for e in form.reason.errors) or _("Give a reason."), "error")
        return redirect(target)
    try:
        operations.report_abuse(current_user, reason=form.reason.data, **item)
    except AlreadyDone as done:
        flash(str(done.message), "info")
    except OperationError as error:
        return _refused(error, target)
    else:
        flash(_("Thank you: a moderator will look at your report."), "success")
    return redirect(target)


@bp.route("/consultations/proposals/<int:proposal_id>/report", methods=["POST"])
@limit_participation
def report_proposal(proposal_id: int):
    proposal = load_proposal(proposal_id)
    return _report(url_for("consultations.proposal", proposal_id=proposal.id),
                   proposal=proposal)


@bp.route("/consultations/comments/<int:comment_id>/report", methods=["POST"])
@limit_participation
def report_comment(comment_id: int):
    comment = get_or_404(Comment, comment_id)
    consultation = load_consultation(comment.consultation_id)
    target = (url_for("consultations.proposal", proposal_id=comment.proposal_id)
              if comment.proposal_id else
              url_for("consultations.commitment", consultation_id=consultation.id,
                      commitment_id=comment.commitment_id))
    return _report(target + "#comments", comment=comment)
