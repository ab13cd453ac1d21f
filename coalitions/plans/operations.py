"""Every change to action plans, commitments and milestones. Operations flush and never
commit."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from accounts.organisations.forms import country_codes
from accounts.organisations.states import Sector
from coalitions.coalitions.models import Coalition
from coalitions.coalitions.operations import (
    organisation_or_error,
    organisations_or_error,
)
from coalitions.plans.models import ActionPlan, Commitment, Milestone
from coalitions.plans.states import (
    EDITABLE_STATES,
    PLAN_WORKFLOW,
    TRACKING_STATES,
    MilestoneState,
    PlanState,
)
from core.audit.operations import record
from core.database import rows_by_ids
from core.errors import OperationError
from core.extensions import db
from core.locking import AlreadyDone, identical, lock, lock_key
from core.translations import apply_translations, clean_translations
from core.validation import clean_text

TITLE_MAX = 200
MILESTONE_TITLE_MAX = 300
TEXT_MAX = 10000
AREA_MAX = 120
EVIDENCE_MAX = 4000
MAX_LINKS = 200

PLAN_FIELDS = ("title", "country", "starts_on", "ends_on", "is_public", "translations")
#: The OGP values a commitment may be relevant to, each a yes or no with its explanation.
OGP_VALUES = ("transparency", "participation", "accountability")
#: The long texts of OGP's commitment template.
LONG_TEXTS = ("problem", "cause", "description", "ambition", "transparency_note",
              "participation_note", "accountability_note", "additional_information")
COMMITMENT_FIELDS = ("title", *LONG_TEXTS, "thematic_area", *OGP_VALUES, "starts_on",
                     "ends_on", "lead_organisation_id", "supporter_ids", "coalition_ids",
                     "translations")
#: The texts written in every language of the programme, with their lengths.
PLAN_TEXTS = {"title": TITLE_MAX}
COMMITMENT_TEXTS = {"title": TITLE_MAX, **{name: TEXT_MAX for name in LONG_TEXTS},
                    "thematic_area": AREA_MAX}
MILESTONE_TEXTS = {"title": MILESTONE_TITLE_MAX, "outputs": TEXT_MAX}


#: The texts typed in a text area, where line breaks belong.
_MULTILINE_FIELDS = frozenset({*LONG_TEXTS, "evidence", "outputs"})

_VALUE_NOTES = {
    "transparency": _l("Explain how the commitment is relevant to transparency."),
    "participation": _l("Explain how the commitment is relevant to civic participation."),
    "accountability": _l("Explain how the commitment is relevant to public accountability."),
}


def _text(value, field: str, limit: int, *, required_message=None) -> str:
    return clean_text(value, field=field, max_length=limit, required=required_message,
                      multiline=field in _MULTILINE_FIELDS)


def _date(value, field: str, message) -> date:
    if not isinstance(value, date):
        raise OperationError(message, field=field)
    return value


def _optional_date(value, field: str) -> date | None:
    if value in (None, ""):
        return None
    return _date(value, field, _l("Enter a date, for example 2026-03-31."))


# States ------------------------------------------------------------------------------------

def require_editable(plan: ActionPlan) -> None:
    """Commitments, their texts and milestones change only while the plan is drafted or in
    consultation: once submitted to OGP it is what was submitted."""
    if plan.state not in EDITABLE_STATES:
        raise OperationError(_l("The plan is “%(state)s”: its commitments can no longer be "
                                "changed. Only milestones' progress is recorded, while the "
                                "plan is implemented.", state=plan.state.title))


def require_tracking(plan: ActionPlan) -> None:
    if plan.state not in TRACKING_STATES:
        raise OperationError(_l("Milestones' progress is recorded while the plan is in "
                                "implementation; it is “%(state)s”.", state=plan.state.title))


def transition_plan(plan: ActionPlan, target: PlanState, actor):
    """Move the plan to ``target`` through the workflow table, and audit it."""
    lock(plan)  # the same button pressed twice at once: the second finds it done
    if plan.state == target:
        raise AlreadyDone(_l("The plan is already “%(state)s”.", state=plan.state.title),
                          existing=plan)
    transition = PLAN_WORKFLOW.check(plan, target, actor)
    source = plan.state
    plan.state = target
    db.session.flush()
    record(transition.audit, plan, actor=actor,
           summary=f"Action plan {plan.title}: {source.value} → {target.value}",
           data={"from": source.value, "to": target.value})
    return transition


# Plans -------------------------------------------------------------------------------------

def _clean_plan(fields: dict, plan: ActionPlan | None = None) -> dict:
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"unknown action plan fields: {', '.join(sorted(unknown))}")
    cleaned = {}
    if "title" in fields:
        cleaned["title"] = _text(fields["title"], "title", TITLE_MAX,
                                 required_message=_l("Enter the plan's title."))
    if "country" in fields:
        country = (fields["country"] or "").strip().upper()
        if country not in country_codes():
            raise OperationError(_l("Choose a country from the list."), field="country")
        cleaned["country"] = country
    if "starts_on" in fields:
        cleaned["starts_on"] = _date(fields["starts_on"], "starts_on",
                                     _l("Enter the date the plan starts."))
    if "ends_on" in fields:
        cleaned["ends_on"] = _date(fields["ends_on"], "ends_on",
                                   _l("Enter the date the plan ends."))
    if "is_public" in fields:
        cleaned["is_public"] = bool(fields["is_public"])
    if "translations" in fields:
        cleaned["translations"] = clean_translations(fields["translations"], PLAN_TEXTS)
    starts = cleaned.get("starts_on", plan.starts_on if plan else None)
    ends = cleaned.get("ends_on", plan.ends_on if plan else None)
    if starts and ends and ends < starts:
        raise OperationError(_l("The plan cannot end before it starts."), field="ends_on")
    return cleaned


def create_plan(actor, **fields) -> ActionPlan:
    cleaned = _clean_plan(fields)
    for name, message in (("title", _l("Enter the plan's title.")),
                          ("starts_on", _l("Enter the date the plan starts.")),
                          ("ends_on", _l("Enter the date the plan ends."))):
        if name not in cleaned:
            raise OperationError(message, field=name)
    translations = cleaned.pop("translations", {})
    lock_key(f"action_plans:{cleaned['title']}")  # the same plan created twice at once
    existing = identical(ActionPlan, cleaned)
    if existing is not None:
        raise AlreadyDone(_l("The action plan %(title)s is already there.",
                             title=existing.title), existing=existing)
    plan = ActionPlan(**cleaned)
    apply_translations(plan, translations)
    db.session.add(plan)
    db.session.flush()
    record("action_plan.create", plan, actor=actor, summary=f"Action plan {plan.title} created",
           data={**cleaned, "translations": plan.translations})
    return plan


def update_plan(plan: ActionPlan, actor, **fields) -> dict:
    lock(plan)  # the same form sent twice at once: the second finds nothing to change
    cleaned = _clean_plan(fields, plan)
    translations = cleaned.pop("translations", {})
    changes = {name: [getattr(plan, name), value] for name, value in cleaned.items()
               if getattr(plan, name) != value}
    changes.update({f"translations.{language}": change for language, change
                    in apply_translations(plan, translations).items()})
    if not changes:
        return {}
    if plan.state not in EDITABLE_STATES and set(changes) - {"is_public"}:
        raise OperationError(_l("The plan is “%(state)s”: its title, dates and texts are "
                                "those submitted. Only whether it is public can change.",
                                state=plan.state.title))
    for name in cleaned:
        if name in changes:
            setattr(plan, name, changes[name][1])
    db.session.flush()
    record("action_plan.update", plan, actor=actor,
           summary=f"Action plan {plan.title}: {', '.join(sorted(changes))} changed",
           data={"changes": changes})
    return changes


# Commitments -------------------------------------------------------------------------------

def _coalitions_or_error(coalition_ids, field: str) -> list[Coalition]:
    return rows_by_ids(Coalition, coalition_ids, field=field, message=lambda number: _l(
        "No coalition has the number %(number)s.", number=number))


def _clean_commitment_values(fields: dict) -> dict:
    """The title, OGP's texts, values and dates among ``fields``, cleaned."""
    cleaned = {}
    if "title" in fields:
        cleaned["title"] = _text(fields["title"], "title", TITLE_MAX,
                                 required_message=_l("Enter the commitment's title."))
    for name in LONG_TEXTS:
        if name in fields:
            cleaned[name] = _text(fields[name], name, TEXT_MAX)
    for name in OGP_VALUES:
        if name in fields:
            cleaned[name] = bool(fields[name])
    for name in ("starts_on", "ends_on"):
        if name in fields:
            cleaned[name] = _optional_date(fields[name], name)
    return cleaned


