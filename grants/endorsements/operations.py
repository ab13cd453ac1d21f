"""Every change to an endorsement. Operations flush and never commit.

The counterpart receives a link holding a random token; only the token's SHA-256 hash is
stored, so the database never holds a working link. Issuing a new token (resend, reminder)
replaces the hash: the previous link stops working. Once answered, the link keeps showing the
answer given and can never change it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accounts.policies import is_staff
from core import contributions
from core.audit.operations import record
from core.errors import OperationError
from core.extensions import db
from core.i18n import format_programme_datetime
from core.locking import AlreadyDone
from core.outbox.operations import queue_email
from core.timeutil import as_utc, utcnow
from core.urls import external_url
from core.validation import clean_text
from grants.applications import endorsement_terms as terms
from grants.applications.models import Application, Endorsement
from grants.applications.operations import lock_application, require_disinterested
from grants.applications.states import ACTIVE_STATES, DECIDED_STATES, EndorsementState

DEFAULT_LINK_DAYS = 21
#: Length limits of the answer's fields (the columns' sizes).
NAME_MAX = 120
POSITION_MAX = 120
COMMENT_MAX = 2000
#: A letter received on paper is kept as a scan or a PDF.
LETTER_KINDS = ("pdf", "jpg", "png")
#: What ``secrets.token_urlsafe`` produces; anything else cannot be one of our tokens.
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


class EndorsementLinkError(OperationError):
    """A link that cannot be used: ``status`` is 400 for an unknown or altered link, 410 for
    one that expired before it was answered."""

    def __init__(self, message, status: int = 400):
        super().__init__(message)
        self.status = status


# Tokens ------------------------------------------------------------------------------------

def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def link_days() -> int:
    return int(current_app.config.get("ENDORSEMENT_LINK_DAYS", DEFAULT_LINK_DAYS))


def _new_token(endorsement: Endorsement) -> str:
    """Give the endorsement a fresh token; return the raw token (for the email only)."""
    token = secrets.token_urlsafe(32)
    endorsement.token_hash = hash_token(token)
    return token


def endorsement_for_token(token: str) -> Endorsement:
    """The endorsement a link belongs to, or EndorsementLinkError saying why not.

    An answered endorsement is returned even after the expiry date, so that a replayed link
    shows the answer that was given."""
    invalid = EndorsementLinkError(_l("This link is not valid."), status=400)
    if not isinstance(token, str) or not _TOKEN_SHAPE.match(token):
        raise invalid
    digest = hash_token(token)
    endorsement = db.session.scalar(select(Endorsement).where(Endorsement.token_hash == digest))
    if endorsement is None or not hmac.compare_digest(endorsement.token_hash or "", digest):
        raise invalid
    _refuse_if_withdrawn(endorsement)
    if endorsement.is_expired(utcnow()):
        raise EndorsementLinkError(
            _l("This link expired on %(time)s; ask the applicant or the programme team for a "
               "new one.", time=format_programme_datetime(endorsement.expires_at)), status=410)
    return endorsement


def _refuse_if_withdrawn(endorsement: Endorsement) -> None:
    """A voided endorsement's link explains why it no longer counts (410)."""
    if not endorsement.is_voided:
        return
    if endorsement.responded_at is not None:
        raise EndorsementLinkError(
            _l("The application changed after you answered, so your answer no longer applies "
               "to it. If the applicant asks again, you will receive a new email with a new "
               "link."), status=410)
    raise EndorsementLinkError(
        _l("This request was withdrawn because the application changed after it was sent. "
           "If the applicant asks again, you will receive a new email with a new link."),
        status=410)


# Asking for the endorsement ----------------------------------------------------------------

def is_open_for_endorsement(application: Application) -> bool:
    """Endorsements are asked for and given while the application is in play: from the draft
    until the decision (not once withdrawn, ineligible or decided)."""
    return application.state in ACTIVE_STATES and application.state not in DECIDED_STATES


def _check_can_ask(application: Application) -> None:
    if not is_open_for_endorsement(application):
        raise OperationError(_l("This application is no longer open for endorsement."))
    endorsement = application.endorsement
    if endorsement is not None and endorsement.is_answered:
        raise OperationError(_l("The counterpart has already answered: %(answer)s.",
                                answer=endorsement.state.title))
    if not (application.counterpart_contact_email or "").strip():
        raise OperationError(_l("Give the counterpart contact's email address first."))
    conflict = terms.contact_conflict(application, application.counterpart_contact_email)
    if conflict is not None:
        raise OperationError(conflict)


