"""Stored markup: HTML typed into every free-text field (the columns the formula-injection
check poisons, plus the calls' Markdown body) never reaches a page as markup. Every GET route
is requested as an administrator and as Alpha's owner, and no page, image or file served
inline may contain the injected tags.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from tests.security.routes import sign_in
from tests.security.test_formula_injection import poison
from tests.security.test_headers import _urls

PAYLOAD = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
#: What must never appear: the tags, unescaped.
MARKERS = ("<script>alert(1)", "<img src=x onerror")
#: Downloads are attachments (checked in test_headers); these are rendered by a browser.
RENDERED = ("text/html", "image/svg+xml")


@pytest.fixture
def poisoned_world(world, db_session):
    from grants.calls.models import Call

    poison(db_session, PAYLOAD)
    table = Call.__table__
    db_session.execute(update(table).values(body_markdown=f"Intro\n\n{PAYLOAD}\n\n"
                                                          f"[link](javascript:alert(3))"))
    db_session.flush()
    db_session.expire_all()
    assert db_session.scalar(select(Call.body_markdown).limit(1)).startswith("Intro")
    return world


@pytest.mark.parametrize("who", ["admin", "alpha"])
def test_no_page_shows_stored_markup(who, app, client, poisoned_world):
    world = poisoned_world
    sign_in(client, world.admin if who == "admin" else world.alpha.owner)
    problems, pages = [], 0
    for url in _urls(app, world):
        response = client.get(url)
        if response.mimetype in RENDERED:
            pages += response.status_code == 200
            body = response.get_data(as_text=True)
            problems += [f"{url}: {marker}" for marker in MARKERS if marker in body]
            if 'href="javascript:' in body:
                problems.append(f"{url}: javascript: link")
        response.close()
    assert pages > 20
    assert not problems, problems


def test_a_lazy_message_carrying_user_text_is_escaped(app):
    """The cause of what the page check found: Flask-Babel's lazy strings claimed to be safe
    markup, so text interpolated into a message (a document's or an organisation's name)
    was rendered as HTML."""
    from flask import render_template_string
    from flask_babel import lazy_gettext as _l
    from markupsafe import escape

    message = _l("Attach: %(document)s.", document=PAYLOAD)
    with app.test_request_context("/"):
        page = render_template_string("<p>{{ message }}</p><p>{{ [message]|join }}</p>",
                                      message=message)
        assert "<script>" not in page and "&lt;script&gt;" in page
        assert str(escape(message)) == str(escape(str(message)))
