"""Validating IATI activity files against the standard's XML schema (version 2.03), offline.

The schemas are the vendored copies in ``schema/`` (see its README). The parser that loads
them may not touch the network, so ``xml.xsd`` is read from the folder beside the main schema
and a schema that pointed anywhere else would fail to load rather than be fetched.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

SCHEMA_DIR = Path(__file__).parent / "schema"
ACTIVITY_SCHEMA = "iati-activities-schema.xsd"
VERSION = "2.03"
#: Only the first errors are worth reading; an invalid file is a bug either way.
MAX_REPORTED_ERRORS = 20


class InvalidActivityFile(Exception):
    """An activity file the export built does not follow the schema: a bug, never user
    error. The file is neither written nor served."""

    def __init__(self, errors: list[str]):
        super().__init__("invalid IATI activity file: " + "; ".join(errors))
        self.errors = errors


def _parser() -> etree.XMLParser:
    # No network, no entities: the schema files and our own output are the only inputs.
    return etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)


@cache
def schema() -> etree.XMLSchema:
    document = etree.parse(str(SCHEMA_DIR / ACTIVITY_SCHEMA), _parser())
    return etree.XMLSchema(document)


def file_errors(body: bytes) -> list[str]:
    """What is wrong with the activity file ``body`` (empty when it is valid)."""
    try:
        document = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as error:
        return [f"not well-formed XML: {error}"]
    checker = schema()
    if checker.validate(document):
        return []
    return [f"line {error.line}: {error.message}"
            for error in list(checker.error_log)[:MAX_REPORTED_ERRORS]]


def validate_file(body: bytes) -> bytes:
    """Return ``body`` if it follows the schema; raise :class:`InvalidActivityFile` if not."""
    errors = file_errors(body)
    if errors:
        raise InvalidActivityFile(errors)
    return body