def _issue_link(application: Application, now: datetime) -> tuple[Endorsement, str]:
    endorsement = application.endorsement
    if endorsement is None:
        endorsement = Endorsement(application=application, state=EndorsementState.pending,
                                  recipient_email=application.counterpart_contact_email.strip())
        db.session.add(endorsement)
    elif endorsement.is_voided:
        _reopen(endorsement)
    # The request is for the application as it is now; any change voids it.
    terms.bind(endorsement, application)
    token = _new_token(endorsement)
    endorsement.recipient_email = application.counterpart_contact_email.strip()
    endorsement.sent_at = now
    endorsement.expires_at = now + timedelta(days=link_days())
    # A new link starts a new round of reminders.
    endorsement.reminder_count = 0
    endorsement.last_reminded_on = None
    db.session.flush()
    return endorsement, token


def _reopen(endorsement: Endorsement) -> None:
    """A voided endorsement asked for again: a new request, with nothing of the old answer
    (the audit log keeps it)."""
    endorsement.state = EndorsementState.pending
    endorsement.voided_at = None
    endorsement.responded_at = None
    endorsement.responder_name = ""
    endorsement.responder_position = ""
    endorsement.comment = ""
    endorsement.recorded_by_id = None
    endorsement.letter_file = None


def _queue_link_email(endorsement: Endorsement, token: str, template: str) -> None:
    application = endorsement.application
    queue_email(endorsement.recipient_email, template,
                locale=current_app.config["BABEL_DEFAULT_LOCALE"],
                application=application, endorsement=endorsement,
                contact_name=application.counterpart_contact_name,
                respond_url=external_url("endorsements.respond", token=token),
                expires_at=endorsement.expires_at)


def _audit_link(action: str, endorsement: Endorsement, actor, summary: str) -> None:
    record(action, endorsement.application, actor=actor, summary=summary,
           data={"endorsement_id": endorsement.id, "recipient": endorsement.recipient_email,
                 "expires_at": endorsement.expires_at.isoformat()})


def _lock(application: Application) -> None:
    """Lock the application and its endorsement and reload both, so that the checks that
    follow see what concurrent saves and answers committed."""
    lock_application(application)
    db.session.execute(
        select(Endorsement).where(Endorsement.application_id == application.id)
        .with_for_update().execution_options(populate_existing=True))


@contributions.provide("application.request_endorsement")
def request_endorsement(application: Application, actor) -> Endorsement:
    """Create or refresh the application's endorsement request and email the counterpart a
    new link (any earlier link stops working)."""
    _lock(application)
    _check_can_ask(application)
    endorsement, token = _issue_link(application, utcnow())
    _queue_link_email(endorsement, token, "grants/endorsements/request")
    _audit_link("endorsement.request", endorsement, actor,
                f"{application.display_reference}: endorsement requested from "
                f"{endorsement.recipient_email}")
    return endorsement


def request_early(application: Application, actor, *,
                  seen_link: str | None = None) -> Endorsement:
    """The applicant asks for the endorsement before submitting: the counterpart section must
    be complete. ``seen_link`` is the link version the page showed (see
    ``Endorsement.link_version``)."""
    if not (application.counterpart is not None and application.counterpart_contact_name
            and application.counterpart_contact_email):
        raise OperationError(_l("Complete the government counterpart section first: the "
                                "organisation, the contact's name and their email."))
    _lock(application)
    _refuse_if_sent_since(application, seen_link)
    return request_endorsement(application, actor)


def _refuse_if_sent_since(application: Application, seen_link: str | None) -> None:
    """Under the lock: a link sent since the page showed ``seen_link`` (the link version
    its button carried) means this request repeats the one that sent it (a double click);
    sending again would only kill that link. Without ``seen_link``, no check."""
    endorsement = application.endorsement
    if (seen_link is not None and endorsement is not None
            and endorsement.state == EndorsementState.pending and not endorsement.is_voided
            and endorsement.link_version != seen_link):
        raise AlreadyDone(_l("A new link has just been sent to %(email)s.",
                             email=endorsement.recipient_email))


