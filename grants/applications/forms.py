"""One form per section of the application, plus the submit and withdraw steps.

Lists (activities, results, budget lines) are rows of sub-forms: the saved rows plus a few
blank ones, so they work without JavaScript; a blank row is ignored when saving.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import FieldList, Form, FormField, IntegerField, SelectField
from wtforms.validators import DataRequired, NumberRange, Optional, ValidationError

from accounts.forms import MultiCheckboxField
from core.forms import BaseForm, DayField, EmailAddressField, LongTextField, MoneyField, TextField
from core.params import parse_id
from grants.applications.checks import word_count
from grants.applications.models import (
    BUDGET_CATEGORIES,
    BUDGET_CATEGORY_TITLES,
    DISTRICTS,
    MAX_SUMMARY_WORDS,
)

BLANK_ROWS = 3


def _at_most_words(limit: int):
    def check(form, field):
        if word_count(field.data) > limit:
            raise ValidationError(_l("Use at most %(limit)s words (now %(count)s).",
                                     limit=limit, count=word_count(field.data)))
    return check


def _count_field(label):
    return IntegerField(label, [Optional(), NumberRange(min=0, max=10_000_000,
                                                        message=_l("Enter a whole number "
                                                                   "of zero or more."))])


class ProjectForm(BaseForm):
    title = TextField(_l("Project title"), max_length=200)
    summary = LongTextField(_l("Summary"), [_at_most_words(MAX_SUMMARY_WORDS)],
                            max_length=4000,
                            description=_l("At most 300 words: what you will do, with whom, "
                                           "and what will change."))
    problem = LongTextField(_l("The problem"), max_length=8000)
    objectives = LongTextField(_l("Objectives"), max_length=8000)
    duration_months = IntegerField(_l("Duration in months"), [
        Optional(), NumberRange(min=1, max=60, message=_l("Enter a number of months from 1 "
                                                          "to 60."))])
    thematic_areas = MultiCheckboxField(_l("Thematic areas"), coerce=int)


class ActivityRow(Form):
    description = TextField(_l("Activity"), max_length=300)
    starts_on = DayField(_l("Starts"), [Optional()])
    ends_on = DayField(_l("Ends"), [Optional()])
    milestone = TextField(_l("Milestone"), max_length=300)

    def is_blank(self) -> bool:
        return not (self.description.data or self.milestone.data)


class ResultRow(Form):
    result = TextField(_l("Expected result"), max_length=500)
    indicator = TextField(_l("Indicator"), max_length=300)
    target = TextField(_l("Target"), max_length=120)

    def is_blank(self) -> bool:
        return not (self.result.data or self.indicator.data or self.target.data)

    def validate_indicator(self, field):
        if self.result.data and not field.data:
            raise ValidationError(_l("Give the indicator that will show this result."))


class PlanForm(BaseForm):
    activities = FieldList(FormField(ActivityRow), min_entries=1, max_entries=40)
    results = FieldList(FormField(ResultRow), min_entries=1, max_entries=40)

    def validate_activities(self, field):
        for row in field:
            if not row.form.is_blank() and not row.form.description.data:
                raise ValidationError(_l("Describe each activity that has a milestone."))


class BeneficiariesForm(BaseForm):
    beneficiaries_total = _count_field(_l("Number of beneficiaries"))
    beneficiaries_women = _count_field(_l("Of whom women"))
    beneficiaries_youth = _count_field(_l("Of whom young people (under 30)"))
    beneficiaries_description = LongTextField(_l("Who they are"), max_length=4000)
    districts = MultiCheckboxField(_l("Districts"),
                                   choices=[(district, district) for district in DISTRICTS])


class BudgetLineRow(Form):
    category = SelectField(_l("Category"), choices=[("", "—"), *BUDGET_CATEGORIES],
                           validate_choice=False)
    description = TextField(_l("Description"), max_length=300)
    amount = MoneyField(_l("Amount"))

    def is_blank(self) -> bool:
        return not (self.category.data or self.description.data or self.amount.data)

    def validate_category(self, field):
        if self.is_blank():
            return
        if field.data not in BUDGET_CATEGORY_TITLES:
            raise ValidationError(_l("Choose a category."))

    def validate_description(self, field):
        if not self.is_blank() and not field.data:
            raise ValidationError(_l("Describe the expense."))

    def validate_amount(self, field):
        if not self.is_blank() and field.data is None and not field.errors:
            raise ValidationError(_l("Give the amount."))


class BudgetForm(BaseForm):
    requested_amount = MoneyField(_l("Requested amount"))
    lines = FieldList(FormField(BudgetLineRow), min_entries=1, max_entries=60)


class CounterpartForm(BaseForm):
    organisation_id = SelectField(_l("Government organisation"), coerce=str,
                                  validate_choice=False)
    proposed_name = TextField(
        _l("Or propose one that is not in the list"), max_length=200,
        description=_l("Only if the ministry, department or agency is missing from the list."))
    contact_name = TextField(_l("Contact person"), max_length=120)
    contact_position = TextField(_l("Position"), max_length=120)
    contact_email = EmailAddressField(_l("Contact email"), [Optional()])

    def validate_organisation_id(self, field):
        if field.data and parse_id(field.data) is None:
            raise ValidationError(_l("Choose an organisation from the list."))
        if field.data and self.proposed_name.data:
            raise ValidationError(_l("Choose from the list or propose a new one, not both."))


class DeclarationsForm(BaseForm):
    statements = MultiCheckboxField(_l("I confirm that"), coerce=int)


class AttachmentForm(BaseForm):
    required_document_id = SelectField(_l("Which document is this?"), coerce=str,
                                       validate_choice=False)
    file = FileField(_l("File"), render_kw={"accept": ".pdf,.docx,.xlsx,.odt,.jpg,.jpeg,.png"})

    def validate_required_document_id(self, field):
        if field.data and parse_id(field.data) is None:
            raise ValidationError(_l("Choose a document from the list."))


class WithdrawForm(BaseForm):
    reason = LongTextField(_l("Reason (optional)"), max_length=2000)


class StartForm(BaseForm):
    organisation_id = SelectField(_l("Apply on behalf of"), coerce=str, validate_choice=False,
                                  validators=[DataRequired(_l("Choose an organisation."))])
