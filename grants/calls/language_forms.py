"""The call form in every language of the programme: the main language's fields beside a part
per other language (``core.translations``), each list a line per line of the main one."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import FieldList, Form, FormField

from core.forms import LongTextField, TextField
from core.translations import language_name, main_language, other_languages
from grants.calls.content import LIST_FIELDS, TEXT_LIMITS
from grants.calls.forms import MAX_RUBRIC_ROWS, CallForm, CriterionRowForm, RubricForm

_SAME_ORDER = _l("One line for each line of the main language, in the same order; leave a "
                 "line blank where there is no translation yet.")
#: The fields written in every language, as the form lays them out side by side.
TRANSLATED_FIELDS = ("title", "summary", "body_markdown", *LIST_FIELDS)


class CallTranslationForm(Form):
    """One language's texts of a call (no CSRF token of its own: it is part of the call
    form)."""

    title = TextField(_l("Title"), max_length=TEXT_LIMITS["title"])
    summary = LongTextField(_l("Summary"), max_length=TEXT_LIMITS["summary"],
                            render_kw={"rows": 3})
    body_markdown = LongTextField(_l("Full text"), max_length=TEXT_LIMITS["body_markdown"],
                                  render_kw={"rows": 14})
    thematic_areas = LongTextField(_l("Thematic areas"), max_length=6000,
                                   render_kw={"rows": 8}, description=_SAME_ORDER)
    eligibility_statements = LongTextField(_l("Eligibility statements"), max_length=20000,
                                           render_kw={"rows": 6}, description=_SAME_ORDER)
    required_documents = LongTextField(_l("Required documents"), max_length=6000,
                                       render_kw={"rows": 5}, description=_SAME_ORDER)


def _lines(text: str | None) -> list[str]:
    """The lines as typed, blanks kept (they hold a place), trailing blanks dropped."""
    lines = [line.strip() for line in (text or "").splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


class LanguagesCallForm(CallForm):
    """Subclassed per request with a ``translations_<code>`` part per other language."""

    languages: tuple[str, ...] = ()

    def part(self, language: str):
        return self[f"translations_{language}"]

    def call_fields(self) -> dict:
        fields = super().call_fields()
        if self.languages:
            fields["translations"] = {
                language: {name: (_lines(self.part(language)[name].data)
                                  if name in LIST_FIELDS else self.part(language)[name].data)
                           for name in TRANSLATED_FIELDS}
                for language in self.languages}
        return fields


def _translated_data(call, language: str) -> dict:
    data = {name: call.text_in(name, language) for name in call.__translatable__}
    for name in LIST_FIELDS:
        items = getattr(call, name)
        attribute = items[0].__translatable__[0] if items else None
        data[name] = "\n".join(item.text_in(attribute, language) for item in items).rstrip()
    return data


def call_form(call=None, fund_id: int | None = None) -> LanguagesCallForm:
    """The call form for ``call`` (or a new call), with a part per other language."""
    languages = tuple(other_languages())
    form_class = type("CallFormInLanguages", (LanguagesCallForm,), {
        "languages": languages,
        **{f"translations_{language}": FormField(CallTranslationForm)
           for language in languages}})
    data = CallForm.data_of(call) if call is not None else CallForm.defaults(fund_id)
    if call is not None:
        data.update({f"translations_{language}": _translated_data(call, language)
                     for language in languages})
    form = form_class(data=data)
    if languages:
        # Each label names its language, as the fields stand side by side.
        for name in TRANSLATED_FIELDS:
            form[name].label.text = f"{form[name].label.text} ({language_name(main_language())})"
            for language in languages:
                field = form.part(language)[name]
                field.label.text = f"{field.label.text} ({language_name(language)})"
    return form


def untranslated(call) -> list[tuple[str, list[str]]]:
    """Per other language, the call's texts that are written in the main language but not
    in it: ``[("Español", ["Title", "Eligibility statements"])]``."""
    titles = {"title": _l("Title"), "summary": _l("Summary"), "body_markdown": _l("Full text"),
              "thematic_areas": _l("Thematic areas"),
              "eligibility_statements": _l("Eligibility statements"),
              "required_documents": _l("Required documents")}
    result = []
    for language in other_languages():
        missing = list(call.missing_in(language))
        missing += [name for name in LIST_FIELDS
                    if any(item.missing_in(language) for item in getattr(call, name))]
        if missing:
            result.append((language_name(language), [str(titles[name]) for name in missing]))
    return result


class CriterionTranslationForm(Form):
    """A criterion's name and guidance in one other language."""

    name = TextField(_l("Criterion"), max_length=200)
    guidance = LongTextField(_l("Guidance for reviewers"), max_length=4000,
                             render_kw={"rows": 3})


def rubric_form(call) -> RubricForm:
    """The rubric form for ``call``, each row with a part per other language."""
    languages = tuple(other_languages())
    row_class = type("CriterionRowInLanguages", (CriterionRowForm,), {
        "languages": languages,
        **{f"translations_{language}": FormField(CriterionTranslationForm)
           for language in languages}})
    form_class = type("RubricFormInLanguages", (RubricForm,), {
        "criteria": FieldList(FormField(row_class), max_entries=MAX_RUBRIC_ROWS)})
    data = RubricForm.data_of(call)
    for row, criterion in zip(data["criteria"], call.criteria, strict=False):
        row.update({f"translations_{language}": criterion.translated(language)
                    for language in languages})
    form = form_class(data=data)
    if languages:
        for entry in form.criteria.entries:
            for name in ("name", "guidance"):
                main = entry.form[name]
                main.label.text = f"{main.label.text} ({language_name(main_language())})"
                for language in languages:
                    field = entry.form[f"translations_{language}"][name]
                    field.label.text = f"{field.label.text} ({language_name(language)})"
    return form
