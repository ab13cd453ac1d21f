"""``flask import attendance --event ID FILE [--dry-run]``: an attendance sheet into an
event, all or nothing, committed once."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from core.extensions import db

from . import operations
from .models import Event

import_cli = AppGroup("import", help="Import data from spreadsheets.")


def _echo_summary(summary: dict, dry_run: bool) -> None:
    heading = "Dry run: nothing was imported. The file would give:" if dry_run else "Imported:"
    click.echo(heading)
    click.echo(f"  rows read: {summary['rows']}")
    click.echo(f"  blank rows skipped: {summary['blank_rows']}")
    click.echo(f"  people created: {summary['people_created']}")
    click.echo(f"  people matched: {summary['people_matched']}")
    click.echo(f"  people merged (completed with new details): {summary['people_merged']}")
    click.echo(f"  organisations created: {summary['organisations_created']}")
    click.echo(f"  organisations matched: {summary['organisations_matched']}")
    click.echo(f"  attendance rows created: {summary['attendance_created']}")
    click.echo(f"  attendance rows updated: {summary['attendance_updated']}")
    click.echo(f"  attendance rows unchanged: {summary['attendance_unchanged']}")


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
        plan = operations.import_attendance(event, None, file.read_bytes(), file.name,
                                            dry_run=dry_run)
        if plan.errors or dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if plan.errors:
        click.echo(f"The file has {len(plan.errors)} error(s); nothing was imported.",
                   err=True)
        for error in plan.errors:
            where = f"row {error.row}" if error.row else "file"
            if error.column:
                where += f", column {error.column}"
            value = f" (value: {error.value})" if error.value else ""
            click.echo(f"  {where}: {error.message}{value}", err=True)
        raise SystemExit(1)
    _echo_summary(plan.summary(), dry_run)


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
