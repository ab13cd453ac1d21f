"""Forms for panels, conflicts, assignments and the review itself.

The review form is built from the call's rubric: for each criterion a score (blank, "not
applicable" where the criterion allows it, or 0 to its maximum) and a comment.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField
from wtforms.validators import ValidationError

from core.forms import BaseForm, LongTextField
from grants.calls.forms import NumberField, ProgrammeDateTimeField, parse_id
from grants.reviews.operations import MAX_REVIEWERS_PER_APPLICATION, REASON_MAX
from grants.reviews.revisions import COMMENT_MAX, OVERALL_COMMENT_MAX
from grants.reviews.states import Confidence, LateConflictOutcome, Recommendation

NOT_APPLICABLE = "na"
DRAFT, SUBMIT = "draft", "submit"


def _choose_from_list(field):
    if field.data and parse_id(field.data) is None:
        raise ValidationError(_l("Choose from the list."))


# Panels ------------------------------------------------------------------------------------

class PanelForm(BaseForm):
    due_at = ProgrammeDateTimeField(_l("Reviews due"))
    reviewers_per_application = NumberField(
        _l("Reviewers per application"), places=0, minimum=1,
        maximum=MAX_REVIEWERS_PER_APPLICATION,
        description=_l("How many reviewers automatic assignment gives each application."),
        messages={"required": _l("Enter the number of reviewers per application."),
                  "invalid": _l("Enter a whole number, for example 3."),
                  "minimum": _l("Enter at least 1."),
                  "maximum": _l("Enter at most %(count)s.",
                                count=MAX_REVIEWERS_PER_APPLICATION)})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone = current_app.config["PROGRAMME_TIMEZONE"]
        self.due_at.description = _l("Date and time in the programme's time zone (%(zone)s).",
                                     zone=zone)


class NewPanelForm(PanelForm):
    call_id = SelectField(_l("Call"), validate_choice=False)

    def validate_call_id(self, field):
        allowed = {value for value, _label in self.call_id.choices}
        if not field.data or field.data not in allowed:
            raise ValidationError(_l("Choose a call from the list."))


class EditPanelForm(PanelForm):
    chair_id = SelectField(_l("Chair"), validate_choice=False,
                           description=_l("A member of the panel. The chair sees every "
                                          "review, except where they are conflicted."))

    def validate_chair_id(self, field):
        allowed = {value for value, _label in self.chair_id.choices}
        if field.data not in allowed:
            raise ValidationError(_l("Choose the chair among the members."))


class MemberForm(BaseForm):
    user_id = SelectField(_l("Reviewer"), validate_choice=False)

    def validate_user_id(self, field):
        if not field.data:
            raise ValidationError(_l("Choose a reviewer."))
        _choose_from_list(field)


class AssignForm(BaseForm):
    application_id = SelectField(_l("Application"), validate_choice=False)
    reviewer_id = SelectField(_l("Reviewer"), validate_choice=False)

    def validate_application_id(self, field):
        if not field.data:
            raise ValidationError(_l("Choose an application."))
        _choose_from_list(field)

    def validate_reviewer_id(self, field):
        if not field.data:
            raise ValidationError(_l("Choose a reviewer."))
        _choose_from_list(field)


class ReassignForm(BaseForm):
    reviewer_id = SelectField(_l("New reviewer"), validate_choice=False)

    def validate_reviewer_id(self, field):
        if not field.data:
            raise ValidationError(_l("Choose a reviewer."))
        _choose_from_list(field)


# Conflicts and declining -------------------------------------------------------------------

class ConflictForm(BaseForm):
    application_id = SelectField(_l("An application of this call"), validate_choice=False)
    organisation_id = SelectField(
        _l("Or an organisation"), validate_choice=False,
        description=_l("Every application of this call by or with this organisation."))
    reason = LongTextField(_l("Reason"), max_length=REASON_MAX, render_kw={"rows": 3},
                           description=_l("For example: I advise this organisation; a "
                                          "relative works there."))

    def validate_application_id(self, field):
        _choose_from_list(field)
        if field.data and self.organisation_id.data:
            raise ValidationError(_l("Choose an application or an organisation, not both."))
        if not field.data and not self.organisation_id.data:
            raise ValidationError(_l("Choose an application or an organisation."))

    def validate_organisation_id(self, field):
        _choose_from_list(field)

    def validate_reason(self, field):
        if not field.data:
            raise ValidationError(_l("Give the reason."))


class DeclineForm(BaseForm):
    reason = LongTextField(_l("Why you decline"), max_length=REASON_MAX, render_kw={"rows": 3})

    def validate_reason(self, field):
        if not field.data:
            raise ValidationError(_l("Give the reason."))


class LateConflictForm(BaseForm):
    """Staff's decision on a review whose reviewer became conflicted after submitting it."""

    outcome = RadioField(_l("Decision"), validate_choice=False)
    reason = LongTextField(_l("Reason"), max_length=REASON_MAX, render_kw={"rows": 2})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome.choices = [(outcome.value, outcome.title)
                                for outcome in LateConflictOutcome]

    def validate_outcome(self, field):
        if field.data not in LateConflictOutcome.__members__:
            raise ValidationError(_l("Choose to keep or to exclude the review."))

    def validate_reason(self, field):
        if not field.data:
            raise ValidationError(_l("Give the reason."))


