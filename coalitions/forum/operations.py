"""Every change to the forum, its members and meetings. Operations flush and never commit;
the repository's documents are in ``coalitions.forum.documents``."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from coalitions.coalitions.models import Coalition
from coalitions.coalitions.operations import organisation_or_error
from coalitions.forum.models import Forum, ForumMember, Meeting, MeetingDecision, RepositoryDocument
from coalitions.forum.states import MeetingFormat
from core.audit.operations import record
from core.database import rows_by_ids
from core.documents import DocumentKind
from core.errors import OperationError
from core.extensions import db
from core.locking import AlreadyDone, lock, lock_key
from core.timeutil import as_utc, to_programme_time
from core.translations import apply_translations, clean_translations
from core.uploads.operations import delete_stored_file, store_upload
from core.validation import clean_text

NAME_MAX = 200
RULES_MAX = 50000
PERSON_MAX = 200
TITLE_MAX = 200
PLACE_MAX = 300
TEXT_MAX = 20000
DECISION_MAX = 500
MAX_DECISIONS = 50
MAX_LINKS = 200
MAX_OTHER_ATTENDEES = 100000
#: The forum's name until staff give it one.
DEFAULT_NAME = "Multi-stakeholder forum"

FORUM_TEXTS = {"name": NAME_MAX, "rules": RULES_MAX}
MEETING_TEXTS = {"title": TITLE_MAX, "agenda": TEXT_MAX, "minutes": TEXT_MAX}
MEETING_FIELDS = ("title", "starts_at", "format", "place", "agenda", "minutes",
                  "other_attendees", "is_published", "attendee_ids", "translations")


def _text(value, field: str, limit: int, *, required=None, multiline=False) -> str:
    return clean_text(value, field=field, max_length=limit, required=required,
                      multiline=multiline)


# The forum ---------------------------------------------------------------------------------

def current_forum() -> Forum | None:
    return db.session.scalar(select(Forum).order_by(Forum.id).limit(1))


def ensure_forum(actor) -> Forum:
    """The programme's forum, made (and audited) the first time staff write to it."""
    forum = current_forum()
    if forum is not None:
        return forum
    lock_key("forums:programme")  # two first writes at once make one forum
    forum = current_forum()
    if forum is None:
        forum = Forum(name=DEFAULT_NAME, rules="", translations={})
        db.session.add(forum)
        db.session.flush()
        record("forum.create", forum, actor=actor, summary=f"Forum {forum.name} created")
    return forum


def update_forum(actor, *, name, rules, translations=None, coalition_ids=()) -> dict:
    name = _text(name, "name", NAME_MAX, required=_l("Enter the forum's name."))
    rules = _text(rules, "rules", RULES_MAX, multiline=True)
    cleaned = clean_translations(translations or {}, FORUM_TEXTS, frozenset({"rules"}))
    coalition_ids = list(coalition_ids or [])
    if len(coalition_ids) > MAX_LINKS:
        raise OperationError(_l("Choose at most %(count)s.", count=MAX_LINKS),
                             field="coalition_ids")
    coalitions = rows_by_ids(Coalition, coalition_ids, field="coalition_ids",
                             message=lambda number: _l(
                                 "No coalition has the number %(number)s.", number=number))
    forum = lock(ensure_forum(actor))  # the same form twice: the second changes nothing
    changes = {key: [getattr(forum, key), value] for key, value
               in (("name", name), ("rules", rules)) if getattr(forum, key) != value}
    for key, (_old, new) in changes.items():
        setattr(forum, key, new)
    old_ids = sorted(c.id for c in forum.coalitions)
    if old_ids != sorted(c.id for c in coalitions):
        changes["coalition_ids"] = [old_ids, sorted(c.id for c in coalitions)]
        forum.coalitions = coalitions
    changes.update({f"translations.{language}": change for language, change
                    in apply_translations(forum, cleaned).items()})
    if changes:
        db.session.flush()
        record("forum.update", forum, actor=actor,
               summary=f"Forum {forum.name}: {', '.join(sorted(changes))} changed",
               data={"changes": {key: value for key, value in changes.items()
                                 if key != "rules"}})
    return changes


# Members -----------------------------------------------------------------------------------

def _day(value, field: str, message) -> date:
    if not isinstance(value, date):
        raise OperationError(message, field=field)
    return value


