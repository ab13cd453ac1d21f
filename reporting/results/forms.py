"""Forms of the results framework's staff pages."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Form, IntegerField, RadioField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from accounts.forms import MultiCheckboxField
from core.forms import BaseForm, DayField, LongTextField, TextField
from core.validation import EARLIEST_YEAR, LATEST_YEAR, year_range_message
from reporting.results.measures import DIMENSION_TITLES, DIMENSIONS, measure_choices
from reporting.results.operations import CODE_MAX, SOURCE_MAX, TITLE_MAX, UNIT_MAX
from reporting.results.states import IndicatorKind

VALUE_MAX = 20


class ResultForm(BaseForm):
    code = TextField(_l("Code"), max_length=CODE_MAX,
                     description=_l("As in the logframe, for example 1 or 1.2."))
    title = TextField(_l("Title"), [InputRequired(_l("Enter the result's title."))],
                      max_length=TITLE_MAX)

    def result_fields(self) -> dict:
        fields = {"code": self.code.data or "", "title": self.title.data}
        if getattr(self, "languages", ()):
            fields["translations"] = self.translations()
        return fields


class ResultTranslationForm(Form):
    title = TextField(_l("Title"), max_length=TITLE_MAX)


class IndicatorForm(BaseForm):
    code = TextField(_l("Code"), max_length=CODE_MAX,
                     description=_l("As in the logframe, for example 1.1a."))
    title = TextField(_l("Indicator"), [InputRequired(_l("Enter what the indicator measures."))],
                      max_length=TITLE_MAX,
                      description=_l("For example: Number of people trained."))
    unit = TextField(_l("Unit"), max_length=UNIT_MAX,
                     description=_l("For example people or organisations; for an amount of "
                                    "money, the currency code (USD)."))
    kind = RadioField(_l("Measured"), [InputRequired(_l("Choose how the indicator is "
                                                        "measured."))],
                      choices=[], validate_choice=False)
    measure = SelectField(_l("Computed from the records as"), choices=[],
                          validate_choice=False,
                          description=_l("Only for an indicator computed from the records."))
    disaggregation = MultiCheckboxField(
        _l("Breakdowns"), choices=[], validate_choice=False,
        description=_l("Shown where the measure has them: people by sex, age group and "
                       "sector; organisations by sector."))
    sums_actuals = BooleanField(
        _l("Add up the values entered within a period (leave unticked when each value is a "
           "level, such as a percentage)"), default=True)
    baseline = TextField(_l("Baseline"), max_length=VALUE_MAX,
                         description=_l("The value before the programme; 0 when blank."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(kind.value, kind.title) for kind in IndicatorKind]
        self.measure.choices = [("", _l("Not computed")), *measure_choices()]
        self.disaggregation.choices = [(key, DIMENSION_TITLES[key]) for key in DIMENSIONS]

    def validate_kind(self, field):
        if field.data not in IndicatorKind.__members__:
            raise ValidationError(_l("Choose how the indicator is measured."))

    def validate_measure(self, field):
        if self.kind.data == IndicatorKind.computed.value and not field.data:
            raise ValidationError(_l("Choose what the indicator counts."))

    def indicator_fields(self) -> dict:
        fields = {"code": self.code.data or "", "title": self.title.data,
                  "unit": self.unit.data or "", "kind": self.kind.data,
                  "measure": self.measure.data or None,
                  "disaggregation": list(self.disaggregation.data or []),
                  "sums_actuals": self.sums_actuals.data,
                  "baseline": (self.baseline.data or "").strip().replace(",", "")}
        if getattr(self, "languages", ()):
            fields["translations"] = self.translations()
        return fields

    @staticmethod
    def data_of(indicator) -> dict:
        return {"code": indicator.code, "title": indicator.title, "unit": indicator.unit,
                "kind": indicator.kind.value, "measure": indicator.measure or "",
                "disaggregation": list(indicator.disaggregation or []),
                "sums_actuals": indicator.sums_actuals,
                "baseline": f"{indicator.baseline.normalize():f}"}


class IndicatorTranslationForm(Form):
    title = TextField(_l("Indicator"), max_length=TITLE_MAX)
    unit = TextField(_l("Unit"), max_length=UNIT_MAX)


class PeriodValueForm(BaseForm):
    """A value for a period: a calendar year, or the first and last days."""

    year = IntegerField(_l("Year"), [Optional(), NumberRange(EARLIEST_YEAR, LATEST_YEAR,
                                                             year_range_message())],
                        description=_l("A whole year, or leave blank and give the days."))
    starts_on = DayField(_l("From"), [Optional()])
    ends_on = DayField(_l("To"), [Optional()])
    value = TextField(_l("Value"), [InputRequired(_l("Enter a number, for example 200 or "
                                                     "40000.00."))], max_length=VALUE_MAX)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Checked here, not in field validators: ``Optional`` stops those of a blank day.
        if self.year.data is None and not self.year.errors:
            for field, message in (
                    (self.starts_on, _l("Enter a year, or the first and last days of the "
                                        "period.")),
                    (self.ends_on, _l("Enter the last day of the period."))):
                if field.data is None and not field.errors:
                    field.errors = [*field.errors, message]
                    valid = False
            starts, ends = self.starts_on.data, self.ends_on.data
            if starts and ends and ends < starts:
                self.ends_on.errors = [*self.ends_on.errors,
                                       _l("The period cannot end before it starts.")]
                valid = False
        return valid

    def period(self) -> tuple[date, date]:
        if self.year.data is not None:
            return date(self.year.data, 1, 1), date(self.year.data, 12, 31)
        return self.starts_on.data, self.ends_on.data

    def value_fields(self) -> dict:
        starts_on, ends_on = self.period()
        return {"starts_on": starts_on, "ends_on": ends_on,
                "value": (self.value.data or "").strip().replace(",", "")}


class ActualForm(PeriodValueForm):
    source = LongTextField(_l("Source"), max_length=SOURCE_MAX, render_kw={"rows": 2},
                           description=_l("Where the figure comes from, for example a survey "
                                          "or a published report."))

    def value_fields(self) -> dict:
        return {**super().value_fields(), "source": self.source.data or ""}
