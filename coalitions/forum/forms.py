"""Forms of the forum pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    Form,
    IntegerField,
    SelectField,
    SelectMultipleField,
)
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from coalitions.coalitions.forms import set_organisation_choices
from coalitions.forum.operations import (
    DECISION_MAX,
    DOCUMENT_KINDS,
    LINK_MAX,
    MAX_OTHER_ATTENDEES,
    NAME_MAX,
    PERSON_MAX,
    PLACE_MAX,
    RULES_MAX,
    TEXT_MAX,
    TITLE_MAX,
)
from coalitions.forum.states import MeetingFormat
from core.documents import DocumentKind
from core.forms import BaseForm, DayField, LongTextField, TextField
from core.timeutil import from_programme_time, to_programme_time
from core.uploads.forms import FileUploadField
from core.validation import is_plausible_year, year_range_message

DECISIONS_MAX = DECISION_MAX * 50
SEVERAL = _l("Hold Ctrl (or Cmd) to choose several.")


def _translations(form) -> dict:
    return form.translations() if getattr(form, "languages", ()) else {}


class ForumForm(BaseForm):
    name = TextField(_l("Name"), [InputRequired(_l("Enter the forum's name."))],
                     max_length=NAME_MAX)
    rules = LongTextField(_l("Rules of participation"), max_length=RULES_MAX,
                          render_kw={"rows": 12},
                          description=_l("Shown on the public forum page. Markdown: ## for "
                                         "a heading, - for a list."))
    coalition_ids = SelectMultipleField(_l("Coalitions the forum draws on"), choices=[],
                                        validate_choice=False, description=SEVERAL,
                                        render_kw={"size": 6})

    def __init__(self, *args, coalitions=(), **kwargs):
        super().__init__(*args, **kwargs)
        set_organisation_choices(self.coalition_ids, coalitions)

    def forum_fields(self) -> dict:
        return {"name": self.name.data, "rules": self.rules.data or "",
                "coalition_ids": self.coalition_ids.data or [],
                "translations": _translations(self)}


class ForumTranslationForm(Form):
    name = TextField(_l("Name"), max_length=NAME_MAX)
    rules = LongTextField(_l("Rules of participation"), max_length=RULES_MAX,
                          render_kw={"rows": 12})


class MemberForm(BaseForm):
    organisation_id = SelectField(_l("Organisation"), choices=[], validate_choice=False,
                                  validators=[InputRequired(_l("Choose an organisation."))])
    representative_name = TextField(_l("Representative"), max_length=PERSON_MAX)
    representative_role = TextField(_l("Representative's role"), max_length=PERSON_MAX,
                                    description=_l("For example Executive director."))
    joined_on = DayField(_l("Joined on"),
                         [InputRequired(_l("Enter the day the organisation joined."))])

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        set_organisation_choices(self.organisation_id, organisations,
                                 blank=_l("Choose an organisation"))

    def member_fields(self) -> dict:
        return {"organisation_id": self.organisation_id.data, "joined_on": self.joined_on.data,
                "representative_name": self.representative_name.data or "",
                "representative_role": self.representative_role.data or ""}


class EndMemberForm(BaseForm):
    left_on = DayField(_l("Left on"), [InputRequired(_l("Enter the day the organisation left."))])


class MeetingDateTimeField(DateTimeLocalField):
    """A day and time typed in the programme's time zone."""

    def __init__(self, label=None, validators=(), **kwargs):
        super().__init__(label, validators, format="%Y-%m-%dT%H:%M",
                         invalid_value_message=_l("Enter a date and time, for example "
                                                  "2026-03-31 17:00."), **kwargs)

    def pre_validate(self, form):
        if self.data is not None and not is_plausible_year(self.data.year):
            raise ValidationError(year_range_message())


