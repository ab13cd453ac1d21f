"""Each person's home page lists what waits for them in the demo programme, each item one
click from where they act on it, in a number of statements that does not grow with the data."""

from __future__ import annotations

import html as html_module
import re

import pytest
from sqlalchemy import event, select

from accounts.models import User
from core.extensions import db
from grants.awards.states import DisbursementState
from tests.grants.monitoring.conftest import make_grant, pay, submitted


@pytest.fixture
def demo(app, db_session):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    users = {}
    for user in db_session.scalars(select(User).where(User.email.like("%@demo.example.org"))
                                   .order_by(User.id)):
        for role in user.roles:
            users.setdefault(role.value, user)
    return users


def sections(html: str) -> dict[str, list[tuple[str, str]]]:
    """The home page's sections: heading → (link text, address) of each item."""
    found = {}
    for block in re.findall(r'<section class="card work-section".*?</section>', html, re.S):
        heading = html_module.unescape(
            re.search(r"<h2[^>]*>(.*?)</h2>", block, re.S).group(1).strip())
        found[heading] = [(text.strip(), html_module.unescape(href)) for href, text in re.findall(
            r'<li class="work-item[^"]*">\s*<a href="([^"]+)">(.*?)</a>', block, re.S)]
    return found


def home(client, login_as, user) -> dict[str, list[tuple[str, str]]]:
    if user is not None:
        login_as(user)
    response = client.get("/")
    assert response.status_code == 200
    return sections(response.get_data(as_text=True))


EXPECTED = {
    # role: headings the demo gives that person's home page, in order
    None: ["Open calls"],
    "applicant": ["Open calls", "My applications", "My grants"],
    "reviewer": ["Reviews to write"],
    # The demo's forum last met in 2020: staff are told it has not met for six months.
    "staff": ["Applications", "Progress reports", "Tranches due", "This year's results",
              "Multi-stakeholder forum"],
    "finance": ["Payments"],
    "donor": ["This year's results"],
}


@pytest.mark.parametrize("role", list(EXPECTED), ids=lambda role: role or "visitor")
def test_each_role_sees_its_work_and_every_item_opens(demo, client, login_as, role):
    found = home(client, login_as, demo[role] if role else None)
    assert list(found) == EXPECTED[role]
    for heading, items in found.items():
        assert items, heading
        for text, href in items:
            target = client.get(href)
            assert target.status_code == 200, (heading, text, href, target.status_code)


def test_the_applicant_sees_the_draft_and_the_overdue_report(demo, client, login_as):
    login_as(demo["applicant"])
    html = client.get("/").get_data(as_text=True)
    assert "Draft: finish and submit it" in html
    assert "Mid-term report" in html and "days overdue" in html
    assert "work-item work-item-overdue" in html


def test_a_person_with_nothing_to_do_is_told_so(client, login_as):
    login_as("reviewer")
    html = client.get("/").get_data(as_text=True)
    assert "Nothing waits for you at the moment." in html
    assert 'class="card work-section"' not in html


def test_the_home_page_in_spanish(demo, client, login_as):
    login_as(demo["staff"])
    client.post("/language", data={"locale": "es", "next": "/"})
    html = client.get("/").get_data(as_text=True)
    assert "Mi trabajo" in html and "Informes de avance" in html


def _statements(client) -> int:
    counted = []
    engine = db.session.get_bind()

    def count(*_args):
        counted.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get("/").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(counted)


@pytest.mark.parametrize("role", ["staff", "finance", "applicant", "admin"])
def test_the_home_page_takes_a_fixed_number_of_statements(demo, client, login_as, db_session,
                                                          factories, role):
    user = demo[role]
    login_as(user)
    before = _statements(client)
    for _ in range(3):
        grant = make_grant(db_session, factories)
        factories.member(grant.organisation, demo["applicant"], "member")
        pay(db_session, grant.award, "100.00", state=DisbursementState.requested)
        pay(db_session, grant.award, "50.00", state=DisbursementState.approved)
        submitted(db_session, grant.midterm)
    db_session.flush()
    assert _statements(client) == before
