"""Action plans: public pages showing each plan and the progress of its commitments, and the
staff pages that write them."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from accounts.organisations.forms import country_name
from accounts.organisations.queries import organisation_choices
from coalitions.plans import operations, queries
from coalitions.plans.forms import (
    CommitmentForm,
    CommitmentTranslationForm,
    MilestoneForm,
    MilestoneTranslationForm,
    MilestoneUpdateForm,
    PlanForm,
    PlanTranslationForm,
)
from coalitions.plans.models import ActionPlan, Commitment, Milestone
from coalitions.plans.ogp_docx import DOCX_MIMETYPE, plan_docx
from coalitions.plans.ogp_json import plan_json
from coalitions.plans.policies import can_browse, can_manage, can_view_plan
from coalitions.plans.states import EDITABLE_STATES, PLAN_WORKFLOW, TRACKING_STATES, PlanState
from core import freshness, navigation
from core.access import policy_required, require
from core.conditional import conditional_page, page_etag
from core.errors import OperationError
from core.forms import BaseForm, render_form
from core.loading import get_or_404
from core.locking import AlreadyDone
from core.timeutil import programme_today
from core.translations import form_in_languages, reader_language
from core.uploads.responses import DOWNLOAD_CSP

plans_bp = Blueprint("plans", __name__)

#: The new-milestone form shares its page with the commitment form: distinct field names.
MILESTONE_PREFIX = "milestone"

navigation.register(
    plans_bp,
    navigation.NavEntry(_l("Action plans"), "plans.public_list", can_browse, order=12,
                        group=navigation.COALITIONS))


#: The buttons that move a plan through its states.
TRANSITION_BUTTONS = {
    "consult": _l("Open the consultation"),
    "rework": _l("Back to drafting"),
    "submit": _l("Mark as submitted to OGP"),
    "implement": _l("Start the implementation"),
    "complete": _l("Mark as completed"),
}
#: The commitment's texts in the order of OGP's template, with their labels.
COMMITMENT_TEXTS = (
    ("problem", _l("What is the public problem the commitment will address?")),
    ("cause", _l("What are the causes of the problem?")),
    ("description", _l("What is the commitment?")),
    ("ambition", _l("How will the commitment contribute to solving the public problem?")),
)
OGP_VALUES = (("transparency", "transparency_note", _l("Transparency")),
              ("participation", "participation_note", _l("Civic participation")),
              ("accountability", "accountability_note", _l("Public accountability")))


@plans_bp.context_processor
def _plan_helpers():
    return {"country_name": country_name, "percent": queries.percent,
            "editable_states": EDITABLE_STATES, "tracking_states": TRACKING_STATES,
            "plan_transition_buttons": TRANSITION_BUTTONS,
            "commitment_texts": COMMITMENT_TEXTS, "ogp_values": OGP_VALUES,
            "supporters_by_sector": queries.supporters_by_sector}


# Public pages ------------------------------------------------------------------------------

def _plans_etag():
    """The plans' data version and the day (progress counts what is overdue)."""
    return page_etag(freshness.current_version(freshness.PLANS), programme_today())


@plans_bp.route("/action-plans")
@policy_required(can_browse)
def public_list():
    may_manage = can_manage(current_user)[0]
    return conditional_page(_plans_etag, lambda: render_template(
        "coalitions/plans/list.html", plans=queries.plans(include_unpublished=may_manage),
        may_manage=may_manage))


def _visible_plan(plan_id: int) -> ActionPlan:
    plan = get_or_404(ActionPlan, plan_id)
    if not can_view_plan(current_user, plan)[0]:
        abort(404)  # an unpublished plan is not revealed
    return plan


@plans_bp.route("/action-plans/<int:plan_id>")
def public_plan(plan_id: int):
    plan = _visible_plan(plan_id)
    return conditional_page(_plans_etag, lambda: _plan_page(plan))


