"""The results framework: its page for staff and donors (the logframe and the results
against targets for a period), and the staff pages that write it."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core import navigation
from core.access import policy_required, require
from core.errors import OperationError
from core.forms import BaseForm, render_form
from core.loading import get_or_404
from core.locking import AlreadyDone
from core.params import parse_day
from core.timeutil import programme_today
from core.translations import form_in_languages
from reporting import disclosure
from reporting.indicators.queries import programme_span
from reporting.results import operations, queries
from reporting.results.forms import (
    ActualForm,
    IndicatorForm,
    IndicatorTranslationForm,
    PeriodValueForm,
    ResultForm,
    ResultTranslationForm,
)
from reporting.results.measures import MEASURES, breakdown_titles
from reporting.results.models import Indicator, IndicatorActual, IndicatorTarget, Result
from reporting.results.policies import can_manage_results, can_view_results
from reporting.results.states import ResultLevel

bp = Blueprint("results", __name__)

navigation.register(
    bp, navigation.NavEntry(_l("Results framework"), "results.overview", can_view_results,
                            order=7, group=navigation.REPORTS))

#: The forms sharing the indicator's page: distinct field names.
TARGET_PREFIX, ACTUAL_PREFIX = "target", "actual"


class ConfirmForm(BaseForm):
    """A button and its CSRF token."""


@bp.context_processor
def _helpers():
    return {"measures": MEASURES}


@bp.app_template_global("results_titles")
def results_titles() -> tuple[dict, dict]:
    """The breakdowns' titles and their categories' (the results table, wherever shown)."""
    return breakdown_titles()


@bp.app_template_filter("results_number")
def results_number(value) -> str:
    """A baseline, target, actual or percentage: whole when it is whole, else with its
    decimals, in the reader's number format."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return format_decimal(value, format="#,##0")
    return format_decimal(value.normalize(), format="#,##0.0#")


# Reading -----------------------------------------------------------------------------------

def reporting_period(args) -> tuple[tuple | None, dict]:
    """(start, end) from ``from`` and ``to`` (each defaults to the programme's span), or
    None and the messages by field."""
    first, last = programme_span(programme_today())
    errors, days = {}, {}
    for name, default in (("from", first), ("to", last)):
        raw = args.get(name, "").strip()
        days[name] = parse_day(raw) if raw else default
        if days[name] is None:
            errors[name] = _("Enter a date as YYYY-MM-DD, for example 2019-12-31.")
    if not errors and days["to"] < days["from"]:
        errors["to"] = _("The end of the period must not be before its start.")
    return (None if errors else (days["from"], days["to"])), errors


@bp.route("/reports/results")
@policy_required(can_view_results)
def overview():
    period, errors = reporting_period(request.args)
    rows = (queries.results_against_targets(
        *period, k=disclosure.min_group_for(current_user)) if period else [])
    context = {"outcomes": queries.framework(), "rows": rows, "period": period,
               "errors": errors, "values": {name: request.args.get(name, "").strip()[:40]
                                            for name in ("from", "to")},
               "may_manage": can_manage_results(current_user)[0]}
    return render_template("reporting/results/overview.html", **context), 400 if errors else 200


# Outcomes and outputs ----------------------------------------------------------------------

def _result_form(result: Result | None = None, **kwargs):
    if result is not None:
        kwargs.update(obj=result, translated=result)
    return form_in_languages(ResultForm, ResultTranslationForm, **kwargs)


def _create_result(level: ResultLevel, parent: Result | None):
    form = _result_form()
    if form.validate_on_submit():
        try:
            operations.create_result(current_user, level=level, parent=parent,
                                     **form.result_fields())
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(url_for("results.overview"))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The result is added."), "success")
            return redirect(url_for("results.overview"))
    return render_form("reporting/results/result_form.html", form, result=None, level=level,
                       parent=parent)


@bp.route("/staff/results/outcomes/new", methods=["GET", "POST"])
@policy_required(can_manage_results)
def new_outcome():
    return _create_result(ResultLevel.outcome, None)


@bp.route("/staff/results/<int:result_id>/outputs/new", methods=["GET", "POST"])
def new_output(result_id: int):
    outcome = get_or_404(Result, result_id)
    if outcome.level != ResultLevel.outcome:
        abort(404)  # outputs hang from outcomes only
    require(can_manage_results(current_user))
    return _create_result(ResultLevel.output, outcome)


@bp.route("/staff/results/<int:result_id>/edit", methods=["GET", "POST"])
def edit_result(result_id: int):
    result = get_or_404(Result, result_id)
    require(can_manage_results(current_user))
    form = _result_form(result)
    if form.validate_on_submit():
        try:
            changes = operations.update_result(result, current_user, **form.result_fields())
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The changes are saved.") if changes else _("Nothing was changed."),
                  "success")
            return redirect(url_for("results.overview"))
    return render_form("reporting/results/result_form.html", form, result=result,
                       level=result.level, parent=result.parent)


