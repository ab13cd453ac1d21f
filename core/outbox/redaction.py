"""Secret links in stored email: found, redacted for display and scrubbed once spent.

A reset, confirmation, invitation or endorsement link works for whoever holds it. The outbox
needs the link until the message is delivered; after that (or once the link has expired in
any case) the stored copy is only a liability, so the token is removed from it. Admins never
see a working link on the Outbox page.

Which links are secret is read from the URL map: every route with a ``<token>`` argument.
A new token route is covered without being listed anywhere.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app
from sqlalchemy import select
from werkzeug.routing import Map

from core.extensions import db
from core.outbox.models import OutboxMessage
from core.outbox.states import MessageState

# The name of the URL argument that carries a secret, not a secret itself.
TOKEN_ARGUMENT = "token"  # nosec B105
REMOVED = "[link removed]"
_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


@lru_cache(maxsize=4)
def _secret_link_pattern(url_map: Map) -> re.Pattern | None:
    paths = []
    for rule in url_map.iter_rules():
        if TOKEN_ARGUMENT not in rule.arguments:
            continue
        parts, position = [], 0
        for match in _ARGUMENT.finditer(rule.rule):
            parts.append(re.escape(rule.rule[position:match.start()]))
            parts.append(r"[^\s/?#<>\"']+")
            position = match.end()
        parts.append(re.escape(rule.rule[position:]))
        paths.append("".join(parts))
    if not paths:
        return None
    # Any scheme and host: what matters is the path, whoever's address it was sent under.
    alternatives = "|".join(sorted(paths, key=len, reverse=True))
    return re.compile(r"https?://[^\s/<>\"']+(?:/[^\s<>\"']*?)?(?:" + alternatives + ")")


def holds_secret_link(text: str) -> bool:
    pattern = _secret_link_pattern(current_app.url_map)
    return bool(pattern and pattern.search(text))


def redact_secret_links(text: str) -> str:
    """``text`` with every link that carries a token replaced by :data:`REMOVED`."""
    pattern = _secret_link_pattern(current_app.url_map)
    return pattern.sub(REMOVED, text) if pattern else text


def secret_link_lifetime() -> timedelta:
    """The longest any emailed token stays valid; after it every stored link is dead."""
    config = current_app.config
    seconds = max(config["CONFIRM_TOKEN_MAX_AGE"], config["RESET_TOKEN_MAX_AGE"],
                  config["INVITE_TOKEN_MAX_AGE"], config["ENDORSEMENT_LINK_DAYS"] * 86400)
    return timedelta(seconds=seconds)


def scrub(message: OutboxMessage) -> None:
    if message.holds_secret_link:
        message.body_text = redact_secret_links(message.body_text)
        message.holds_secret_link = False


def scrub_expired(now: datetime) -> int:
    """Scrub every message whose links can no longer work, whatever its state; flushes."""
    cutoff = now - secret_link_lifetime()
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.holds_secret_link.is_(True),
                                    OutboxMessage.created_at < cutoff,
                                    OutboxMessage.state != MessageState.sending)
        .with_for_update(skip_locked=True))
    count = 0
    for message in messages:
        scrub(message)
        count += 1
    db.session.flush()
    return count