# The review --------------------------------------------------------------------------------

class ReviewForm(BaseForm):
    overall_comment = LongTextField(_l("Overall comment"), max_length=OVERALL_COMMENT_MAX,
                                    render_kw={"rows": 6})
    recommendation = RadioField(_l("Recommendation"), validate_choice=False)
    confidence = RadioField(_l("Your confidence in this review"), validate_choice=False)

    criteria: tuple = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.recommendation.choices = [(r.value, r.title) for r in Recommendation]
        self.confidence.choices = [(c.value, c.title) for c in Confidence]
        for criterion in self.criteria:
            choices = [("", _l("Not scored yet"))]
            if criterion.is_na_allowed:
                choices.append((NOT_APPLICABLE, _l("Not applicable")))
            choices += [(str(score), str(score)) for score in range(criterion.max_score + 1)]
            self.score_field(criterion).choices = choices

    @property
    def is_submit(self) -> bool:
        from flask import request
        return request.form.get("action") == SUBMIT

    def score_field(self, criterion):
        return self[f"score_{criterion.id}"]

    def comment_field(self, criterion):
        return self[f"comment_{criterion.id}"]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for criterion in self.criteria:
            field = self.score_field(criterion)
            value = field.data or ""
            message = None
            if value == NOT_APPLICABLE:
                if not criterion.is_na_allowed:
                    message = _l("“Not applicable” is not allowed for this criterion.")
            elif value:
                if not (value.isascii() and value.isdigit()
                        and 0 <= int(value) <= criterion.max_score):
                    message = _l("Choose a score from 0 to %(max)s.", max=criterion.max_score)
            elif self.is_submit:
                message = _l("Score this criterion before submitting.")
            if message:
                field.errors = [*field.errors, message]
                valid = False
        for field, choices, required in (
                (self.recommendation, Recommendation, _l("Choose a recommendation.")),
                (self.confidence, Confidence, _l("Choose your confidence level."))):
            if field.data and field.data not in {c.value for c in choices}:
                field.errors = [*field.errors, _l("Choose from the list.")]
                valid = False
            elif not field.data and self.is_submit:
                field.errors = [*field.errors, required]
                valid = False
        return valid

    def scores(self) -> dict[int, int | None]:
        """Criterion id → score, or None for "not applicable"; unscored criteria left out."""
        result = {}
        for criterion in self.criteria:
            value = self.score_field(criterion).data or ""
            if value == NOT_APPLICABLE:
                result[criterion.id] = None
            elif value:
                result[criterion.id] = int(value)
        return result

    def comments(self) -> dict[int, str]:
        return {criterion.id: self.comment_field(criterion).data or ""
                for criterion in self.criteria}

    @staticmethod
    def data_of(review, criteria) -> dict:
        if review is None:
            return {}
        data = {"overall_comment": review.overall_comment,
                "recommendation": review.recommendation.value if review.recommendation else "",
                "confidence": review.confidence.value if review.confidence else ""}
        by_criterion = {row.criterion_id: row for row in review.scores}
        for criterion in criteria:
            row = by_criterion.get(criterion.id)
            if row is None:
                continue
            if row.score is not None:
                data[f"score_{criterion.id}"] = str(row.score)
            elif criterion.is_na_allowed:
                data[f"score_{criterion.id}"] = NOT_APPLICABLE
            data[f"comment_{criterion.id}"] = row.comment
        return data


def review_form(criteria, **kwargs) -> ReviewForm:
    """A ReviewForm with a score and a comment field for each criterion of the rubric."""

    class _Form(ReviewForm):
        pass

    _Form.criteria = tuple(criteria)
    for criterion in criteria:
        setattr(_Form, f"score_{criterion.id}", SelectField(_l("Score"), validate_choice=False))
        setattr(_Form, f"comment_{criterion.id}",
                LongTextField(_l("Comment"), max_length=COMMENT_MAX, render_kw={"rows": 3}))
    return _Form(**kwargs)