def _plan_page(plan: ActionPlan, *, status: int = 200, error: str | None = None):
    commitments = queries.plan_commitments(plan)
    may_manage = can_manage(current_user)[0]
    return render_template("coalitions/plans/plan.html", plan=plan, commitments=commitments,
                           all_milestones=[milestone for commitment in commitments
                                           for milestone in commitment.milestones],
                           plan_progress=queries.plan_progress(commitments),
                           may_manage=may_manage, action_form=BaseForm(), error=error,
                           transitions=(PLAN_WORKFLOW.available(plan, current_user)
                                        if may_manage else [])), status


def _export(plan_id: int, extension: str, mimetype: str, build):
    """The plan in OGP's format, in the reader's language, validated like the plan page."""
    plan = _visible_plan(plan_id)

    def response():
        language = reader_language()
        body = build(plan, queries.plan_commitments(plan), language)
        download = Response(body, mimetype=mimetype)
        # The name is ASCII digits and letters only.
        download.headers["Content-Disposition"] = (
            f"attachment; filename=action-plan-{plan.id}-{language}.{extension}")
        download.headers["X-Content-Type-Options"] = "nosniff"
        download.headers["Content-Security-Policy"] = DOWNLOAD_CSP
        return download
    return conditional_page(_plans_etag, response)


@plans_bp.route("/action-plans/<int:plan_id>/plan.docx")
def plan_docx_file(plan_id: int):
    return _export(plan_id, "docx", DOCX_MIMETYPE, plan_docx)


@plans_bp.route("/action-plans/<int:plan_id>/plan.json")
def plan_json_file(plan_id: int):
    return _export(plan_id, "json", "application/json", plan_json)


@plans_bp.route("/staff/action-plans/<int:plan_id>/state", methods=["POST"])
def transition_plan(plan_id: int):
    plan = get_or_404(ActionPlan, plan_id)
    require(can_manage(current_user))
    target = request.form.get("target", "")
    if target not in PlanState.__members__:
        abort(400)
    try:
        operations.transition_plan(plan, PlanState(target), current_user)
    except AlreadyDone as done:
        flash(str(done.message), "info")
    except OperationError as error:
        # Nothing changed: 409, so that the transaction is rolled back.
        return _plan_page(plan, status=409, error=str(error.message))
    else:
        flash(_("The plan is now “%(state)s”.", state=plan.state.title), "success")
    return redirect(url_for("plans.public_plan", plan_id=plan.id))


# Plans -------------------------------------------------------------------------------------

@plans_bp.route("/staff/action-plans/new", methods=["GET", "POST"])
@policy_required(can_manage)
def new_plan():
    form = form_in_languages(PlanForm, PlanTranslationForm)
    if form.validate_on_submit():
        try:
            plan = operations.create_plan(current_user, **form.plan_fields())
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(url_for("plans.public_plan", plan_id=done.existing.id))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The action plan is added."), "success")
            return redirect(url_for("plans.public_plan", plan_id=plan.id))
    return render_form("coalitions/plans/plan_form.html", form, plan=None)


@plans_bp.route("/staff/action-plans/<int:plan_id>/edit", methods=["GET", "POST"])
def edit_plan(plan_id: int):
    plan = get_or_404(ActionPlan, plan_id)
    require(can_manage(current_user))
    form = form_in_languages(PlanForm, PlanTranslationForm, obj=plan, translated=plan)
    if form.validate_on_submit():
        try:
            changes = operations.update_plan(plan, current_user, **form.plan_fields())
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The changes are saved.") if changes else _("Nothing was changed."),
                  "success")
            return redirect(url_for("plans.public_plan", plan_id=plan.id))
    return render_form("coalitions/plans/plan_form.html", form, plan=plan)


# Commitments -------------------------------------------------------------------------------

def _commitment_form(commitment: Commitment | None = None, **kwargs) -> CommitmentForm:
    """The commitment form in every language; filled from ``commitment`` when given."""
    if commitment is not None:
        kwargs.update(data=CommitmentForm.data_of(commitment), translated=commitment)
    return form_in_languages(CommitmentForm, CommitmentTranslationForm,
                             government=queries.government_choices(),
                             organisations=organisation_choices(),
                             coalitions=queries.coalition_choices(), **kwargs)


