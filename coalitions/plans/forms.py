"""Forms of the action-plan pages."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Form, SelectField, SelectMultipleField
from wtforms.validators import InputRequired, Optional, ValidationError

from accounts.organisations.forms import country_choices, country_codes
from coalitions.coalitions.forms import set_organisation_choices
from coalitions.plans.models import MilestoneState
from coalitions.plans.operations import (
    AREA_MAX,
    EVIDENCE_MAX,
    LONG_TEXTS,
    MILESTONE_TITLE_MAX,
    OGP_VALUES,
    TEXT_MAX,
    TITLE_MAX,
)
from core.forms import BaseForm, DayField, LongTextField, TextField


class PlanForm(BaseForm):
    title = TextField(_l("Title"), [InputRequired(_l("Enter the plan's title."))],
                      max_length=TITLE_MAX,
                      description=_l("For example: First Open Government Action Plan "
                                     "2020–2022."))
    country = SelectField(_l("Country"), choices=[], validate_choice=False)
    starts_on = DayField(_l("Starts on"),
                          [InputRequired(_l("Enter the date the plan starts."))])
    ends_on = DayField(_l("Ends on"), [InputRequired(_l("Enter the date the plan ends."))])
    is_public = BooleanField(_l("Show the plan on the public pages"), default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()
        if not self.country.data:
            self.country.data = current_app.config.get("DEFAULT_COUNTRY", "BZ")

    def validate_country(self, field):
        if field.data not in country_codes():
            raise ValidationError(_l("Choose a country from the list."))

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The plan cannot end before it starts."))

    def plan_fields(self) -> dict:
        fields = {"title": self.title.data, "country": self.country.data,
                  "starts_on": self.starts_on.data, "ends_on": self.ends_on.data,
                  "is_public": self.is_public.data}
        if getattr(self, "languages", ()):
            fields["translations"] = self.translations()
        return fields


class PlanTranslationForm(Form):
    """The plan's title in one other language (part of the plan form, no token of its own)."""

    title = TextField(_l("Title"), max_length=TITLE_MAX)


def _long(label, description=None):
    return LongTextField(label, max_length=TEXT_MAX, render_kw={"rows": 4},
                         description=description or "")


#: The labels of OGP's commitment template, shared by the form and its other languages.
_PROBLEM = _l("What is the public problem the commitment will address?")
_CAUSE = _l("What are the causes of the problem?")
_DESCRIPTION = _l("What is the commitment?")
_AMBITION = _l("How will the commitment contribute to solving the public problem?")
_TRANSPARENCY_NOTE = _l("How is it relevant to transparency?")
_PARTICIPATION_NOTE = _l("How is it relevant to civic participation?")
_ACCOUNTABILITY_NOTE = _l("How is it relevant to public accountability?")
_ADDITIONAL = _l("Additional information")


