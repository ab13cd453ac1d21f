"""Every change to funds, calls and rubrics. Operations flush and never commit.

What each field may hold is checked in ``grants.calls.content``.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core import contributions
from core.audit.operations import record
from core.errors import OperationError
from core.extensions import db
from core.locking import AlreadyDone, identical, lock, lock_key
from core.timeutil import utcnow
from core.workflow import Transition
from grants.calls.content import (
    LIST_FIELDS,
    check_still_publishable,
    clean_call,
    clean_fund,
    criterion_translations,
    criterion_values,
)
from grants.calls.models import (
    DEFAULT_AWARD_AMOUNT,
    DEFAULT_MAX_AWARDS,
    DEFAULT_THEMATIC_AREAS,
    Call,
    Criterion,
    EligibilityStatement,
    Fund,
    RequiredDocument,
    ThematicArea,
)
from grants.calls.states import CALL_WORKFLOW, CallState

#: Documents asked of applicants in the reference programme, offered for every new call.
#: Like the thematic areas they are data, edited per call in the call's language.
DEFAULT_REQUIRED_DOCUMENTS = [
    "Registration certificate",
    "Detailed budget",
    "Letter of support from the government counterpart",
]
DEFAULT_REFERENCE_PREFIX = "OGB"

#: For each list: the model of its rows and the attribute holding the text.
_LISTS = {
    "thematic_areas": (ThematicArea, "name"),
    "eligibility_statements": (EligibilityStatement, "text"),
    "required_documents": (RequiredDocument, "name"),
}


# Funds -------------------------------------------------------------------------------------

def create_fund(actor, **fields) -> Fund:
    fields.setdefault("currency", "USD")
    cleaned = clean_fund(fields)
    for required in ("name", "total_budget"):
        if required not in cleaned:
            raise OperationError(_l("This field is required."), field=required)
    lock_key(f"funds:{cleaned['name']}")  # the same fund created twice at once
    existing = identical(Fund, cleaned)
    if existing is not None:
        raise AlreadyDone(_l("The fund %(name)s is already there.", name=existing.name),
                          existing=existing)
    fund = Fund(**cleaned)
    db.session.add(fund)
    db.session.flush()
    record("fund.create", fund, actor=actor,
           summary=f"{getattr(actor, 'email', 'system')} created the fund {fund.name}",
           data={"fields": cleaned})
    return fund


def fund_has_submissions(fund: Fund) -> bool:
    return contributions.ask("fund.has_submissions", fund)


def update_fund(fund: Fund, actor, **fields) -> dict:
    """Change the fund; returns the changes as ``{field: [old, new]}`` (none when the same
    form is sent twice: the second finds the first one's values, under the row lock)."""
    lock(fund)
    cleaned = clean_fund(fields)
    changes = {name: [getattr(fund, name), value] for name, value in cleaned.items()
               if getattr(fund, name) != value}
    if not changes:
        return {}
    if "currency" in changes and fund_has_submissions(fund):
        raise OperationError(_l("Applications have been submitted to this fund's calls: its "
                                "currency can no longer be changed."), field="currency")
    for name, (_old, new) in changes.items():
        setattr(fund, name, new)
    db.session.flush()
    record("fund.update", fund, actor=actor,
           summary=f"{getattr(actor, 'email', 'system')} changed "
                   f"{', '.join(sorted(changes))} of the fund {fund.name}",
           data={"changes": changes})
    return changes


# Calls -------------------------------------------------------------------------------------

def new_call_defaults() -> dict:
    """The values a new call starts with: the reference programme's."""
    return {
        "thematic_areas": list(DEFAULT_THEMATIC_AREAS),
        "eligibility_statements": [],
        "required_documents": list(DEFAULT_REQUIRED_DOCUMENTS),
        "award_amount": DEFAULT_AWARD_AMOUNT,
        "max_awards": DEFAULT_MAX_AWARDS,
        "is_counterpart_required": True,
        "is_one_application_per_organisation": True,
        "reference_prefix": DEFAULT_REFERENCE_PREFIX,
    }


def create_call(actor, **fields) -> Call:
    """A new draft call, with the reference programme's defaults for what is not given."""
    for name, value in new_call_defaults().items():
        fields.setdefault(name, value)
    cleaned = clean_call(fields)
    for required in ("fund_id", "title"):
        if required not in cleaned:
            raise OperationError(_l("This field is required."), field=required)
    lists = {name: cleaned.pop(name) for name in LIST_FIELDS}
    translations = cleaned.pop("translations", {})
    lock_key(f"calls:{cleaned['title']}")  # the same call created twice at once
    existing = identical(Call, {**cleaned, "state": CallState.draft})
    if existing is not None and all(_listed(existing, name) == items
                                    for name, items in lists.items()):
        raise AlreadyDone(_l("The call %(title)s is already there.", title=existing.title),
                          existing=existing)
    call = Call(state=CallState.draft, **cleaned)
    db.session.add(call)
    for name, items in lists.items():
        model, attribute = _LISTS[name]
        getattr(call, name).extend(model(position=position, **{attribute: item})
                                   for position, item in enumerate(items))
    apply_translations(call, translations)
    db.session.flush()
    record("call.create", call, actor=actor,
           summary=f"{getattr(actor, 'email', 'system')} created the call {call.title}",
           data={"fields": cleaned, **lists, "translations": translations})
    return call


def apply_translations(call: Call, translations: dict[str, dict]) -> None:
    """Set the call's texts in each other language, and its lists' line by line (a line
    translates the line in the same place of the main language's list)."""
    for language, texts in translations.items():
        call.set_translation(language, {field: texts.get(field, "")
                                        for field in call.__translatable__})
        for name in LIST_FIELDS:
            items, lines = getattr(call, name), texts.get(name) or []
            if len(lines) > len(items):
                raise OperationError(_l("Write one line for each line of the main language, "
                                        "in the same order."),
                                     field=f"translations_{language}-{name}")
            attribute = _LISTS[name][1]
            for position, item in enumerate(items):
                line = lines[position] if position < len(lines) else ""
                item.set_translation(language, {attribute: line})


def translation_snapshot(call: Call) -> dict:
    """The call's translations and its lists', for the audit log."""
    return {"call": call.translations or {},
            **{name: [item.translations or {} for item in getattr(call, name)]
               for name in LIST_FIELDS}}


def _listed(call: Call, name: str) -> list[str]:
    """The texts of the call's list ``name``, in order."""
    attribute = _LISTS[name][1]
    return [getattr(row, attribute) for row in getattr(call, name)]


def _chosen_area_names(area_ids: list[int]) -> list[str]:
    """Of these thematic areas, the names of those an application has chosen."""
    if not area_ids:
        return []
    return contributions.ask("call.chosen_area_names", area_ids)


def _sync_list(call: Call, name: str, items: list[str]) -> list[str] | None:
    """Make the call's list ``name`` hold ``items``, in order. A row whose text is unchanged
    keeps its id (applications refer to it); rows no longer listed are deleted. Returns the
    old texts when something changed, else None."""
    model, attribute = _LISTS[name]
    rows = getattr(call, name)
    old = [getattr(row, attribute) for row in rows]
    if old == items:
        return None
    available = {}
    for row in rows:
        available.setdefault(getattr(row, attribute), row)
    kept = []
    for position, item in enumerate(items):
        row = available.pop(item, None)
        if row is None:
            row = model(**{attribute: item})
        row.position = position
        kept.append(row)
    removed = list(available.values())
    if name == "thematic_areas":
        chosen = _chosen_area_names([row.id for row in removed if row.id is not None])
        if chosen:
            raise OperationError(_l("Applications have chosen “%(areas)s”: keep these areas "
                                    "in the list.", areas="”, “".join(chosen)), field=name)
    if removed:
        # Delete first, so a re-added text never meets the row it replaces in a constraint.
        for row in removed:
            rows.remove(row)
        db.session.flush()
    rows[:] = kept
    return old


def update_call(call: Call, actor, **fields) -> dict:
    """Change the call's details and lists; returns the changes as ``{field: [old, new]}``.

    The award amount (and the fund, whose currency it is in) cannot change once an
    application has been submitted; a call that has left the draft state keeps what it needed
    to be published."""
    lock(call)  # the same form sent twice at once: the second finds nothing to change
    cleaned = clean_call(fields, call)
    lists = {name: cleaned.pop(name) for name in LIST_FIELDS if name in cleaned}
    translations = cleaned.pop("translations", None)
    changes = {name: [getattr(call, name), value] for name, value in cleaned.items()
               if getattr(call, name) != value}
    if ({"award_amount", "fund_id"} & set(changes)) and call.has_submissions():
        field = "award_amount" if "award_amount" in changes else "fund_id"
        raise OperationError(_l("Applications have been submitted to this call: its award "
                                "amount and fund can no longer be changed."), field=field)
    if call.state != CallState.draft:
        check_still_publishable(call, cleaned, lists)
    # The lists first: removing an area an application chose is refused before anything
    # else has changed.
    list_changes = {}
    for name in LIST_FIELDS:
        if name in lists:
            old = _sync_list(call, name, lists[name])
            if old is not None:
                list_changes[name] = [old, lists[name]]
    for name, (_old, new) in changes.items():
        setattr(call, name, new)
    if "fund_id" in changes:
        call.fund = db.session.get(Fund, call.fund_id)
    changes.update(list_changes)
    if translations is not None:
        before = translation_snapshot(call)
        apply_translations(call, translations)
        if translation_snapshot(call) != before:
            changes["translations"] = [before, translation_snapshot(call)]
    if not changes:
        return {}
    db.session.flush()
    record("call.update", call, actor=actor,
           summary=f"{getattr(actor, 'email', 'system')} changed "
                   f"{', '.join(sorted(changes))} of the call {call.title}",
           data={"changes": changes})
    return changes


# The rubric --------------------------------------------------------------------------------

def _criterion_snapshot(criterion: Criterion) -> dict:
    return {"id": criterion.id, "name": criterion.name, "guidance": criterion.guidance,
            "weight": str(criterion.weight), "max_score": criterion.max_score,
            "is_na_allowed": criterion.is_na_allowed}


def update_rubric(call: Call, actor, rows: list[dict]) -> bool:
    """Replace the call's rubric by ``rows`` (dicts with id, name, guidance, weight,
    max_score, is_na_allowed, and optionally the form's row index). A row with a blank name
    is dropped, and the criterion it showed is deleted. Returns whether anything changed.

    The rubric cannot change once an application has been submitted."""
    lock(call)  # the same form sent twice at once: the second finds nothing to change
    existing = {criterion.id: criterion for criterion in call.criteria}
    wanted, translations = [], []
    seen_names = set()
    for row in rows:
        name = (row.get("name") or "").strip()
        if not name:
            continue
        values = criterion_values(row)
        if name.casefold() in seen_names:
            raise OperationError(_l("Two criteria are called “%(name)s”: give each a "
                                    "different name.", name=name[:80]),
                                 field=f"criteria-{row.get('index', 0)}-name")
        seen_names.add(name.casefold())
        criterion_id = row.get("id")
        # An id that is not one of this call's criteria starts a new criterion.
        wanted.append((existing.get(criterion_id) if criterion_id in existing else None,
                       values))
        translations.append(criterion_translations(row))
    kept_ids = {criterion.id for criterion, _values in wanted if criterion is not None}
    before = [_criterion_snapshot(c) for c in call.criteria]
    removed = [c for c in call.criteria if c.id not in kept_ids]
    changed = bool(removed) or any(
        criterion is None or position != criterion.position
        or any(getattr(criterion, key) != value for key, value in values.items())
        for position, (criterion, values) in enumerate(wanted))
    if not changed:
        # The wording in other languages may change at any time: scores do not depend on it.
        return _translate_rubric(call, actor, [c for c, _values in wanted], translations)
    if call.has_submissions():
        raise OperationError(_l("Applications have been submitted to this call: its rubric "
                                "can no longer be changed."))
    if call.state != CallState.draft and not wanted:
        raise OperationError(_l("A published call needs at least one criterion in its "
                                "rubric."))
    for criterion in removed:
        call.criteria.remove(criterion)
    ordered = []
    for position, (criterion, values) in enumerate(wanted):
        if criterion is None:
            criterion = Criterion(**values)
        else:
            for key, value in values.items():
                setattr(criterion, key, value)
        criterion.position = position
        ordered.append(criterion)
    call.criteria[:] = ordered
    for criterion, texts in zip(ordered, translations, strict=True):
        for language, own in texts.items():
            criterion.set_translation(language, own)
    db.session.flush()
    record("call.update_rubric", call, actor=actor,
           summary=f"{getattr(actor, 'email', 'system')} changed the rubric of the call "
                   f"{call.title}",
           data={"before": before, "after": [_criterion_snapshot(c) for c in call.criteria]})
    return True


def _translate_rubric(call: Call, actor, criteria: list[Criterion],
                      translations: list[dict]) -> bool:
    """Only the criteria's wording in other languages changed: set it and audit it."""
    before = [criterion.translations or {} for criterion in criteria]
    for criterion, texts in zip(criteria, translations, strict=True):
        for language, own in texts.items():
            criterion.set_translation(language, own)
    after = [criterion.translations or {} for criterion in criteria]
    if after == before:
        return False
    db.session.flush()
    record("call.translate_rubric", call, actor=actor,
           summary=f"{getattr(actor, 'email', 'system')} changed the rubric's wording in "
                   f"other languages of the call {call.title}",
           data={"before": before, "after": after})
    return True


# States ------------------------------------------------------------------------------------

def transition_call(call: Call, target: CallState, actor) -> Transition:
    """Move the call to ``target`` through the workflow table, and audit it."""
    lock(call)
    if call.state == target:
        raise AlreadyDone(_l("The call is already “%(state)s”.", state=call.state.title))
    transition = CALL_WORKFLOW.check(call, target, actor)
    now = utcnow()
    if target == CallState.published and call.closes_at is not None and call.closes_at <= now:
        raise OperationError(_l("The closing time has passed: set a later closing time "
                                "before publishing."))
    source = call.state
    call.state = target
    if target == CallState.published:
        call.published_at = now
    db.session.flush()
    record(f"call.{transition.action}", call, actor=actor,
           summary=f"{getattr(actor, 'email', 'system')}: {transition.action} the call "
                   f"{call.title}",
           data={"from": source.value, "to": target.value})
    return transition