def resend(application: Application, actor, *, seen_link: str | None = None) -> Endorsement:
    """Staff send the link again: a new token and a new expiry; the old link stops working."""
    if not is_staff(actor):
        raise OperationError(_l("Only programme staff can send the endorsement link again."))
    _lock(application)
    _refuse_if_sent_since(application, seen_link)
    _check_can_ask(application)
    endorsement, token = _issue_link(application, utcnow())
    _queue_link_email(endorsement, token, "grants/endorsements/request")
    _audit_link("endorsement.resend", endorsement, actor,
                f"{application.display_reference}: endorsement link sent again to "
                f"{endorsement.recipient_email}")
    return endorsement


# Answering ---------------------------------------------------------------------------------

def _clean_answer(name: str, position: str, comment: str, *, reason_required: bool) -> tuple:
    name = clean_text(name, field="name", max_length=NAME_MAX, required=_l("Enter your name."))
    position = clean_text(position, field="position", max_length=POSITION_MAX,
                          required=_l("Enter your position."))
    comment = clean_text(comment, field="comment", max_length=COMMENT_MAX, multiline=True)
    if reason_required and not comment:
        raise OperationError(_l("Tell the applicant why you decline."), field="comment")
    return name, position, comment


def _set_answer(endorsement: Endorsement, *, endorse: bool, name: str, position: str,
                comment: str, now: datetime) -> None:
    endorsement.state = EndorsementState.endorsed if endorse else EndorsementState.declined
    endorsement.responder_name = name
    endorsement.responder_position = position
    endorsement.comment = comment
    endorsement.responded_at = now


def respond(endorsement: Endorsement, *, endorse: bool, name: str, position: str,
            comment: str) -> Endorsement:
    """The counterpart's answer through the link. An answer, once given, never changes; a
    request for terms the application no longer has cannot be answered."""
    _lock(endorsement.application)
    if endorsement.is_answered:
        # Also the same answer sent twice at once: the second finds the first one's.
        raise AlreadyDone(_l("An answer has already been given through this link; it "
                             "cannot be changed."))
    _refuse_if_withdrawn(endorsement)
    now = utcnow()
    if endorsement.is_expired(now):
        raise EndorsementLinkError(
            _l("This link expired on %(time)s; ask the applicant or the programme team for a "
               "new one.", time=format_programme_datetime(endorsement.expires_at)), status=410)
    application = endorsement.application
    if not is_open_for_endorsement(application):
        raise OperationError(_l("This application is no longer open for endorsement."))
    if endorsement.terms_hash and not terms.is_bound_to_current(endorsement, application):
        # Changed without the save that voids (it would have): refuse all the same.
        raise EndorsementLinkError(
            _l("This request was withdrawn because the application changed after it was "
               "sent. If the applicant asks again, you will receive a new email with a new "
               "link."), status=410)
    if not endorsement.terms_hash:
        # A link sent before requests were bound: it binds to what the counterpart sees.
        terms.bind(endorsement, application)
    # A counterpart who declines says why, so the applicant can act on it.
    name, position, comment = _clean_answer(name, position, comment,
                                            reason_required=not endorse)
    _set_answer(endorsement, endorse=endorse, name=name, position=position, comment=comment,
                now=now)
    db.session.flush()
    verb = "endorsed" if endorse else "declined"
    record(f"endorsement.{'endorse' if endorse else 'decline'}", application, actor=None,
           summary=f"{application.display_reference}: {name} ({position}) {verb} the "
                   f"partnership",
           data={"endorsement_id": endorsement.id, "responder": name, "position": position,
                 "comment": comment, "recipient": endorsement.recipient_email})
    _notify_answer(application, endorsement)
    return endorsement


def _notify_answer(application: Application, endorsement: Endorsement) -> None:
    from grants.applications.operations import notify_applicant
    notify_applicant(application, "grants/endorsements/answered", endorsement=endorsement)