def _milestone_form(**kwargs) -> MilestoneForm:
    return form_in_languages(MilestoneForm, MilestoneTranslationForm, prefix=MILESTONE_PREFIX,
                             **kwargs)


@plans_bp.route("/staff/action-plans/<int:plan_id>/commitments/new", methods=["GET", "POST"])
def new_commitment(plan_id: int):
    plan = get_or_404(ActionPlan, plan_id)
    require(can_manage(current_user))
    form = _commitment_form()
    if form.validate_on_submit():
        try:
            commitment = operations.create_commitment(plan, current_user,
                                                      **form.commitment_fields())
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(url_for("plans.edit_commitment", commitment_id=done.existing.id))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The commitment is added. Add its milestones below."), "success")
            return redirect(url_for("plans.edit_commitment", commitment_id=commitment.id))
    return render_form("coalitions/plans/commitment_form.html", form, plan=plan,
                       commitment=None, editable=plan.state in EDITABLE_STATES)


def _render_commitment(commitment: Commitment, form, *, milestone_form=None,
                       update_form=None, updating_id: int | None = None,
                       status: int | None = None):
    return render_form(
        "coalitions/plans/commitment_form.html", form, status=status, plan=commitment.plan,
        commitment=commitment,
        milestone_form=milestone_form or _milestone_form(formdata=None),
        update_form=update_form or MilestoneUpdateForm(formdata=None),
        updating_id=updating_id, editable=commitment.plan.state in EDITABLE_STATES,
        tracking=commitment.plan.state in TRACKING_STATES)


@plans_bp.route("/staff/commitments/<int:commitment_id>/edit", methods=["GET", "POST"])
def edit_commitment(commitment_id: int):
    commitment = get_or_404(Commitment, commitment_id)
    require(can_manage(current_user))
    form = _commitment_form(commitment)
    if form.validate_on_submit():
        try:
            changes = operations.update_commitment(commitment, current_user,
                                                   **form.commitment_fields())
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The changes are saved.") if changes else _("Nothing was changed."),
                  "success")
            return redirect(url_for("plans.public_plan", plan_id=commitment.plan_id))
    return _render_commitment(commitment, form)


# Milestones --------------------------------------------------------------------------------

@plans_bp.route("/staff/commitments/<int:commitment_id>/milestones", methods=["POST"])
def add_milestone(commitment_id: int):
    commitment = get_or_404(Commitment, commitment_id)
    require(can_manage(current_user))
    milestone_form = _milestone_form()
    if milestone_form.validate_on_submit():
        try:
            operations.add_milestone(commitment, current_user,
                                     title=milestone_form.title.data,
                                     starts_on=milestone_form.starts_on.data,
                                     due_on=milestone_form.due_on.data,
                                     outputs=milestone_form.outputs.data or "",
                                     state=milestone_form.state.data,
                                     translations=milestone_form.translations())
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(url_for("plans.edit_commitment", commitment_id=commitment.id))
        except OperationError as error:
            milestone_form.add_operation_error(error)
        else:
            flash(_("The milestone is added."), "success")
            return redirect(url_for("plans.edit_commitment", commitment_id=commitment.id))
    form = _commitment_form(commitment, formdata=None)
    return _render_commitment(commitment, form, milestone_form=milestone_form, status=422)


@plans_bp.route("/staff/milestones/<int:milestone_id>", methods=["POST"])
def update_milestone(milestone_id: int):
    milestone = get_or_404(Milestone, milestone_id)
    require(can_manage(current_user))
    update_form = MilestoneUpdateForm()
    if update_form.validate_on_submit():
        try:
            changes = operations.update_milestone(milestone, current_user,
                                                  state=update_form.state.data,
                                                  evidence=update_form.evidence.data or "")
        except OperationError as error:
            update_form.add_operation_error(error)
        else:
            flash(_("The milestone is updated.") if changes else _("Nothing was changed."),
                  "success")
            return redirect(url_for("plans.edit_commitment",
                                    commitment_id=milestone.commitment_id))
    commitment = milestone.commitment
    form = _commitment_form(commitment, formdata=None)
    return _render_commitment(commitment, form, update_form=update_form,
                              updating_id=milestone.id, status=422)