# Indicators --------------------------------------------------------------------------------

def _indicator_form(indicator: Indicator | None = None, **kwargs):
    if indicator is not None:
        kwargs.update(data=IndicatorForm.data_of(indicator), translated=indicator)
    return form_in_languages(IndicatorForm, IndicatorTranslationForm, **kwargs)


@bp.route("/staff/results/<int:result_id>/indicators/new", methods=["GET", "POST"])
def new_indicator(result_id: int):
    result = get_or_404(Result, result_id)
    require(can_manage_results(current_user))
    form = _indicator_form()
    if form.validate_on_submit():
        try:
            indicator = operations.create_indicator(result, current_user,
                                                    **form.indicator_fields())
        except AlreadyDone as done:
            flash(str(done.message), "info")
            return redirect(url_for("results.edit_indicator", indicator_id=done.existing.id))
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The indicator is added. Give its targets below."), "success")
            return redirect(url_for("results.edit_indicator", indicator_id=indicator.id))
    return render_form("reporting/results/indicator_form.html", form, result=result,
                       indicator=None)


def _render_indicator(indicator: Indicator, form, *, target_form=None, actual_form=None,
                      status: int | None = None):
    return render_form(
        "reporting/results/indicator_form.html", form, status=status, result=indicator.result,
        indicator=indicator,
        target_form=target_form or PeriodValueForm(formdata=None, prefix=TARGET_PREFIX),
        actual_form=actual_form or ActualForm(formdata=None, prefix=ACTUAL_PREFIX),
        confirm_form=ConfirmForm(formdata=None))


@bp.route("/staff/results/indicators/<int:indicator_id>", methods=["GET", "POST"])
def edit_indicator(indicator_id: int):
    indicator = get_or_404(Indicator, indicator_id)
    require(can_manage_results(current_user))
    form = _indicator_form(indicator)
    if form.validate_on_submit():
        try:
            changes = operations.update_indicator(indicator, current_user,
                                                  **form.indicator_fields())
        except OperationError as error:
            form.add_operation_error(error)
        else:
            flash(_("The changes are saved.") if changes else _("Nothing was changed."),
                  "success")
            return redirect(url_for("results.edit_indicator", indicator_id=indicator.id))
    return _render_indicator(indicator, form)


def _set_value(indicator_id: int, form_class, prefix: str, operation, saved: str):
    indicator = get_or_404(Indicator, indicator_id)
    require(can_manage_results(current_user))
    value_form = form_class(prefix=prefix)
    if value_form.validate_on_submit():
        try:
            _row, changed = operation(indicator, current_user, **value_form.value_fields())
        except OperationError as error:
            value_form.add_operation_error(error)
        else:
            flash(saved if changed else _("Nothing was changed."), "success")
            return redirect(url_for("results.edit_indicator", indicator_id=indicator.id))
    form = _indicator_form(indicator, formdata=None)
    forms = {"target_form" if prefix == TARGET_PREFIX else "actual_form": value_form}
    return _render_indicator(indicator, form, status=422, **forms)


@bp.route("/staff/results/indicators/<int:indicator_id>/targets", methods=["POST"])
def set_target(indicator_id: int):
    return _set_value(indicator_id, PeriodValueForm, TARGET_PREFIX, operations.set_target,
                      _("The target is saved."))


@bp.route("/staff/results/indicators/<int:indicator_id>/actuals", methods=["POST"])
def set_actual(indicator_id: int):
    return _set_value(indicator_id, ActualForm, ACTUAL_PREFIX, operations.set_actual,
                      _("The actual value is saved."))


def _remove(row, operation, removed: str):
    require(can_manage_results(current_user))
    indicator_id = row.indicator_id
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)  # only a missing or stale token gets here: the form has no field
    try:
        operation(row, current_user)
    except AlreadyDone as done:
        flash(str(done.message), "info")
    else:
        flash(removed, "success")
    return redirect(url_for("results.edit_indicator", indicator_id=indicator_id))


@bp.route("/staff/results/targets/<int:target_id>/remove", methods=["POST"])
def remove_target(target_id: int):
    return _remove(get_or_404(IndicatorTarget, target_id), operations.remove_target,
                   _("The target is removed."))


@bp.route("/staff/results/actuals/<int:actual_id>/remove", methods=["POST"])
def remove_actual(actual_id: int):
    return _remove(get_or_404(IndicatorActual, actual_id), operations.remove_actual,
                   _("The actual value is removed."))
