"""The donor workbook as a background job ("donor_workbook"): the page queues it with the
form's period, fund and variant, the worker builds it in the requester's language and for
the requester's conflicts of interest, reporting its progress sheet by sheet, and stores the
file for the requester alone to download."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from accounts.models import User
from core.access import ALLOW
from core.extensions import db
from core.jobs.registry import JobError, Kind, Result, register
from reporting.policies import can_download_named_participants, can_view_reports
from reporting.workbook import summary
from reporting.workbook.builder import UnknownFund, build_donor_workbook, workbook_filename
from reporting.workbook.queries import WorkbookPeriod

KIND = "donor_workbook"


def parameters(period: WorkbookPeriod, fund_id: int | None, *, with_names: bool) -> dict:
    """What the job keeps of the form: JSON-ready."""
    return {"from": period.start.isoformat() if period.start else None,
            "to": period.end.isoformat() if period.end else None,
            "fund": fund_id, "names": bool(with_names)}


def _period(job) -> WorkbookPeriod:
    values = job.parameters
    return WorkbookPeriod(*(date.fromisoformat(values[key]) if values.get(key) else None
                            for key in ("from", "to")))


def _run(job, progress) -> Result:
    values = job.parameters
    with_names = bool(values.get("names"))
    viewer = db.session.get(User, job.requested_by_id) if job.requested_by_id else None
    if with_names and not can_download_named_participants(viewer)[0]:
        raise JobError(_("Only programme staff can download the names of participants."))
    period = _period(job)
    try:
        workbook = build_donor_workbook(period, values.get("fund"), with_names=with_names,
                                        viewer=viewer, progress=progress)
    except UnknownFund:
        raise JobError(_("The fund chosen no longer exists. Choose another one.")) from None
    buffer = BytesIO()
    workbook.save(buffer)
    return Result(buffer.getvalue(),
                  workbook_filename(period, values.get("fund"), with_names=with_names), "xlsx")


def _title(job) -> str:
    return _("Donor workbook: %(period)s", period=summary.period_text(_period(job)))


def _may_read(user, job):
    """The requester alone: the file is made for its reader (the scores of applications they
    are conflicted with are left out, the texts are in their language)."""
    if job.requested_by_id != user.id:
        return False, str(_l("This workbook was made for the person who asked for it: ask for "
                             "your own on the Donor workbook page."))
    allowed = can_view_reports(user)
    if not allowed[0]:
        return allowed
    if job.parameters.get("names"):
        return can_download_named_participants(user)
    return ALLOW


def _back(job):
    return "workbook.form", {}, _l("Donor workbook")


register(Kind(KIND, run=_run, title=_title, may_read=_may_read, back=_back))
