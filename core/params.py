"""Typed values read from the query string and from forms, checked before they reach the
database.

PostgreSQL refuses what SQLite lets through: a NUL character in text, an integer beyond the
column's type, and Python refuses a date that overflows when a day is added. A malformed
value is the sender's mistake, so it answers 400 (or 404 for a page number, as
Flask-SQLAlchemy does), never a 500 from the driver.

NUL characters are refused for every request in one place (``init_app``); views read ids,
numbers, days and choices through the ``arg_*`` helpers, and forms through ``parse_id``.
"""

from __future__ import annotations

import re
from datetime import date

from flask import Flask, abort, request

#: The largest value of an INTEGER column on PostgreSQL (ids and counts alike). Defined here,
#: the lowest of core's modules, so that ``core.extensions`` can read the page number without
#: a loop through ``core.database``.
MAX_INT = 2**31 - 1

#: Days outside these are typing mistakes, and adding or subtracting days stays far from
#: ``date.min`` and ``date.max``.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2100, 12, 31)

_ASCII_INTEGER = re.compile(r"-?[0-9]{1,10}")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_int(value, *, minimum: int = 0, maximum: int = MAX_INT) -> int | None:
    """An integer written in ASCII digits (an optional minus) within ``minimum..maximum``,
    or None. ``int()`` alone would accept ``1_000``, other scripts' digits and numbers of
    any size."""
    text = "" if value is None else str(value).strip()
    if not _ASCII_INTEGER.fullmatch(text):
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


def parse_id(value) -> int | None:
    """A row id (1 up to the INTEGER range) given as text, or None."""
    return parse_int(value, minimum=1)


def parse_day(value) -> date | None:
    """A ``YYYY-MM-DD`` day between ``EARLIEST_DAY`` and ``LATEST_DAY``, or None."""
    text = "" if value is None else str(value).strip()
    if not _ISO_DAY.fullmatch(text):
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if EARLIEST_DAY <= day <= LATEST_DAY else None


def _raw(name: str) -> str:
    return request.args.get(name, "").strip()


def arg_id(name: str) -> int | None:
    """An id from the query string: None when absent or blank, 400 when malformed."""
    raw = _raw(name)
    if not raw:
        return None
    number = parse_id(raw)
    if number is None:
        abort(400)
    return number


def arg_int(name: str, *, minimum: int = 0, maximum: int = MAX_INT) -> int | None:
    raw = _raw(name)
    if not raw:
        return None
    number = parse_int(raw, minimum=minimum, maximum=maximum)
    if number is None:
        abort(400)
    return number


def arg_day(name: str) -> date | None:
    """A ``YYYY-MM-DD`` day from the query string: None when blank, 400 when malformed or
    outside the years the programme can mean."""
    raw = _raw(name)
    if not raw:
        return None
    day = parse_day(raw)
    if day is None:
        abort(400)
    return day


def arg_choice(name: str, allowed) -> str | None:
    """One of ``allowed`` (strings, or an enum's member names) from the query string."""
    raw = _raw(name)
    if not raw:
        return None
    if raw not in allowed:
        abort(400)
    return raw


def page_number() -> int:
    """The ``page`` of a paginated list: 404 when it is not a page that can exist, as
    Flask-SQLAlchemy answers for a page that is not a number."""
    raw = _raw("page")
    if not raw:
        return 1
    number = parse_int(raw, minimum=1)
    if number is None:
        abort(404)
    return number


def _has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in value for value in items)
               for key, items in values.lists())


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters():
        """No text the app stores or looks up may hold a NUL (PostgreSQL refuses it): one
        in the address, the query string or a form value is refused here, for every view.
        Uploaded files are not form values and may hold any byte."""
        if any(isinstance(value, str) and "\x00" in value
               for value in (request.view_args or {}).values()):
            abort(400)
        if _has_nul(request.args) or (request.method in ("POST", "PUT", "PATCH")
                                      and _has_nul(request.form)):
            abort(400)
