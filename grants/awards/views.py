"""Grant agreements (awards) and their tranches: staff issue, sign, suspend and terminate
awards; the grantee's members read their award. The ledger's pages (disbursements and
payments) are ``grants.ledger.views``, on this blueprint."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from accounts.policies import is_staff
from core import contributions, navigation
from core.access import policy_required, require
from core.errors import OperationError, render_error
from core.forms import render_form
from core.loading import get_or_404
from core.locking import AlreadyDone
from core.money import split_by_shares
from core.params import arg_choice
from core.timeutil import programme_today
from grants.applications.models import Application
from grants.applications.policies import check_disinterested
from grants.applications.states import ApplicationState
from grants.awards import checks, operations, queries
from grants.awards.forms import (
    RESUME,
    SUSPEND,
    TERMINATE,
    AwardForm,
    DecisionForm,
    EditAwardForm,
    SignForm,
    TransitionForm,
)
from grants.awards.models import Award
from grants.awards.policies import (
    can_download_agreement,
    can_issue_award,
    can_list_awards,
    can_manage_awards,
    can_request_disbursement,
    can_view_award,
    is_finance,
)
from grants.awards.states import (
    AWARD_TRANSITIONS,
    DEFAULT_SCHEDULE,
    AwardState,
    DisbursementKind,
    DisbursementState,
)
from grants.calls.forms import parse_id

bp = Blueprint("awards", __name__)

navigation.register(
    bp,
    navigation.NavEntry(_l("Awards"), "awards.list_awards", can_list_awards, order=45,
                        group=navigation.GRANTS),
)

#: Award actions offered on the award's page (signing has its own page; closing is done by
#: the close-out page of monitoring).
PAGE_ACTIONS = {SUSPEND: AwardState.suspended, RESUME: AwardState.active,
                TERMINATE: AwardState.terminated}
ACTION_OPERATIONS = {SUSPEND: operations.suspend_award, RESUME: operations.resume_award,
                     TERMINATE: operations.terminate_award}


def percent(value) -> str:
    """A tranche's share for display, in the reader's number format, e.g. "50 %"."""
    return format_decimal(Decimal(value) / 100, format="#,##0.##%")


def rate(value) -> str:
    """An exchange rate for display, with up to six decimals."""
    return "" if value is None else format_decimal(value, format="#,##0.######")


@bp.context_processor
def _award_helpers():
    return {"AwardState": AwardState, "DisbursementState": DisbursementState,
            "DisbursementKind": DisbursementKind, "payment_methods": checks.PAYMENT_METHODS,
            "percent": percent, "rate": rate, "check_disinterested": check_disinterested}


# Loading -----------------------------------------------------------------------------------

def load_award(award_id: int) -> Award:
    award = queries.load_award(award_id)
    if award is None:
        abort(404)
    return award


def award_url(award_or_id, anchor: str | None = None) -> str:
    award_id = getattr(award_or_id, "id", award_or_id)
    return url_for("awards.detail", award_id=award_id, _anchor=anchor)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# Lists -------------------------------------------------------------------------------------

@bp.route("/staff/awards")
@policy_required(can_list_awards)
def list_awards():
    state = arg_choice("state", AwardState.__members__)
    state = AwardState(state) if state else None
    rows = queries.awards_for_staff(state)
    totals_by_currency = {}
    for row in rows:
        currency = row.award.currency
        totals_by_currency[currency] = totals_by_currency[currency] + row.money \
            if currency in totals_by_currency else row.money
    totals_by_currency = dict(sorted(totals_by_currency.items()))
    can_manage = can_manage_awards(current_user)[0]
    waiting = queries.awarded_without_agreement() if can_manage else []
    return render_template(
        "grants/awards/list.html", rows=rows, state=state, counts=queries.state_counts(),
        totals_by_currency=totals_by_currency, can_manage=can_manage,
        waiting=waiting, waiting_amounts=queries.decided_amounts(waiting))


# Awards ------------------------------------------------------------------------------------

def _schedule_preview(amount: Decimal) -> list[tuple]:
    shares = [Decimal(share) for share, _condition in DEFAULT_SCHEDULE]
    return [(share, part, condition) for share, part, (_share, condition)
            in zip(shares, split_by_shares(amount, shares), DEFAULT_SCHEDULE, strict=True)]


@bp.route("/staff/applications/<int:application_id>/award", methods=["GET", "POST"])
def create(application_id: int):
    application = get_or_404(Application, application_id)
    require(can_issue_award(current_user, application))
    existing = queries.award_for_application(application.id)
    if existing is not None and request.method == "GET":
        flash(_("%(reference)s already has a grant agreement: %(award)s.",
                reference=application.display_reference, award=existing.reference), "error")
        return redirect(award_url(existing)), 303
    if (application.state != ApplicationState.awarded
            or queries.award_decision(application) is None):
        return _no_award_decision(application)
    form = AwardForm()
    if request.method == "GET":
        _fill_dates(form, application)
    elif form.validate_on_submit():
        try:
            award = operations.create_award(application, current_user,
                                            starts_on=form.starts_on.data,
                                            ends_on=form.ends_on.data,
                                            conditions=form.conditions.data)
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(award_url(queries.award_for_application(application.id)))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("Grant agreement %(reference)s issued; it now waits for signature. The "
                    "grantee has been told.", reference=award.reference), "success")
            return redirect(award_url(award))
    return _render_create(form, application)


def _no_award_decision(application: Application):
    return render_error(409, _("%(reference)s has no award decision: only awarded "
                               "applications get a grant agreement.",
                               reference=application.display_reference))


def _fill_dates(form: AwardForm, application: Application) -> None:
    """A new agreement runs from today for the months the application asked for."""
    starts_on = programme_today()
    form.starts_on.data = starts_on
    form.ends_on.data = _add_months(starts_on, application.duration_months or 12) \
        - timedelta(days=1)


def _render_create(form: AwardForm, application: Application):
    amount = queries.decided_amounts([application]).get(application.id)
    return render_form("grants/awards/create.html", form, application=application,
                       currency=application.call.currency, amount=amount,
                       schedule=_schedule_preview(amount) if amount else [])


@bp.route("/awards/<int:award_id>")
def detail(award_id: int):
    award = load_award(award_id)
    require(can_view_award(current_user, award))
    manager = can_manage_awards(current_user, award)[0]
    actions = [action for action, target in PAGE_ACTIONS.items()
               if AWARD_TRANSITIONS.get((award.state, target)) == action] if manager else []
    return render_template(
        "grants/awards/detail.html", award=award, application=award.application,
        ledger=contributions.ask("award.ledger", award),
        holding=queries.conditions_holding(award),
        tranche_money=contributions.ask("tranches.money", award.tranches),
        reports=queries.reports_of(award),
        can_manage=manager, can_request=can_request_disbursement(current_user, award)[0],
        is_finance=is_finance(current_user), actions=actions,
        # Staff and finance who belong to the grantee or counterpart are told why they
        # cannot act; the grantee's own members just read.
        separation=check_disinterested(current_user, award.application)
        if is_staff(current_user) or is_finance(current_user) else (True, ""),
        transition_form=TransitionForm(), action_form=DecisionForm())


def _not_pending(award: Award):
    return render_error(409, _("The award is “%(state)s”: only an agreement waiting for "
                               "signature can be changed or signed.",
                               state=award.state.title))


@bp.route("/staff/awards/<int:award_id>/edit", methods=["GET", "POST"])
def edit(award_id: int):
    award = load_award(award_id)
    require(can_manage_awards(current_user, award))
    if award.state != AwardState.pending_signature:
        return _not_pending(award)
    if request.method == "GET":
        form = EditAwardForm(data={
            "starts_on": award.starts_on, "ends_on": award.ends_on,
            "conditions": award.conditions,
            "tranches": [{"tranche_id": str(t.id), "percentage": t.percentage,
                          "planned_on": t.planned_on} for t in award.tranches]})
    else:
        form = EditAwardForm()
        if form.validate_on_submit():
            rows = {}
            for row in form.tranches:
                tranche_id = parse_id(row.form.tranche_id.data)
                rows[tranche_id] = (row.form.percentage.data, row.form.planned_on.data)
            try:
                operations.update_award(award, current_user, starts_on=form.starts_on.data,
                                        ends_on=form.ends_on.data,
                                        conditions=form.conditions.data, tranches=rows)
            except OperationError as error:
                form.add_operation_error(error)
            else:
                flash(_("The agreement %(reference)s is saved.", reference=award.reference),
                      "success")
                return redirect(award_url(award))
    tranches = {str(t.id): t for t in award.tranches}
    return render_form("grants/awards/edit.html", form, award=award, tranches=tranches)


@bp.route("/staff/awards/<int:award_id>/sign", methods=["GET", "POST"])
def sign(award_id: int):
    award = load_award(award_id)
    require(can_manage_awards(current_user, award))
    if request.method == "POST" and award.state == AwardState.active \
            and award.agreement_file_id is not None:
        # Signed by a click that came first (a double click): answered as that one was.
        flash(_("The agreement %(reference)s is already signed.", reference=award.reference),
              "info")
        return redirect(award_url(award))
    if award.state != AwardState.pending_signature:
        return _not_pending(award)
    form = SignForm()
    if form.validate_on_submit():
        try:
            operations.sign_award(award, current_user, file_storage=form.agreement.data,
                                  signed_on=form.signed_on.data)
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(award_url(award))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The agreement %(reference)s is signed: the award is active.",
                    reference=award.reference), "success")
            return redirect(award_url(award))
    return render_form("grants/awards/sign.html", form, award=award)


@bp.route("/staff/awards/<int:award_id>/transition", methods=["POST"])
def transition(award_id: int):
    award = load_award(award_id)
    require(can_manage_awards(current_user, award))
    form = TransitionForm()
    if form.action.data not in ACTION_OPERATIONS:
        abort(400)
    try:
        if not form.validate_on_submit():
            raise OperationError(next(iter(form.reason.errors), _("Check the reason.")))
        ACTION_OPERATIONS[form.action.data](award, current_user, reason=form.reason.data)
    except AlreadyDone as done:
        flash(str(done.message), "info")
        return redirect(award_url(award))
    except OperationError as error:
        flash(str(error.message), "error")
        return redirect(award_url(award)), 303
    flash(_("The award %(reference)s is now “%(state)s”.", reference=award.reference,
            state=award.state.title), "success")
    return redirect(award_url(award))


@bp.route("/awards/<int:award_id>/agreement")
def agreement(award_id: int):
    from core.uploads.responses import send_stored_file

    award = load_award(award_id)
    require(can_download_agreement(current_user, award))
    if award.agreement_file is None:
        abort(404)
    return send_stored_file(award.agreement_file)
