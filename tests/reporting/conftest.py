"""Fixtures for the reporting tests: the demo programme, loaded inside the test's
transaction (and rolled back with it)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from accounts.models import User
from accounts.organisations.models import Sector
from tests.fixtures.grants import GrantFactories


@pytest.fixture
def demo_programme(app, db_session):
    """The reference programme of ``flask demo load``: its users by role name."""
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    users = {}
    for user in db_session.scalars(select(User).where(User.email.like("%@demo.example.org"))):
        for role in user.roles:
            users.setdefault(str(role.value if hasattr(role, "value") else role), user)
    return users



@pytest.fixture
def call(db_session, factories):
    """A published call of a donor's fund, for the portal and publication tests."""
    grants = GrantFactories(db_session, factories)
    donor = factories.organisation(name="Friendly Embassy", sector=Sector.international)
    return grants.call(fund=grants.fund(name="Open Government Fund", donor=donor),
                       areas=["Open data", "Citizen participation"], statements=[],
                       documents=[], criteria=[])


def set_publication(session, award_id: int, **fields):
    """The award's publication settings with ``fields`` changed (the demo's awards already
    have a row, with their Spanish wording)."""
    from reporting.portal.models import ProjectPublication

    publication = session.scalar(select(ProjectPublication)
                                 .where(ProjectPublication.award_id == award_id))
    if publication is None:
        publication = ProjectPublication(award_id=award_id)
        session.add(publication)
    for name, value in fields.items():
        setattr(publication, name, value)
    return publication
