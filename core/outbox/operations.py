"""Queueing email. Messages are rows written in the caller's transaction: if the request rolls
back, no email goes out; once it commits, the worker delivers them."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale

from core.extensions import db
from core.outbox.models import OutboxMessage
from core.outbox.redaction import holds_secret_link
from core.outbox.states import MessageState


def render_mail(template_name: str, locale: str | None, **context) -> tuple[str, str]:
    """Render ``mail/<template_name>.txt``'s ``subject`` and ``body`` blocks in ``locale``."""
    env = current_app.jinja_env
    template = env.get_template(f"mail/{template_name}.txt")
    context.setdefault("programme_name", current_app.config["PROGRAMME_NAME"])
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        current_app.update_template_context(context)
        ctx = template.new_context(context)
        subject = "".join(template.blocks["subject"](ctx)).strip()
        body = "".join(template.blocks["body"](ctx)).strip() + "\n"
    return " ".join(subject.split()), body


def queue_email(recipient: str, template_name: str, *, locale: str | None = None,
                **context) -> OutboxMessage:
    subject, body = render_mail(template_name, locale, **context)
    message = OutboxMessage(recipient=recipient, subject=subject, body_text=body,
                            kind=template_name.replace("/", "."),
                            holds_secret_link=holds_secret_link(body))
    db.session.add(message)
    db.session.flush()
    return message


def retry_dead_letter(message: OutboxMessage) -> None:
    from core.audit.operations import record
    from core.locking import AlreadyDone, lock
    from core.timeutil import utcnow

    lock(message)  # the same retry sent twice at once queues (and records) it once
    if message.state != MessageState.dead:
        raise AlreadyDone("already queued")
    message.move_to(MessageState.queued)
    message.attempts = 0
    message.next_attempt_at = utcnow()
    record("outbox.retry", message, summary=f"Retry message to {message.recipient}")
