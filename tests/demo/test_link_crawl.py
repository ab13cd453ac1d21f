"""Every link a demo person is shown leads somewhere they may go: crawling the pages each
role reaches from the home page, no link answers 403 or 404 (and no page a 5xx)."""

from __future__ import annotations

import html
import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from sqlalchemy import select

from accounts.models import User

#: Pages per role: enough to reach every kind of page of the demo, bounded for the suite.
PAGE_LIMIT = 400
#: Addresses a crawler must not follow: they act (sign out) or are files, not pages.
SKIP = re.compile(r"^/(static/|logout)|\.(xlsx|pdf|png|svg|json|csv|zip)(\?|$)|/download")
HREF = re.compile(r'<a\s[^>]*href="([^"]+)"')


def _shape(path: str) -> str:
    """The page's kind: numbers and references stand for any, so each kind is visited a
    few times, not once per record."""
    return re.sub(r"\d+", "N", path)


@pytest.fixture
def demo_users(app, db_session):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    users = {}
    for user in db_session.scalars(select(User).where(User.email.like("%@demo.example.org"))
                                   .order_by(User.id)):
        for role in user.roles:
            users.setdefault(role.value, user)
    return users


def crawl(client, check=None, limit: int = PAGE_LIMIT) -> list[tuple[str, str, int]]:
    """(page, link, status) of every link that answered 403, 404 or 5xx; ``check(path,
    page)`` is called with every HTML page read."""
    seen, shapes, broken = {"/"}, {}, []
    queue = deque([("", "/")])
    visited = 0
    while queue and visited < limit:
        source, path = queue.popleft()
        response = client.get(path)
        visited += 1
        if response.status_code in (403, 404) or response.status_code >= 500:
            broken.append((source, path, response.status_code))
            continue
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        page = response.get_data(as_text=True)
        if check is not None:
            check(path, page)
        for href in HREF.findall(page):
            target = urldefrag(html.unescape(href))[0]
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if target in seen or SKIP.search(target):
                continue
            shape = _shape(parts.path)
            shapes[shape] = shapes.get(shape, 0) + 1
            if shapes[shape] > 3:
                continue
            seen.add(target)
            queue.append((path, target))
    return broken


@pytest.mark.parametrize("role", [None, "applicant", "reviewer", "staff", "finance", "donor",
                                  "admin"], ids=lambda role: role or "visitor")
def test_no_link_refuses_the_person_it_is_shown_to(demo_users, client, login_as, role):
    if role:
        login_as(demo_users[role])
    broken = crawl(client)
    assert broken == [], "\n".join(map(str, broken))