def add_member(actor, *, organisation_id, joined_on, representative_name="",
               representative_role="") -> ForumMember:
    organisation = organisation_or_error(organisation_id, "organisation_id")
    joined_on = _day(joined_on, "joined_on", _l("Enter the day the organisation joined."))
    name = _text(representative_name, "representative_name", PERSON_MAX)
    role = _text(representative_role, "representative_role", PERSON_MAX)
    forum = lock(ensure_forum(actor))  # the same member added twice: the second finds it
    current = db.session.scalar(select(ForumMember).where(
        ForumMember.forum_id == forum.id, ForumMember.organisation_id == organisation.id,
        ForumMember.left_on.is_(None)))
    if current is not None:
        raise AlreadyDone(_l("%(name)s is already a member of the forum.",
                             name=organisation.name), field="organisation_id",
                          existing=current)
    member = ForumMember(forum_id=forum.id, organisation=organisation, joined_on=joined_on,
                         representative_name=name, representative_role=role)
    db.session.add(member)
    db.session.flush()
    record("forum.add_member", forum, actor=actor,
           summary=f"{organisation.name} joined the forum on {joined_on}",
           data={"member_id": member.id, "organisation_id": organisation.id,
                 "joined_on": joined_on, "representative_name": name,
                 "representative_role": role})
    return member


def end_membership(member: ForumMember, actor, *, left_on) -> ForumMember:
    left_on = _day(left_on, "left_on", _l("Enter the day the organisation left."))
    member = lock(member)  # the same form twice: the second finds the membership ended
    if member.left_on is not None:
        raise AlreadyDone(_l("This membership has already ended."), existing=member)
    if left_on < member.joined_on:
        raise OperationError(_l("An organisation cannot leave before it joined."),
                             field="left_on")
    member.left_on = left_on
    db.session.flush()
    record("forum.end_member", member, actor=actor,
           summary=f"{member.organisation.name} left the forum on {left_on}",
           data={"left_on": left_on})
    return member


# Meetings ----------------------------------------------------------------------------------

def _members_or_error(forum: Forum, member_ids) -> list[ForumMember]:
    member_ids = list(member_ids or [])
    if len(member_ids) > MAX_LINKS:
        raise OperationError(_l("Choose at most %(count)s.", count=MAX_LINKS),
                             field="attendee_ids")
    members = rows_by_ids(ForumMember, member_ids, field="attendee_ids",
                          message=lambda number: _l(
                              "No member of the forum has the number %(number)s.",
                              number=number))
    if any(member.forum_id != forum.id for member in members):
        raise OperationError(_l("Choose members of this forum."), field="attendee_ids")
    return members


def _clean_meeting(forum: Forum, fields: dict) -> dict:
    unknown = set(fields) - set(MEETING_FIELDS)
    if unknown:
        raise TypeError(f"unknown meeting fields: {', '.join(sorted(unknown))}")
    cleaned = {}
    if "title" in fields:
        cleaned["title"] = _text(fields["title"], "title", TITLE_MAX,
                                 required=_l("Enter the meeting's title."))
    if "starts_at" in fields:
        starts_at = fields["starts_at"]
        if not isinstance(starts_at, datetime):
            raise OperationError(_l("Enter the day and time of the meeting."),
                                 field="starts_at")
        cleaned["starts_at"] = as_utc(starts_at)
        cleaned["held_on"] = to_programme_time(starts_at).date()
    if "format" in fields:
        try:
            cleaned["format"] = MeetingFormat(fields["format"])
        except ValueError:
            raise OperationError(_l("Choose how the meeting is held."),
                                 field="format") from None
    if "place" in fields:
        cleaned["place"] = _text(fields["place"], "place", PLACE_MAX)
    for name in ("agenda", "minutes"):
        if name in fields:
            cleaned[name] = _text(fields[name], name, TEXT_MAX, multiline=True)
    if "other_attendees" in fields:
        value = fields["other_attendees"] or 0
        if not isinstance(value, int) or not 0 <= value <= MAX_OTHER_ATTENDEES:
            raise OperationError(_l("Enter a whole number of people, 0 or more."),
                                 field="other_attendees")
        cleaned["other_attendees"] = value
    if "is_published" in fields:
        cleaned["is_published"] = bool(fields["is_published"])
    if "attendee_ids" in fields:
        cleaned["attendees"] = _members_or_error(forum, fields["attendee_ids"])
    if "translations" in fields:
        cleaned["translations"] = clean_translations(
            fields["translations"], MEETING_TEXTS, frozenset({"agenda", "minutes"}))
    return cleaned


