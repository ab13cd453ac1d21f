"""Forms of the consultation pages."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from wtforms import Form, SelectField
from wtforms.fields import DateTimeLocalField
from wtforms.validators import InputRequired, Optional, ValidationError

from accounts.organisations.queries import organisation_choices
from coalitions.consultations.models import REASON_MAX, SHORT_MAX, TEXT_MAX, TITLE_MAX
from coalitions.consultations.operations import AREA_MAX
from coalitions.consultations.states import ResponseKind
from coalitions.events.states import Sex
from core.database import MAX_ID
from core.forms import BaseForm, LongTextField, TextField
from core.timeutil import from_programme_time, to_programme_time
from core.validation import is_plausible_year, year_range_message

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class ProgrammeDateTimeField(DateTimeLocalField):
    """A date and time typed in the programme's time zone (``YYYY-MM-DDTHH:MM``)."""

    def __init__(self, label=None, validators=(), **kwargs):
        super().__init__(
            label, [*validators], format=DATETIME_FORMAT,
            invalid_value_message=_l("Enter a date and time, for example 2026-03-31 17:00."),
            **kwargs)

    def pre_validate(self, form):
        if self.data is not None and not is_plausible_year(self.data.year):
            raise ValidationError(year_range_message())

    def utc(self) -> datetime | None:
        return None if self.data is None else from_programme_time(self.data)


