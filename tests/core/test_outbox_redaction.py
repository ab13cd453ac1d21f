"""Working token links leave the outbox once delivered or expired, and admins never see them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.outbox.models import OutboxMessage
from core.outbox.operations import queue_email
from core.outbox.redaction import REMOVED, redact_secret_links, secret_link_lifetime
from core.outbox.states import MessageState
from core.outbox.worker import send_batch
from core.timeutil import utcnow
from core.urls import external_url
from tests.core.test_outbox import smtp  # noqa: F401  (the real SMTP server fixture)

TOKEN = "eyJ1IjoxN30.ZzZ.secret-part_42"


def _reset_message(factories):
    user = factories.user()
    return queue_email(user.email, "accounts/reset_password", locale="en", user=user,
                       reset_url=external_url("accounts.reset_password", token=TOKEN))


def test_a_reset_email_is_marked_as_holding_a_secret_link(client, factories, db_session):
    user = factories.user()
    client.post("/password/forgot", data={"email": user.email})
    message = db_session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert message.kind == "accounts.reset_password"
    assert message.holds_secret_link is True


def test_the_admin_page_never_shows_a_working_link(client, factories, login_as):
    message = _reset_message(factories)
    login_as("admin")
    page = client.get(f"/admin/outbox/{message.id}").get_data(as_text=True)
    assert TOKEN not in page
    assert REMOVED in page
    assert message.holds_secret_link is True  # still needed: not delivered yet


def test_delivery_scrubs_the_stored_body_but_not_the_email(smtp, factories):  # noqa: F811
    message = _reset_message(factories)
    assert send_batch().sent == 1
    assert TOKEN in smtp.messages[0]["message"].get_content()
    assert TOKEN not in message.body_text and REMOVED in message.body_text
    assert message.holds_secret_link is False
    assert message.recipient and message.subject


def test_expired_links_are_scrubbed_even_without_smtp(app, factories):
    expired = _reset_message(factories)
    expired.created_at = utcnow() - secret_link_lifetime() - timedelta(minutes=1)
    expired.state = MessageState.dead
    fresh = _reset_message(factories)
    send_batch()  # no MAIL_SERVER in tests: nothing is sent, but the sweep runs
    assert TOKEN not in expired.body_text and expired.holds_secret_link is False
    assert TOKEN in fresh.body_text and fresh.holds_secret_link is True


def test_every_token_route_is_recognised(app):
    """A new route with a <token> argument is redacted without being listed anywhere."""
    token_rules = [rule for rule in app.url_map.iter_rules() if "token" in rule.arguments]
    assert len(token_rules) >= 4
    with app.app_context():
        for rule in token_rules:
            values = {name: 7 if name != "token" else TOKEN for name in rule.arguments}
            url = external_url(rule.endpoint, **values)
            text = f"Follow this link:\n{url}\n\nThanks."
            redacted = redact_secret_links(text)
            assert TOKEN not in redacted, rule.rule
            assert redacted == f"Follow this link:\n{REMOVED}\n\nThanks."


@pytest.mark.parametrize("text", [
    "See http://localhost/calls/3 and http://localhost/projects/OGB-2018-0001.",
    "Your application: https://grants.example.org/applications/12",
])
def test_ordinary_links_are_left_alone(app, text):
    with app.app_context():
        assert redact_secret_links(text) == text
