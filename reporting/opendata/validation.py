"""Validating 360Giving packages against the standard's schema, offline.

The schemas are the vendored copies in ``schema/`` (see its README): nothing is fetched from
the network, so a package is checked the same way in tests, in CI and in production.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

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


def _registry() -> Registry:
    grant = DRAFT202012.create_resource(load_schema(GRANT_SCHEMA))
    # The schemas say "http://json-schema.org/draft/2020-12/schema", which referencing does
    # not recognise, hence the explicit draft; the grant schema answers to both addresses.
    return Registry().with_resources([
        (grant.contents["$id"], grant),
        (GRANT_SCHEMA_REFERENCED_AS, grant),
    ])


def _checker(schema: dict) -> Draft202012Validator:
    # Format checking must be on: dates are oneOf a pattern or "date-time", and without it a
    # plain date matches both branches and is wrongly rejected.
    return Draft202012Validator(schema, registry=_registry(),
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


@cache
def _package_validator() -> Draft202012Validator:
    return _checker(load_schema(PACKAGE_SCHEMA))


@cache
def _grant_validator() -> Draft202012Validator:
    return _checker(load_schema(GRANT_SCHEMA))


def package_errors(package: dict) -> list[str]:
    """What is wrong with ``package``, one readable line per error (empty when valid).

    The package schema's ``uniqueItems`` on ``grants`` compares every pair of grants, which
    took most of a large export's time. So the envelope is checked against the package
    schema with its first grant only, each other grant against the grant schema on its own,
    and uniqueness with a set: the same rules, in linear time."""
    grants = package.get("grants") if isinstance(package, dict) else None
    if not isinstance(grants, list) or len(grants) <= 1:
        found = [(list(error.path), error.message)
                 for error in _package_validator().iter_errors(package)]
    else:
        envelope = {**package, "grants": grants[:1]}
        found = [(list(error.path), error.message)
                 for error in _package_validator().iter_errors(envelope)]
        for index, grant in enumerate(grants[1:], start=1):
            found += [(["grants", index, *error.path], error.message)
                      for error in _grant_validator().iter_errors(grant)]
        found += _duplicates(grants)
    found.sort(key=lambda item: [str(part) for part in item[0]])
    return [_describe(path, message) for path, message in found[:MAX_REPORTED_ERRORS]]


def _duplicates(grants: list) -> list[tuple[list, str]]:
    """Grants repeated whole (what ``uniqueItems`` forbids) or sharing an id."""
    found = []
    seen_grants: dict = {}
    seen_ids: dict = {}
    for index, grant in enumerate(grants):
        key = _comparable(grant)
        if key in seen_grants:
            found.append((["grants", index],
                          f"grant is a duplicate of grant {seen_grants[key]}"))
            continue
        seen_grants[key] = index
        grant_id = grant.get("id") if isinstance(grant, dict) else None
        if isinstance(grant_id, str):
            if grant_id in seen_ids:
                found.append((["grants", index, "id"],
                              f"grant id {grant_id!r} is already used by grant "
                              f"{seen_ids[grant_id]}"))
            else:
                seen_ids[grant_id] = index
    return found


def _comparable(value):
    """A hashable stand-in equal for values JSON Schema holds equal: numbers by value
    (5000 == 5000.0 == Decimal("5000")), booleans apart from numbers, objects unordered."""
    if isinstance(value, dict):
        return ("object", frozenset((key, _comparable(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return ("array", tuple(_comparable(item) for item in value))
    if isinstance(value, bool):
        return ("boolean", value)
    if isinstance(value, int | float | Decimal):
        return ("number", value)
    return (type(value).__name__, value)


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
