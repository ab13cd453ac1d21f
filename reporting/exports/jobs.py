"""The open data of a fund and a period as background jobs: "360giving" (JSON or
spreadsheet) and "iati" (XML). The worker builds the file as the public one is built, from
the published projects only, keeping those awarded in the period; each file is validated
against its standard before it is stored for the staff member who asked for it."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from accounts.models import User
from core.extensions import db
from core.jobs.registry import JobError, Kind, Result, register
from reporting.iati.document import NothingToPublish, build_file
from reporting.opendata import package, queries
from reporting.opendata.grants import prefix
from reporting.opendata.spreadsheet import build_workbook
from reporting.policies import can_export_open_data
from reporting.workbook.queries import WorkbookPeriod
from reporting.workbook.summary import period_text

OPEN_DATA, IATI = "360giving", "iati"
#: Steps the page counts: the records, the file, its check against the standard.
STEPS = 3


def _day(values: dict, key: str) -> date | None:
    return date.fromisoformat(values[key]) if values.get(key) else None


def _keep(values: dict):
    """Whether a published project was awarded in the period (none given: every project)."""
    start, end = _day(values, "from"), _day(values, "to")
    if start is None and end is None:
        return None

    def awarded_in_period(project) -> bool:
        day = project.award_date
        return (day is not None and (start is None or day >= start)
                and (end is None or day <= end))
    return awarded_in_period


def _fund_id(values: dict) -> int | None:
    fund_id = values.get("fund")
    if fund_id is not None and queries.fund(fund_id) is None:
        raise JobError(_("The fund chosen no longer exists. Choose another one."))
    return fund_id


def _requester_may(job) -> None:
    requester = db.session.get(User, job.requested_by_id) if job.requested_by_id else None
    allowed = can_export_open_data(requester)
    if not allowed[0]:
        raise JobError(allowed[1])


def filename(values: dict, extension: str, standard: str) -> str:
    """e.g. 360giving-ogbz-fund-2-2026-01-01-to-2026-03-31.json (ASCII letters, digits and
    hyphens only)."""
    parts = [standard, "".join(c if c.isalnum() else "-" for c in prefix()).strip("-")
             or "data"]
    if values.get("fund") is not None:
        parts.append(f"fund-{values['fund']}")
    if values.get("from") or values.get("to"):
        parts.append(f"{values.get('from') or 'start'}-to-{values.get('to') or 'end'}")
    return "-".join(parts) + extension


def _run_open_data(job, progress) -> Result:
    values = job.parameters
    _requester_may(job)
    fund_id = _fund_id(values)
    progress(0, STEPS)
    records = package.collect(fund_id, keep=_keep(values))
    progress(1, STEPS)
    if not records.grants:
        raise JobError(_("No published project of this fund and period can be published as "
                         "open data (each needs its amount, award date and organisation to "
                         "be public). Choose another period or fund."))
    data = package.build_package(records, fund_id=fund_id)  # validated against the standard
    progress(2, STEPS)
    if values.get("format") == "xlsx":
        workbook = build_workbook(data["grants"])
        buffer = BytesIO()
        try:
            workbook.save(buffer)
        finally:
            workbook.close()
        return Result(buffer.getvalue(), filename(values, ".xlsx", OPEN_DATA), "xlsx")
    return Result(package.dumps(data), filename(values, ".json", OPEN_DATA), "json")


def _run_iati(job, progress) -> Result:
    values = job.parameters
    _requester_may(job)
    fund_id = _fund_id(values)
    progress(0, STEPS)
    try:
        built = build_file(fund_id, keep=_keep(values))  # validated against the schema
    except NothingToPublish:
        raise JobError(_("No fund names a donor or a managing organisation, so there is no "
                         "programme to publish in IATI.")) from None
    progress(2, STEPS)
    return Result(built.body, filename(values, ".xml", IATI), "xml")


def _describe(job) -> str:
    values = job.parameters
    period = period_text(WorkbookPeriod(_day(values, "from"), _day(values, "to")))
    fund = queries.fund(values["fund"]) if values.get("fund") is not None else None
    return f"{period}, {fund.name}" if fund is not None else period


_FORMAT_TITLES = {"json": _l("360Giving JSON"), "xlsx": _l("360Giving spreadsheet (XLSX)"),
                  "xml": _l("IATI activity file (XML)")}


def _title(job) -> str:
    return _("%(format)s: %(scope)s", format=_FORMAT_TITLES[job.parameters.get("format")],
             scope=_describe(job))


def _may_read(user, job):
    """The requester alone, while they are staff: the file is theirs."""
    if job.requested_by_id != user.id:
        return False, str(_l("This export was made for the person who asked for it: ask for "
                             "your own on the Open data exports page."))
    return can_export_open_data(user)


def _back(job):
    return "exports.form", {}, _l("Open data exports")


register(Kind(OPEN_DATA, run=_run_open_data, title=_title, may_read=_may_read, back=_back))
register(Kind(IATI, run=_run_iati, title=_title, may_read=_may_read, back=_back))
