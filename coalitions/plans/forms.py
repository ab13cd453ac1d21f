"""Forms of the action-plan pages."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Form, SelectField, SelectMultipleField
from wtforms.validators import InputRequired, ValidationError

from accounts.organisations.forms import country_choices, country_codes
from coalitions.coalitions.forms import set_organisation_choices
from coalitions.plans.models import MilestoneState
from coalitions.plans.operations import (
    AREA_MAX,
    EVIDENCE_MAX,
    MILESTONE_TITLE_MAX,
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


class CommitmentForm(BaseForm):
    title = TextField(_l("Title"), [InputRequired(_l("Enter the commitment's title."))],
                      max_length=TITLE_MAX)
    problem = LongTextField(_l("Problem addressed"), max_length=TEXT_MAX,
                            render_kw={"rows": 4})
    ambition = LongTextField(_l("Ambition"), max_length=TEXT_MAX, render_kw={"rows": 4},
                             description=_l("What will be different once the commitment is "
                                            "met."))
    thematic_area = TextField(_l("Thematic area"), max_length=AREA_MAX,
                              description=_l("For example Access to public information."))
    lead_organisation_id = SelectField(_l("Lead government organisation"), choices=[],
                                       validate_choice=False)
    supporter_ids = SelectMultipleField(
        _l("Supporting organisations"), choices=[], validate_choice=False,
        description=_l("Hold Ctrl (or Cmd) to choose several."), render_kw={"size": 8})
    coalition_ids = SelectMultipleField(
        _l("Supporting coalitions"), choices=[], validate_choice=False,
        description=_l("Hold Ctrl (or Cmd) to choose several."), render_kw={"size": 5})

    def __init__(self, *args, government=(), organisations=(), coalitions=(), **kwargs):
        super().__init__(*args, **kwargs)
        set_organisation_choices(self.lead_organisation_id, government,
                                 blank=_l("No lead yet"))
        set_organisation_choices(self.supporter_ids, organisations)
        set_organisation_choices(self.coalition_ids, coalitions)

    def commitment_fields(self) -> dict:
        fields = {"title": self.title.data, "problem": self.problem.data or "",
                  "ambition": self.ambition.data or "",
                  "thematic_area": self.thematic_area.data or "",
                  "lead_organisation_id": self.lead_organisation_id.data or None,
                  "supporter_ids": self.supporter_ids.data or [],
                  "coalition_ids": self.coalition_ids.data or []}
        if getattr(self, "languages", ()):
            fields["translations"] = self.translations()
        return fields

    @staticmethod
    def data_of(commitment) -> dict:
        return {"title": commitment.title, "problem": commitment.problem,
                "ambition": commitment.ambition, "thematic_area": commitment.thematic_area,
                "lead_organisation_id": str(commitment.lead_organisation_id or ""),
                "supporter_ids": [str(org.id) for org in commitment.supporters],
                "coalition_ids": [str(c.id) for c in commitment.coalitions]}


class CommitmentTranslationForm(Form):
    """A commitment's texts in one other language."""

    title = TextField(_l("Title"), max_length=TITLE_MAX)
    problem = LongTextField(_l("Problem addressed"), max_length=TEXT_MAX,
                            render_kw={"rows": 4})
    ambition = LongTextField(_l("Ambition"), max_length=TEXT_MAX, render_kw={"rows": 4})
    thematic_area = TextField(_l("Thematic area"), max_length=AREA_MAX)


def _state_choices():
    return [(state.value, state.title) for state in MilestoneState]


class MilestoneForm(BaseForm):
    title = TextField(_l("Milestone"), [InputRequired(_l("Enter what the milestone delivers."))],
                      max_length=MILESTONE_TITLE_MAX)
    due_on = DayField(_l("Due on"),
                       [InputRequired(_l("Enter the milestone's due date."))])
    state = SelectField(_l("State"), choices=[], default=MilestoneState.not_started.value,
                        validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.state.choices = _state_choices()

    def validate_state(self, field):
        if field.data not in MilestoneState.__members__:
            raise ValidationError(_l("Choose a state from the list."))


class MilestoneTranslationForm(Form):
    title = TextField(_l("Milestone"), max_length=MILESTONE_TITLE_MAX)


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
