"""The screening form: the outcome, the reason and a note per checklist item."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.validators import InputRequired, ValidationError

from core.forms import BaseForm, LongTextField, TextField
from grants.screening.operations import NOTE_MAX, REASON_MAX

ELIGIBLE = "eligible"
INELIGIBLE = "ineligible"


class ScreeningForm(BaseForm):
    outcome = RadioField(_l("Outcome"), [InputRequired(_l("Choose eligible or ineligible."))],
                         validate_choice=False)
    reason = LongTextField(
        _l("Reason"), max_length=REASON_MAX, render_kw={"rows": 5},
        description=_l("Required when the application is ineligible (it is sent to the "
                       "applicant) and when you mark it eligible although a check is not "
                       "met."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome.choices = [(ELIGIBLE, _l("Eligible: it goes on to review")),
                                (INELIGIBLE, _l("Ineligible"))]

    def validate_outcome(self, field):
        if field.data not in (ELIGIBLE, INELIGIBLE):
            raise ValidationError(_l("Choose eligible or ineligible."))

    def validate_reason(self, field):
        if self.outcome.data == INELIGIBLE and not field.data:
            raise ValidationError(_l("Give the reason the application is ineligible; it is "
                                     "sent to the applicant."))

    @property
    def is_eligible(self) -> bool:
        return self.outcome.data == ELIGIBLE

    def note_fields(self) -> list:
        return [field for name, field in self._fields.items() if name.startswith("note_")]

    def notes(self) -> dict[str, str]:
        """``{checklist key: note}`` for the notes staff wrote."""
        return {field.name[len("note_"):]: field.data for field in self.note_fields()
                if field.data}


def screening_form(checklist: list[dict], **kwargs) -> ScreeningForm:
    """A ScreeningForm with an optional note field for each checklist item."""

    class _Form(ScreeningForm):
        pass

    for item in checklist:
        setattr(_Form, f"note_{item['key']}",
                TextField(_l("Note"), max_length=NOTE_MAX))
    return _Form(**kwargs)
