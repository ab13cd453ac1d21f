"""Content in the programme's languages: texts staff write (a call's title, its eligibility
statements...) in each language of ``LANGUAGES``.

A translatable model keeps its columns in the programme's main language
(``BABEL_DEFAULT_LOCALE``), which open data and the audit log use, and the other languages in
one JSON column, ``translations``: ``{"es": {"title": "…", "summary": "…"}}``. Pages show
the reader's language and fall back to the main language, saying so
(``templates/_macros/ui.html``, ``fallback_note``). Adding a language is configuration
(``LANGUAGES``) and a catalogue; nothing here names one.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import get_locale
from sqlalchemy import JSON, text
from sqlalchemy.orm import Mapped, mapped_column


def main_language() -> str:
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def other_languages() -> list[str]:
    """The languages content may be translated into, in ``LANGUAGES`` order."""
    return [code for code in current_app.config["LANGUAGES"] if code != main_language()]


def reader_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else main_language()


class Translatable:
    """A model whose ``__translatable__`` columns staff write in every language."""

    __translatable__: tuple[str, ...] = ()

    translations: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))

    def text_in(self, field: str, language: str) -> str:
        """The field in ``language``: the column for the main language, else the translation
        ("" when there is none)."""
        if language == main_language():
            return getattr(self, field) or ""
        return ((self.translations or {}).get(language) or {}).get(field) or ""

    def translated(self, language: str) -> dict[str, str]:
        return dict((self.translations or {}).get(language) or {})

    def set_translation(self, language: str, texts: dict[str, str]) -> None:
        """Replace the texts in ``language`` (blank ones are dropped). A new dict, so the
        JSON column is seen as changed."""
        kept = {field: value for field, value in texts.items()
                if field in self.__translatable__ and value}
        translations = {code: dict(values) for code, values in (self.translations or {}).items()
                        if code != language}
        if kept:
            translations[language] = kept
        self.translations = translations

    def missing_in(self, language: str) -> list[str]:
        """The fields written in the main language but not in ``language``."""
        return [field for field in self.__translatable__
                if getattr(self, field) and not self.text_in(field, language)]


@dataclass(frozen=True)
class Localized:
    text: str
    language: str
    #: The reader's language had no text: this is the main language's.
    is_fallback: bool


def localized(obj: Translatable, field: str, language: str | None = None) -> Localized:
    language = language or reader_language()
    own = obj.text_in(field, language)
    if own or language == main_language():
        return Localized(own, language, False)
    return Localized(obj.text_in(field, main_language()), main_language(), True)


def stored_text(main_text: str | None, translations: dict | None, field: str,
                language: str | None = None) -> str:
    """A field in ``language`` from its selected column and ``translations`` (queries that
    read rows, not objects), falling back to the main language's text."""
    language = language or reader_language()
    if language != main_language():
        own = ((translations or {}).get(language) or {}).get(field)
        if own:
            return own
    return main_text or ""


def tr(obj, field: str) -> str:
    """The Jinja filter: ``{{ call|tr("title") }}``."""
    if obj is None:
        return ""
    return localized(obj, field).text


def falls_back(*objects) -> bool:
    """Whether any text of these objects (or lists of them) is shown in the main language
    for want of the reader's: the pages then say "available in English only"."""
    language = reader_language()
    if language == main_language():
        return False
    flat = [item for obj in objects
            for item in (obj if isinstance(obj, list | tuple) else [obj])]
    return any(item is not None and item.missing_in(language) for item in flat)


def language_name(code: str) -> str:
    from babel import Locale
    return Locale.parse(code).get_display_name(reader_language()) or code


def init_app(app) -> None:
    app.jinja_env.filters["tr"] = tr
    app.jinja_env.globals.update(falls_back=falls_back, main_language_name=lambda: (
        language_name(main_language())))


# Forms and operations that take texts in several languages ---------------------------------

def form_in_languages(form_class, part_class, **kwargs):
    """``form_class`` with a ``translations_<code>`` part (a ``part_class`` form, its fields
    named as the translated columns) per other language, each field's label naming its
    language; ``obj`` (a translatable row) fills the parts. The instance's ``languages``
    lists the codes and ``translations()`` gives what an operation takes."""
    from wtforms import FormField

    languages = tuple(other_languages())
    form_type = type(f"{form_class.__name__}InLanguages", (form_class, _LanguageParts), {
        "languages": languages,
        **{f"translations_{language}": FormField(part_class, label=language_name(language))
           for language in languages}})
    obj = kwargs.pop("translated", None)
    if obj is not None:
        data = dict(kwargs.pop("data", None) or {})
        data.update({f"translations_{language}": obj.translated(language)
                     for language in languages})
        kwargs["data"] = data
    form = form_type(**kwargs)
    if languages:
        for name in form.translated_fields():
            form[name].label.text = f"{form[name].label.text} ({language_name(main_language())})"
            for language in languages:
                field = form.part(language)[name]
                field.label.text = f"{field.label.text} ({language_name(language)})"
    return form


class _LanguageParts:
    languages: tuple[str, ...] = ()

    def part(self, language: str):
        return self[f"translations_{language}"]

    def translated_fields(self) -> list[str]:
        if not self.languages:
            return []
        return [field.short_name for field in self.part(self.languages[0])]

    def translations(self) -> dict[str, dict[str, str]]:
        return {language: {name: self.part(language)[name].data or ""
                           for name in self.translated_fields()}
                for language in self.languages}


def clean_translations(value, limits: dict[str, int], multiline=frozenset()) -> dict:
    """``{language: {field: text}}`` for the programme's other languages, each text cleaned as
    its main-language column is (``limits``: the fields and their lengths); errors name the
    form's field, ``translations_<code>-<field>``. A blank text is simply not translated."""
    from core.validation import clean_text

    if not isinstance(value, dict) or set(value) - set(other_languages()):
        raise TypeError("translations are keyed by the programme's other languages")
    return {language: {field: clean_text((texts or {}).get(field), max_length=limit,
                                         field=f"translations_{language}-{field}",
                                         multiline=field in multiline)
                       for field, limit in limits.items()}
            for language, texts in value.items()}


def apply_translations(obj: Translatable, cleaned: dict) -> dict:
    """Set each language's texts on ``obj``; returns ``{language: [old, new]}`` for those
    that changed (for the audit entry)."""
    changes = {}
    for language, texts in cleaned.items():
        old = obj.translated(language)
        obj.set_translation(language, texts)
        new = obj.translated(language)
        if old != new:
            changes[language] = [old, new]
    return changes
