"""Language and time-zone selection, and the Jinja filters that format for the reader."""

from __future__ import annotations

from datetime import datetime

from babel.dates import get_timezone_name
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, format_time, get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup

from core.money import format_money
from core.timeutil import as_utc, to_programme_time

LANGUAGE_NAMES = {"en": "English", "es": "Español"}


def select_locale() -> str:
    """The user's saved preference, else the session's choice, else the browser's."""
    languages = current_app.config["LANGUAGES"]
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or default


def select_timezone() -> str:
    return current_app.config["PROGRAMME_TIMEZONE"]


def format_programme_datetime(value: datetime | None, format: str = "medium") -> str:
    """A UTC datetime in the programme's time zone and the reader's language, with the zone
    named, e.g. "31 Mar 2026, 17:00 (CST)"."""
    if value is None:
        return ""
    value = as_utc(value)
    # Babel converts to the time zone chosen by select_timezone(). Deadlines read better
    # without seconds, so "medium" is the medium date with the short time. "short" is the
    # same: an all-number date ("12/6/26") reads as June in most of the world.
    if format in ("medium", "short"):
        text = f"{format_date(value, 'medium')}, {format_time(value, 'short')}"
    else:
        text = format_datetime(value, format)
    return f"{text} ({zone_name(value)})"


def zone_name(value: datetime) -> str:
    """The programme's zone at ``value``, named the same way in every language: its
    abbreviation where the zone has one in use ("CST"), else its name in the reader's
    language ("hora estándar de Colombia"); never a bare offset such as "-0600", which is
    what Spanish locale data alone gives for Belize."""
    local = to_programme_time(value)
    abbreviation = local.tzname() or ""
    if abbreviation[:1].isalpha():
        return abbreviation
    return get_timezone_name(local, "long", locale=get_locale())


def _date_filter(value, format: str = "medium") -> str:
    """A day in the reader's language, its month always in words (never "12/6/26")."""
    return "" if value is None else format_date(value, "medium" if format == "short" else format)


# Templates' gettext. Jinja's own (installed by Flask-Babel) takes the whole template context
# only to know whether output is escaped; called inside a loop, each call then copies the
# context (a page of a hundred rows spent a fifth of its time there). These take the
# evaluation context, which says the same, and behave alike: the text is a format string
# filled with the keyword arguments, escaped when the template is. Only the catalogue's own
# text is marked safe, as Jinja does; Markup's % escapes every value put into it.

@pass_eval_context
def _gettext(eval_ctx, string: str, **variables) -> str:
    text = get_translations().ugettext(string)
    if eval_ctx.autoescape:
        text = Markup(text)  # nosec B704: the catalogue's text; the values are escaped
    return text % variables


@pass_eval_context
def _ngettext(eval_ctx, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    text = get_translations().ungettext(singular, plural, num)
    if eval_ctx.autoescape:
        text = Markup(text)  # nosec B704: the catalogue's text; the values are escaped
    return text % variables


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext)
    app.jinja_env.filters["datetime"] = format_programme_datetime
    app.jinja_env.filters["date"] = _date_filter
    app.jinja_env.filters["money"] = lambda amount, currency: format_money(amount, currency)
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES

    @app.context_processor
    def inject_locale():
        return {"current_locale": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])}
