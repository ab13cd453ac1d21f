"""Validating 360Giving packages against the standard's schema, offline.

The schemas are the vendored copies in ``schema/`` (see its README): nothing is fetched from
the network, so a package is checked the same way in tests, in CI and in production.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jsonschema_rs

SCHEMA_DIR = Path(__file__).parent / "schema"
PACKAGE_SCHEMA = "360-giving-package-schema.json"
GRANT_SCHEMA = "360-giving-schema.json"
#: The address the package schema uses for the grant schema (an older one than its $id).
GRANT_SCHEMA_REFERENCED_AS = ("https://raw.githubusercontent.com/ThreeSixtyGiving/standard/"
                              "1.4.2/schema/360-giving-schema.json")
SCHEMA_VERSION = "1.4.3"
#: Only the first errors are worth reading; an invalid package is a bug either way.
MAX_REPORTED_ERRORS = 20
MAX_MESSAGE = 300


class InvalidPackage(Exception):
    """A package the export built does not follow the standard: a bug, never user error."""

    def __init__(self, errors: list[str]):
        super().__init__("invalid 360Giving package: " + "; ".join(errors))
        self.errors = errors


@cache
def load_schema(name: str) -> dict:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


@cache
def _package_validator() -> jsonschema_rs.Draft202012Validator:
    """The package schema's validator (jsonschema-rs, compiled once: a large export's
    thousands of grants are checked in milliseconds, where a pure-Python validator took
    seconds). The schemas say "http://json-schema.org/draft/2020-12/schema", hence the
    explicit draft; the grant schema answers to both its addresses. Formats are checked:
    dates are oneOf a pattern or "date-time", and a date-time must be a real one."""
    grant = load_schema(GRANT_SCHEMA)
    registry = jsonschema_rs.Registry([(grant["$id"], grant),
                                       (GRANT_SCHEMA_REFERENCED_AS, grant)])
    return jsonschema_rs.Draft202012Validator(load_schema(PACKAGE_SCHEMA),
                                              validate_formats=True, registry=registry,
                                              offline=True)


def package_errors(package: dict) -> list[str]:
    """What is wrong with ``package``, one readable line per error (empty when valid):
    the package schema's rules (``uniqueItems`` on the grants included), and no grant id
    used twice."""
    found = [(list(error.instance_path), _message(error))
             for error in _package_validator().iter_errors(package)]
    grants = package.get("grants") if isinstance(package, dict) else None
    if isinstance(grants, list):
        found += _repeated_ids(grants)
    found.sort(key=lambda item: [str(part) for part in item[0]])
    return [_describe(path, message) for path, message in found[:MAX_REPORTED_ERRORS]]


def _message(error) -> str:
    if type(error.kind).__name__ == "UniqueItems":
        # The library's message quotes the whole array: every grant of the package.
        return "a grant is a duplicate of another: grants must be unique"
    return error.message


def _repeated_ids(grants: list) -> list[tuple[list, str]]:
    """Grants sharing an id (a rule of the standard the schema cannot express)."""
    found = []
    seen_ids: dict = {}
    for index, grant in enumerate(grants):
        grant_id = grant.get("id") if isinstance(grant, dict) else None
        if not isinstance(grant_id, str):
            continue
        if grant_id in seen_ids:
            found.append((["grants", index, "id"],
                          f"grant id {grant_id!r} is already used by grant "
                          f"{seen_ids[grant_id]}"))
        else:
            seen_ids[grant_id] = index
    return found


def _describe(path: list, message: str) -> str:
    where = "/".join(str(part) for part in path) or "(package)"
    if len(message) > MAX_MESSAGE:  # messages quote the value, which may be a long text
        message = message[:MAX_MESSAGE] + "…"
    return f"{where}: {message}"


def validate_package(package: dict) -> dict:
    """Return ``package`` if it follows the standard; raise :class:`InvalidPackage` if not."""
    errors = package_errors(package)
    if errors:
        raise InvalidPackage(errors)
    return package
