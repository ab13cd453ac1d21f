"""Calls for proposals: public pages (no sign-in) and the staff pages for funds and calls."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.routing import BuildError

from core import freshness, navigation
from core.access import policy_required
from core.conditional import conditional_page, page_etag
from core.errors import OperationError
from core.extensions import db
from core.forms import BaseForm, render_form
from core.loading import get_or_404
from core.locking import AlreadyDone
from core.markdown import render_markdown
from core.timeutil import utcnow
from grants.calls import operations, queries
from grants.calls.forms import FundForm, parse_id
from grants.calls.language_forms import call_form, rubric_form, untranslated
from grants.calls.models import Call, Fund
from grants.calls.policies import can_browse_calls, can_manage_calls, can_view_call
from grants.calls.states import CALL_WORKFLOW, CallState

bp = Blueprint("calls", __name__)
admin_bp = Blueprint("calls_admin", __name__, url_prefix="/staff")

navigation.register(
    bp, navigation.NavEntry(_l("Calls"), "calls.public_list", can_browse_calls, order=10,
                            group=navigation.GRANTS))
navigation.register(
    admin_bp, navigation.NavEntry(_l("Funds and calls"), "calls_admin.calls",
                                  can_manage_calls, order=30, group=navigation.GRANTS))


@bp.app_template_filter("markdown")
def _markdown_filter(text):
    return render_markdown(text)


def time_left(until: datetime, now: datetime) -> str:
    """"12 days left", "3 hours left": whole units, rounded down, so it never promises more
    time than there is."""
    seconds = int((until - now).total_seconds())
    if seconds <= 0:
        return ""
    days, hours, minutes = seconds // 86400, seconds // 3600, seconds // 60
    if days >= 1:
        return ngettext("%(num)d day left", "%(num)d days left", days)
    if hours >= 1:
        return ngettext("%(num)d hour left", "%(num)d hours left", hours)
    if minutes >= 1:
        return ngettext("%(num)d minute left", "%(num)d minutes left", minutes)
    return _("Less than a minute left")


def time_until(when: datetime, now: datetime) -> str:
    seconds = int((when - now).total_seconds())
    days, hours, minutes = seconds // 86400, seconds // 3600, max(seconds // 60, 1)
    if days >= 1:
        return ngettext("in %(num)d day", "in %(num)d days", days)
    if hours >= 1:
        return ngettext("in %(num)d hour", "in %(num)d hours", hours)
    return ngettext("in %(num)d minute", "in %(num)d minutes", minutes)


def call_status(call: Call, now: datetime) -> str:
    """What the public is told: "open", "upcoming" or "closed"."""
    if call.is_open(now):
        return "open"
    if call.is_upcoming(now):
        return "upcoming"
    return "closed"


def _apply_url(call: Call) -> str | None:
    # The applications blueprint owns the page; without it (in a partial setup) no button.
    try:
        return url_for("applications.start", call_id=call.id)
    except BuildError:
        return None


def _call_helpers():
    return {"call_time_left": time_left, "call_time_until": time_until,
            "call_status": call_status, "call_transition_buttons": TRANSITION_BUTTONS}


bp.context_processor(_call_helpers)
admin_bp.context_processor(_call_helpers)


# Public pages ------------------------------------------------------------------------------

#: The list's validator changes at least this often (seconds), so a kept copy moves a call
#: from open to closed, and its "closes in ..." on, within minutes of the clock.
LIST_VALIDATOR_PERIOD = 300


@bp.route("/calls")
def public_list():
    return conditional_page(
        lambda: page_etag(freshness.current_version(freshness.CALLS),
                          period=LIST_VALIDATOR_PERIOD),
        _public_list_page)


def _public_list_page():
    now = utcnow()
    current = queries.public_calls(now)
    return render_template(
        "grants/calls/list.html", now=now,
        open_calls=[call for call in current if call.is_open(now)],
        upcoming_calls=[call for call in current if call.is_upcoming(now)],
        past_calls=queries.closed_public_calls(now))


@bp.route("/calls/<int:call_id>")
def public_detail(call_id: int):
    call = get_or_404(Call, call_id)
    if not can_view_call(current_user, call)[0]:
        abort(404)  # a draft does not exist for the public
    now = utcnow()
    status = call_status(call, now)
    # What changes with the clock is in the validator: the status and the time left.
    left = (time_left(call.closes_at, now) if status == "open"
            else time_until(call.opens_at, now) if status == "upcoming" and call.opens_at
            else "")
    return conditional_page(
        lambda: page_etag(freshness.current_version(freshness.CALLS), status, left),
        lambda: render_template(
            "grants/calls/detail.html", call=call, now=now, status=status,
            apply_url=_apply_url(call) if status == "open" else None,
            may_manage=can_manage_calls(current_user)[0]))


# Staff: funds ------------------------------------------------------------------------------

def _load_fund(fund_id: int) -> Fund:
    return get_or_404(Fund, fund_id)


def _load_call(call_id: int) -> Call:
    return get_or_404(Call, call_id)


@admin_bp.route("/funds")
@policy_required(can_manage_calls)
def funds():
    return render_template("grants/calls/admin/funds.html", funds=queries.funds_with_totals())


@admin_bp.route("/funds/new", methods=["GET", "POST"])
@policy_required(can_manage_calls)
def new_fund():
    form = FundForm()
    if form.validate_on_submit():
        try:
            fund = operations.create_fund(current_user, **form.fund_fields())
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(url_for("calls_admin.funds"))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The fund %(name)s is added.", name=fund.name), "success")
            return redirect(url_for("calls_admin.funds"))
    return render_form("grants/calls/admin/fund_form.html", form, fund=None)


@admin_bp.route("/funds/<int:fund_id>/edit", methods=["GET", "POST"])
@policy_required(can_manage_calls)
def edit_fund(fund_id: int):
    fund = _load_fund(fund_id)
    form = FundForm(data=FundForm.data_of(fund))
    if form.validate_on_submit():
        try:
            changes = operations.update_fund(fund, current_user, **form.fund_fields())
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The changes are saved.") if changes else _("Nothing was changed."),
                  "success")
            return redirect(url_for("calls_admin.funds"))
    return render_form("grants/calls/admin/fund_form.html", form, fund=fund)


# Staff: calls ------------------------------------------------------------------------------

@admin_bp.route("/calls")
@policy_required(can_manage_calls)
def calls():
    state_arg = request.args.get("state", "")
    if state_arg and state_arg not in CallState.__members__:
        abort(400)
    state = CallState(state_arg) if state_arg else None
    call_list = queries.staff_calls(state=state)
    return render_template(
        "grants/calls/admin/calls.html", calls=call_list, state=state, states=list(CallState),
        counts=queries.application_counts([call.id for call in call_list]),
        has_funds=bool(queries.all_funds()))


@admin_bp.route("/calls/new", methods=["GET", "POST"])
@policy_required(can_manage_calls)
def new_call():
    fund_arg = request.args.get("fund_id", "")
    fund_id = parse_id(fund_arg)
    if fund_id is not None and db.session.get(Fund, fund_id) is None:
        fund_id = None
    form = call_form(fund_id=fund_id)
    if form.validate_on_submit():
        try:
            call = operations.create_call(current_user, **form.call_fields())
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(url_for("calls_admin.call_detail", call_id=done.existing.id))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The call is saved as a draft. Add its rubric, then publish it."),
                  "success")
            return redirect(url_for("calls_admin.call_detail", call_id=call.id))
    return render_form("grants/calls/admin/call_form.html", form, call=None,
                       has_funds=bool(form.fund_id.choices))


def _render_call_detail(call: Call, status: int = 200, error: str | None = None):
    counts = queries.application_counts([call.id]).get(call.id, {})
    return render_template(
        "grants/calls/admin/call_detail.html", call=call, counts=counts,
        total_applications=sum(counts.values()),
        transitions=CALL_WORKFLOW.available(call, current_user),
        missing=call.missing_for_publication() if call.state == CallState.draft else [],
        untranslated=untranslated(call),
        is_locked=call.has_submissions(), action_form=BaseForm(), error=error,
    ), status


@admin_bp.route("/calls/<int:call_id>")
@policy_required(can_manage_calls)
def call_detail(call_id: int):
    return _render_call_detail(_load_call(call_id))


@admin_bp.route("/calls/<int:call_id>/edit", methods=["GET", "POST"])
@policy_required(can_manage_calls)
def edit_call(call_id: int):
    call = _load_call(call_id)
    form = call_form(call)
    if form.validate_on_submit():
        try:
            changes = operations.update_call(call, current_user, **form.call_fields())
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The changes are saved.") if changes else _("Nothing was changed."),
                  "success")
            return redirect(url_for("calls_admin.call_detail", call_id=call.id))
    return render_form("grants/calls/admin/call_form.html", form, call=call, has_funds=True,
                       is_locked=call.has_submissions())


@admin_bp.route("/calls/<int:call_id>/rubric", methods=["GET", "POST"])
@policy_required(can_manage_calls)
def edit_rubric(call_id: int):
    call = _load_call(call_id)
    form = rubric_form(call)
    if form.validate_on_submit():
        try:
            changed = operations.update_rubric(call, current_user, form.rows())
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The rubric is saved.") if changed else _("Nothing was changed."),
                  "success")
            return redirect(url_for("calls_admin.call_detail", call_id=call.id))
    return render_form("grants/calls/admin/rubric_form.html", form, call=call,
                       is_locked=call.has_submissions())


@admin_bp.route("/calls/<int:call_id>/transition", methods=["POST"])
@policy_required(can_manage_calls)
def transition_call(call_id: int):
    call = _load_call(call_id)
    target_arg = request.form.get("target", "")
    if target_arg not in CallState.__members__:
        abort(400)
    try:
        transition = operations.transition_call(call, CallState(target_arg), current_user)
    except AlreadyDone as done:
        flash(str(done.message), "info")
        return redirect(url_for("calls_admin.call_detail", call_id=call.id))
    except OperationError as error:
        # Nothing changed: answer 409 so the transaction is rolled back.
        return _render_call_detail(call, status=409, error=str(error.message))
    message = TRANSITION_DONE.get(transition.action) or _l(
        "The call is now “%(state)s”.", state=call.state.title)
    flash(str(message), "success")
    return redirect(url_for("calls_admin.call_detail", call_id=call.id))


#: What staff are told after each action, and the button that triggers it.
TRANSITION_DONE = {
    "publish": _l("The call is published: it is on the public list of calls."),
    "unpublish": _l("The call is back to draft: the public no longer sees it."),
    "close": _l("The call is closed."),
    "start_review": _l("The call is in review."),
    "decide": _l("The call is marked as decided."),
    "archive": _l("The call is archived."),
}
TRANSITION_BUTTONS = {
    "publish": _l("Publish"),
    "unpublish": _l("Back to draft"),
    "close": _l("Close the call"),
    "start_review": _l("Start the review"),
    "decide": _l("Mark as decided"),
    "archive": _l("Archive"),
}
