"""A large attendance sheet imported in the background ("attendance_import").

A sheet of more than ``ATTENDANCE_JOB_THRESHOLD`` people is too long to check and import
within a request: the page checks what is cheap (the kind of file, its size, its header row,
and for a CSV file the number of people), stores the file and queues this job; the staff
member follows it on the job's page.

The worker reads the file a row at a time, never all of it at once, in two passes:

1. it checks every row, as the import at once does (the same messages, the same person twice
   in the file, a new organisation without a sector, two rows that are one existing person),
   writing nothing. A file with any problem imports nothing: the job's page lists how many
   and offers them as a spreadsheet. A dry run stops here, with what the import would do.
2. it imports the rows in steps of :data:`STEP` rows, each step planned against what the
   steps before it wrote and committed together with the progress and the running totals.
   A worker that dies loses at most the step it was in; the next worker skips the steps
   already committed. Even run again from the start (a retry), the import matches the
   people and attendance it already wrote (by email, else by exact name and organisation;
   one attendance row per person and event), so no row is ever written twice.
"""

from __future__ import annotations

import hashlib
from io import BytesIO

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accounts.models import User
from core.extensions import db
from core.jobs.models import Job
from core.jobs.operations import enqueue
from core.jobs.registry import JobError, Kind, Result, register
from core.jobs.states import UNFINISHED
from core.locking import lock
from core.spreadsheets import Column, Workbook
from core.uploads import detection
from core.uploads.models import StoredFile
from core.uploads.operations import delete_stored_file, store_generated
from core.uploads.storage import get_storage

from . import attendance_sheet, importer
from .attendance_sheet import RowError, Sheet, no_people, open_sheet, too_many_people
from .models import Event
from .operations import apply_plan
from .policies import can_import_attendance

KIND = "attendance_import"
#: Rows checked, or imported and committed, at each step of progress.
STEP = 1000
_TOTALS = ("people_created", "people_matched", "people_merged", "organisations_created",
           "attendance_created", "attendance_updated", "attendance_unchanged")


def threshold() -> int:
    """Sheets with more people than this are imported in the background."""
    return current_app.config.get("ATTENDANCE_JOB_THRESHOLD", 2000)


def max_upload_bytes() -> int:
    return current_app.config.get("ATTENDANCE_MAX_UPLOAD_BYTES", 32 * 1024 * 1024)


def error_workbook(errors) -> Workbook:
    """The problems of a sheet, one a line, as a spreadsheet."""
    workbook = Workbook()
    workbook.add_sheet(_("Errors"), [
        Column(_("Row"), "integer", width=8), Column(_("Column"), width=20),
        Column(_("Value"), width=30), Column(_("Problem"), width=80)],
        ([error.row or None, error.column, error.value, error.message] for error in errors))
    return workbook


# Queueing (in the request) -----------------------------------------------------------------

def queue_import(event: Event, actor, data: bytes, filename: str, *, dry_run: bool,
                 locale: str | None) -> Job:
    """Store the sheet and queue its import (or its dry run) into ``event``; flushes. The
    same sheet sent again for the same event while its job has not finished (the form sent
    twice) gets that job, not a second one."""
    event = lock(event)
    digest = hashlib.sha256(data).hexdigest()
    unfinished = db.session.scalars(select(Job).where(
        Job.kind == KIND, Job.state.in_(UNFINISHED)).order_by(Job.id))
    for job in unfinished:
        values = job.parameters
        if (values.get("event"), values.get("sha256"), values.get("dry_run")) == (
                event.id, digest, dry_run):
            return job
    kind = detection.XLSX if attendance_sheet.is_workbook(data) else "csv"
    stored = store_generated(data, name=f"attendance-event-{event.id}.{kind}", kind=kind,
                             owner=actor)
    return enqueue(KIND, {"event": event.id, "file": stored.id, "sha256": digest,
                          "filename": (filename or "")[:200], "dry_run": dry_run},
                   requested_by=actor, locale=locale)


# Running (in the worker) -------------------------------------------------------------------

def _chunks(people, sheet: Sheet):
    """The people's rows in lists of ``STEP``, as sheets sharing ``sheet``'s columns."""
    rows: list = []
    for row in people:
        rows.append(row)
        if len(rows) == STEP:
            yield Sheet(columns=sheet.columns, rows=rows)
            rows = []
    if rows:
        yield Sheet(columns=sheet.columns, rows=rows)


