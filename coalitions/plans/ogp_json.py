"""An action plan in the Open Government Partnership's commitment template, as data.

``plan_data`` gives the plan in one language: the structure the JSON export publishes and
the ``.docx`` export lays out, so that both carry the same fields. Keys are stable; values
that are codes stay codes (states, sectors, countries, ISO dates); texts are in the language
asked for, or in the programme's main language where they are not translated (their fields
are then listed under ``in_main_language``).

    {
      "format": "ogp-action-plan", "version": 1, "language": "es",
      "plan": {"id", "title", "country", "starts_on", "ends_on", "state",
               "in_main_language": [...]},
      "commitments": [{
        "id", "number", "title", "thematic_area", "starts_on", "ends_on",
        "lead_institution": {"id", "name", "sector"} | null,
        "problem", "cause", "description", "contribution",
        "ogp_values": {"transparency" | "civic_participation" | "public_accountability":
                       {"relevant": bool, "explanation": str}},
        "additional_information",
        "milestones": [{"id", "number", "title", "expected_outputs", "starts_on",
                        "ends_on", "state", "in_main_language"}],
        "supporting_institutions": {"government": [{"id", "name", "sector"}],
                                    "other_actors": [{"id", "name", "sector"}]},
        "coalitions": [{"id", "name"}],
        "in_main_language": [...]
      }]
    }
"""

from __future__ import annotations

import json

from accounts.organisations.states import Sector
from coalitions.plans.models import ActionPlan, Commitment, Milestone
from core.translations import localized, main_language

FORMAT = "ogp-action-plan"
VERSION = 1

#: The commitment's texts, by the key they have in the export.
COMMITMENT_TEXTS = {"title": "title", "thematic_area": "thematic_area", "problem": "problem",
                    "cause": "cause", "description": "description",
                    "contribution": "ambition",
                    "additional_information": "additional_information"}
#: OGP's values: the export's key, the yes/no column and its explanation's column.
OGP_VALUES = (("transparency", "transparency", "transparency_note"),
              ("civic_participation", "participation", "participation_note"),
              ("public_accountability", "accountability", "accountability_note"))


def _day(value) -> str | None:
    return value.isoformat() if value else None


class _Texts:
    """Texts of one row in a language, noting those taken from the main language."""

    def __init__(self, obj, language: str):
        self.obj, self.language, self.fallbacks = obj, language, []

    def __call__(self, field: str) -> str:
        text = localized(self.obj, field, self.language)
        if text.is_fallback and text.text:
            self.fallbacks.append(field)
        return text.text


def _organisation(org) -> dict:
    return {"id": org.id, "name": org.name, "sector": org.sector.value}


def _milestone(milestone: Milestone, number: str, language: str) -> dict:
    text = _Texts(milestone, language)
    return {"id": milestone.id, "number": number, "title": text("title"),
            "expected_outputs": text("outputs"), "starts_on": _day(milestone.starts_on),
            "ends_on": _day(milestone.due_on), "state": milestone.state.value,
            "in_main_language": text.fallbacks}


def _commitment(commitment: Commitment, number: int, language: str) -> dict:
    text = _Texts(commitment, language)
    data = {"id": commitment.id, "number": number}
    data.update({key: text(field) for key, field in COMMITMENT_TEXTS.items()})
    supporters = sorted(commitment.supporters, key=lambda org: (org.name.lower(), org.id))
    data.update({
        "starts_on": _day(commitment.starts_on), "ends_on": _day(commitment.ends_on),
        "lead_institution": (_organisation(commitment.lead_organisation)
                             if commitment.lead_organisation else None),
        "ogp_values": {key: {"relevant": bool(getattr(commitment, flag)),
                             "explanation": text(note)}
                       for key, flag, note in OGP_VALUES},
        "milestones": [_milestone(milestone, f"{number}.{index}", language)
                       for index, milestone in enumerate(commitment.milestones, start=1)],
        "supporting_institutions": {
            "government": [_organisation(org) for org in supporters
                           if org.sector == Sector.government],
            "other_actors": [_organisation(org) for org in supporters
                             if org.sector != Sector.government]},
        "coalitions": [{"id": coalition.id, "name": coalition.name} for coalition
                       in sorted(commitment.coalitions, key=lambda c: (c.name.lower(), c.id))],
    })
    data["in_main_language"] = text.fallbacks
    return data


def plan_data(plan: ActionPlan, commitments: list[Commitment], language: str) -> dict:
    """The plan in ``language`` (texts not translated are the main language's)."""
    title = localized(plan, "title", language)
    return {
        "format": FORMAT, "version": VERSION, "language": language,
        "main_language": main_language(),
        "plan": {"id": plan.id, "title": title.text, "country": plan.country,
                 "starts_on": _day(plan.starts_on), "ends_on": _day(plan.ends_on),
                 "state": plan.state.value,
                 "in_main_language": ["title"] if title.is_fallback else []},
        "commitments": [_commitment(commitment, number, language)
                        for number, commitment in enumerate(commitments, start=1)],
    }


def plan_json(plan: ActionPlan, commitments: list[Commitment], language: str) -> bytes:
    return json.dumps(plan_data(plan, commitments, language), ensure_ascii=False,
                      indent=2).encode()
