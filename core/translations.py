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