def _clean_commitment(fields: dict) -> dict:
    unknown = set(fields) - set(COMMITMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown commitment fields: {', '.join(sorted(unknown))}")
    cleaned = _clean_commitment_values(fields)
    if "thematic_area" in fields:
        cleaned["thematic_area"] = _text(fields["thematic_area"], "thematic_area", AREA_MAX)
    if "translations" in fields:
        cleaned["translations"] = clean_translations(fields["translations"], COMMITMENT_TEXTS,
                                                     _MULTILINE_FIELDS)
    if "lead_organisation_id" in fields:
        value = fields["lead_organisation_id"]
        if value in (None, ""):
            cleaned["lead_organisation"] = None
        else:
            lead = organisation_or_error(value, "lead_organisation_id")
            if lead.sector != Sector.government:
                raise OperationError(_l("The lead must be a government organisation; %(name)s "
                                        "is not.", name=lead.name),
                                     field="lead_organisation_id")
            cleaned["lead_organisation"] = lead
    for name, loader in (("supporter_ids", organisations_or_error),
                         ("coalition_ids", _coalitions_or_error)):
        if name in fields:
            values = list(fields[name] or [])
            if len(values) > MAX_LINKS:
                raise OperationError(_l("Choose at most %(count)s.", count=MAX_LINKS),
                                     field=name)
            cleaned[name] = loader(values, name)
    return cleaned


def _check_commitment(commitment: Commitment | None, cleaned: dict) -> None:
    """What must hold once the cleaned values are set: the period in order, and an
    explanation for each OGP value the commitment is relevant to."""
    def value(name):
        return cleaned.get(name, getattr(commitment, name) if commitment else None)

    starts, ends = value("starts_on"), value("ends_on")
    if starts and ends and ends < starts:
        raise OperationError(_l("The commitment cannot end before it starts."),
                             field="ends_on")
    for name in OGP_VALUES:
        if value(name) and not value(f"{name}_note"):
            raise OperationError(_VALUE_NOTES[name], field=f"{name}_note")


def _apply_commitment(commitment: Commitment, cleaned: dict) -> dict:
    """Set the cleaned values; returns the changes (organisations and coalitions by id)."""
    changes = {}
    for name, value in cleaned.items():
        if name == "translations":
            changes.update({f"translations.{language}": change for language, change
                            in apply_translations(commitment, value).items()})
        elif name == "lead_organisation":
            old_id, new_id = commitment.lead_organisation_id, value.id if value else None
            if old_id != new_id:
                commitment.lead_organisation = value
                changes["lead_organisation_id"] = [old_id, new_id]
        elif name in ("supporter_ids", "coalition_ids"):
            attribute = "supporters" if name == "supporter_ids" else "coalitions"
            old = sorted(item.id for item in getattr(commitment, attribute))
            new = sorted(item.id for item in value)
            if old != new:
                setattr(commitment, attribute, list(value))
                changes[name] = [old, new]
        elif getattr(commitment, name) != value:
            changes[name] = [getattr(commitment, name), value]
            setattr(commitment, name, value)
    return changes


def _holds(commitment: Commitment, cleaned: dict) -> bool:
    """Whether the commitment already holds every cleaned value."""
    for name, value in cleaned.items():
        if name == "translations":
            if any(commitment.translated(language) != {field: text for field, text
                                                        in texts.items() if text}
                   for language, texts in value.items()):
                return False
        elif name == "lead_organisation":
            if commitment.lead_organisation_id != (value.id if value else None):
                return False
        elif name in ("supporter_ids", "coalition_ids"):
            attribute = "supporters" if name == "supporter_ids" else "coalitions"
            if (sorted(item.id for item in getattr(commitment, attribute))
                    != sorted(item.id for item in value)):
                return False
        elif getattr(commitment, name) != value:
            return False
    return True


def create_commitment(plan: ActionPlan, actor, **fields) -> Commitment:
    cleaned = _clean_commitment(fields)
    if "title" not in cleaned:
        raise OperationError(_l("Enter the commitment's title."), field="title")
    _check_commitment(None, cleaned)
    lock(plan)  # the same commitment added twice at once: the second finds the first
    require_editable(plan)
    for existing in db.session.scalars(select(Commitment).where(
            Commitment.plan_id == plan.id, Commitment.title == cleaned["title"])):
        if _holds(existing, cleaned):
            raise AlreadyDone(_l("The commitment %(title)s is already there.",
                                 title=existing.title), existing=existing)
    position = db.session.scalar(select(func.coalesce(func.max(Commitment.position), 0))
                                 .where(Commitment.plan_id == plan.id)) or 0
    commitment = Commitment(position=position + 1, supporters=[], coalitions=[])
    changes = _apply_commitment(commitment, cleaned)
    plan.commitments.append(commitment)
    db.session.flush()
    record("commitment.create", commitment, actor=actor,
           summary=f"Commitment {commitment.title} added to {plan.title}",
           data={"plan_id": plan.id, **{name: new for name, (_old, new) in changes.items()}})
    return commitment


def update_commitment(commitment: Commitment, actor, **fields) -> dict:
    lock(commitment)  # the same form sent twice at once: the second finds nothing to change
    require_editable(commitment.plan)
    cleaned = _clean_commitment(fields)
    _check_commitment(commitment, cleaned)
    changes = _apply_commitment(commitment, cleaned)
    if not changes:
        return {}
    db.session.flush()
    record("commitment.update", commitment, actor=actor,
           summary=f"Commitment {commitment.title}: {', '.join(sorted(changes))} changed",
           data={"changes": changes})
    return changes


# Milestones --------------------------------------------------------------------------------

def _state(value) -> MilestoneState:
    try:
        return MilestoneState(value)
    except ValueError:
        raise OperationError(_l("Choose a state from the list."), field="state") from None


def add_milestone(commitment: Commitment, actor, *, title: str, due_on: date | None,
                  starts_on: date | None = None, outputs: str = "",
                  state=MilestoneState.not_started, evidence: str = "",
                  translations: dict | None = None) -> Milestone:
    title = _text(title, "title", MILESTONE_TITLE_MAX,
                  required_message=_l("Enter what the milestone delivers."))
    starts_on = _optional_date(starts_on, "starts_on")
    due_on = _date(due_on, "due_on", _l("Enter the milestone's due date."))
    if starts_on and due_on < starts_on:
        raise OperationError(_l("The milestone cannot end before it starts."), field="due_on")
    outputs = _text(outputs, "outputs", TEXT_MAX)
    state = _state(state or MilestoneState.not_started)
    evidence = _text(evidence, "evidence", EVIDENCE_MAX)
    translations = clean_translations(translations or {}, MILESTONE_TEXTS, _MULTILINE_FIELDS)
    lock(commitment)  # the same milestone added twice at once: the second finds the first
    require_editable(commitment.plan)
    if identical(Milestone, {"commitment_id": commitment.id, "title": title,
                             "starts_on": starts_on, "due_on": due_on, "state": state,
                             "evidence": evidence}):
        raise AlreadyDone(_l("The milestone %(title)s is already there.", title=title))
    milestone = Milestone(title=title, starts_on=starts_on, due_on=due_on, outputs=outputs,
                          state=state, evidence=evidence)
    apply_translations(milestone, translations)
    commitment.milestones.append(milestone)
    db.session.flush()
    record("milestone.create", commitment, actor=actor,
           summary=f"Milestone {title} (due {due_on}) added to {commitment.title}",
           data={"milestone_id": milestone.id, "title": title, "starts_on": starts_on,
                 "due_on": due_on, "outputs": outputs, "state": state.value,
                 "translations": milestone.translations})
    return milestone


def update_milestone(milestone: Milestone, actor, *, state, evidence: str = "") -> dict:
    """Record a milestone's state and the evidence of it (for example a link to the
    published document)."""
    lock(milestone)  # the same form sent twice at once: the second finds nothing to change
    require_tracking(milestone.commitment.plan)
    state = _state(state)
    evidence = _text(evidence, "evidence", EVIDENCE_MAX)
    changes = {}
    if milestone.state != state:
        changes["state"] = [MilestoneState(milestone.state).value, state.value]
        milestone.state = state
    if milestone.evidence != evidence:
        changes["evidence"] = [milestone.evidence, evidence]
        milestone.evidence = evidence
    if not changes:
        return {}
    db.session.flush()
    commitment = milestone.commitment
    record("milestone.update", commitment, actor=actor,
           summary=f"Milestone {milestone.title} of {commitment.title}: "
                   f"{', '.join(sorted(changes))} changed",
           data={"milestone_id": milestone.id, "changes": changes})
    return changes
