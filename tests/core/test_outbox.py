from datetime import timedelta

import pytest
from sqlalchemy import select

from core.outbox.models import OutboxMessage
from core.outbox.operations import queue_email
from core.outbox.states import MessageState
from core.outbox.worker import backoff, message_id, send_batch
from core.timeutil import utcnow
from tests.fixtures.smtp import SMTPServer


@pytest.fixture
def smtp(app, monkeypatch):
    server = SMTPServer().start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
    _reinit_mail(app)
    yield server
    server.stop()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    _reinit_mail(app)


def _reinit_mail(app):
    from core.extensions import mail
    mail.init_app(app)


def _queue(factories):
    user = factories.user(name="Olga Outbox", email="olga@example.org")
    return queue_email(user.email, "accounts/confirm", locale="en", user=user,
                       confirm_url="http://127.0.0.1:5000/confirm/abc")


def test_delivers_through_a_real_smtp_server(smtp, factories):
    message = _queue(factories)
    result = send_batch()
    assert (result.claimed, result.sent, result.failed) == (1, 1, 0)
    assert message.state == MessageState.sent and message.sent_at is not None
    assert len(smtp.messages) == 1
    received = smtp.messages[0]
    assert received["to"] == ["olga@example.org"]
    assert received["message"]["Subject"].startswith("Confirm your email address")
    assert "http://127.0.0.1:5000/confirm/abc" in received["message"].get_content()
    # Nothing is sent twice.
    assert send_batch().claimed == 0
    assert len(smtp.messages) == 1


def test_message_waits_while_smtp_is_down_and_goes_out_when_it_returns(smtp, factories):
    smtp.stop()
    message = _queue(factories)
    result = send_batch()
    assert (result.sent, result.failed) == (0, 1)
    assert message.state == MessageState.queued
    assert message.attempts == 1 and "Error" in message.last_error
    assert message.next_attempt_at > utcnow()
    # Not due yet: the worker leaves it alone.
    assert send_batch().claimed == 0
    smtp.start()
    result = send_batch(now=message.next_attempt_at + timedelta(seconds=1))
    assert result.sent == 1
    assert message.state == MessageState.sent
    assert [m["to"] for m in smtp.messages] == [["olga@example.org"]]


def test_gives_up_after_the_last_attempt(app, smtp, factories, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 2)
    smtp.stop()
    message = _queue(factories)
    send_batch()
    send_batch(now=message.next_attempt_at + timedelta(seconds=1))
    assert message.state == MessageState.dead and message.attempts == 2


def test_backoff_grows_and_is_capped():
    assert backoff(1) == timedelta(minutes=1)
    assert backoff(3) == timedelta(minutes=4)
    assert backoff(30) == timedelta(hours=6)


def test_stale_claims_are_taken_again(smtp, factories):
    message = _queue(factories)
    message.state = MessageState.sending
    message.claimed_at = utcnow() - timedelta(hours=1)
    assert send_batch().sent == 1


def test_without_smtp_messages_stay_queued_and_admins_see_them(client, login_as, factories):
    message = _queue(factories)
    assert send_batch().claimed == 0
    assert message.state == MessageState.queued
    login_as("admin")
    page = client.get("/admin/outbox")
    assert b"No SMTP server is configured" in page.data
    detail = client.get(f"/admin/outbox/{message.id}")
    assert message.subject.encode() in detail.data
    assert b"/confirm/abc" not in detail.data and b"[link removed]" in detail.data


def test_admin_retries_a_dead_letter(client, login_as, factories, db_session):
    message = _queue(factories)
    message.state = MessageState.dead
    message.attempts = 8
    db_session.flush()
    login_as("admin")
    assert client.post(f"/admin/outbox/{message.id}/retry").status_code == 302
    assert message.state == MessageState.queued and message.attempts == 0
    # Retrying it again (a double click) is answered as the first retry was.
    assert client.post(f"/admin/outbox/{message.id}/retry").status_code == 302
    assert message.state == MessageState.queued and message.attempts == 0


def test_a_rolled_back_request_sends_no_email(client, db_session):
    # Invalid registration: 422, so the transaction (and any queued mail) is rolled back.
    client.post("/register", data={"name": "X", "email": "x@example.org", "password": "short"})
    assert db_session.scalar(select(OutboxMessage)) is None


def test_every_attempt_at_one_message_carries_the_same_message_id(smtp, factories):
    smtp.stop()
    message = _queue(factories)
    send_batch()
    smtp.start()
    send_batch(now=message.next_attempt_at + timedelta(seconds=1))
    received = smtp.messages[0]["message"]
    assert received["Message-ID"] == message_id(message)
    assert received["Message-ID"].startswith(f"<outbox-{message.id}.")
    assert received["Message-ID"].endswith("@localhost>")