def programme_wall_time(value: datetime | None) -> datetime | None:
    """A stored UTC time as the naive wall-clock time the form shows."""
    return None if value is None else to_programme_time(value).replace(tzinfo=None)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class _Select(SelectField):
    """A select whose value is stripped (a blank answer is no answer), choices checked by
    the form's own validators."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("filters", [_strip])
        kwargs["validate_choice"] = False
        super().__init__(label, validators, **kwargs)


def _id_choice(form, field):
    value = field.data or ""
    if value and (not (value.isascii() and value.isdigit()) or int(value) > MAX_ID):
        raise ValidationError(_l("Choose from the list."))


class ConsultationForm(BaseForm):
    plan_id = _Select(_l("Action plan under consultation"),
                      validators=[InputRequired(_l("Choose an action plan.")), _id_choice])
    title = TextField(_l("Title"), [InputRequired(_l("Enter the consultation's title."))],
                      max_length=TITLE_MAX)
    description = LongTextField(_l("Description"), max_length=TEXT_MAX, render_kw={"rows": 6},
                                description=_l("What the consultation is about and how the "
                                               "forum will use what people send."))
    opens_at = ProgrammeDateTimeField(_l("Opens"), [InputRequired(
        _l("Enter when the consultation opens."))])
    closes_at = ProgrammeDateTimeField(_l("Closes"), [InputRequired(
        _l("Enter when the consultation closes."))])

    def __init__(self, *args, plans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.plan_id.choices = [("", _l("Choose…"))] + [(str(p.id), p.title) for p in plans]

    def validate_closes_at(self, field):
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The consultation must close after it opens."))

    def consultation_fields(self) -> dict:
        fields = {"plan_id": int(self.plan_id.data), "title": self.title.data,
                  "description": self.description.data, "opens_at": self.opens_at.utc(),
                  "closes_at": self.closes_at.utc()}
        if getattr(self, "languages", ()):
            fields["translations"] = self.translations()
        return fields


class ConsultationTranslationForm(Form):
    title = TextField(_l("Title"), max_length=TITLE_MAX)
    description = LongTextField(_l("Description"), max_length=TEXT_MAX, render_kw={"rows": 6})


class _AboutYou:
    """Asked the first time someone takes part; both optional."""

    sex = _Select(_l("Sex (optional)"), validators=[Optional()],
                  description=_l("Only counted, never shown beside your name."))
    organisation_id = _Select(_l("Your organisation (optional)"),
                              validators=[Optional(), _id_choice])

    def _about_you_choices(self):
        self.sex.choices = [("", _l("Prefer not to answer"))] + [
            (sex.value, sex.title) for sex in Sex]
        self.organisation_id.choices = [("", _l("None, or I take part for myself"))] + [
            (str(org_id), name) for org_id, name in organisation_choices()]

    def validate_sex(self, field):
        if field.data and field.data not in Sex.__members__:
            raise ValidationError(_l("Choose an answer from the list."))

    def about_you(self) -> dict:
        return {"sex": self.sex.data or None,
                "organisation_id": int(self.organisation_id.data)
                if self.organisation_id.data else None}


class ProposalForm(_AboutYou, BaseForm):
    title = TextField(_l("Title"), [InputRequired(_l("Give your proposal a short title."))],
                      max_length=TITLE_MAX)
    problem = LongTextField(_l("The problem"), [InputRequired(_l("Describe the problem."))],
                            max_length=TEXT_MAX, render_kw={"rows": 5},
                            description=_l("What is wrong today, and who it affects."))
    solution = LongTextField(_l("The solution you propose"),
                             [InputRequired(_l("Describe the solution you propose."))],
                             max_length=TEXT_MAX, render_kw={"rows": 5})
    institution_id = _Select(_l("Responsible institution, from the directory"),
                             validators=[Optional(), _id_choice])
    institution_name = TextField(_l("…or its name, if it is not in the directory"),
                                 max_length=SHORT_MAX)
    thematic_area = TextField(_l("Thematic area"), max_length=AREA_MAX,
                              description=_l("For example: access to information, fiscal "
                                             "transparency, public procurement."))
    milestones = LongTextField(_l("Suggested milestones"), max_length=TEXT_MAX,
                               render_kw={"rows": 4},
                               description=_l("One a line, with a date if you have one."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._about_you_choices()
        self.institution_id.choices = [("", _l("Not in the directory"))] + [
            (str(org_id), name) for org_id, name in organisation_choices()]

    def validate_institution_name(self, field):
        if not field.data and not self.institution_id.data:
            raise ValidationError(_l("Name the institution that would be responsible, or "
                                     "choose one from the directory."))

    def proposal_fields(self) -> dict:
        return {"title": self.title.data, "problem": self.problem.data,
                "solution": self.solution.data,
                "institution_id": int(self.institution_id.data)
                if self.institution_id.data else None,
                "institution_name": self.institution_name.data,
                "thematic_area": self.thematic_area.data, "milestones": self.milestones.data}


class CommentForm(_AboutYou, BaseForm):
    body = LongTextField(_l("Your comment"), [InputRequired(_l("Write your comment."))],
                         max_length=TEXT_MAX, render_kw={"rows": 4})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._about_you_choices()


class ReasonForm(BaseForm):
    """Reporting abuse, or hiding a contribution: a short reason."""

    reason = TextField(_l("Reason"), [InputRequired(_l("Give a reason."))],
                       max_length=REASON_MAX)


class ResponseForm(BaseForm):
    kind = _Select(_l("Response"),
                   validators=[InputRequired(_l("Choose a response."))])
    commitment_id = _Select(_l("Merged into the commitment"),
                            validators=[Optional(), _id_choice])
    text = LongTextField(_l("The forum's response"), max_length=TEXT_MAX,
                         render_kw={"rows": 5},
                         description=_l("Required when the proposal is not taken up: say why."))

    def __init__(self, *args, commitments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [("", _l("Choose…"))] + [
            (kind.value, kind.title) for kind in ResponseKind]
        self.commitment_id.choices = [("", _l("Not merged"))] + [
            (str(c.id), c.title) for c in commitments]

    def validate_kind(self, field):
        if field.data not in ResponseKind.__members__:
            raise ValidationError(_l("Choose a response from the list."))

    def response_fields(self) -> dict:
        return {"kind": self.kind.data, "text": self.text.data,
                "commitment_id": int(self.commitment_id.data)
                if self.commitment_id.data else None}
