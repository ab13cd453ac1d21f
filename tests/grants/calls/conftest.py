"""Helpers of the call tests: counting rows and filling the fund, call and rubric forms."""

from __future__ import annotations

from sqlalchemy import func, select

from grants.calls.models import DEFAULT_THEMATIC_AREAS


def _count(session, model, *conditions) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*conditions))


def _call_form(fund, **overrides) -> dict:
    data = {
        "fund_id": str(fund.id), "title": "Mini-grants for open government 2026",
        "summary": "Grants of US$5,000 for CSO–government partnerships.",
        "body_markdown": "## Who can apply\n\nRegistered CSOs.",
        "thematic_areas": "\n".join(DEFAULT_THEMATIC_AREAS),
        "eligibility_statements": "We are a registered CSO.\nWe have a government partner.",
        "required_documents": "Registration certificate\nDetailed budget",
        "award_amount": "5,000.00", "max_awards": "8",
        "opens_at": "2026-03-01T09:00", "closes_at": "2026-03-31T17:00",
        "is_counterpart_required": "y", "is_one_application_per_organisation": "y",
        "reference_prefix": "ogb",
    }
    data.update(overrides)
    return data


def _fund_form(**overrides) -> dict:
    data = {"name": "Promoting an Open Government Ecosystem", "donor_organisation_id": "",
            "managing_organisation_id": "", "currency": "USD", "total_budget": "40000"}
    data.update(overrides)
    return data


def _rubric_form(call, extra=()) -> dict:
    data = {}
    rows = [{"criterion_id": str(c.id), "name": c.name, "guidance": c.guidance,
             "weight": str(c.weight), "max_score": str(c.max_score),
             "is_na_allowed": "y" if c.is_na_allowed else ""} for c in call.criteria]
    rows += list(extra)
    for index, row in enumerate(rows):
        for key, value in row.items():
            if key == "is_na_allowed" and not value:
                continue
            data[f"criteria-{index}-{key}"] = value
    return data
