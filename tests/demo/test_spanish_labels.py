"""Every page of the demo read in Spanish shows categories in Spanish: crawling what each
role reaches with Spanish chosen, no text on a page is the English title of a category
(a state, a sex, an age band, a sector, a payment method, a kind of report or event...)
whose Spanish differs."""

from __future__ import annotations

import html
import re

import pytest
from flask_babel import force_locale

from core.enums import TitledEnum
from tests.demo.test_link_crawl import crawl, demo_users  # noqa: F401  (fixture)

#: Pages per role: each kind of page a few times.
PAGE_LIMIT = 150
#: A text node: what lies between two tags, trimmed.
TEXT = re.compile(r">\s*([^<>]+?)\s*<")


def _every_titled_enum(cls=TitledEnum):
    for sub in cls.__subclasses__():
        yield sub
        yield from _every_titled_enum(sub)


def _category_lists() -> list[dict]:
    """Every list of category titles the pages show, as ``{key: lazy title}``."""
    from grants.awards.checks import PAYMENT_METHODS
    from reporting.indicators.views import AGE_TITLES, REASON_TITLES, SEX_TITLES
    lists = [cls.titles() for cls in _every_titled_enum() if cls.__module__ != __name__]
    return [*lists, SEX_TITLES, AGE_TITLES, REASON_TITLES, PAYMENT_METHODS]


def english_category_titles(app) -> dict[str, str]:
    """English title → Spanish title, for category titles whose Spanish differs (and which
    are not themselves some Spanish title, as "Media" is for medium confidence)."""
    titles, spanish_words = {}, set()
    with app.test_request_context():
        for titled in _category_lists():
            for title in titled.values():
                with force_locale("en"):
                    english = str(title)
                with force_locale("es"):
                    spanish = str(title)
                spanish_words.add(spanish)
                if english != spanish:
                    titles[english] = spanish
    return {english: spanish for english, spanish in titles.items()
            if english not in spanish_words}


@pytest.fixture
def english_titles(app) -> dict[str, str]:
    titles = english_category_titles(app)
    assert titles["Female"] == "Femenino"  # the catalogue is compiled: the check can fail
    return titles


@pytest.mark.parametrize("role", [None, "applicant", "reviewer", "staff", "finance", "donor",
                                  "admin"], ids=lambda role: role or "visitor")
def test_no_category_is_shown_in_english_on_a_spanish_page(
        demo_users, client, login_as, db_session, english_titles, role):  # noqa: F811
    # Signed in, the saved preference decides; a visitor's browser asks for Spanish.
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    if role:
        demo_users[role].locale = "es"
        db_session.flush()
        login_as(demo_users[role])
    found: dict[str, set[str]] = {}

    def check(path: str, page: str) -> None:
        for text in TEXT.findall(page):
            text = html.unescape(text).strip()
            if text in english_titles:
                found.setdefault(text, set()).add(path)

    crawl(client, check=check, limit=PAGE_LIMIT)
    assert not found, "\n".join(
        f"{text!r} (es: {english_titles[text]!r}) on {sorted(paths)[:3]}"
        for text, paths in sorted(found.items()))
