"""The Spanish catalogue is complete: every message in the source is in it, translated."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "translations" / "es" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2)}


def _source_messages() -> set[tuple[str | None, str]]:
    """(context, message) of every message in the source."""
    method_map = [("**/.venv/**", "ignore"), ("tests/**", "ignore"), ("migrations/**", "ignore"),
                  ("**.py", "python"), ("templates/**.html", "jinja2"),
                  ("templates/**.txt", "jinja2")]
    found = set()
    # Babel skips folders starting with "_" or "." by default, which would hide _macros.
    skip = {".venv", ".git", "node_modules", "__pycache__", ".pytest_cache", ".hypothesis"}
    for _filename, _lineno, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, keywords=KEYWORDS,
            directory_filter=lambda path: Path(path).name not in skip):
        found.add((context, message[0] if isinstance(message, tuple) else message))
    return found


@pytest.fixture(scope="module")
def catalogue():
    with CATALOGUE.open("rb") as handle:
        return read_po(handle, locale="es")


def test_every_message_is_translated(catalogue):
    untranslated = [message.id for message in catalogue if message.id and (
        message.fuzzy or not message.string
        or (isinstance(message.string, tuple) and not all(message.string)))]
    assert not untranslated, f"untranslated Spanish messages: {untranslated[:20]}"


def test_catalogue_covers_every_message_in_the_source(catalogue):
    known = {(message.context, message.id[0] if isinstance(message.id, tuple) else message.id)
             for message in catalogue if message.id}
    missing = sorted(_source_messages() - known)
    assert not missing, f"messages missing from the Spanish catalogue: {missing[:20]}"


def test_placeholders_survive_translation(catalogue):
    import re
    placeholder = re.compile(r"%\((\w+)\)[sd]")
    broken = []
    for message in catalogue:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(placeholder.findall(ids[0]))
        for string in strings:
            if set(placeholder.findall(string)) - expected - set(placeholder.findall(ids[-1])):
                broken.append(message.id)
    assert not broken, f"translations with unknown placeholders: {broken[:10]}"
