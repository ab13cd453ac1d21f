"""``flask reminders send``: remind people of what they have not done yet.

Idempotent per day: each reminder records the day (in the programme's time zone) it was sent,
so running the command again the same day queues nothing more.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from core.extensions import db
from grants.endorsements.operations import send_reminders

reminders_cli = AppGroup("reminders", help="Reminders by email.")


@reminders_cli.command("send")
def send_command() -> None:
    """Queue today's reminders (counterparts who have not answered the endorsement request)."""
    try:
        endorsements = send_reminders()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(f"Queued {endorsements} endorsement reminder(s).")