class CommitmentForm(BaseForm):
    title = TextField(_l("Title"), [InputRequired(_l("Enter the commitment's title."))],
                      max_length=TITLE_MAX)
    problem = _long(_PROBLEM)
    cause = _long(_CAUSE)
    description = _long(_DESCRIPTION, _l("What the commitment will do, its expected result "
                                         "and its main outputs."))
    ambition = _long(_AMBITION, _l("What will be different once the commitment is met."))
    transparency = BooleanField(_l("Relevant to transparency"))
    transparency_note = _long(_TRANSPARENCY_NOTE)
    participation = BooleanField(_l("Relevant to civic participation"))
    participation_note = _long(_PARTICIPATION_NOTE)
    accountability = BooleanField(_l("Relevant to public accountability"))
    accountability_note = _long(_ACCOUNTABILITY_NOTE)
    additional_information = _long(_ADDITIONAL, _l("For example the budget, links to other "
                                                   "programmes or to the national "
                                                   "development plan."))
    thematic_area = TextField(_l("Thematic area"), max_length=AREA_MAX,
                              description=_l("For example Access to public information."))
    starts_on = DayField(_l("Starts on"), [Optional()])
    ends_on = DayField(_l("Ends on"), [Optional()])
    lead_organisation_id = SelectField(_l("Lead implementing agency"), choices=[],
                                       validate_choice=False,
                                       description=_l("A government organisation."))
    supporter_ids = SelectMultipleField(
        _l("Supporting stakeholders"), choices=[], validate_choice=False,
        description=_l("Government organisations, civil society, the private sector and "
                       "others. Hold Ctrl (or Cmd) to choose several."),
        render_kw={"size": 8})
    coalition_ids = SelectMultipleField(
        _l("Supporting coalitions"), choices=[], validate_choice=False,
        description=_l("Hold Ctrl (or Cmd) to choose several."), render_kw={"size": 5})

    def __init__(self, *args, government=(), organisations=(), coalitions=(), **kwargs):
        super().__init__(*args, **kwargs)
        set_organisation_choices(self.lead_organisation_id, government,
                                 blank=_l("No lead yet"))
        set_organisation_choices(self.supporter_ids, organisations)
        set_organisation_choices(self.coalition_ids, coalitions)

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The commitment cannot end before it starts."))

    def commitment_fields(self) -> dict:
        fields = {name: self[name].data or "" for name in ("title", *LONG_TEXTS,
                                                          "thematic_area")}
        fields.update({name: bool(self[name].data) for name in OGP_VALUES})
        fields.update({"starts_on": self.starts_on.data, "ends_on": self.ends_on.data,
                       "lead_organisation_id": self.lead_organisation_id.data or None,
                       "supporter_ids": self.supporter_ids.data or [],
                       "coalition_ids": self.coalition_ids.data or []})
        if getattr(self, "languages", ()):
            fields["translations"] = self.translations()
        return fields

    @staticmethod
    def data_of(commitment) -> dict:
        data = {name: getattr(commitment, name) for name in ("title", *LONG_TEXTS,
                                                            "thematic_area", *OGP_VALUES,
                                                            "starts_on", "ends_on")}
        data.update({"lead_organisation_id": str(commitment.lead_organisation_id or ""),
                     "supporter_ids": [str(org.id) for org in commitment.supporters],
                     "coalition_ids": [str(c.id) for c in commitment.coalitions]})
        return data


class CommitmentTranslationForm(Form):
    """A commitment's texts in one other language."""

    title = TextField(_l("Title"), max_length=TITLE_MAX)
    problem = _long(_PROBLEM)
    cause = _long(_CAUSE)
    description = _long(_DESCRIPTION)
    ambition = _long(_AMBITION)
    transparency_note = _long(_TRANSPARENCY_NOTE)
    participation_note = _long(_PARTICIPATION_NOTE)
    accountability_note = _long(_ACCOUNTABILITY_NOTE)
    additional_information = _long(_ADDITIONAL)
    thematic_area = TextField(_l("Thematic area"), max_length=AREA_MAX)


def _state_choices():
    return [(state.value, state.title) for state in MilestoneState]


class MilestoneForm(BaseForm):
    title = TextField(_l("Milestone"), [InputRequired(_l("Enter what the milestone delivers."))],
                      max_length=MILESTONE_TITLE_MAX)
    starts_on = DayField(_l("Starts on"), [Optional()])
    due_on = DayField(_l("Ends on"),
                       [InputRequired(_l("Enter the milestone's due date."))])
    outputs = _long(_l("Expected outputs"))
    state = SelectField(_l("State"), choices=[], default=MilestoneState.not_started.value,
                        validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.state.choices = _state_choices()

    def validate_state(self, field):
        if field.data not in MilestoneState.__members__:
            raise ValidationError(_l("Choose a state from the list."))

    def validate_due_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The milestone cannot end before it starts."))


class MilestoneTranslationForm(Form):
    title = TextField(_l("Milestone"), max_length=MILESTONE_TITLE_MAX)
    outputs = _long(_l("Expected outputs"))


class MilestoneUpdateForm(BaseForm):
    state = SelectField(_l("State"), choices=[], validate_choice=False)
    evidence = LongTextField(_l("Evidence"), max_length=EVIDENCE_MAX, render_kw={"rows": 2},
                             description=_l("What shows the progress, for example a link to "
                                            "the published document."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.state.choices = _state_choices()

    def validate_state(self, field):
        if field.data not in MilestoneState.__members__:
            raise ValidationError(_l("Choose a state from the list."))
