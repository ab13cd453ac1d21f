"""The IATI activity file (standard version 2.03): the programme's activity and one per
published project, validated against the schema before anyone gets it."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from lxml import etree
from werkzeug.routing import BuildError

from core.collection import collector_paused
from core.timeutil import utcnow
from core.urls import external_url, has_public_base_url
from reporting.iati import activities, queries
from reporting.iati.validation import VERSION, validate_file
from reporting.portal.queries import public_project_sources

#: The public page of a project and the list of projects, owned by the portal.
PROJECT_PAGE = "portal.project"
PROJECTS_PAGE = "portal.projects"


class NothingToPublish(Exception):
    """No fund names a donor or a managing organisation, so there is no programme activity
    (and no file) to give."""


@dataclass(frozen=True)
class ActivityFile:
    body: bytes
    #: Activities in the file: the programme's and one per published project.
    activity_count: int
    #: Published projects that could not be activities, by reason.
    left_out: dict[str, int] = field(default_factory=dict)


@collector_paused()
def build_file(fund_id: int | None = None, *, keep=None) -> ActivityFile:
    """The activity file of every fund, or of one fund's projects (the programme's activity
    is the same in both), or of those ``keep(project)`` accepts when given. Raises
    :class:`NothingToPublish`, or :class:`~reporting.iati.validation.InvalidActivityFile`
    when the result breaks the schema (a bug: nothing is written or served)."""
    funds = queries.funds()
    scope_funds = funds if fund_id is None else [fund for fund in funds if fund.id == fund_id]
    sources = public_project_sources()
    projects = [source.project for source in sources]
    left_out: dict[str, int] = {}
    chosen = []
    for source in sources:
        project = source.project
        if (fund_id is not None and project.fund_id != fund_id) \
                or (keep is not None and not keep(project)):
            continue
        reason = activities.missing_part(project)
        if reason:
            left_out[reason] = left_out.get(reason, 0) + 1
        else:
            chosen.append(source)
    publisher = activities.publisher(funds)
    root = etree.Element("iati-activities", {"version": VERSION,
                                             "generated-datetime": activities._moment(utcnow())})
    programme = activities.programme_activity(
        root, publisher, funds, projects,
        [publisher.award_identifier(source.project.reference) for source in chosen],
        page_url=public_url(PROJECTS_PAGE))
    if programme is None:
        raise NothingToPublish()
    facts = queries.award_facts(chosen)
    funds_by_id = {fund.id: fund for fund in scope_funds}
    for project in (source.project for source in chosen):
        activities.award_activity(root, publisher, project, facts[project.award_id],
                                  funds_by_id[project.fund_id],
                                  page_url=public_url(PROJECT_PAGE,
                                                      reference=project.reference))
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    ordered = {reason: left_out[reason] for reason in activities.LEFT_OUT_REASONS
               if reason in left_out}
    return ActivityFile(body=validate_file(body), activity_count=1 + len(chosen),
                        left_out=ordered)


def public_url(endpoint: str, **values) -> str | None:
    """The absolute public address of ``endpoint``, only from ``PUBLIC_BASE_URL`` (never the
    request's host), or ``None`` when none is configured or the page does not exist."""
    if not has_public_base_url() or endpoint not in current_app.view_functions:
        return None
    try:
        return external_url(endpoint, **values)
    except BuildError:
        return None
