"""Changing what the public sees of an award. Operations flush and never commit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.audit.operations import record
from core.errors import OperationError
from core.extensions import db
from core.translations import other_languages
from core.validation import clean_text
from grants.awards.checks import lock_award
from grants.awards.models import Award
from reporting.policies import can_manage_publication
from reporting.portal.models import PUBLIC_PARTS, ProjectPublication
from reporting.portal.queries import default_publication

PUBLIC_TITLE_MAX = 200  # the column's length
PUBLIC_SUMMARY_MAX = 3000

_TEXTS = {"public_title": PUBLIC_TITLE_MAX, "public_summary": PUBLIC_SUMMARY_MAX}


def _clean_text(value, *, field: str, multiline: bool, shown_as: str | None = None) -> str:
    return clean_text(value, field=shown_as or field, max_length=_TEXTS[field],
                      multiline=multiline)


def _clean_translations(value) -> dict[str, dict]:
    """The public title and summary per other language of the programme."""
    if not isinstance(value, dict) or set(value) - set(other_languages()):
        raise ValueError("translations are keyed by the programme's other languages")
    return {language: {field: _clean_text(texts.get(field), field=field,
                                          multiline=field == "public_summary",
                                          shown_as=f"translations_{language}-{field}")
                       for field in _TEXTS}
            for language, texts in value.items()}


def _flag(value, *, field: str) -> bool:
    if not isinstance(value, bool):
        raise OperationError(_l("Choose yes or no."), field=field)
    return value


def _snapshot(publication: ProjectPublication) -> dict:
    return {"is_published": publication.is_published,
            "public_title": publication.public_title,
            "public_summary": publication.public_summary,
            **{part: publication.is_public(part) for part in PUBLIC_PARTS},
            "translations": publication.translations or {}}


def update_publication(award: Award, actor, **choices) -> ProjectPublication:
    """Create or change ``award``'s publication settings.

    ``choices`` may hold ``is_published``, ``public_title``, ``public_summary`` and one flag
    per name in ``PUBLIC_PARTS`` (``amount=False`` holds the amount back); what is left out
    keeps its current value (the defaults for an award without settings).
    """
    allowed, reason = can_manage_publication(actor)
    if not allowed:
        raise OperationError(reason)
    unknown = set(choices) - {"is_published", *_TEXTS, *PUBLIC_PARTS, "translations"}
    if unknown:
        raise ValueError(f"unknown publication choices: {sorted(unknown)}")
    values = {}
    if "is_published" in choices:
        values["is_published"] = _flag(choices["is_published"], field="is_published")
    for field in _TEXTS:
        if field in choices:
            values[field] = _clean_text(choices[field], field=field,
                                        multiline=field == "public_summary")
    for part in PUBLIC_PARTS:
        if part in choices:
            values[f"is_{part}_public"] = _flag(choices[part], field=f"show_{part}")
    translations = _clean_translations(choices["translations"]) \
        if "translations" in choices else {}

    # The award's row lock serialises two staff saving the first settings at once (the
    # second would otherwise hit the unique award_id).
    award = lock_award(award)
    publication = db.session.scalar(select(ProjectPublication)
                                    .where(ProjectPublication.award_id == award.id))
    created = publication is None
    if created:
        publication = default_publication(award)
        db.session.add(publication)
    before = _snapshot(publication)
    for name, value in values.items():
        setattr(publication, name, value)
    for language, texts in translations.items():
        publication.set_translation(language, texts)
    publication.updated_by_id = getattr(actor, "id", None)
    db.session.flush()
    after = _snapshot(publication)
    changed = sorted(key for key in after if before[key] != after[key])
    record("publication.create" if created else "publication.update", publication,
           actor=actor,
           summary=f"{award.reference}: publication settings "
                   f"{'saved' if created else 'changed'} ({', '.join(changed) or 'no change'})",
           data={"award_id": award.id, "reference": award.reference,
                 "before": None if created else before, "after": after})
    return publication
