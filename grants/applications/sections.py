"""The editable sections of an application: for each, how to fill its form from the
application and how to save the form through the operations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort

from accounts.organisations.models import Organisation
from core.extensions import db
from core.translations import tr
from grants.applications import operations, queries
from grants.applications.forms import (
    BLANK_ROWS,
    BeneficiariesForm,
    BudgetForm,
    CounterpartForm,
    DeclarationsForm,
    PlanForm,
    ProjectForm,
)


@dataclass(frozen=True)
class Section:
    form_class: type
    fill: Callable  # (form, application) -> None, for a GET
    prepare: Callable  # (form, application) -> None, choices for GET and POST
    save: Callable  # (form, application, actor) -> whether the endorsement was voided


def _no_choices(form, application):
    return None


def _text(field) -> str:
    """Text for a NOT NULL column: a field missing from the post counts as empty."""
    return field.data or ""


# Project -----------------------------------------------------------------------------------

def _project_choices(form, application):
    form.thematic_areas.choices = [(a.id, tr(a, "name")) for a in application.call.thematic_areas]


def _project_fill(form, application):
    for name in ("title", "summary", "problem", "objectives", "duration_months"):
        getattr(form, name).data = getattr(application, name)
    form.thematic_areas.data = [area.id for area in application.thematic_areas]


def _project_save(form, application, actor):
    chosen = set(form.thematic_areas.data or [])
    areas = [area for area in application.call.thematic_areas if area.id in chosen]
    return operations.save_project(application, actor, title=_text(form.title),
                                   summary=_text(form.summary), problem=_text(form.problem),
                                   objectives=_text(form.objectives),
                                   duration_months=form.duration_months.data,
                                   thematic_areas=areas)


# Activities and results --------------------------------------------------------------------

def _rows(field_list, items, fields):
    while len(field_list.entries):
        field_list.pop_entry()
    for item in items:
        field_list.append_entry({name: getattr(item, name) for name in fields})
    for _ in range(BLANK_ROWS):
        field_list.append_entry()


ACTIVITY_FIELDS = ("description", "starts_on", "ends_on", "milestone")
RESULT_FIELDS = ("result", "indicator", "target")


def _plan_fill(form, application):
    _rows(form.activities, application.activities, ACTIVITY_FIELDS)
    _rows(form.results, application.results, RESULT_FIELDS)


def _filled(field_list, fields):
    return [{name: row.form[name].data or ("" if name not in ("starts_on", "ends_on")
                                            else None) for name in fields}
            for row in field_list if not row.form.is_blank()]


def _plan_save(form, application, actor):
    operations.save_plan(application, actor,
                         activities=_filled(form.activities, ACTIVITY_FIELDS),
                         results=_filled(form.results, RESULT_FIELDS))


# Beneficiaries -----------------------------------------------------------------------------

def _beneficiaries_fill(form, application):
    for name in ("beneficiaries_total", "beneficiaries_women", "beneficiaries_youth",
                 "beneficiaries_description"):
        getattr(form, name).data = getattr(application, name)
    form.districts.data = list(application.districts or [])


def _beneficiaries_save(form, application, actor):
    operations.save_beneficiaries(
        application, actor, total=form.beneficiaries_total.data,
        women=form.beneficiaries_women.data, youth=form.beneficiaries_youth.data,
        description=_text(form.beneficiaries_description), districts=form.districts.data or [])


# Budget ------------------------------------------------------------------------------------

BUDGET_FIELDS = ("category", "description", "amount")


def _budget_fill(form, application):
    form.requested_amount.data = application.requested_amount
    _rows(form.lines, application.budget_lines, BUDGET_FIELDS)


def _budget_save(form, application, actor):
    lines = [{"category": row.form.category.data, "description": _text(row.form.description),
              "amount": row.form.amount.data} for row in form.lines if not row.form.is_blank()]
    return operations.save_budget(application, actor,
                                  requested_amount=form.requested_amount.data, lines=lines)


# Counterpart -------------------------------------------------------------------------------

def _counterpart_choices(form, application):
    form.organisation_id.choices = [("", "—")] + [
        (str(org.id), org.display_name) for org in queries.government_organisations()]


def _counterpart_fill(form, application):
    form.organisation_id.data = str(application.counterpart_organisation_id or "")
    form.contact_name.data = application.counterpart_contact_name
    form.contact_position.data = application.counterpart_contact_position
    form.contact_email.data = application.counterpart_contact_email


def _counterpart_save(form, application, actor):
    organisation = None
    if form.organisation_id.data:
        organisation = db.session.get(Organisation, int(form.organisation_id.data))
        if organisation is None:
            abort(400)
    return operations.save_counterpart(
        application, actor, organisation=organisation, proposed_name=_text(form.proposed_name),
        contact_name=_text(form.contact_name), contact_position=_text(form.contact_position),
        contact_email=_text(form.contact_email))


# Declarations ------------------------------------------------------------------------------

def _declarations_choices(form, application):
    form.statements.choices = [(s.id, tr(s, "text"))
                               for s in application.call.eligibility_statements]


def _declarations_fill(form, application):
    form.statements.data = [s.id for s in application.affirmed_statements]


def _declarations_save(form, application, actor):
    chosen = set(form.statements.data or [])
    operations.save_declarations(application, actor, statements=[
        s for s in application.call.eligibility_statements if s.id in chosen])


SECTIONS = {
    "project": Section(ProjectForm, _project_fill, _project_choices, _project_save),
    "plan": Section(PlanForm, _plan_fill, _no_choices, _plan_save),
    "beneficiaries": Section(BeneficiariesForm, _beneficiaries_fill, _no_choices,
                             _beneficiaries_save),
    "budget": Section(BudgetForm, _budget_fill, _no_choices, _budget_save),
    "counterpart": Section(CounterpartForm, _counterpart_fill, _counterpart_choices,
                           _counterpart_save),
    "declarations": Section(DeclarationsForm, _declarations_fill, _declarations_choices,
                            _declarations_save),
}
