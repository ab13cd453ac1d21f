"""Forms of the progress reports, the review, new reports and close-out.

The expenditure statement is a list of rows (the draft's lines plus a few blank ones, so it
works without JavaScript); a blank row is ignored when saving. Each saved line carries its id
in a hidden field, so that saving keeps the receipt uploaded for it.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import FieldList, Form, FormField, HiddenField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from accounts.forms import MultiCheckboxField
from core.database import MAX_ID
from core.forms import BaseForm, DayField, LongTextField, MoneyField, TextField
from core.params import parse_id
from core.timeutil import programme_today
from core.uploads.forms import FileUploadField
from grants.monitoring.operations import (
    BENEFICIARY_FIELDS,
    COMMENT_MAX,
    EVIDENCE_KINDS,
    MAX_BENEFICIARIES,
    RECEIPT_KINDS,
)

BLANK_ROWS = 3
MAX_LINES = 100
NARRATIVE_MAX = 10000

DECISIONS = ("accept", "return")


def _count_field(label):
    return IntegerField(label, [Optional(), NumberRange(
        min=0, max=MAX_BENEFICIARIES, message=_l("Enter a whole number of zero or more."))],
        render_kw={"inputmode": "numeric"})


class ExpenditureRow(Form):
    id = HiddenField()
    category = SelectField(_l("Budget category"), choices=[], validate_choice=False)
    spent_on = DayField(_l("Date"), [Optional()])
    description = TextField(_l("Description"), max_length=300)
    amount = MoneyField(_l("Amount"))

    def is_blank(self) -> bool:
        amount_typed = bool(self.amount.raw_data and (self.amount.raw_data[0] or "").strip())
        date_typed = bool(self.spent_on.raw_data and (self.spent_on.raw_data[0] or "").strip())
        return not (self.category.data or self.description.data or amount_typed
                    or date_typed or self.spent_on.data or self.amount.data is not None)

    @property
    def line_id(self) -> int | None:
        return int(self.id.data) if self.id.data else None

    def validate_id(self, field):
        if field.data and parse_id(field.data) is None:
            raise ValidationError(_l("Reload the page and try again."))

    def validate_category(self, field):
        if self.is_blank():
            return
        if field.data not in {value for value, _label in field.choices if value}:
            raise ValidationError(_l("Choose a category of the project's budget."))

    def validate_spent_on(self, field):
        if self.is_blank() or field.errors:
            return
        if field.data is None:
            raise ValidationError(_l("Give the date of the expense."))
        if field.data > programme_today():
            raise ValidationError(_l("An expense cannot be dated in the future."))

    def validate_description(self, field):
        if not self.is_blank() and not field.data:
            raise ValidationError(_l("Describe the expense."))

    def validate_amount(self, field):
        if self.is_blank() or field.errors:
            return
        if field.data is None:
            raise ValidationError(_l("Give the amount."))
        if field.data <= 0:
            raise ValidationError(_l("The amount must be more than zero."))


class ReportForm(BaseForm):
    activities = LongTextField(_l("Activities carried out"), max_length=NARRATIVE_MAX,
                               description=_l("What you did in this period, with dates and "
                                              "places."))
    results = LongTextField(_l("Results against the indicators"), max_length=NARRATIVE_MAX,
                            description=_l("For each expected result of the project, what "
                                           "its indicator shows now compared with the "
                                           "target."))
    challenges = LongTextField(_l("Challenges"), max_length=NARRATIVE_MAX,
                               description=_l("What got in the way, and what you did about "
                                              "it."))
    women_under_30 = _count_field(_l("Women under 30"))
    women_30_and_over = _count_field(_l("Women 30 and over"))
    men_under_30 = _count_field(_l("Men under 30"))
    men_30_and_over = _count_field(_l("Men 30 and over"))
    other_under_30 = _count_field(_l("Other or not stated, under 30"))
    other_30_and_over = _count_field(_l("Other or not stated, 30 and over"))
    expenditures = FieldList(FormField(ExpenditureRow), min_entries=1, max_entries=MAX_LINES)
    remove_evidence = MultiCheckboxField(_l("Remove"), coerce=int, validate_choice=False)

    def set_categories(self, choices) -> None:
        """The budget categories offered on every row (set after the rows exist)."""
        self._category_choices = [("", "—"), *choices]
        for row in self.expenditures:
            row.form.category.choices = self._category_choices

    def beneficiaries(self) -> dict:
        return {name: getattr(self, name).data for name in BENEFICIARY_FIELDS}

    def expenditure_lines(self) -> list[dict]:
        return [{"id": row.form.line_id, "category": row.form.category.data,
                 "spent_on": row.form.spent_on.data,
                 "description": row.form.description.data or "",
                 "amount": row.form.amount.data}
                for row in self.expenditures if not row.form.is_blank()]

    def validate_remove_evidence(self, field):
        if any(not 0 < value <= MAX_ID for value in field.data or []):
            raise ValidationError(_l("Reload the page and try again."))


class EvidenceForm(BaseForm):
    file = FileUploadField(_l("Evidence file"), kinds=EVIDENCE_KINDS, required=True)
    description = TextField(_l("What it shows"), max_length=300)


class ReceiptForm(BaseForm):
    file = FileUploadField(_l("Receipt"), kinds=RECEIPT_KINDS, required=True)


class ReviewForm(BaseForm):
    comment = LongTextField(_l("Comments to the grantee"), max_length=COMMENT_MAX,
                            render_kw={"rows": 5},
                            description=_l("Required when you return the report: say what "
                                           "should change. Sent to the grantee by email."))
    #: Which button was pressed: accept or return.
    decision = HiddenField()

    def validate_decision(self, field):
        if field.data not in DECISIONS:
            raise ValidationError(_l("Choose to accept or to return the report."))


class AddReportForm(BaseForm):
    title = TextField(_l("Title"), [InputRequired(_l("Give the report a title."))],
                      max_length=200, description=_l("For example: Report on the launch "
                                                     "event."))
    due_on = DayField(_l("Due date"), [InputRequired(_l("Give the due date."))])


class CloseOutForm(BaseForm):
    deobligation_reason = LongTextField(
        _l("Reason for de-obligating the balance"), max_length=2000, render_kw={"rows": 3},
        description=_l("Required when part of the award was not paid: why the rest will not "
                       "be paid."))
