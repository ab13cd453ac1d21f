"""Validating 360Giving packages against the standard's schema, offline.

The schemas are the vendored copies in ``schema/`` (see its README): nothing is fetched from
the network, so a package is checked the same way in tests, in CI and in production.
"""

from __future__ import annotations

import json
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


@cache
def _validator() -> Draft202012Validator:
    package = load_schema(PACKAGE_SCHEMA)
    grant = DRAFT202012.create_resource(load_schema(GRANT_SCHEMA))
    # The schemas say "http://json-schema.org/draft/2020-12/schema", which referencing does
    # not recognise, hence the explicit draft; the grant schema answers to both addresses.
    registry = Registry().with_resources([
        (grant.contents["$id"], grant),
        (GRANT_SCHEMA_REFERENCED_AS, grant),
    ])
    # Format checking must be on: dates are oneOf a pattern or "date-time", and without it a
    # plain date matches both branches and is wrongly rejected.
    return Draft202012Validator(package, registry=registry,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def package_errors(package: dict) -> list[str]:
    """What is wrong with ``package``, one readable line per error (empty when valid)."""
    errors = sorted(_validator().iter_errors(package),
                    key=lambda error: [str(part) for part in error.path])
    return [_describe(error) for error in errors[:MAX_REPORTED_ERRORS]]


def _describe(error) -> str:
    where = "/".join(str(part) for part in error.path) or "(package)"
    message = error.message
    if len(message) > MAX_MESSAGE:  # messages quote the value, which may be a long text
        message = message[:MAX_MESSAGE] + "…"
    return f"{where}: {message}"


def validate_package(package: dict) -> dict:
    """Return ``package`` if it follows the standard; raise :class:`InvalidPackage` if not."""
    errors = package_errors(package)
    if errors:
        raise InvalidPackage(errors)
    return package
