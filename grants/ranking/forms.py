"""The decision form (one outcome and one rationale for the ticked applications) and the
feedback form (which reviews' comments go to the applicant)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField
from wtforms.validators import InputRequired, ValidationError

from accounts.forms import MultiCheckboxField
from core.database import MAX_ID
from core.forms import BaseForm, LongTextField, MoneyField
from grants.ranking.operations import AMOUNT_REASON_MAX, RATIONALE_MAX
from grants.ranking.queries import METHODS, RAW
from grants.reviews.states import Outcome


def _ids_in_range(field, message) -> None:
    if any(not 0 < value <= MAX_ID for value in field.data or []):
        raise ValidationError(message)


class DecisionForm(BaseForm):
    #: The ticked applications. Any id is accepted here: the operation checks each one and
    #: says precisely why one cannot be decided.
    application_ids = MultiCheckboxField(_l("Applications"), coerce=int, validate_choice=False)
    outcome = RadioField(_l("Decision"), [InputRequired(_l("Choose award, waitlist or "
                                                           "decline."))],
                         validate_choice=False)
    rationale = LongTextField(
        _l("Rationale"), max_length=RATIONALE_MAX, render_kw={"rows": 4},
        description=_l("Recorded with the decision and sent to the applicant with the "
                       "reviewers' comments you chose to share."))
    amount = MoneyField(
        _l("Amount to award"),
        description=_l("Leave empty to award what each application requested. For one "
                       "application you may award another amount, up to the call's award "
                       "amount, giving the reason."))
    amount_reason = LongTextField(_l("Why this amount"), max_length=AMOUNT_REASON_MAX,
                                  render_kw={"rows": 2})
    method = HiddenField(default=RAW)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome.choices = [(outcome.value, outcome.title) for outcome in Outcome]

    def validate_application_ids(self, field):
        if not field.data:
            raise ValidationError(_l("Tick at least one application."))
        _ids_in_range(field, _l("Tick applications from the list."))

    def validate_outcome(self, field):
        if field.data not in Outcome.__members__:
            raise ValidationError(_l("Choose award, waitlist or decline."))

    def validate_rationale(self, field):
        if not field.data:
            raise ValidationError(_l("Give the rationale for the decision."))

    def validate_method(self, field):
        if field.data not in METHODS:
            field.data = RAW


class FeedbackForm(BaseForm):
    shared = MultiCheckboxField(_l("Share with the applicant"), coerce=int,
                                validate_choice=False)

    def validate_shared(self, field):
        _ids_in_range(field, _l("Choose among the submitted reviews of this application."))
