"""Forms of the coalition pages.

Organisations are chosen from the directory by number; the operations check that the
numbers exist (so a tampered or stale choice gets a clear message rather than an error).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from coalitions.coalitions.models import ActivityKind, CoalitionState, MembershipRole
from coalitions.coalitions.operations import (
    DESCRIPTION_MAX,
    EVIDENCE_KINDS,
    NAME_MAX,
    OUTCOME_MAX,
    PURPOSE_MAX,
)
from core.forms import BaseForm, DayField, LongTextField, TextField
from core.uploads.forms import FileUploadField


def lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _organisation_select(label, **kwargs) -> SelectField:
    return SelectField(label, choices=[], validate_choice=False, **kwargs)


def set_organisation_choices(field, choices, blank=None) -> None:
    options = [(str(number), label) for number, label in choices]
    field.choices = ([("", blank)] if blank is not None else []) + options


class CoalitionForm(BaseForm):
    name = TextField(_l("Name"), [InputRequired(_l("Enter the coalition's name."))],
                     max_length=NAME_MAX)
    purpose = LongTextField(_l("Purpose"), max_length=PURPOSE_MAX, render_kw={"rows": 4})
    thematic_areas = LongTextField(
        _l("Thematic areas"), max_length=4000, render_kw={"rows": 4},
        description=_l("One per line, for example Open data."))
    lead_organisation_id = _organisation_select(_l("Lead organisation"))
    formed_on = DayField(_l("Date formed"), [Optional()],
                          description=_l("For example 2019-03-31."))
    state = SelectField(_l("State"), [InputRequired(_l("Choose a state."))],
                        choices=[], default=CoalitionState.forming.value,
                        validate_choice=False)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        set_organisation_choices(self.lead_organisation_id, organisations,
                                 blank=_l("No lead organisation"))
        self.state.choices = [(state.value, state.title) for state in CoalitionState]

    def validate_state(self, field):
        if field.data not in CoalitionState.__members__:
            raise ValidationError(_l("Choose a state from the list."))

    def coalition_fields(self) -> dict:
        return {"name": self.name.data, "purpose": self.purpose.data or "",
                "thematic_areas": lines(self.thematic_areas.data),
                "lead_organisation_id": self.lead_organisation_id.data or None,
                "formed_on": self.formed_on.data, "state": self.state.data}

    @staticmethod
    def data_of(coalition) -> dict:
        return {"name": coalition.name, "purpose": coalition.purpose,
                "thematic_areas": "\n".join(coalition.thematic_areas or []),
                "lead_organisation_id": str(coalition.lead_organisation_id or ""),
                "formed_on": coalition.formed_on,
                "state": CoalitionState(coalition.state).value}


class MembershipForm(BaseForm):
    organisation_id = _organisation_select(_l("Organisation"))
    role = SelectField(_l("Role"), choices=[], default=MembershipRole.member.value,
                       validate_choice=False)
    joined_on = DayField(_l("Joined on"),
                          [InputRequired(_l("Enter the date the organisation joined."))])

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        set_organisation_choices(self.organisation_id, organisations,
                                 blank=_l("Choose an organisation"))
        self.role.choices = [(role.value, role.title) for role in MembershipRole]

    def validate_organisation_id(self, field):
        if not field.data:
            raise ValidationError(_l("Choose an organisation."))

    def validate_role(self, field):
        if field.data not in MembershipRole.__members__:
            raise ValidationError(_l("Choose a role from the list."))


class EndMembershipForm(BaseForm):
    left_on = DayField(_l("Ends on"),
                        [InputRequired(_l("Enter the date the membership ends."))])
    new_role = SelectField(
        _l("New role from that date"), choices=[], validate_choice=False,
        description=_l("Leave empty if the organisation leaves the coalition."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.new_role.choices = [("", _l("None: the organisation leaves"))] + [
            (role.value, role.title) for role in MembershipRole]

    def validate_new_role(self, field):
        if field.data and field.data not in MembershipRole.__members__:
            raise ValidationError(_l("Choose a role from the list."))


class ActivityForm(BaseForm):
    kind = SelectField(_l("Kind of activity"), choices=[], validate_choice=False)
    happened_on = DayField(_l("Date"),
                            [InputRequired(_l("Enter the date of the activity."))])
    description = LongTextField(_l("Description"), [InputRequired(_l("Describe the activity."))],
                                max_length=DESCRIPTION_MAX, render_kw={"rows": 5})
    outcome = LongTextField(_l("Outcome"), max_length=OUTCOME_MAX, render_kw={"rows": 3})
    organisation_ids = SelectMultipleField(
        _l("Organisations involved"), choices=[], validate_choice=False,
        description=_l("Hold Ctrl (or Cmd) to choose several."), render_kw={"size": 8})
    evidence = FileUploadField(_l("Evidence (optional)"), kinds=EVIDENCE_KINDS)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        set_organisation_choices(self.organisation_ids, organisations)
        self.kind.choices = [("", _l("Choose a kind"))] + [
            (kind.value, kind.title) for kind in ActivityKind]

    def validate_kind(self, field):
        if field.data not in ActivityKind.__members__:
            raise ValidationError(_l("Choose a kind of activity from the list."))


class LinkAwardForm(BaseForm):
    reference = TextField(_l("Grant award reference"),
                          [DataRequired(_l("Enter the award's reference."))], max_length=30,
                          description=_l("For example OGB-G-2018-003."))
