"""Forms for events, attendance imports and merging people."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, ValidationError

from accounts.organisations.forms import country_choices, country_codes
from accounts.organisations.queries import organisation_choices
from core.database import MAX_ID
from core.forms import BaseForm, DayField, LongTextField, TextField
from core.uploads.forms import FileUploadField

from . import importer
from .models import EventType
from .operations import AGENDA_KINDS

_DATE_MESSAGE = _l("Enter a date as YYYY-MM-DD, for example 2019-03-14.")


def _no_markup(form, field):
    if field.data and importer.check_name(field.data) is not None:
        raise ValidationError(_l("Do not start with = + - @ or use < or >: write plain text."))


def _default_country():
    return current_app.config.get("DEFAULT_COUNTRY", "BZ")


class EventForm(BaseForm):
    type = SelectField(_l("Type"), [DataRequired(_l("Choose a type."))], validate_choice=False)
    title = TextField(_l("Title"), [DataRequired(_l("Enter the event's title.")), _no_markup],
                      max_length=200)
    starts_on = DayField(_l("First day"), [InputRequired(_DATE_MESSAGE)],
                         invalid_message=_DATE_MESSAGE)
    ends_on = DayField(_l("Last day"), [InputRequired(_DATE_MESSAGE)],
                       invalid_message=_DATE_MESSAGE,
                       description=_l("The same as the first day for a one-day event."))
    is_online = BooleanField(_l("Held online"))
    district = TextField(_l("District"), [_no_markup], max_length=100)
    country = SelectField(_l("Country"), [DataRequired(_l("Choose a country."))],
                          default=_default_country, validate_choice=False)
    venue = TextField(_l("Venue"), [_no_markup], max_length=200)
    organiser_id = SelectField(_l("Organiser"), coerce=str, validate_choice=False)
    partner_ids = SelectMultipleField(_l("Partner organisations"), coerce=str,
                                      validate_choice=False,
                                      description=_l("Hold Ctrl (or Cmd) to choose several."))
    description = LongTextField(_l("Description"), max_length=10000, render_kw={"rows": 5})
    agenda = FileUploadField(_l("Agenda"), kinds=AGENDA_KINDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type.choices = [(t.value, t.title) for t in EventType]
        self.country.choices = country_choices()
        organisations = [(str(org_id), name) for org_id, name in organisation_choices()]
        self._organisation_ids = {value for value, _name in organisations}
        self.organiser_id.choices = [("", _l("No organiser recorded"))] + organisations
        self.partner_ids.choices = organisations

    def validate_type(self, field):
        if field.data not in EventType.__members__:
            raise ValidationError(_l("Choose a type from the list."))

    def validate_country(self, field):
        if field.data not in country_codes():
            raise ValidationError(_l("Choose a country from the list."))

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The event cannot end before it starts: the last day "
                                     "must be on or after the first day."))

    def validate_organiser_id(self, field):
        if field.data and field.data not in self._organisation_ids:
            raise ValidationError(_l("Choose an organisation from the list."))

    def validate_partner_ids(self, field):
        if any(value not in self._organisation_ids for value in field.data or ()):
            raise ValidationError(_l("Choose organisations from the list."))

    def event_fields(self) -> dict:
        return {
            "type": self.type.data, "title": self.title.data,
            "starts_on": self.starts_on.data, "ends_on": self.ends_on.data,
            "is_online": self.is_online.data, "district": self.district.data or "",
            "country": self.country.data, "venue": self.venue.data or "",
            "description": self.description.data or "",
            "organiser_id": int(self.organiser_id.data) if self.organiser_id.data else None,
            "partner_ids": [int(value) for value in self.partner_ids.data or ()],
        }


class ImportForm(BaseForm):
    file = FileField(_l("Attendance sheet"),
                     [FileRequired(message=_l("Choose a file to upload."))],
                     description=_l("An Excel workbook (.xlsx) or a CSV file (.csv) with the "
                                    "columns of the template, in English or Spanish."),
                     render_kw={"accept": ".xlsx,.csv"})
    dry_run = BooleanField(_l("Only check the file (dry run): show what would be created, "
                              "matched or merged, and import nothing"))


class MergePeopleForm(BaseForm):
    kept_id = IntegerField(_l("Number of the person to keep"), [
        InputRequired(_l("Enter the number of the person to keep.")),
        NumberRange(min=1, max=MAX_ID, message=_l("Enter a number shown in the list."))])
    duplicate_id = IntegerField(_l("Number of the duplicate"), [
        InputRequired(_l("Enter the number of the duplicate.")),
        NumberRange(min=1, max=MAX_ID, message=_l("Enter a number shown in the list."))])
