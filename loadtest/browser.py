"""A small browser for the load clients: one cookie jar, HTML forms read from the pages
(CSRF token included) and posted back as a browser would, and every request timed.

Redirects are followed by hand so that each request is timed on its own and the flashed
messages of a redirect are read (and so cleared from the session cookie, as in a browser).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx

REDIRECTS = {301, 302, 303, 307, 308}


class ConnectionFailure(Exception):
    """The request got no HTTP answer (refused, reset, or cut off mid-response)."""


@dataclass
class Sample:
    label: str
    started: float  # seconds since the load began
    elapsed: float
    status: int | None  # None: no HTTP answer
    error: str = ""


@dataclass
class Recorder:
    """The samples of one client (each client has its own: no locking): every request, and
    every action (a user's whole step: open the form, post it, follow the redirect)."""

    origin: float
    samples: list[Sample] = field(default_factory=list)
    actions: list[Sample] = field(default_factory=list)

    def add(self, label: str, started: float, elapsed: float, status: int | None,
            error: str = "") -> None:
        self.samples.append(Sample(label, started - self.origin, elapsed, status, error))


# Forms -------------------------------------------------------------------------------------

@dataclass
class Form:
    action: str
    method: str
    #: (name, value) pairs a browser would send without a click: text, hidden, checked
    #: boxes, selected options, text areas.
    fields: list[tuple[str, str]] = field(default_factory=list)
    #: name → values a select, radio group or checkbox group offers.
    choices: dict[str, list[str]] = field(default_factory=dict)
    #: (name, value) of each named submit button.
    buttons: list[tuple[str, str]] = field(default_factory=list)

    def value(self, name: str) -> str | None:
        return next((value for key, value in self.fields if key == name), None)

    def data(self, **overrides) -> list[tuple[str, str]]:
        """The pairs to post, with ``overrides`` replacing every pair of their name (a list
        value gives several pairs, as for checkboxes)."""
        pairs = [(key, value) for key, value in self.fields if key not in overrides]
        for key, value in overrides.items():
            values = value if isinstance(value, list) else [value]
            pairs.extend((key, str(item)) for item in values if item is not None)
        return pairs


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: tuple[str, list[str]] | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._option_text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {key: (value if value is not None else "") for key, value in attrs}
        if tag == "form":
            self._form = Form(action=attributes.get("action", ""),
                              method=attributes.get("method", "get").lower())
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            self._input(attributes)
        elif tag == "button":
            if attributes.get("name") and attributes.get("type", "submit") == "submit":
                self._form.buttons.append((attributes["name"], attributes.get("value", "")))
        elif tag == "textarea" and attributes.get("name"):
            self._textarea = (attributes["name"], [])
        elif tag == "select" and attributes.get("name"):
            self._select, self._options = attributes["name"], []
        elif tag == "option" and self._select is not None:
            self._close_option()
            if "value" in attributes:
                self._options.append((attributes["value"], "selected" in attributes))
            else:
                self._option_text = []
                self._options.append(("", "selected" in attributes))

    def _input(self, attributes):
        name = attributes.get("name")
        kind = attributes.get("type", "text").lower()
        if not name or "disabled" in attributes:
            return
        value = attributes.get("value", "")
        if kind in ("checkbox", "radio"):
            self._form.choices.setdefault(name, []).append(value or "on")
            if "checked" in attributes:
                self._form.fields.append((name, value or "on"))
        elif kind in ("submit", "image"):
            self._form.buttons.append((name, value))
        elif kind not in ("file", "reset", "button"):
            self._form.fields.append((name, value))

    def _close_option(self):
        if self._option_text is not None and self._options:
            text = "".join(self._option_text).strip()
            self._options[-1] = (text, self._options[-1][1])
        self._option_text = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)
        if self._option_text is not None:
            self._option_text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, parts = self._textarea
            # Browsers drop the single line break that follows <textarea>.
            text = "".join(parts)
            text = text[2:] if text.startswith("\r\n") else text.removeprefix("\n")
            self._form.fields.append((name, text))
            self._textarea = None
        elif tag == "option":
            self._close_option()
        elif tag == "select" and self._select is not None and self._form is not None:
            self._close_option()
            values = [value for value, _selected in self._options]
            self._form.choices[self._select] = values
            chosen = [value for value, selected in self._options if selected]
            if chosen or values:
                self._form.fields.append((self._select, (chosen or values)[0]))
            self._select = None


def parse_forms(response: httpx.Response) -> list[Form]:
    """The forms of a page, each with its action as an absolute path (a form without an
    action posts to the page itself)."""
    parser = _FormParser()
    parser.feed(response.text)
    parser.close()
    page = str(response.request.url)
    for form in parser.forms:
        form.action = _path(urljoin(page, form.action or page))
    return parser.forms


def find_form(response: httpx.Response, action_pattern: str) -> Form | None:
    """The first form whose action path matches ``action_pattern`` (a regular
    expression)."""
    pattern = re.compile(action_pattern)
    return next((form for form in parse_forms(response) if pattern.search(form.action)),
                None)


_FLASH = re.compile(r'<p class="flash flash-(\w+)"[^>]*>(.*?)</p>', re.S)
_TAGS = re.compile(r"<[^>]+>")


def flashes(html: str) -> list[tuple[str, str]]:
    """The flashed messages on a page, as (category, text)."""
    return [(category, " ".join(unescape(_TAGS.sub(" ", text)).split()))
            for category, text in _FLASH.findall(html)]


# The browser -------------------------------------------------------------------------------

class Browser:
    def __init__(self, base_url: str, recorder: Recorder, timeout: float = 60.0):
        self.base_url = base_url
        self.recorder = recorder
        # Gunicorn's sync workers close every connection: no pool to keep.
        self.client = httpx.Client(base_url=base_url, timeout=timeout, follow_redirects=False,
                                   headers={"User-Agent": "ogb-loadtest"})

    def close(self) -> None:
        self.client.close()

    def request(self, label: str, method: str, url: str, data=None) -> httpx.Response:
        if isinstance(data, list):
            data = _grouped(data)
        started = time.monotonic()
        try:
            response = self.client.request(method, url, data=data)
        except httpx.TransportError as error:
            self.recorder.add(label, started, time.monotonic() - started, None,
                              f"{type(error).__name__}: {error}")
            raise ConnectionFailure(str(error)) from error
        self.recorder.add(label, started, time.monotonic() - started, response.status_code)
        return response

    def get(self, label: str, url: str) -> httpx.Response:
        return self.request(label, "GET", url)

    def post(self, label: str, url: str, data) -> httpx.Response:
        return self.request(label, "POST", url, data=data)

    def submit(self, label: str, form: Form, data) -> httpx.Response:
        return self.post(label, form.action, data)

    def follow(self, label: str, response: httpx.Response) -> httpx.Response:
        """GET the page a redirect points to (the answer itself when it is no redirect)."""
        if response.status_code not in REDIRECTS:
            return response
        location = urljoin(str(response.request.url), response.headers["location"])
        return self.get(label, _path(location))


def _grouped(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Form pairs as httpx wants them (repeated names become lists, order kept)."""
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def location_path(response: httpx.Response) -> str:
    return urlsplit(response.headers.get("location", "")).path
