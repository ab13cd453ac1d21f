"""``flask import attendance --event ID FILE [--dry-run]``: an attendance sheet into an
event, all or nothing, committed once. A large sheet is read a row at a time, as the
background import reads it, with its progress shown."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from core.extensions import db
from core.jobs.registry import JobError

from . import import_job, operations
from .attendance_sheet import count_people
from .models import Event

import_cli = AppGroup("import", help="Import data from spreadsheets.")


def _echo_summary(summary: dict, dry_run: bool) -> None:
    heading = "Dry run: nothing was imported. The file would give:" if dry_run else "Imported:"
    click.echo(heading)
    for key, label in _SUMMARY_LINES:
        if key in summary:  # a large sheet's import does not count matched organisations
            click.echo(f"  {label}: {summary[key]}")


_SUMMARY_LINES = (
    ("rows", "rows read"), ("blank_rows", "blank rows skipped"),
    ("people_created", "people created"), ("people_matched", "people matched"),
    ("people_merged", "people merged (completed with new details)"),
    ("organisations_created", "organisations created"),
    ("organisations_matched", "organisations matched"),
    ("attendance_created", "attendance rows created"),
    ("attendance_updated", "attendance rows updated"),
    ("attendance_unchanged", "attendance rows unchanged"),
)


def _import(event: Event, data: bytes, filename: str, dry_run: bool):
    """(errors, summary): a sheet of more than ``ATTENDANCE_JOB_THRESHOLD`` people is read a
    row at a time, with its progress shown, as the background job reads it."""
    threshold = import_job.threshold()
    if count_people(data, filename, stop_after=threshold).people <= threshold:
        plan = operations.import_attendance(event, None, data, filename, dry_run=dry_run)
        return plan.errors, (None if plan.errors else plan.summary())

    def progress(stage: str, done: int, total: int) -> None:
        click.echo(f"  {stage} {done} of {total} rows", err=True)

    try:
        return import_job.import_sheet(event, None, data, filename, dry_run=dry_run,
                                       progress=progress)
    except JobError as error:
        raise click.ClickException(str(error)) from None


@import_cli.command("attendance")
@click.option("--event", "event_id", type=int, required=True, help="The event's number.")
@click.option("--dry-run", is_flag=True, help="Check the file and show what would happen.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def attendance_command(event_id: int, dry_run: bool, file: Path) -> None:
    """Import the attendance sheet FILE (.xlsx or .csv) into an event."""
    event = db.session.get(Event, event_id)
    if event is None:
        raise click.ClickException(f"No event has the number {event_id}.")
    try:
        errors, summary = _import(event, file.read_bytes(), file.name, dry_run)
        if errors or dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    if errors:
        click.echo(f"The file has {len(errors)} error(s); nothing was imported.",
                   err=True)
        for error in errors:
            where = f"row {error.row}" if error.row else "file"
            if error.column:
                where += f", column {error.column}"
            value = f" (value: {error.value})" if error.value else ""
            click.echo(f"  {where}: {error.message}{value}", err=True)
        raise SystemExit(1)
    _echo_summary(summary, dry_run)


people_cli = AppGroup("people", help="People who attend events: their personal data.")


@people_cli.command("erase-expired")
def erase_expired_command() -> None:
    """Erase the personal data of people past PERSONAL_DATA_RETENTION_DAYS (the worker does
    this every six hours; this runs it now)."""
    from .personal_data import erase_expired, retention_cutoff

    if retention_cutoff() is None:
        click.echo("PERSONAL_DATA_RETENTION_DAYS is 0: personal data is kept until erased on "
                   "request.")
        return
    erased = 0
    while batch := erase_expired():
        db.session.commit()
        erased += batch
    click.echo(f"erased {erased}")
