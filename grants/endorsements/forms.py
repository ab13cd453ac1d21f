"""Forms of the endorsement pages: the counterpart's answer and staff's record of a letter."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.validators import DataRequired, InputRequired, ValidationError

from core.forms import BaseForm, LongTextField, TextField
from core.uploads.forms import FileUploadField
from grants.endorsements.operations import COMMENT_MAX, LETTER_KINDS, NAME_MAX, POSITION_MAX

ENDORSE = "endorse"
DECLINE = "decline"


class _AnswerFields(BaseForm):
    answer = RadioField(_l("Your answer"), [InputRequired(_l("Choose to endorse or to "
                                                             "decline."))],
                        validate_choice=False)
    name = TextField(_l("Your full name"), [DataRequired(_l("Enter your name."))],
                     max_length=NAME_MAX, render_kw={"autocomplete": "name"})
    position = TextField(_l("Your position"), [DataRequired(_l("Enter your position."))],
                         max_length=POSITION_MAX,
                         render_kw={"autocomplete": "organization-title"})
    comment = LongTextField(_l("Comment"), max_length=COMMENT_MAX, render_kw={"rows": 5})

    def validate_answer(self, field):
        if field.data not in (ENDORSE, DECLINE):
            raise ValidationError(_l("Choose to endorse or to decline."))

    @property
    def endorses(self) -> bool:
        return self.answer.data == ENDORSE


class EndorsementResponseForm(_AnswerFields):
    """What the counterpart fills in on the page the emailed link opens."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.answer.choices = [
            (ENDORSE, _l("I endorse this partnership on behalf of my organisation")),
            (DECLINE, _l("I decline this partnership")),
        ]
        self.comment.description = _l("Optional when you endorse. When you decline, tell the "
                                      "applicant why.")

    def validate_comment(self, field):
        if self.answer.data == DECLINE and not field.data:
            raise ValidationError(_l("Tell the applicant why you decline."))


class PaperEndorsementForm(_AnswerFields):
    """Staff record an answer the counterpart sent as a signed letter."""

    letter = FileUploadField(_l("The signed letter"), kinds=LETTER_KINDS, required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.answer.label.text = _l("The counterpart's answer")
        self.name.label.text = _l("Name of the person who signed")
        self.position.label.text = _l("Their position")
        self.answer.choices = [(ENDORSE, _l("Endorsed")),
                               (DECLINE, _l("Declined"))]
        self.comment.description = _l("A summary of the letter, if useful.")
