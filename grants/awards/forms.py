"""Forms for grant agreements and the disbursement ledger.

Amounts are typed as text and parsed into ``Decimal`` (never float); signs, a third decimal
and zero are refused next to the field. The operations check everything again, so a form is
only the first line of defence.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import FieldList, Form, FormField, HiddenField, SelectField
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from core.forms import (
    BaseForm,
    DayField,
    LongTextField,
    MoneyField,
    TextField,
    more_than_zero,
)
from core.money import currency_codes
from core.uploads.forms import FileUploadField
from grants.awards.checks import (
    AGREEMENT_KINDS,
    BANK_REFERENCE_MAX,
    CONDITIONS_MAX,
    MAX_RATE,
    PAYEE_REFERENCE_MAX,
    PAYMENT_METHODS,
    REASON_MAX,
)
from grants.calls.forms import NumberField


def _required_date(label, message, **kwargs):
    return DayField(label, [InputRequired(message)], **kwargs)


# Awards ------------------------------------------------------------------------------------

class AwardForm(BaseForm):
    starts_on = _required_date(_l("Start date"), _l("Enter the start date."))
    ends_on = _required_date(
        _l("End date"), _l("Enter the end date."),
        description=_l("The mid-term report is due halfway through; the final report 30 days "
                       "after the end."))
    conditions = LongTextField(
        _l("Conditions"), max_length=CONDITIONS_MAX, render_kw={"rows": 5},
        description=_l("Special conditions of the agreement, if any."))

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data <= self.starts_on.data:
            raise ValidationError(_l("The award must end after it starts."))


class TrancheRow(Form):
    tranche_id = HiddenField()
    percentage = NumberField(
        _l("Percentage"), places=2, minimum=0, exclusive_minimum=True, maximum=100,
        messages={"required": _l("Give a percentage for every tranche."),
                  "invalid": _l("Enter each percentage in figures, for example 50."),
                  "places": _l("Use at most two decimal places in the percentages."),
                  "minimum": _l("Each percentage must be more than 0 and at most 100."),
                  "maximum": _l("Each percentage must be more than 0 and at most 100.")})
    planned_on = DayField(_l("Planned date"), [Optional()])


class EditAwardForm(AwardForm):
    tranches = FieldList(FormField(TrancheRow), min_entries=0, max_entries=20)

    def validate_tranches(self, field):
        values = [row.form.percentage.data for row in field]
        if any(value is None for value in values) or any(row.form.percentage.errors
                                                         for row in field):
            return  # each row says what is wrong
        total = sum(values, Decimal(0))
        if total != 100:
            raise ValidationError(_l("The percentages must add up to exactly 100; they add "
                                     "up to %(total)s.", total=f"{total:f}"))


class SignForm(BaseForm):
    agreement = FileUploadField(_l("The signed agreement"), kinds=AGREEMENT_KINDS,
                                required=True)
    signed_on = _required_date(_l("Date of signature"),
                               _l("Enter the date the agreement was signed."))


SUSPEND, RESUME, TERMINATE = "suspend", "resume", "terminate"


class TransitionForm(BaseForm):
    action = HiddenField()
    reason = LongTextField(_l("Reason"), max_length=REASON_MAX, render_kw={"rows": 3})

    def validate_action(self, field):
        if field.data not in (SUSPEND, RESUME, TERMINATE):
            raise ValidationError(_l("Choose what to do with the award."))


# Disbursements -----------------------------------------------------------------------------

class DisbursementRequestForm(BaseForm):
    amount = MoneyField(_l("Amount"), [InputRequired(_l("Enter the amount.")), more_than_zero])
    planned_on = _required_date(_l("Planned payment date"),
                                _l("Enter the date the payment is planned for."))
    payment_method = SelectField(_l("Payment method"), validate_choice=False)
    payee_reference = TextField(
        _l("Payee account reference"),
        [DataRequired(_l("Enter the payee's account reference."))],
        max_length=PAYEE_REFERENCE_MAX,
        description=_l("The grantee's bank account (or other payee reference) to pay into."))
    override_reason = LongTextField(
        _l("Reason for requesting before the condition holds"), max_length=REASON_MAX,
        render_kw={"rows": 3},
        description=_l("Needed only when the tranche's condition does not hold yet; it is "
                       "recorded and shown with the request."))
    idempotency_key = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.payment_method.choices = list(PAYMENT_METHODS.items())

    def validate_payment_method(self, field):
        if field.data not in PAYMENT_METHODS:
            raise ValidationError(_l("Choose a payment method from the list."))


#: Where an action on a disbursement sends the user back to.
NEXT_PAGES = ("queue", "award")


class DecisionForm(BaseForm):
    """Approve (no reason needed), reject or cancel (with a reason) a request."""

    reason = LongTextField(_l("Reason"), max_length=REASON_MAX, render_kw={"rows": 2})
    next = HiddenField()

    def next_page(self) -> str:
        return self.next.data if self.next.data in NEXT_PAGES else "award"


class PaymentForm(BaseForm):
    paid_on = _required_date(_l("Date paid"), _l("Enter the date of the payment."))
    bank_reference = TextField(_l("Bank reference"),
                               [DataRequired(_l("Enter the bank reference of the payment."))],
                               max_length=BANK_REFERENCE_MAX)
    paid_currency = SelectField(_l("Currency paid"), validate_choice=False)
    exchange_rate = NumberField(
        _l("Exchange rate"), places=6, minimum=0, exclusive_minimum=True, maximum=MAX_RATE,
        messages={"required": _l("Enter the exchange rate."),
                  "invalid": _l("Enter the exchange rate in figures, for example 2.00."),
                  "places": _l("Use at most six decimal places in the exchange rate."),
                  "minimum": _l("The exchange rate must be more than zero."),
                  "maximum": _l("This exchange rate is too large.")})
    paid_amount = MoneyField(_l("Amount paid"), [Optional()])
    usd_equivalent = MoneyField(_l("Equivalent in the award's currency"), [Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.paid_currency.choices = [(code, code) for code in sorted(currency_codes())]

    def validate_paid_currency(self, field):
        if field.data not in currency_codes():
            raise ValidationError(_l("Choose a currency from the list."))


class ReversalForm(BaseForm):
    reason = LongTextField(_l("Reason for the reversal"),
                           [DataRequired(_l("Give the reason for the reversal."))],
                           max_length=REASON_MAX, render_kw={"rows": 3})
    reversed_on = _required_date(_l("Date of the correction"),
                                 _l("Enter the date of the correction."))
    bank_reference = TextField(_l("Bank reference of the correction"),
                               max_length=BANK_REFERENCE_MAX,
                               description=_l("If money was returned or a transfer recalled."))
    idempotency_key = HiddenField()

