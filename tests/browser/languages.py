"""What a Spanish page may not show: the catalogue's English texts. A journey reading a page
in Spanish asks :func:`catalogue_english_on` for the English left among the page's wording."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = (Path(__file__).resolve().parents[2] / "translations" / "es" / "LC_MESSAGES"
             / "messages.po")

# What a reader takes for the page's wording (not the data it shows).
LABELS = """() => [...document.querySelectorAll(
    "main h1, main h2, main h3, main h4, main label, main legend, main th, main caption, " +
    "main button, main summary, main dt, main figcaption, main .hint, main a, main option, " +
    "main .badge, main td")]
  .map(el => el.innerText.trim()).filter(Boolean)"""


@cache
def english_only() -> frozenset[str]:
    """The catalogue's English texts whose Spanish differs, placeholders left out, and none
    that is also Spanish for something else (the dashboard is a "Panel", as is a review
    panel in English)."""
    with CATALOGUE.open("rb") as handle:
        catalogue = [message for message in read_po(handle)
                     if isinstance(message.id, str) and isinstance(message.string, str)
                     and message.string and not message.fuzzy]
    spanish = {message.string for message in catalogue}
    return frozenset(
        message.id for message in catalogue
        if message.id and message.string != message.id and message.id not in spanish
        and "%(" not in message.id and "{" not in message.id)


def page_wording(page) -> list[str]:
    """The texts of the headings, labels, columns, cells, hints, links, options, buttons and
    captions of the page's main part."""
    return page.evaluate(LABELS)


def catalogue_english_on(page) -> list[str]:
    english = english_only()
    return sorted({text for text in page_wording(page) if text in english})
