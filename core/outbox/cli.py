from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from core import housekeeping
from core.extensions import db
from core.outbox.worker import BatchResult, send_batch, smtp_configured

outbox_cli = AppGroup("outbox", help="The email outbox.")


@outbox_cli.command("send")
@click.option("--once", is_flag=True, help="Do what is due now, then exit.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between polls.")
def send_command(once: bool, interval: float) -> None:
    """The worker process: deliver queued email through the configured SMTP server, and
    between batches do the periodic housekeeping and run the background jobs, one per turn
    (both registered in ``core.housekeeping``)."""
    sending = smtp_configured()
    if not sending:
        click.echo("MAIL_SERVER is not set: messages stay in the outbox (see the Outbox page).")
    while True:
        busy = any(value is True for value in housekeeping.run_due().values())
        try:
            result = send_batch() if sending else BatchResult()
        except Exception:
            db.session.rollback()
            raise
        if result.claimed:
            click.echo(f"claimed {result.claimed}, sent {result.sent}, failed {result.failed}, "
                       f"dead {result.dead}")
        if once and not busy:
            return
        if not result.claimed and not busy:
            time.sleep(interval)