class MeetingForm(BaseForm):
    title = TextField(_l("Title"), [InputRequired(_l("Enter the meeting's title."))],
                      max_length=TITLE_MAX, description=_l("For example Third forum meeting."))
    starts_at = MeetingDateTimeField(
        _l("Day and time"), [InputRequired(_l("Enter the day and time of the meeting."))])
    format = SelectField(_l("Held"), choices=[], validate_choice=False,
                         default=MeetingFormat.in_person.value)
    place = TextField(_l("Place or link"), max_length=PLACE_MAX)
    agenda = LongTextField(_l("Agenda"), max_length=TEXT_MAX, render_kw={"rows": 5})
    attendee_ids = SelectMultipleField(_l("Member organisations present"), choices=[],
                                       validate_choice=False, description=SEVERAL,
                                       render_kw={"size": 10})
    other_attendees = IntegerField(
        _l("Other people present"), [Optional(), NumberRange(
            min=0, max=MAX_OTHER_ATTENDEES, message=_l("Enter a whole number of people, 0 or "
                                                       "more."))], default=0)
    minutes = LongTextField(_l("Minutes"), max_length=TEXT_MAX, render_kw={"rows": 8})
    decisions = LongTextField(_l("Decisions"), max_length=DECISIONS_MAX, render_kw={"rows": 5},
                              description=_l("One decision a line."))
    is_published = BooleanField(_l("Show the meeting on the public pages"))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.format.choices = [(item.value, item.title) for item in MeetingFormat]
        set_organisation_choices(self.attendee_ids, members)

    def validate_format(self, field):
        if field.data not in MeetingFormat.__members__:
            raise ValidationError(_l("Choose how the meeting is held."))

    def meeting_fields(self) -> dict:
        translations = _translations(self)
        return {"title": self.title.data, "format": self.format.data,
                "starts_at": from_programme_time(self.starts_at.data),
                "place": self.place.data or "", "agenda": self.agenda.data or "",
                "minutes": self.minutes.data or "",
                "other_attendees": self.other_attendees.data or 0,
                "attendee_ids": self.attendee_ids.data or [],
                "is_published": self.is_published.data,
                "translations": {language: {name: text for name, text in texts.items()
                                            if name != "decisions"}
                                 for language, texts in translations.items()}}

    def decision_fields(self) -> dict:
        return {"text": self.decisions.data or "",
                "translations": {language: texts.get("decisions", "")
                                 for language, texts in _translations(self).items()}}

    @staticmethod
    def data_of(meeting) -> dict:
        return {"title": meeting.title, "format": meeting.format.value,
                "starts_at": to_programme_time(meeting.starts_at).replace(tzinfo=None),
                "place": meeting.place, "agenda": meeting.agenda, "minutes": meeting.minutes,
                "other_attendees": meeting.other_attendees,
                "attendee_ids": [str(member.id) for member in meeting.attendees],
                "is_published": meeting.is_published,
                "decisions": "\n".join(decision.text for decision in meeting.decisions)}

    @staticmethod
    def translated_data(meeting, languages) -> dict:
        return {f"translations_{language}": {
            **meeting.translated(language),
            "decisions": "\n".join(decision.text_in("text", language)
                                   for decision in meeting.decisions)}
            for language in languages}


class MeetingTranslationForm(Form):
    title = TextField(_l("Title"), max_length=TITLE_MAX)
    agenda = LongTextField(_l("Agenda"), max_length=TEXT_MAX, render_kw={"rows": 5})
    minutes = LongTextField(_l("Minutes"), max_length=TEXT_MAX, render_kw={"rows": 8})
    decisions = LongTextField(_l("Decisions"), max_length=DECISIONS_MAX, render_kw={"rows": 5},
                              description=_l("One line for each decision, in the same order."))


class DocumentForm(BaseForm):
    kind = SelectField(_l("Kind"), choices=[], validate_choice=False)
    title = TextField(_l("Title"), [InputRequired(_l("Enter the document's title."))],
                      max_length=TITLE_MAX)
    description = LongTextField(_l("Description"), max_length=TEXT_MAX, render_kw={"rows": 3})
    document_date = DayField(_l("Date"), [InputRequired(_l("Enter the document's date."))])
    file = FileUploadField(_l("File"), kinds=DOCUMENT_KINDS)
    link = TextField(_l("Or the address of a page of this site"), max_length=LINK_MAX,
                     description=_l("For example /action-plans/1."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(item.value, item.title) for item in DocumentKind]

    def validate_kind(self, field):
        if field.data not in DocumentKind.__members__:
            raise ValidationError(_l("Choose the kind of document."))

    def document_fields(self) -> dict:
        return {"kind": self.kind.data, "title": self.title.data,
                "description": self.description.data or "",
                "document_date": self.document_date.data, "link": self.link.data or None,
                "file_storage": self.file.data or None, "translations": _translations(self)}


class DocumentTranslationForm(Form):
    title = TextField(_l("Title"), max_length=TITLE_MAX)
    description = LongTextField(_l("Description"), max_length=TEXT_MAX, render_kw={"rows": 3})


class ConfirmForm(BaseForm):
    """A button's form: its token only."""
