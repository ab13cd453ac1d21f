"""The publication settings form: whether an award's project page is public, its public
wording and which of its parts are shown."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Form, FormField

from core.forms import BaseForm, LongTextField, TextField
from core.translations import language_name, other_languages
from reporting.portal.models import PUBLIC_PARTS
from reporting.portal.operations import PUBLIC_SUMMARY_MAX, PUBLIC_TITLE_MAX

#: The label of each part's checkbox, in the order of PUBLIC_PARTS.
PART_LABELS = {
    "summary": _l("Summary"),
    "organisation": _l("Organisation carrying out the project"),
    "partner": _l("Government partner"),
    "amount": _l("Amount awarded"),
    "dates": _l("Dates (award, start and end)"),
    "area": _l("Thematic areas"),
    "district": _l("Districts"),
    "progress": _l("Progress (share disbursed and reports accepted)"),
}


def part_field(part: str) -> str:
    """The form field of one public part."""
    return f"show_{part}"


class PublicationForm(BaseForm):
    is_published = BooleanField(_l("Publish the project page"))
    public_title = TextField(
        _l("Public title"), max_length=PUBLIC_TITLE_MAX,
        description=_l("Leave empty to use the application's own title."))
    public_summary = LongTextField(
        _l("Public summary"), max_length=PUBLIC_SUMMARY_MAX, render_kw={"rows": 6},
        description=_l("Leave empty to use the application's own summary. Plain text."))

    def parts(self):
        """The part checkboxes, in the order of PUBLIC_PARTS."""
        return [getattr(self, part_field(part)) for part in PUBLIC_PARTS]

    languages: tuple[str, ...] = ()

    def choices(self) -> dict:
        """The form's values as keyword arguments of ``update_publication``."""
        choices = {"is_published": self.is_published.data,
                   "public_title": self.public_title.data or "",
                   "public_summary": self.public_summary.data or "",
                   **{part: getattr(self, part_field(part)).data for part in PUBLIC_PARTS}}
        if self.languages:
            choices["translations"] = {
                language: {name: self[f"translations_{language}"][name].data or ""
                           for name in ("public_title", "public_summary")}
                for language in self.languages}
        return choices


for _part in PUBLIC_PARTS:
    setattr(PublicationForm, part_field(_part), BooleanField(PART_LABELS[_part]))


def form_data(publication) -> dict:
    """The form's initial values from stored (or default) settings."""
    return {"is_published": publication.is_published,
            "public_title": publication.public_title or "",
            "public_summary": publication.public_summary or "",
            **{part_field(part): publication.is_public(part) for part in PUBLIC_PARTS}}


class PublicationTranslationForm(Form):
    """The public wording in one other language (part of the settings form)."""

    public_title = TextField(_l("Public title"), max_length=PUBLIC_TITLE_MAX)
    public_summary = LongTextField(_l("Public summary"), max_length=PUBLIC_SUMMARY_MAX,
                                   render_kw={"rows": 6})


def publication_form(publication=None) -> PublicationForm:
    """The settings form with a part per other language; filled from ``publication``, or
    from the request when it is None."""
    languages = tuple(other_languages())
    form_class = type("PublicationFormInLanguages", (PublicationForm,), {
        "languages": languages,
        **{f"translations_{language}": FormField(PublicationTranslationForm,
                                                 label=language_name(language))
           for language in languages}})
    if publication is None:
        return form_class()
    data = form_data(publication)
    data.update({f"translations_{language}": publication.translated(language)
                 for language in languages})
    return form_class(data=data)
