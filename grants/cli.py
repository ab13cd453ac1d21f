"""``flask reminders send``: the day's reminders of the grant cycle, committed once.

Counterparts who have not answered an endorsement request, reviewers whose reviews are due
within three days or overdue, and grantees whose progress reports are due within seven days
or overdue. Each kind is sent at most once a day, so the command can run as often as a
scheduler likes.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from core.extensions import db
from grants.endorsements.operations import send_reminders as send_endorsement_reminders
from grants.monitoring.operations import send_report_reminders
from grants.ranking.operations import send_review_reminders

reminders_cli = AppGroup("reminders", help="Reminders by email.")


@reminders_cli.command("send")
def send_command() -> None:
    """Queue today's endorsement, review and report reminders."""
    try:
        endorsements = send_endorsement_reminders()
        reviews = send_review_reminders()
        reports = send_report_reminders()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(f"Queued {endorsements} endorsement reminder(s), {reviews} review "
               f"reminder(s) and {reports} report reminder(s).")
