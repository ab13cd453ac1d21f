"""Read helpers for the forum: its members by sector, its meetings, the six-month warning,
and the repository of the co-creation process's documents (searched, filtered and paged in
SQL over every registered source)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, func, literal, null, or_, select, union_all
from sqlalchemy.orm import selectinload

from accounts.organisations.models import Organisation
from accounts.organisations.states import Sector
from accounts.policies import is_staff_reader
from coalitions.coalitions.models import Coalition
from coalitions.forum.models import (
    Forum,
    ForumMember,
    Meeting,
    MeetingDecision,
    RepositoryDocument,
    meeting_attendance,
)
from coalitions.forum.operations import current_forum
from core import documents, freshness, work
from core.documents import DocumentKind
from core.extensions import db
from core.translations import stored_text

# What the public forum pages show: a change to any of it moves their validator on.
for _model in (Forum, ForumMember, Meeting, MeetingDecision, RepositoryDocument):
    freshness.watch(freshness.FORUM, _model)
freshness.watch(freshness.FORUM, Organisation, "name", "sector", rows=False)
freshness.watch(freshness.FORUM, Coalition, "name", rows=False)

#: A forum that has not met for this many months is warned about.
MEETING_GAP_MONTHS = 6
PER_PAGE = 20


def forum() -> Forum | None:
    """The programme's forum (None until staff first write to it)."""
    return current_forum()


# Members -----------------------------------------------------------------------------------

@dataclass
class SectorGroup:
    sector: Sector
    members: list[ForumMember] = field(default_factory=list)


def members_by_sector(forum: Forum | None) -> list[SectorGroup]:
    """The current members grouped by their organisation's sector (in the sectors' order),
    alphabetically within each (one query)."""
    if forum is None:
        return []
    members = db.session.scalars(
        select(ForumMember).join(Organisation, Organisation.id == ForumMember.organisation_id)
        .where(ForumMember.forum_id == forum.id, ForumMember.left_on.is_(None))
        .options(selectinload(ForumMember.organisation))
        .order_by(func.lower(Organisation.name), ForumMember.id)).all()
    groups = {sector: SectorGroup(sector) for sector in Sector}
    for member in members:
        groups[Sector(member.organisation.sector)].members.append(member)
    return [group for group in groups.values() if group.members]


def past_members(forum: Forum | None) -> list[ForumMember]:
    if forum is None:
        return []
    return list(db.session.scalars(
        select(ForumMember).where(ForumMember.forum_id == forum.id,
                                  ForumMember.left_on.is_not(None))
        .options(selectinload(ForumMember.organisation))
        .order_by(ForumMember.left_on.desc(), ForumMember.id.desc())))


def member_choices(forum: Forum | None, meeting: Meeting | None = None) -> list[tuple]:
    """The members who may be marked present, as ``(id, label)``: the current ones and any
    already marked on ``meeting``."""
    if forum is None:
        return []
    kept = {member.id for member in meeting.attendees} if meeting is not None else set()
    rows = db.session.execute(
        select(ForumMember.id, Organisation.name, ForumMember.left_on)
        .join(Organisation, Organisation.id == ForumMember.organisation_id)
        .where(ForumMember.forum_id == forum.id,
               or_(ForumMember.left_on.is_(None), ForumMember.id.in_(kept or [0])))
        .order_by(func.lower(Organisation.name), ForumMember.id))
    return [(row.id, row.name) for row in rows]


def coalition_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(select(Coalition.id, Coalition.name)
                              .order_by(func.lower(Coalition.name), Coalition.id))
    return [(row.id, row.name) for row in rows]


# Meetings ----------------------------------------------------------------------------------

def meetings(forum: Forum | None, *, include_unpublished: bool = False) -> list[Meeting]:
    """The forum's meetings, latest first, with their decisions and attendance loaded."""
    if forum is None:
        return []
    query = (select(Meeting).where(Meeting.forum_id == forum.id)
             .options(selectinload(Meeting.attendees), selectinload(Meeting.decisions))
             .order_by(Meeting.starts_at.desc(), Meeting.id.desc()))
    if not include_unpublished:
        query = query.where(Meeting.is_published.is_(True))
    return list(db.session.scalars(query))


def meeting_attendees(meeting: Meeting) -> list[ForumMember]:
    """The member organisations present, alphabetically, their organisations loaded."""
    return list(db.session.scalars(
        select(ForumMember)
        .join(meeting_attendance, meeting_attendance.c.member_id == ForumMember.id)
        .join(Organisation, Organisation.id == ForumMember.organisation_id)
        .where(meeting_attendance.c.meeting_id == meeting.id)
        .options(selectinload(ForumMember.organisation))
        .order_by(func.lower(Organisation.name), ForumMember.id)))


