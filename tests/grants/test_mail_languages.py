"""Emails name the programme's content (a call's title...) in the recipient's language: the
demo's calls, with their Spanish titles, mailed to Spanish-speaking applicants and reviewers
through the operations that queue the mail; and no email template prints a translated text
without ``tr``."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from core.outbox.models import OutboxMessage
from grants.applications.models import Application
from grants.applications.operations import notify_applicant
from grants.applications.states import ApplicationState
from grants.calls.models import Call
from grants.calls.states import CallState
from grants.reviews import operations as reviews
from grants.reviews.models import Panel

MAIL = Path(__file__).resolve().parents[2] / "templates" / "mail"

#: The email templates that name translated content, each tested below with a Spanish
#: recipient. A new one fails :func:`test_every_email_naming_translated_content_is_tested`.
TRANSLATED_CONTENT_EMAILS = {"grants/applications/submitted", "grants/reviews/assigned"}

#: Texts emails print that are written in one language (an applicant's title, a name...) or
#: come from the catalogue (a state's or kind's title), by the expression that reaches them.
ONE_LANGUAGE_TEXTS = {
    "user.name", "inviter.name", "actor.name", "requester.name", "decided_by.name",
    "organisation.display_name", "application.organisation.name", "application.counterpart.name",
    "application.title", "item.application.title", "role.title", "report.title",
    "report.kind.title", "tranche.condition.title",
}
#: The names of the columns staff write in each language (``Translatable.__translatable__``).
TRANSLATED_FIELDS = {"title", "summary", "body_markdown", "name", "text", "guidance",
                     "problem", "ambition", "thematic_area", "unit", "public_title",
                     "public_summary"}


@pytest.fixture
def demo(app, db_session):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output


def _messages(session, recipient: str, kind: str) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == recipient, OutboxMessage.kind == kind)))


def _assert_spanish(message: OutboxMessage, call: Call) -> None:
    text = f"{message.subject}\n{message.body_text}"
    spanish, english = call.text_in("title", "es"), call.title
    assert spanish and spanish != english
    assert spanish in text, text
    assert english not in text, text


def _submitted_to_the_open_call(session, factories, locale: str):
    """The open call and one of its submitted applications, whose organisation has a
    member reading ``locale``."""
    call = session.scalar(select(Call).where(Call.state == CallState.published))
    application = session.scalar(select(Application).where(
        Application.call_id == call.id, Application.state == ApplicationState.submitted)
        .order_by(Application.id).limit(1))
    user = factories.user(name="Lucía Solicitante")
    user.locale = locale
    factories.member(application.organisation, user, "owner")
    session.refresh(application.organisation)
    return call, application, user


def test_the_submitted_email_names_the_open_call_in_spanish(demo, db_session, factories):
    call, application, user = _submitted_to_the_open_call(db_session, factories, "es")
    notify_applicant(application, "grants/applications/submitted")
    [message] = _messages(db_session, user.email, "grants.applications.submitted")
    _assert_spanish(message, call)
    assert "Hola" in message.body_text


def test_the_review_assigned_email_names_the_call_in_spanish(demo, db_session, factories):
    panel = db_session.scalar(select(Panel).join(Call).where(Call.state == CallState.in_review)
                              .order_by(Panel.id).limit(1))
    application = db_session.scalar(select(Application).where(
        Application.call_id == panel.call_id,
        Application.state == ApplicationState.eligible).order_by(Application.id).limit(1))
    staff = factories.user(roles=("staff",))
    reviewer = factories.user(roles=("reviewer",), name="Revisora Rosa")
    reviewer.locale = "es"
    reviews.add_member(panel, reviewer, staff)
    reviews.assign(panel, application, reviewer, staff)
    [message] = _messages(db_session, reviewer.email, "grants.reviews.assigned")
    _assert_spanish(message, panel.call)
    assert application.title in message.body_text  # the applicant's own words, as written


def test_an_english_recipient_reads_the_english_title(demo, db_session, factories):
    call, application, user = _submitted_to_the_open_call(db_session, factories, "en")
    notify_applicant(application, "grants/applications/submitted")
    [message] = _messages(db_session, user.email, "grants.applications.submitted")
    assert call.title in message.body_text
    assert call.text_in("title", "es") not in message.body_text


def _templates() -> dict[str, str]:
    return {str(path.relative_to(MAIL).with_suffix("")): path.read_text(encoding="utf-8")
            for path in sorted(MAIL.rglob("*.txt"))}


def _printed_texts(app, source: str) -> set[str]:
    """The dotted expressions (``call.title``) a template reads that end in the name of a
    translated column, except those passed through a filter (``call|tr("title")``)."""
    from jinja2 import nodes

    def dotted(node) -> str | None:
        if isinstance(node, nodes.Name):
            return node.name
        if isinstance(node, nodes.Getattr):
            base = dotted(node.node)
            return f"{base}.{node.attr}" if base else None
        return None

    found = set()
    for node in app.jinja_env.parse(source).find_all(nodes.Getattr):
        if node.attr in TRANSLATED_FIELDS:
            found.add(dotted(node) or f"?.{node.attr}")
    return found


def test_no_email_prints_a_translated_text_without_tr(app):
    """A call's title, an area's name, a criterion's name... reach an email only through
    ``tr``, which gives the recipient's language; the other texts an email prints are
    written in one language, listed with their reason above."""
    unexpected = {f"{name}: {expression}" for name, source in _templates().items()
                  for expression in _printed_texts(app, source)
                  if expression not in ONE_LANGUAGE_TEXTS}
    assert not unexpected, sorted(unexpected)


def test_every_email_naming_translated_content_is_tested():
    using_tr = {name for name, source in _templates().items() if "|tr(" in source}
    assert using_tr == TRANSLATED_CONTENT_EMAILS
