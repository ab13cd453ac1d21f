from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.outbox.models import OutboxMessage
from tests.fixtures.applications import applicant_member, make_submitted_application

LINK = re.compile(r"/endorse/([A-Za-z0-9_-]+)")

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def application(db_session, factories):
    return make_submitted_application(db_session, factories)


@pytest.fixture
def member(application):
    return applicant_member(application)


@pytest.fixture
def staff(factories):
    return factories.user(roles=("staff",), name="Programme Officer")


def messages_to(session, recipient: str, kind: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.recipient == recipient)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    return list(session.scalars(query.order_by(OutboxMessage.id)))


def latest_token(session, application) -> str:
    """The token in the last link emailed to the counterpart (the database holds only its
    hash, so the email is the only place to read it)."""
    [*_, message] = messages_to(session, application.counterpart_contact_email)
    return LINK.search(message.body_text).group(1)
