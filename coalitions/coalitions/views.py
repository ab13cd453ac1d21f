"""Coalition pages for programme staff: the list, a coalition's members by sector and its
activity timeline, and the forms that change them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from accounts.organisations.queries import organisation_choices
from coalitions.coalitions import operations, queries
from coalitions.coalitions.forms import (
    ActivityForm,
    CoalitionForm,
    EndMembershipForm,
    LinkAwardForm,
    MembershipForm,
)
from coalitions.coalitions.models import (
    Coalition,
    CoalitionActivity,
    CoalitionMembership,
)
from coalitions.coalitions.policies import can_list, can_manage, can_view
from core import navigation
from core.access import policy_required, require
from core.errors import OperationError
from core.forms import render_form
from core.loading import get_or_404
from core.locking import AlreadyDone

bp = Blueprint("coalitions", __name__, url_prefix="/coalitions")

navigation.register(
    bp, navigation.NavEntry(_l("Coalitions"), "coalitions.list_coalitions", can_list, order=50,
                            group=navigation.COALITIONS))


def _load(coalition_id: int) -> Coalition:
    return get_or_404(Coalition, coalition_id)


def _load_membership(coalition: Coalition, membership_id: int) -> CoalitionMembership:
    membership = get_or_404(CoalitionMembership, membership_id)
    if membership.coalition_id != coalition.id:
        abort(404)
    return membership


def _load_activity(coalition: Coalition, activity_id: int) -> CoalitionActivity:
    activity = get_or_404(CoalitionActivity, activity_id)
    if activity.coalition_id != coalition.id:
        abort(404)
    return activity


@bp.route("")
@policy_required(can_list)
def list_coalitions():
    return render_template("coalitions/coalitions/list.html",
                           coalitions=queries.coalition_list(),
                           may_manage=can_manage(current_user)[0])


@bp.route("/new", methods=["GET", "POST"])
@policy_required(can_manage)
def new():
    form = CoalitionForm(organisations=organisation_choices())
    if form.validate_on_submit():
        try:
            coalition = operations.create_coalition(current_user, **form.coalition_fields())
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(url_for("coalitions.detail", coalition_id=done.existing.id))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The coalition %(name)s is added.", name=coalition.name), "success")
            return redirect(url_for("coalitions.detail", coalition_id=coalition.id))
    return _render_form(form, None)


def _render_form(form, coalition):
    return render_form("coalitions/coalitions/form.html", form, coalition=coalition)


def _render_detail(coalition: Coalition, *, member_form=None, end_form=None,
                   award_form=None, ending_id: int | None = None, status: int = 200):
    organisations = organisation_choices()
    return render_template(
        "coalitions/coalitions/detail.html", coalition=coalition,
        groups=queries.members_by_sector(coalition),
        activities=queries.timeline(coalition),
        awards=queries.linked_awards(coalition), award_form=award_form or LinkAwardForm(
            formdata=None),
        may_manage=can_manage(current_user, coalition)[0],
        member_form=member_form or MembershipForm(organisations=organisations,
                                                  formdata=None),
        end_form=end_form or EndMembershipForm(formdata=None),
        ending_id=ending_id,
    ), status


@bp.route("/<int:coalition_id>")
def detail(coalition_id: int):
    coalition = _load(coalition_id)
    require(can_view(current_user, coalition))
    return _render_detail(coalition)


@bp.route("/<int:coalition_id>/edit", methods=["GET", "POST"])
def edit(coalition_id: int):
    coalition = _load(coalition_id)
    require(can_manage(current_user, coalition))
    form = CoalitionForm(organisations=organisation_choices(),
                         data=CoalitionForm.data_of(coalition))
    if form.validate_on_submit():
        try:
            changes = operations.update_coalition(coalition, current_user,
                                                  **form.coalition_fields())
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The changes are saved.") if changes else _("Nothing was changed."),
                  "success")
            return redirect(url_for("coalitions.detail", coalition_id=coalition.id))
    return _render_form(form, coalition)


@bp.route("/<int:coalition_id>/members", methods=["POST"])
def add_member(coalition_id: int):
    coalition = _load(coalition_id)
    require(can_manage(current_user, coalition))
    form = MembershipForm(organisations=organisation_choices())
    if form.validate_on_submit():
        try:
            membership = operations.add_member(
                coalition, current_user, organisation_id=form.organisation_id.data,
                role=form.role.data, joined_on=form.joined_on.data)
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(url_for("coalitions.detail", coalition_id=coalition.id))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("%(name)s is added to the coalition.", name=membership.organisation.name),
                  "success")
            return redirect(url_for("coalitions.detail", coalition_id=coalition.id))
    # Nothing was written: 422 rolls the request back.
    return _render_detail(coalition, member_form=form, status=422)


@bp.route("/<int:coalition_id>/members/<int:membership_id>/end", methods=["POST"])
def end_membership(coalition_id: int, membership_id: int):
    coalition = _load(coalition_id)
    require(can_manage(current_user, coalition))
    membership = _load_membership(coalition, membership_id)
    form = EndMembershipForm()
    if form.validate_on_submit():
        try:
            _ended, successor = operations.end_membership(
                coalition, current_user, membership, left_on=form.left_on.data,
                new_role=form.new_role.data or None)
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(url_for("coalitions.detail", coalition_id=coalition.id))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The role is changed; the earlier period is kept in the history.")
                  if successor else _("The membership is ended."), "success")
            return redirect(url_for("coalitions.detail", coalition_id=coalition.id))
    return _render_detail(coalition, end_form=form, ending_id=membership.id, status=422)


@bp.route("/<int:coalition_id>/activities/new", methods=["GET", "POST"])
def add_activity(coalition_id: int):
    coalition = _load(coalition_id)
    require(can_manage(current_user, coalition))
    form = ActivityForm(organisations=organisation_choices())
    if form.validate_on_submit():
        try:
            operations.add_activity(
                coalition, current_user, kind=form.kind.data,
                happened_on=form.happened_on.data, description=form.description.data,
                outcome=form.outcome.data or "", organisation_ids=form.organisation_ids.data,
                file_storage=form.evidence.data or request.files.get("evidence"))
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(url_for("coalitions.detail", coalition_id=coalition.id))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The activity is added to the timeline."), "success")
            return redirect(url_for("coalitions.detail", coalition_id=coalition.id))
    return render_form("coalitions/coalitions/activity_form.html", form, coalition=coalition)


@bp.route("/<int:coalition_id>/activities/<int:activity_id>/evidence")
def evidence(coalition_id: int, activity_id: int):
    from core.uploads.responses import send_stored_file

    coalition = _load(coalition_id)
    require(can_view(current_user, coalition))
    activity = _load_activity(coalition, activity_id)
    if activity.evidence_file is None:
        abort(404)
    return send_stored_file(activity.evidence_file)


@bp.route("/<int:coalition_id>/awards", methods=["POST"])
def link_award(coalition_id: int):
    coalition = _load(coalition_id)
    require(can_manage(current_user, coalition))
    form = LinkAwardForm()
    if form.validate_on_submit():
        try:
            operations.link_award(coalition, current_user, reference=form.reference.data)
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(url_for("coalitions.detail", coalition_id=coalition.id))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The grant award is linked to the coalition."), "success")
            return redirect(url_for("coalitions.detail", coalition_id=coalition.id))
    return _render_detail(coalition, award_form=form, status=422)


@bp.route("/<int:coalition_id>/awards/<int:award_id>/unlink", methods=["POST"])
def unlink_award(coalition_id: int, award_id: int):
    coalition = _load(coalition_id)
    require(can_manage(current_user, coalition))
    try:
        operations.unlink_award(coalition, current_user, award_id=award_id)
    except AlreadyDone as done:
        flash(str(done.message), "info")
        return redirect(url_for("coalitions.detail", coalition_id=coalition.id))
    except OperationError:
        abort(404)
    flash(_("The grant award is no longer linked to the coalition."), "success")
    return redirect(url_for("coalitions.detail", coalition_id=coalition.id))