def _open(data: bytes, filename: str) -> tuple[Sheet, object]:
    sheet, people = open_sheet(data, filename)
    if sheet.errors or people is None:
        return sheet, None
    return sheet, people


def _count(data: bytes, filename: str) -> Sheet:
    """The sheet's header and its people counted to the end (``Sheet.errors`` if any)."""
    sheet, people = _open(data, filename)
    if people is not None:
        for _row in people:
            pass
        if not sheet.errors and sheet.people > attendance_sheet.MAX_PEOPLE:
            sheet.errors.append(too_many_people(sheet.people))
        elif not sheet.errors and not sheet.people:
            sheet.errors.append(no_people())
    return sheet


def _check(event_id: int, data: bytes, filename: str, total: int, progress) -> tuple:
    """Pass 1: every row checked and planned, nothing written; (errors, planned totals)."""
    sheet, people = _open(data, filename)
    errors: list[RowError] = []
    seen: tuple[dict, dict] = ({}, {})
    claimed: dict[int, int] = {}
    new_organisations: dict = {}
    totals = dict.fromkeys(_TOTALS, 0)
    done = 0
    for chunk in _chunks(people, sheet):
        rows, row_errors = importer.parse_rows(chunk, default_country=_country(), seen=seen)
        errors.extend(row_errors)
        if rows and not row_errors:
            plan = importer.plan_rows(db.session.get(Event, event_id), rows, claimed=claimed,
                                      new_organisations=new_organisations)
            errors.extend(plan.errors)
            _add(totals, plan.summary())
        done += len(chunk.rows)
        progress(done, total)
    errors.extend(sheet.errors)
    totals["organisations_created"] = len(new_organisations)
    return errors, totals


def _import(event_id: int, actor_id: int | None, data: bytes, filename: str, *, start: int,
            totals: dict, after_step) -> dict:
    """Pass 2: the rows imported step by step, skipping the first ``start`` rows (imported
    and committed before a take-over); ``after_step(rows done, totals)`` after each step."""
    sheet, people = _open(data, filename)
    done = 0
    for chunk in _chunks(people, sheet):
        if done + len(chunk.rows) <= start:
            done += len(chunk.rows)
            continue
        event = db.session.get(Event, event_id)
        actor = db.session.get(User, actor_id) if actor_id else None
        rows, row_errors = importer.parse_rows(chunk, default_country=_country())
        plan = importer.plan_rows(event, rows) if not row_errors else None
        if plan is None or not plan.is_valid:
            raise JobError(_("The people or organisations changed while the sheet was being "
                             "imported, and rows %(first)s to %(last)s no longer fit. The "
                             "rows before them are imported: try again to import the rest.",
                             first=chunk.rows[0][0], last=chunk.rows[-1][0]))
        _add(totals, apply_plan(event, actor, plan, filename=filename))
        done += len(chunk.rows)
        after_step(done, totals)
    return totals


def import_sheet(event: Event, actor, data: bytes, filename: str, *, dry_run: bool,
                 progress=lambda stage, done, total: None) -> tuple[list[RowError], dict]:
    """A large sheet imported at once (the command), a row at a time as the job does, in the
    caller's transaction (flushed, never committed): its problems (nothing written), or
    what was (or, in a dry run, would be) done. ``progress(stage, done, total)`` after each
    step, ``stage`` being "checked" or "imported"."""
    sheet = _count(data, filename)
    if sheet.errors:
        return sheet.errors, _figures(sheet)
    count = sheet.people
    errors, planned = _check(event.id, data, filename, count,
                             lambda done, total: progress("checked", done, total))
    if errors or dry_run:
        return errors, {**_figures(sheet), **planned}
    totals = _import(event.id, getattr(actor, "id", None), data, filename, start=0,
                     totals=dict.fromkeys(_TOTALS, 0),
                     after_step=lambda done, _totals: progress("imported", done, count))
    return [], {**_figures(sheet), **totals}


def _add(totals: dict, summary: dict) -> None:
    for key in _TOTALS:
        totals[key] = totals.get(key, 0) + summary.get(key, 0)


def _country() -> str:
    return current_app.config.get("DEFAULT_COUNTRY", "BZ")


