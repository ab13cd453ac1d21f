from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from core import housekeeping
from core.extensions import db
from core.outbox.worker import send_batch, smtp_configured

outbox_cli = AppGroup("outbox", help="The email outbox.")


@outbox_cli.command("send")
@click.option("--once", is_flag=True, help="Send what is due now, then exit.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between polls.")
def send_command(once: bool, interval: float) -> None:
    """Deliver queued email through the configured SMTP server, and do the periodic
    housekeeping (``core.housekeeping``) between batches."""
    if not smtp_configured():
        housekeeping.run_due()
        click.echo("MAIL_SERVER is not set: messages stay in the outbox (see the Outbox page).")
        return
    while True:
        housekeeping.run_due()
        try:
            result = send_batch()
        except Exception:
            db.session.rollback()
            raise
        if result.claimed:
            click.echo(f"claimed {result.claimed}, sent {result.sent}, failed {result.failed}, "
                       f"dead {result.dead}")
        if once:
            return
        if not result.claimed:
            time.sleep(interval)