def _apply_meeting(meeting: Meeting, cleaned: dict) -> dict:
    changes = {}
    for name, value in cleaned.items():
        if name == "translations":
            changes.update({f"translations.{language}": change for language, change
                            in apply_translations(meeting, value).items()})
        elif name == "attendees":
            old = sorted(member.id for member in meeting.attendees)
            new = sorted(member.id for member in value)
            if old != new:
                meeting.attendees = list(value)
                changes["attendee_ids"] = [old, new]
        elif getattr(meeting, name) != value:
            old = getattr(meeting, name)
            changes[name] = [old.value if isinstance(old, MeetingFormat) else old,
                             value.value if isinstance(value, MeetingFormat) else value]
            setattr(meeting, name, value)
    return changes


def _audit_data(changes: dict) -> dict:
    """The changes, without the long texts (the minutes' every word is in the row)."""
    return {name: change for name, change in changes.items()
            if name not in ("agenda", "minutes") and not name.startswith("translations.")}


def create_meeting(actor, **fields) -> Meeting:
    forum = ensure_forum(actor)
    cleaned = _clean_meeting(forum, fields)
    for name, message in (("title", _l("Enter the meeting's title.")),
                          ("starts_at", _l("Enter the day and time of the meeting."))):
        if name not in cleaned:
            raise OperationError(message, field=name)
    forum = lock(forum)  # the same meeting added twice at once: the second finds the first
    existing = db.session.scalar(select(Meeting).where(
        Meeting.forum_id == forum.id, Meeting.title == cleaned["title"],
        Meeting.starts_at == cleaned["starts_at"]))
    if existing is not None:
        raise AlreadyDone(_l("The meeting %(title)s is already there.", title=existing.title),
                          existing=existing)
    meeting = Meeting(forum_id=forum.id, attendees=[], translations={},
                      format=MeetingFormat.in_person, other_attendees=0, is_published=False)
    changes = _apply_meeting(meeting, cleaned)
    db.session.add(meeting)
    db.session.flush()
    record("forum.create_meeting", meeting, actor=actor,
           summary=f"Meeting {meeting.title} on {meeting.held_on} added",
           data={name: new for name, (_old, new) in _audit_data(changes).items()})
    return meeting


def update_meeting(meeting: Meeting, actor, **fields) -> dict:
    meeting = lock(meeting)  # the same form twice at once: the second finds nothing to do
    cleaned = _clean_meeting(meeting.forum, fields)
    changes = _apply_meeting(meeting, cleaned)
    if changes:
        db.session.flush()
        record("forum.update_meeting", meeting, actor=actor,
               summary=f"Meeting {meeting.title}: {', '.join(sorted(changes))} changed",
               data={"changes": _audit_data(changes)})
    return changes


def _decision_lines(text, field: str) -> list[str]:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(lines) > MAX_DECISIONS:
        raise OperationError(_l("Write at most %(count)s decisions.", count=MAX_DECISIONS),
                             field=field)
    return [_text(line, field, DECISION_MAX) for line in lines]


def set_decisions(meeting: Meeting, actor, *, text: str,
                  translations: dict[str, str] | None = None) -> bool:
    """The meeting's decisions, one a line of ``text``; ``translations`` gives each other
    language's lines in the same order. Returns whether anything changed."""
    meeting = lock(meeting)
    lines = _decision_lines(text, "decisions")
    translated = {}
    for language, other in (translations or {}).items():
        field = f"translations_{language}-decisions"
        translated[language] = _decision_lines(other, field)
        if len(translated[language]) > len(lines):
            raise OperationError(_l("Write one line for each decision, in the same order: "
                                    "there are more lines here than decisions."), field=field)
    wanted = [(line, {language: texts[index] for language, texts in translated.items()
                      if index < len(texts)}) for index, line in enumerate(lines)]
    current = [(decision.text, {language: decision.text_in("text", language)
                                for language in translated
                                if decision.text_in("text", language)})
               for decision in meeting.decisions]
    if wanted == current:
        return False
    meeting.decisions = []
    db.session.flush()
    for position, (line, languages) in enumerate(wanted, start=1):
        decision = MeetingDecision(text=line, position=position, translations={})
        for language, value in languages.items():
            decision.set_translation(language, {"text": value})
        meeting.decisions.append(decision)
    db.session.flush()
    record("forum.set_decisions", meeting, actor=actor,
           summary=f"Meeting {meeting.title}: {len(lines)} decisions recorded",
           data={"decisions": lines})
    return True