def months_later(day: date, months: int) -> date:
    """The same day ``months`` later, the month's last day when it is shorter (31 August
    plus six months is 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    last = (following - date.resolution).day
    return date(year, month, min(day.day, last))


@dataclass(frozen=True)
class MeetingGap:
    """The forum has not met for ``MEETING_GAP_MONTHS`` months (or ever)."""

    last_held_on: date | None
    due_on: date | None


def meeting_gap(today: date) -> MeetingGap | None:
    """A warning when no meeting was held in the six months up to ``today`` (the
    programme's today); None while the forum meets often enough. A forum without a meeting
    is warned about once it has members. Two statements."""
    found = current_forum()
    if found is None:
        return None
    last = db.session.scalar(select(func.max(Meeting.held_on)).where(
        Meeting.forum_id == found.id, Meeting.held_on <= today))
    if last is None:
        has_members = db.session.scalar(select(func.count(ForumMember.id)).where(
            ForumMember.forum_id == found.id)) > 0
        return MeetingGap(None, None) if has_members else None
    due = months_later(last, MEETING_GAP_MONTHS)
    return MeetingGap(last, due) if today > due else None


@work.provide("forum.meetings", _l("Multi-stakeholder forum"), is_staff_reader, order=85,
              see_all="forum.public_forum")
def forum_work(user, today: date) -> list[work.WorkItem]:
    gap = meeting_gap(today)
    if gap is None:
        return []
    detail = (str(_l("Last meeting: %(day)s.", day=gap.last_held_on.isoformat()))
              if gap.last_held_on else str(_l("The forum has not met yet.")))
    return [work.WorkItem(str(_l("The forum has not met for six months")),
                          url_for("forum.new_meeting"), due=gap.due_on, detail=detail,
                          overdue=True)]


# The repository ----------------------------------------------------------------------------

REPOSITORY_SOURCE = "forum.documents"


@documents.provide(REPOSITORY_SOURCE, channel=freshness.FORUM,
                   url=lambda row: row.link or url_for("forum.document_file",
                                                       document_id=row.ref_id))
def _repository_documents():
    return select(RepositoryDocument.id.label("ref_id"),
                  cast(RepositoryDocument.kind, String).label("kind"),
                  RepositoryDocument.title.label("title"),
                  RepositoryDocument.description.label("description"),
                  RepositoryDocument.translations.label("translations"),
                  RepositoryDocument.document_date.label("document_date"),
                  RepositoryDocument.link.label("link"))


@documents.provide("forum.minutes", channel=freshness.FORUM,
                   url=lambda row: url_for("forum.public_meeting", meeting_id=row.ref_id))
def _meeting_minutes():
    """Every published meeting with minutes is a document of kind minutes."""
    return (select(Meeting.id.label("ref_id"),
                   literal(DocumentKind.minutes.value).label("kind"),
                   Meeting.title.label("title"), literal("").label("description"),
                   Meeting.translations.label("translations"),
                   Meeting.held_on.label("document_date"),
                   cast(null(), String).label("link"))
            .where(Meeting.is_published.is_(True), Meeting.minutes != ""))


def repository_channels() -> list[str]:
    return sorted({source.channel for source in documents.sources() if source.channel})


def _all_documents():
    parts = [source.query().add_columns(literal(source.name).label("source"))
             for source in documents.sources()]
    return union_all(*parts).subquery("documents")


def like_pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass
class DocumentPage:
    """One page of the repository, shaped like Flask-SQLAlchemy's pagination."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    has_prev = property(lambda self: self.page > 1)
    has_next = property(lambda self: self.page < self.pages)
    prev_num = property(lambda self: self.page - 1)
    next_num = property(lambda self: self.page + 1)


def search_documents(*, search: str = "", kind: str | None = None, year: int | None = None,
                     page: int = 1, per_page: int = PER_PAGE) -> DocumentPage:
    """The repository's documents, latest first, whose title or description (in any
    language) contains ``search``, of ``kind`` and dated in ``year``. Two statements."""
    docs = _all_documents()
    conditions = []
    if search:
        pattern = like_pattern(search)
        translations = func.lower(cast(docs.c.translations, String))
        conditions.append(or_(
            *[func.lower(column).like(pattern, escape="\\") for column in (
                docs.c.title, docs.c.description, translations)],
            # Stored JSON writes "reunión" as "reuni\u00f3n": look for it as written there.
            translations.like(like_pattern(json.dumps(search.lower())[1:-1]), escape="\\")))
    if kind:
        conditions.append(docs.c.kind == kind)
    if year:
        conditions.append(docs.c.document_date.between(date(year, 1, 1), date(year, 12, 31)))
    total = db.session.scalar(select(func.count()).select_from(docs).where(*conditions))
    rows = db.session.execute(
        select(docs).where(*conditions)
        .order_by(docs.c.document_date.desc(), docs.c.source, docs.c.ref_id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    return DocumentPage([DocumentRow.of(row) for row in rows], page, per_page, total)


@dataclass(frozen=True)
class DocumentRow:
    source: str
    ref_id: int
    kind: DocumentKind
    title: str
    description: str
    translations: dict
    document_date: date
    url: str

    @classmethod
    def of(cls, row) -> DocumentRow:
        return cls(row.source, row.ref_id, DocumentKind(row.kind), row.title,
                   row.description or "", row.translations or {}, row.document_date,
                   documents.source(row.source).url(row))

    def text(self, field: str) -> str:
        """The field in the reader's language, else the main language's."""
        main = {"title": self.title, "description": self.description}[field]
        return stored_text(main, self.translations, field)

    @property
    def removable(self) -> bool:
        """Staff remove what they added; the other entries go with their rows."""
        return self.source == REPOSITORY_SOURCE


def document_years() -> list[int]:
    """The years the repository's documents span, latest first (one statement)."""
    docs = _all_documents()
    first, last = db.session.execute(select(func.min(docs.c.document_date),
                                            func.max(docs.c.document_date))).one()
    if first is None:
        return []
    return list(range(_year(last), _year(first) - 1, -1))


def _year(value) -> int:
    return value.year if isinstance(value, date) else int(str(value)[:4])
