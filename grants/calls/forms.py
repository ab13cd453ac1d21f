"""Forms for funds, calls and the review rubric.

Amounts are typed as text and parsed into ``Decimal`` (never float): commas between thousands
are accepted, more than two decimal places, zero and negative amounts are refused with a
message next to the field. Times are typed in the programme's time zone and handed to the
operations as UTC.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Optional, ValidationError

from accounts.organisations.models import Organisation
from accounts.organisations.queries import organisation_choices
from core.database import MAX_ID
from core.extensions import db
from core.forms import BaseForm, DayField, LongTextField, NoControlCharacters, TextField
from core.money import currency_codes
from core.timeutil import from_programme_time, to_programme_time
from core.validation import MAX_AMOUNT, is_plausible_year, year_range_message
from grants.calls.content import MAX_AWARDS, MAX_SCORE, MAX_WEIGHT
from grants.calls.models import Fund

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
#: The rubric form offers this many empty rows after the existing criteria.
EMPTY_RUBRIC_ROWS = 3
MAX_RUBRIC_ROWS = 50

_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?$|^[+-]?\.\d+$")
_REFERENCE_PREFIX = re.compile(r"^[A-Z0-9]{2,10}$")


# Fields ------------------------------------------------------------------------------------

class NumberField(StringField):
    """A number typed as text, held as ``Decimal`` (``int`` when ``places`` is 0).

    Blank input gives ``None`` (required fields say so); anything else must be a plain number
    with at most ``places`` decimals, within ``minimum``..``maximum``. ``exclusive_minimum``
    makes the minimum itself invalid (amounts and weights must be more than zero).
    """

    def __init__(self, label=None, validators=(), *, places: int = 2,
                 minimum: Decimal | int | None = None, exclusive_minimum: bool = False,
                 maximum: Decimal | int | None = None, required: bool = True,
                 messages: dict | None = None, **kwargs):
        kwargs.setdefault("render_kw", {}).setdefault(
            "inputmode", "decimal" if places else "numeric")
        kwargs["render_kw"].setdefault("autocomplete", "off")
        super().__init__(label, validators, **kwargs)
        self.places = places
        self.minimum = None if minimum is None else Decimal(minimum)
        self.exclusive_minimum = exclusive_minimum
        self.maximum = None if maximum is None else Decimal(maximum)
        self.required = required
        if required:
            self.flags.required = True
        self.messages = {
            "required": _l("Enter a number."),
            "invalid": _l("Enter a number in figures, for example 10."),
            "places": _l("Use at most %(places)s decimal places.", places=places)
            if places else _l("Enter a whole number."),
            "minimum": _l("Enter a number of at least %(minimum)s.", minimum=minimum),
            "maximum": _l("Enter a number of at most %(maximum)s.", maximum=maximum),
            **(messages or {}),
        }

    def process_formdata(self, valuelist):
        raw = valuelist[0].strip() if valuelist and isinstance(valuelist[0], str) else ""
        self.data = None
        if not raw:
            return
        if not _NUMBER.match(raw):
            raise ValueError(self.messages["invalid"])
        try:
            value = Decimal(raw.replace(",", ""))
        except InvalidOperation:
            raise ValueError(self.messages["invalid"]) from None
        self.data = value

    def process_data(self, value):
        self.data = value if value is None or isinstance(value, Decimal) else Decimal(value)

    def pre_validate(self, form):
        if self.process_errors:
            return
        value = self.data
        if value is None:
            if self.required:
                raise ValidationError(self.messages["required"])
            return
        if value.as_tuple().exponent < -self.places:
            raise ValidationError(self.messages["places"])
        if value < 0 and "negative" in self.messages:
            raise ValidationError(self.messages["negative"])
        if self.minimum is not None and (value < self.minimum or (
                self.exclusive_minimum and value == self.minimum)):
            raise ValidationError(self.messages["minimum"])
        if self.maximum is not None and value > self.maximum:
            raise ValidationError(self.messages["maximum"])
        # Normalise: two places for amounts, an int for whole numbers.
        quantum = Decimal(1).scaleb(-self.places)
        self.data = int(value) if self.places == 0 else value.quantize(quantum)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        if self.places == 0:
            return str(int(self.data))
        return f"{Decimal(self.data).quantize(Decimal(1).scaleb(-self.places)):f}"


def money_field(label, description=None, **kwargs):
    return NumberField(
        label, places=2, minimum=0, exclusive_minimum=True, maximum=MAX_AMOUNT,
        description=description,
        messages={
            "required": _l("Enter the amount."),
            "invalid": _l("Enter the amount in figures, for example 5000.00."),
            "places": _l("Use at most two decimal places (cents)."),
            "negative": _l("The amount cannot be negative."),
            "minimum": _l("Enter an amount of more than zero."),
            "maximum": _l("This amount is too large."),
        }, **kwargs)


class ProgrammeDateTimeField(DateTimeLocalField):
    """A date and time typed in the programme's time zone (``YYYY-MM-DDTHH:MM``)."""

    def __init__(self, label=None, validators=(), **kwargs):
        super().__init__(
            label, [Optional(), *validators], format=DATETIME_FORMAT,
            invalid_value_message=_l("Enter a date and time, for example 2026-03-31 17:00."),
            **kwargs)

    def pre_validate(self, form):
        if self.data is not None and not is_plausible_year(self.data.year):
            raise ValidationError(year_range_message())

    def utc(self) -> datetime | None:
        return None if self.data is None else from_programme_time(self.data)


