"""The 360Giving JSON package: the published projects' grants, the licence and the publisher,
validated against the standard before anyone gets it."""

from __future__ import annotations

import json
from decimal import Decimal

from flask import current_app
from werkzeug.routing import BuildError

from core.collection import collector_paused
from core.urls import external_url, has_public_base_url
from reporting.opendata.grants import Records, build_records, decimal_number, prefix
from reporting.opendata.validation import validate_package
from reporting.portal.queries import PublicProject, public_projects

LICENSE = "https://creativecommons.org/licenses/by/4.0/"
#: The schema version as the package's "version" field wants it (major.minor).
VERSION = "1.4"
#: The public page of a project, owned by the portal (linked when that page exists).
PROJECT_PAGE = "portal.project"


class NothingToPublish(Exception):
    """No published project can be a 360Giving grant, and the standard wants at least one
    grant in a package: there is no file to give."""


@collector_paused()
def collect(fund_id: int | None = None, *, keep=None) -> Records:
    """The grant records of the published projects (of one fund; those ``keep(project)``
    accepts, when given: a staff export of a period)."""
    projects = public_projects(fund_id=fund_id)
    if keep is not None:
        projects = [project for project in projects if keep(project)]
    return build_records(projects, urls=_grant_urls)


@collector_paused()
def build_package(records: Records, *, fund_id: int | None = None) -> dict:
    """The package of ``records``' grants, validated (an invalid package raises
    :class:`~reporting.opendata.validation.InvalidPackage`: it is a bug)."""
    if not records.grants:
        raise NothingToPublish()
    config = current_app.config
    publisher: dict = {"name": config["PROGRAMME_NAME"], "prefix": f"360G-{prefix()}"}
    identifier = publisher_identifier(records.grants)
    if identifier:
        publisher["identifier"] = identifier
    if config.get("PUBLIC_BASE_URL"):
        publisher["website"] = config["PUBLIC_BASE_URL"]
    package: dict = {
        "grants": records.grants,
        "version": VERSION,
        "title": f"{config['PROGRAMME_NAME']}: grants (360Giving Data Standard)",
        "modified": max(grant["dateModified"] for grant in records.grants),
        "license": LICENSE,
        "publisher": publisher,
    }
    access = public_url("opendata.index")
    if access:
        package["accessURL"] = access
        download = public_url("opendata.download_json",
                              **({"fund": fund_id} if fund_id is not None else {}))
        package["downloadURL"] = download
    return validate_package(package)


def publisher_identifier(grants: list[dict]) -> str | None:
    """The publisher's organisation identifier: ``OPEN_DATA_PUBLISHER_ID`` when configured
    (the managing organisation's org-id), else the one funding organisation of every grant
    (the fund's managing organisation, as the records name it); ``None`` when the grants
    have several funders and none is configured."""
    configured = (current_app.config.get("OPEN_DATA_PUBLISHER_ID") or "").strip()
    if configured:
        return configured
    funders = {funder["id"] for grant in grants for funder in grant["fundingOrganization"]}
    return funders.pop() if len(funders) == 1 else None


def dumps(package: dict) -> bytes:
    """The package as UTF-8 JSON, amounts written as exact numbers."""
    return json.dumps(package, ensure_ascii=False, indent=2, default=_json_value).encode("utf-8")


def _json_value(value):
    if isinstance(value, Decimal):
        return decimal_number(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def public_url(endpoint: str, **values) -> str | None:
    """The absolute public address of ``endpoint``, or ``None`` when there is none to give:
    no such page, or no ``PUBLIC_BASE_URL`` configured (a development address must not end up
    in published data, and the request's host is never used)."""
    if not has_public_base_url():
        return None
    if endpoint not in current_app.view_functions:
        return None
    try:
        return external_url(endpoint, **values)
    except BuildError:
        return None


def _grant_urls(project: PublicProject) -> tuple[str | None, str | None]:
    return (public_url(PROJECT_PAGE, reference=project.reference),
            public_url("opendata.download_json"))