def _run(job: Job, progress) -> Result:
    values = dict(job.parameters)
    event, stored = (db.session.get(Event, values["event"]),
                     db.session.get(StoredFile, values["file"]))
    if event is None:
        raise JobError(_("The event no longer exists: nothing was imported."))
    if stored is None:
        raise JobError(_("The uploaded sheet is no longer kept. Upload it again."))
    with get_storage().open(stored.storage_key) as handle:
        data = handle.read()
    filename, dry_run = values.get("filename") or stored.original_name, values["dry_run"]
    event_id, actor_id, job_id = event.id, job.requested_by_id, job.id
    resumed = dict(job.summary or {})
    result = _outcome(event_id, actor_id, job_id, data, filename, dry_run, resumed, progress)
    _forget_sheet(values["file"])
    return result


def _outcome(event_id: int, actor_id: int | None, job_id: int, data: bytes, filename: str,
             dry_run: bool, resumed: dict, progress) -> Result:
    sheet = _count(data, filename)
    if sheet.errors:
        return _problems(event_id, sheet, sheet.errors)
    count, steps = sheet.people, sheet.people if dry_run else 2 * sheet.people
    if not resumed.get("checked"):
        errors, planned = _check(event_id, data, filename, count, lambda done, _total:
                                 progress(done, steps))
        if errors:
            return _problems(event_id, sheet, errors)
        if dry_run:
            return Result(None, summary={**_figures(sheet), **planned, "dry_run": True})
        job = db.session.get(Job, job_id)
        job.summary = {**dict.fromkeys(_TOTALS, 0), "checked": True}
        progress(count, steps)
    job = db.session.get(Job, job_id)

    def after_step(done: int, totals: dict) -> None:
        db.session.get(Job, job_id).summary = {**totals, "checked": True}
        progress(count + done, steps)  # commits the step with its totals

    totals = _import(event_id, actor_id, data, filename, start=job.progress_done - count,
                     totals={key: job.summary.get(key, 0) for key in _TOTALS},
                     after_step=after_step)
    return Result(None, summary={**_figures(sheet), **totals, "imported": True})


def _forget_sheet(file_id: int) -> None:
    """The uploaded sheet (names, emails) is not kept once its job has finished: it goes
    when the job's outcome is committed. A failed job keeps it, to be tried again."""
    stored = db.session.get(StoredFile, file_id)
    if stored is not None:
        delete_stored_file(stored)


def _figures(sheet: Sheet) -> dict:
    return {"rows": sheet.people, "blank_rows": sheet.blank_rows}


def _problems(event_id: int, sheet: Sheet, errors: list[RowError]) -> Result:
    buffer = BytesIO()
    with error_workbook(sorted(errors, key=lambda error: error.row)) as workbook:
        workbook.save(buffer)
    return Result(buffer.getvalue(), f"attendance-errors-event-{event_id}.xlsx", "xlsx",
                  summary={**_figures(sheet), "problems": len(errors)})


# Its page ----------------------------------------------------------------------------------

_LABELS = (
    ("rows", _l("Rows read")),
    ("blank_rows", _l("Blank rows skipped")),
    ("problems", _l("Problems found")),
    ("people_created", _l("People created")),
    ("people_matched", _l("People matched")),
    ("people_merged", _l("People merged (completed with new details)")),
    ("organisations_created", _l("Organisations created")),
    ("attendance_created", _l("Attendance rows created")),
    ("attendance_updated", _l("Attendance rows updated")),
    ("attendance_unchanged", _l("Attendance rows unchanged")),
)


def _describe(job: Job) -> list[tuple[str, object]]:
    summary = job.summary or {}
    if summary.get("problems"):
        outcome = _("The file has problems: nothing was imported. Download them, correct the "
                    "sheet and upload it again.")
    elif summary.get("dry_run"):
        outcome = _("Dry run: nothing was imported. The import would do what follows.")
    else:
        outcome = _("Imported.")
    return [(_("Outcome"), outcome)] + [(str(label), summary[key]) for key, label in _LABELS
                                         if key in summary]


def _title(job: Job) -> str:
    event = db.session.get(Event, job.parameters.get("event"))
    name = event.title if event is not None else job.parameters.get("event")
    if job.parameters.get("dry_run"):
        return _("Checking the attendance sheet for %(title)s", title=name)
    return _("Importing the attendance sheet into %(title)s", title=name)


def _back(job: Job):
    return "events.detail", {"event_id": job.parameters.get("event")}, _l("Back to the event")


register(Kind(KIND, run=_run, title=_title, may_read=lambda user, job:
              can_import_attendance(user), back=_back, describe=_describe))
