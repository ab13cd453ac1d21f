"""Staff pages of review panels: the overview, a panel's settings, members, conflicts matrix
and assignments. Their routes belong to ``views.admin_bp`` (endpoints ``panels.*``)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from accounts.models import User
from core.access import policy_required
from core.errors import OperationError
from core.extensions import db
from core.forms import BaseForm, render_form
from core.locking import AlreadyDone
from core.params import parse_id
from core.timeutil import to_programme_time, utcnow
from grants.applications.models import Application
from grants.calls.models import Call
from grants.reviews import operations, queries
from grants.reviews.forms import (
    AssignForm,
    EditPanelForm,
    MemberForm,
    NewPanelForm,
    ReassignForm,
)
from grants.reviews.models import Panel, PanelMember, ReviewAssignment
from grants.reviews.policies import can_manage_panels
from grants.reviews.views import _load_panel, _selected_id, admin_bp

# Staff: panels -------------------------------------------------------------------------------

@admin_bp.route("")
@policy_required(can_manage_panels)
def overview():
    return render_template("grants/reviews/admin/overview.html",
                           rows=queries.panels_overview())


def _panel_of_call(call_id) -> Panel | None:
    number = parse_id(call_id) if call_id else None
    return db.session.scalar(select(Panel).where(Panel.call_id == number)) \
        if number is not None else None


@admin_bp.route("/new", methods=["GET", "POST"])
@policy_required(can_manage_panels)
def new():
    calls = queries.calls_without_panel()
    form = NewPanelForm()
    form.call_id.choices = [(str(call.id), call.title) for call in calls]
    if request.method == "GET":
        call_id = request.args.get("call_id", "")
        form.call_id.data = call_id if call_id in {str(c.id) for c in calls} else ""
        form.reviewers_per_application.data = 3
    elif (made := _panel_of_call(request.form.get("call_id"))) is not None:
        # Created by a click that came first (a double click): answered as that one was.
        return _refused(made, AlreadyDone(_("This call already has a review panel.")))
    elif form.validate_on_submit():
        call = db.session.get(Call, int(form.call_id.data))
        try:
            panel = operations.create_panel(
                call, current_user, due_at=form.due_at.utc(),
                reviewers_per_application=form.reviewers_per_application.data)
        except AlreadyDone as done:
            return _refused(done.existing, done)
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The panel is created. Add its members next."), "success")
            return redirect(url_for("panels.detail", panel_id=panel.id))
    return render_form("grants/reviews/admin/panel_form.html", form, panel=None,
                       has_calls=bool(calls))


def _programme_time(value):
    return None if value is None else to_programme_time(value).replace(tzinfo=None)


@admin_bp.route("/<int:panel_id>/edit", methods=["GET", "POST"])
@policy_required(can_manage_panels)
def edit(panel_id: int):
    panel = _load_panel(panel_id)
    form = EditPanelForm(data={"due_at": _programme_time(panel.due_at),
                               "reviewers_per_application": panel.reviewers_per_application,
                               "chair_id": str(panel.chair_id or "")})
    form.chair_id.choices = [("", _("No chair"))] + [
        (str(member.user_id), member.user.name) for member in panel.members]
    if panel.is_locked:
        form.form_errors.append(_("The panel is locked: its settings can no longer be "
                                  "changed."))
        return render_form("grants/reviews/admin/panel_form.html", form, panel=panel,
                           status=409 if request.method == "POST" else 200)
    if form.validate_on_submit():
        chair = db.session.get(User, int(form.chair_id.data)) if form.chair_id.data else None
        try:
            operations.update_panel(panel, current_user, due_at=form.due_at.utc(),
                                    reviewers_per_application=form.reviewers_per_application.data)
            operations.set_chair(panel, chair, current_user)
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The panel is saved."), "success")
            return redirect(url_for("panels.detail", panel_id=panel.id))
    return render_form("grants/reviews/admin/panel_form.html", form, panel=panel)


def _detail_page(panel: Panel, status: int = 200, *, error=None, member_form=None,
                 assign_form=None):
    applications = queries.assignable_applications(panel)
    members = list(panel.members)
    member_form = member_form or MemberForm()
    member_form.user_id.choices = [("", _("Choose a reviewer"))] + [
        (str(user.id), f"{user.name} · {user.email}")
        for user in queries.reviewers_not_in(panel)]
    assign_form = assign_form or AssignForm()
    _assign_choices(assign_form, applications, members)
    conflict_rows, declarations = queries.conflicts_matrix(panel)
    return render_template(
        "grants/reviews/admin/detail.html", panel=panel, error=error,
        progress=queries.member_progress(panel),
        by_application=queries.assignments_by_application(panel),
        conflict_rows=conflict_rows, declarations=declarations,
        member_form=member_form, assign_form=assign_form, action_form=BaseForm(),
        reviewer_choices=[(str(m.user_id), m.user.name) for m in members],
        is_late=queries.is_late, now=utcnow()), status


def _assign_choices(form: AssignForm, applications, members) -> None:
    form.application_id.choices = [("", _("Choose an application"))] + [
        (str(a.id), f"{a.display_reference} · {a.title}") for a in applications]
    form.reviewer_id.choices = [("", _("Choose a reviewer"))] + [
        (str(m.user_id), m.user.name) for m in members]


def _refused(panel: Panel, error: OperationError | str, **forms):
    """The panel page again with the reason an action was refused (nothing is saved); or,
    for an action already done (the same click arriving twice), the panel page as after
    it."""
    if isinstance(error, AlreadyDone):
        flash(str(error.message), "info")
        return redirect(url_for("panels.detail", panel_id=panel.id))
    message = error.message if isinstance(error, OperationError) else error
    return _detail_page(panel, 409 if panel.is_locked else 422, error=message, **forms)


@admin_bp.route("/<int:panel_id>")
@policy_required(can_manage_panels)
def detail(panel_id: int):
    return _detail_page(_load_panel(panel_id))


@admin_bp.route("/<int:panel_id>/members", methods=["POST"])
@policy_required(can_manage_panels)
def add_member(panel_id: int):
    panel = _load_panel(panel_id)
    form = MemberForm()
    form.user_id.choices = []
    if not form.validate_on_submit():
        return _refused(panel, next(iter(form.user_id.errors), _("Choose a reviewer.")),
                        member_form=form)
    user = db.session.get(User, _selected_id(form.user_id.data))
    try:
        operations.add_member(panel, user, current_user)
    except OperationError as error:
        return _refused(panel, error, member_form=form)
    flash(_("%(name)s joins the panel.", name=user.name), "success")
    return redirect(url_for("panels.detail", panel_id=panel.id))


@admin_bp.route("/<int:panel_id>/members/<int:member_id>/remove", methods=["POST"])
@policy_required(can_manage_panels)
def remove_member(panel_id: int, member_id: int):
    panel = _load_panel(panel_id)
    member = db.session.get(PanelMember, member_id)
    if member is None:
        # Removed by a click that came first (a double click): answered as that one was.
        return _refused(panel, AlreadyDone(_("This person is no longer a member of this "
                                             "panel.")))
    if member.panel_id != panel.id:
        abort(404)
    name = member.user.name
    try:
        operations.remove_member(panel, member, current_user)
    except OperationError as error:
        return _refused(panel, error)
    flash(_("%(name)s has left the panel.", name=name), "success")
    return redirect(url_for("panels.detail", panel_id=panel.id))


@admin_bp.route("/<int:panel_id>/assign", methods=["POST"])
@policy_required(can_manage_panels)
def assign(panel_id: int):
    panel = _load_panel(panel_id)
    form = AssignForm()
    if not form.validate_on_submit():
        errors = form.application_id.errors or form.reviewer_id.errors
        return _refused(panel, next(iter(errors), _("Choose an application and a reviewer.")))
    application = db.session.get(Application, _selected_id(form.application_id.data))
    reviewer = db.session.get(User, _selected_id(form.reviewer_id.data))
    if application is None:
        return _refused(panel, _("Choose an application of this call."))
    try:
        operations.assign(panel, application, reviewer, current_user)
    except OperationError as error:
        return _refused(panel, error)
    flash(_("%(name)s now reviews %(reference)s.", name=reviewer.name,
            reference=application.display_reference), "success")
    return redirect(url_for("panels.detail", panel_id=panel.id))


@admin_bp.route("/<int:panel_id>/auto-assign", methods=["POST"])
@policy_required(can_manage_panels)
def auto_assign(panel_id: int):
    panel = _load_panel(panel_id)
    form = BaseForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        result = operations.auto_assign(panel, current_user)
    except OperationError as error:
        return _refused(panel, error)
    flash(ngettext("%(num)d assignment made.", "%(num)d assignments made.",
                   len(result.created)), "success")
    for application, missing in result.short.items():
        flash(ngettext("%(reference)s is still %(num)d reviewer short: too few members "
                       "can review it.",
                       "%(reference)s is still %(num)d reviewers short: too few members "
                       "can review it.", missing, reference=application.display_reference),
              "error")
    return redirect(url_for("panels.detail", panel_id=panel.id))


@admin_bp.route("/<int:panel_id>/assignments/<int:assignment_id>/reassign",
                methods=["POST"])
@policy_required(can_manage_panels)
def reassign(panel_id: int, assignment_id: int):
    panel = _load_panel(panel_id)
    assignment = db.session.get(ReviewAssignment, assignment_id)
    if assignment is None:
        # Reassigned by a click that came first (a double click): answered as that one was.
        return _refused(panel, AlreadyDone(_("This assignment has already been given to "
                                             "someone else.")))
    if assignment.panel_id != panel.id:
        abort(404)
    form = ReassignForm()
    if not form.validate_on_submit():
        return _refused(panel, next(iter(form.reviewer_id.errors), _("Choose a reviewer.")))
    reviewer = db.session.get(User, _selected_id(form.reviewer_id.data))
    if reviewer is None:
        return _refused(panel, _("Choose a member of the panel."))
    reference = assignment.application.display_reference
    try:
        operations.reassign(assignment, reviewer, current_user)
    except OperationError as error:
        return _refused(panel, error)
    flash(_("%(name)s now reviews %(reference)s.", name=reviewer.name, reference=reference),
          "success")
    return redirect(url_for("panels.detail", panel_id=panel.id))