def lines(text: str | None) -> list[str]:
    """The non-blank lines of a textarea, stripped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _programme_time(value: datetime | None) -> datetime | None:
    """A stored UTC time as the naive wall-clock time the form shows."""
    return None if value is None else to_programme_time(value).replace(tzinfo=None)


# Choices -----------------------------------------------------------------------------------

def currency_choices() -> list[tuple[str, str]]:
    return [(code, code) for code in sorted(currency_codes())]


def _organisation_options() -> list[tuple[str, str]]:
    return [("", _l("None"))] + [(str(id_), label) for id_, label in organisation_choices()]


def fund_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(select(Fund.id, Fund.name, Fund.currency)
                              .order_by(func.lower(Fund.name), Fund.id))
    return [(str(id_), f"{name} ({currency})") for id_, name, currency in rows]


def parse_id(value) -> int | None:
    """A row id typed in a form, or None when it is blank or cannot be an id."""
    text = "" if value is None else str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


# Funds -------------------------------------------------------------------------------------

class FundForm(BaseForm):
    name = TextField(_l("Name"), [DataRequired(_l("Enter the fund's name."))], max_length=200)
    donor_organisation_id = SelectField(
        _l("Donor"), validate_choice=False,
        description=_l("The organisation that provides the money. Add it to the organisations "
                       "directory first if it is not listed."))
    managing_organisation_id = SelectField(
        _l("Managing organisation"), validate_choice=False,
        description=_l("The organisation that runs the programme and signs the grants."))
    currency = SelectField(_l("Currency"), [DataRequired(_l("Choose a currency."))],
                           default="USD", validate_choice=False,
                           description=_l("The ISO 4217 code of the fund's money, e.g. USD. "
                                          "Calls under the fund award in this currency."))
    total_budget = money_field(_l("Total budget"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _organisation_options()
        self.donor_organisation_id.choices = choices
        self.managing_organisation_id.choices = choices
        self.currency.choices = currency_choices()

    def _validate_organisation(self, field):
        if field.data in (None, ""):
            return
        organisation_id = parse_id(field.data)
        if organisation_id is None or db.session.get(Organisation, organisation_id) is None:
            raise ValidationError(_l("Choose an organisation from the list."))

    def validate_donor_organisation_id(self, field):
        self._validate_organisation(field)

    def validate_managing_organisation_id(self, field):
        self._validate_organisation(field)

    def validate_currency(self, field):
        if field.data not in currency_codes():
            raise ValidationError(_l("Choose a currency from the list."))

    def fund_fields(self) -> dict:
        return {
            "name": self.name.data,
            "donor_organisation_id": parse_id(self.donor_organisation_id.data),
            "managing_organisation_id": parse_id(self.managing_organisation_id.data),
            "currency": self.currency.data,
            "total_budget": self.total_budget.data,
        }

    @staticmethod
    def data_of(fund: Fund) -> dict:
        return {
            "name": fund.name,
            "donor_organisation_id": str(fund.donor_organisation_id or ""),
            "managing_organisation_id": str(fund.managing_organisation_id or ""),
            "currency": fund.currency,
            "total_budget": fund.total_budget,
        }


# Calls -------------------------------------------------------------------------------------

_ONE_PER_LINE = _l("One per line.")


class CallForm(BaseForm):
    fund_id = SelectField(_l("Fund"), [DataRequired(_l("Choose the fund."))],
                          validate_choice=False,
                          description=_l("Awards are paid from this fund, in its currency."))
    title = TextField(_l("Title"), [DataRequired(_l("Enter the call's title."))],
                      max_length=200)
    summary = LongTextField(
        _l("Summary"), max_length=2000, render_kw={"rows": 3},
        description=_l("Two or three sentences, shown in the list of calls. Needed to "
                       "publish."))
    body_markdown = LongTextField(
        _l("Full text"), max_length=50000, render_kw={"rows": 14},
        description=_l("Markdown: a blank line between paragraphs, ## for a heading, - for a "
                       "list item, **bold**, [link text](https://example.org). HTML is shown "
                       "as text."))
    thematic_areas = LongTextField(
        _l("Thematic areas"), max_length=6000, render_kw={"rows": 8},
        description=_l("One per line. Applicants choose among them. An area already chosen "
                       "by an application cannot be removed."))
    eligibility_statements = LongTextField(
        _l("Eligibility statements"), max_length=20000, render_kw={"rows": 6},
        description=_l("One per line. Applicants affirm each statement when they apply."))
    required_documents = LongTextField(
        _l("Required documents"), max_length=6000, render_kw={"rows": 5},
        description=_ONE_PER_LINE)
    award_amount = money_field(_l("Award amount"))
    max_awards = NumberField(
        _l("Maximum number of awards"), places=0, minimum=1, maximum=MAX_AWARDS,
        messages={"required": _l("Enter the maximum number of awards."),
                  "invalid": _l("Enter a whole number, for example 8."),
                  "minimum": _l("Enter at least 1."),
                  "maximum": _l("Enter at most %(count)s.", count=MAX_AWARDS)})
    opens_at = ProgrammeDateTimeField(_l("Opens"))
    closes_at = ProgrammeDateTimeField(_l("Closes"))
    screening_by = DayField(_l("Eligibility results by"), [Optional()],
                            description=_l("Applicants are told when to expect each step."))
    review_by = DayField(_l("Review finished by"), [Optional()])
    decisions_by = DayField(_l("Funding decisions by"), [Optional()])
    is_counterpart_required = BooleanField(
        _l("A government counterpart must endorse each application"))
    is_one_application_per_organisation = BooleanField(
        _l("One active application per organisation"))
    reference_prefix = TextField(
        _l("Reference prefix"), [DataRequired(_l("Enter a reference prefix."))],
        max_length=10,
        description=_l("2 to 10 capital letters or digits: application references look like "
                       "PREFIX-2026-0007."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fund_id.choices = fund_choices()
        zone = current_app.config["PROGRAMME_TIMEZONE"]
        hint = _l("Date and time in the programme's time zone (%(zone)s).", zone=zone)
        self.opens_at.description = hint
        self.closes_at.description = hint

    def filter_reference_prefix(self, value):
        return value.upper() if isinstance(value, str) else value

    def validate_fund_id(self, field):
        fund_id = parse_id(field.data)
        if fund_id is None or db.session.get(Fund, fund_id) is None:
            raise ValidationError(_l("Choose a fund from the list."))

    def validate_closes_at(self, field):
        opens = self.opens_at.data
        if field.data is not None and opens is not None and field.data <= opens:
            raise ValidationError(_l("The closing time must be after the opening time."))

    def validate_reference_prefix(self, field):
        if field.data and not _REFERENCE_PREFIX.match(field.data):
            raise ValidationError(_l("Use 2 to 10 capital letters or digits, without spaces."))

    def call_fields(self) -> dict:
        """The submitted values, ready for the operations (times in UTC)."""
        return {
            "fund_id": parse_id(self.fund_id.data),
            "title": self.title.data,
            "summary": self.summary.data or "",
            "body_markdown": self.body_markdown.data or "",
            "thematic_areas": lines(self.thematic_areas.data),
            "eligibility_statements": lines(self.eligibility_statements.data),
            "required_documents": lines(self.required_documents.data),
            "award_amount": self.award_amount.data,
            "max_awards": self.max_awards.data,
            "opens_at": self.opens_at.utc(),
            "closes_at": self.closes_at.utc(),
            "screening_by": self.screening_by.data,
            "review_by": self.review_by.data,
            "decisions_by": self.decisions_by.data,
            "is_counterpart_required": bool(self.is_counterpart_required.data),
            "is_one_application_per_organisation": bool(
                self.is_one_application_per_organisation.data),
            "reference_prefix": self.reference_prefix.data,
        }

    @staticmethod
    def data_of(call) -> dict:
        """A call's values as the form shows them (times in the programme's time zone)."""
        return {
            "fund_id": str(call.fund_id),
            "title": call.title,
            "summary": call.summary,
            "body_markdown": call.body_markdown,
            "thematic_areas": "\n".join(area.name for area in call.thematic_areas),
            "eligibility_statements": "\n".join(s.text for s in call.eligibility_statements),
            "required_documents": "\n".join(d.name for d in call.required_documents),
            "award_amount": call.award_amount,
            "max_awards": call.max_awards,
            "opens_at": _programme_time(call.opens_at),
            "closes_at": _programme_time(call.closes_at),
            "screening_by": call.screening_by,
            "review_by": call.review_by,
            "decisions_by": call.decisions_by,
            "is_counterpart_required": call.is_counterpart_required,
            "is_one_application_per_organisation": call.is_one_application_per_organisation,
            "reference_prefix": call.reference_prefix,
        }

    @staticmethod
    def defaults(fund_id: int | None = None) -> dict:
        """The values a new call starts with."""
        from grants.calls.operations import new_call_defaults
        values = new_call_defaults()
        return {
            "fund_id": str(fund_id or ""),
            "thematic_areas": "\n".join(values["thematic_areas"]),
            "required_documents": "\n".join(values["required_documents"]),
            "eligibility_statements": "\n".join(values["eligibility_statements"]),
            "award_amount": values["award_amount"],
            "max_awards": values["max_awards"],
            "is_counterpart_required": values["is_counterpart_required"],
            "is_one_application_per_organisation":
                values["is_one_application_per_organisation"],
            "reference_prefix": values["reference_prefix"],
        }


# The rubric --------------------------------------------------------------------------------

class CriterionRowForm(Form):
    """One row of the rubric. A row whose name is blank is dropped, so its other fields are
    not checked."""

    criterion_id = HiddenField()
    name = TextField(_l("Criterion"), max_length=200)
    guidance = LongTextField(_l("Guidance for reviewers"), max_length=4000,
                             render_kw={"rows": 3})
    weight = NumberField(
        _l("Weight"), places=2, minimum=0, exclusive_minimum=True, maximum=MAX_WEIGHT,
        default=Decimal("1.00"),
        messages={"required": _l("Enter the weight."),
                  "invalid": _l("Enter the weight as a number, for example 1 or 1.5."),
                  "places": _l("Use at most two decimal places."),
                  "negative": _l("The weight cannot be negative."),
                  "minimum": _l("The weight must be more than zero."),
                  "maximum": _l("The weight is too large.")})
    max_score = NumberField(
        _l("Maximum score"), places=0, minimum=1, maximum=MAX_SCORE, default=10,
        messages={"required": _l("Enter the maximum score."),
                  "invalid": _l("Enter a whole number, for example 10."),
                  "minimum": _l("The maximum score must be at least 1."),
                  "maximum": _l("The maximum score can be at most %(count)s.",
                                count=MAX_SCORE)})
    is_na_allowed = BooleanField(_l("Reviewers may answer “not applicable”"))

    def validate(self, extra_validators=None):
        if not (self.name.data or "").strip():
            # Only the name is checked (for control characters): the row is dropped anyway.
            self.name.errors = []
            try:
                NoControlCharacters()(self, self.name)
            except ValidationError as error:
                self.name.errors = [error.args[0]]
                return False
            return True
        return super().validate(extra_validators)

    languages: tuple[str, ...] = ()

    def row(self) -> dict:
        row = {
            "id": parse_id(self.criterion_id.data),
            "name": (self.name.data or "").strip(),
            "guidance": self.guidance.data or "",
            "weight": self.weight.data,
            "max_score": self.max_score.data,
            "is_na_allowed": bool(self.is_na_allowed.data),
        }
        if self.languages:
            row["translations"] = {language: {
                name: self[f"translations_{language}"][name].data or ""
                for name in ("name", "guidance")} for language in self.languages}
        return row


class RubricForm(BaseForm):
    criteria = FieldList(FormField(CriterionRowForm), max_entries=MAX_RUBRIC_ROWS)

    def rows(self) -> list[dict]:
        """Every row with its index (for messages), blank-named rows included."""
        return [{**entry.form.row(), "index": index}
                for index, entry in enumerate(self.criteria.entries)]

    def add_operation_error(self, error) -> None:
        # Messages for a row name their field "criteria-<index>-<field>".
        if error.field and error.field.startswith("criteria-"):
            _prefix, index, name = error.field.split("-", 2)
            if index.isdigit() and int(index) < len(self.criteria.entries):
                field = getattr(self.criteria.entries[int(index)].form, name, None)
                if field is not None:
                    field.errors = [*field.errors, error.message]
                    # The list gathered its rows' errors when it was validated: gather again.
                    self.criteria.errors = [entry.errors for entry in self.criteria.entries]
                    return
        super().add_operation_error(error)

    @staticmethod
    def data_of(call, extra_rows: int = EMPTY_RUBRIC_ROWS) -> dict:
        rows = [{"criterion_id": str(c.id), "name": c.name, "guidance": c.guidance,
                 "weight": c.weight, "max_score": c.max_score,
                 "is_na_allowed": c.is_na_allowed} for c in call.criteria]
        rows += [{"criterion_id": "", "name": "", "guidance": "", "weight": Decimal("1.00"),
                  "max_score": 10, "is_na_allowed": False} for _ in range(extra_rows)]
        return {"criteria": rows}