def record_paper_endorsement(application: Application, actor, *, endorse: bool, name: str,
                             position: str, comment: str, file_storage) -> Endorsement:
    """Staff record an answer received on paper, keeping the scanned letter."""
    from core.uploads.operations import store_upload

    if not is_staff(actor):
        raise OperationError(_l("Only programme staff can record an endorsement received on "
                                "paper."))
    require_disinterested(actor, application)
    _lock(application)
    if not is_open_for_endorsement(application):
        raise OperationError(_l("This application is no longer open for endorsement."))
    endorsement = application.endorsement
    if endorsement is not None and endorsement.is_answered:
        # Also the same letter recorded twice at once: the second finds the first.
        raise AlreadyDone(_l("The counterpart has already answered: %(answer)s.",
                             answer=endorsement.state.title))
    # The letter itself gives the reasons; the comment is staff's summary, if any.
    name, position, comment = _clean_answer(name, position, comment, reason_required=False)
    if file_storage is None or not getattr(file_storage, "filename", ""):
        raise OperationError(_l("Upload the signed letter."), field="letter")
    stored = store_upload(file_storage, uploaded_by=actor, allowed_kinds=LETTER_KINDS,
                          field="letter")
    if endorsement is None:
        endorsement = Endorsement(application=application, state=EndorsementState.pending,
                                  recipient_email=application.counterpart_contact_email or "")
        db.session.add(endorsement)
    elif endorsement.is_voided:
        _reopen(endorsement)
        endorsement.recipient_email = application.counterpart_contact_email or ""
    # The letter endorses the application as staff see it now.
    terms.bind(endorsement, application)
    _set_answer(endorsement, endorse=endorse, name=name, position=position, comment=comment,
                now=utcnow())
    endorsement.letter_file = stored
    endorsement.recorded_by_id = actor.id
    db.session.flush()
    record("endorsement.record_paper", application, actor=actor,
           summary=f"{application.display_reference}: paper "
                   f"{'endorsement' if endorse else 'refusal'} from {name} ({position}) "
                   f"recorded",
           data={"endorsement_id": endorsement.id, "state": endorsement.state.value,
                 "responder": name, "position": position, "comment": comment,
                 "file_id": stored.id})
    _notify_answer(application, endorsement)
    return endorsement


# Reminders ---------------------------------------------------------------------------------

REMINDER_AFTER_DAYS = 5
MAX_REMINDERS = 3


def endorsements_due_for_reminder(now: datetime, today) -> list[Endorsement]:
    """Pending, unexpired endorsements whose link went out at least five days ago, not yet
    reminded today and reminded fewer than three times."""
    query = (select(Endorsement).join(Endorsement.application)
             .where(Endorsement.state == EndorsementState.pending,
                    Endorsement.token_hash.is_not(None),
                    Endorsement.expires_at > now,
                    Endorsement.sent_at <= now - timedelta(days=REMINDER_AFTER_DAYS),
                    Endorsement.reminder_count < MAX_REMINDERS,
                    (Endorsement.last_reminded_on.is_(None))
                    | (Endorsement.last_reminded_on < today),
                    Application.state.in_(ACTIVE_STATES - DECIDED_STATES))
             .order_by(Endorsement.id))
    return list(db.session.scalars(query))


def send_reminder(endorsement: Endorsement, *, today) -> None:
    """Remind the counterpart with a new link (the token is not stored, so it cannot be sent
    again); the expiry stays as it was."""
    token = _new_token(endorsement)
    endorsement.reminder_count = (endorsement.reminder_count or 0) + 1
    endorsement.last_reminded_on = today
    db.session.flush()
    _queue_link_email(endorsement, token, "grants/endorsements/reminder")
    application = endorsement.application
    record("endorsement.remind", application, actor=None,
           summary=f"{application.display_reference}: reminder "
                   f"{endorsement.reminder_count} sent to {endorsement.recipient_email}",
           data={"endorsement_id": endorsement.id, "reminder": endorsement.reminder_count,
                 "expires_at": as_utc(endorsement.expires_at).isoformat()})


def send_reminders(now: datetime | None = None) -> int:
    """Queue today's endorsement reminders; running again the same day sends nothing."""
    from core.timeutil import to_programme_time

    now = now or utcnow()
    today = to_programme_time(now).date()
    due = endorsements_due_for_reminder(now, today)
    for endorsement in due:
        send_reminder(endorsement, today=today)
    return len(due)
