from __future__ import annotations

from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from accounts.models import User
from core.extensions import db
from core.timeutil import programme_today
from demo import accounts, awards, current, grants, reviews
from demo import coalitions as coalitions_demo
from demo import consultation as consultation_demo
from demo import forum as forum_demo
from demo import results as results_demo

demo_cli = AppGroup("demo", help="The demo programme.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True,
              help="Only load when the database has no users; print the logins either way.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Place the current cycle around this day (YYYY-MM-DD) instead of today.")
def load_command(if_empty: bool, today) -> None:
    """Load the demo programme (idempotent) and print one login per role."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("Refusing to load demo data into a production database.")
    has_users = db.session.scalar(select(func.count()).select_from(User)) > 0
    if if_empty and has_users and not accounts.demo_users_exist():
        click.echo("The database already holds data; demo data not loaded.")
        return
    organisations = accounts.load_organisations()
    logins = accounts.load_users(organisations)
    users = {role: db.session.scalar(select(User).where(User.email == email))
             for role, email, _password in logins}
    load_programme(users, today.date() if today else programme_today())
    db.session.commit()
    click.echo("Demo logins (http://127.0.0.1:5000/login):")
    for role, email, password in logins:
        click.echo(f"  {role:<10} {email:<30} {password}")


def load_programme(users: dict[str, User], today: date) -> None:
    """The 2018–2019 reference programme, then the current cycle placed around ``today``.
    Each part loads only when it is missing, so a second load changes nothing."""
    fund = grants.load(users)
    reference_call = grants.reference_call(fund)
    reviews.load(reference_call, users)
    awards.load(reference_call, users)
    coalitions_demo.load(users)
    forum_demo.load(users)
    consultation_demo.load(users)
    results_demo.load()
    current.load(users, today)