# The repository's documents ----------------------------------------------------------------

DOCUMENT_TEXTS = {"title": TITLE_MAX, "description": TEXT_MAX}
LINK_MAX = 500
#: What may be uploaded to the repository: documents, not pictures.
DOCUMENT_KINDS = ("pdf", "docx", "xlsx", "odt")


def _link(value) -> str | None:
    """A path of this site ("/action-plans/3"), or None when blank."""
    link = _text(value, "link", LINK_MAX)
    if not link:
        return None
    if not link.startswith("/") or link.startswith("//") or "\\" in link or " " in link:
        raise OperationError(_l("Enter the address of a page of this site, starting with /, "
                                "for example /action-plans/1."), field="link")
    return link


def _file_digest(file_storage) -> str | None:
    """The SHA-256 of an upload's bytes (read, then rewound), to find a repeat."""
    stream = getattr(file_storage, "stream", None)
    if stream is None or not getattr(file_storage, "filename", None):
        return None
    try:
        data = stream.read()
        stream.seek(0)
    except (OSError, ValueError):
        return None
    return hashlib.sha256(data).hexdigest()


def add_document(actor, *, kind, title, document_date, description="", link=None,
                 file_storage=None, translations=None):
    """Add a document to the repository: an uploaded file (checked by
    ``core.uploads``) or a link to a page of this site, never both."""
    try:
        kind = DocumentKind(kind)
    except ValueError:
        raise OperationError(_l("Choose the kind of document."), field="kind") from None
    title = _text(title, "title", TITLE_MAX, required=_l("Enter the document's title."))
    description = _text(description, "description", TEXT_MAX, multiline=True)
    document_date = _day(document_date, "document_date", _l("Enter the document's date."))
    link = _link(link)
    has_file = bool(getattr(file_storage, "filename", None))
    if has_file == (link is not None):
        raise OperationError(_l("Upload a file or give the address of a page, one of the "
                                "two."), field="file")
    cleaned = clean_translations(translations or {}, DOCUMENT_TEXTS,
                                 frozenset({"description"}))
    forum = ensure_forum(actor)
    lock_key(f"forum_documents:{title}")  # the same document sent twice at once
    digest = _file_digest(file_storage) if has_file else None
    for existing in db.session.scalars(select(RepositoryDocument).where(
            RepositoryDocument.forum_id == forum.id, RepositoryDocument.title == title,
            RepositoryDocument.kind == kind, RepositoryDocument.document_date == document_date,
            RepositoryDocument.link.is_(None) if has_file
            else RepositoryDocument.link == link)):
        if not has_file or (existing.file is not None and existing.file.sha256 == digest):
            raise AlreadyDone(_l("The document %(title)s is already there.", title=title),
                              existing=existing)
    stored = store_upload(file_storage, uploaded_by=actor, allowed_kinds=DOCUMENT_KINDS,
                          field="file") if has_file else None
    document = RepositoryDocument(forum_id=forum.id, kind=kind, title=title,
                                  description=description, document_date=document_date,
                                  link=link, file=stored, translations={})
    apply_translations(document, cleaned)
    db.session.add(document)
    db.session.flush()
    record("forum.add_document", document, actor=actor,
           summary=f"Document {title} ({kind.value}, {document_date}) added to the repository",
           data={"kind": kind.value, "title": title, "document_date": document_date,
                 "link": link, "file_id": stored.id if stored else None})
    return document


def remove_document(document, actor) -> None:
    """Take a document out of the repository; its stored file goes with it."""
    # Of two removals at once, the second finds the row gone once the first has committed.
    document = db.session.execute(
        select(RepositoryDocument).where(RepositoryDocument.id == document.id)
        .with_for_update().execution_options(populate_existing=True)).scalar_one_or_none()
    if document is None:
        raise AlreadyDone(_l("The document has already been removed."))
    stored = document.file
    record("forum.remove_document", document, actor=actor,
           summary=f"Document {document.title} removed from the repository",
           data={"kind": document.kind.value, "title": document.title,
                 "document_date": document.document_date, "link": document.link})
    db.session.delete(document)
    db.session.flush()
    if stored is not None:
        delete_stored_file(stored, actor=actor)
