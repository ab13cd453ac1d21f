"""Reads of consultations: each page runs a fixed number of statements whatever the number of
proposals, comments or supports, the lists paged in SQL with their counts in SQL."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import abort, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Date,
    String,
    cast,
    distinct,
    func,
    literal,
    null,
    or_,
    select,
    type_coerce,
    union,
)
from sqlalchemy.orm import joinedload

from accounts.models import User
from accounts.organisations.models import Organisation
from coalitions.consultations.models import (
    AbuseReport,
    Comment,
    Consultation,
    ParticipationProfile,
    Proposal,
    Support,
)
from coalitions.consultations.policies import can_moderate, can_respond
from coalitions.consultations.states import AWAITING, ResponseKind
from coalitions.events.states import Sex
from coalitions.plans.models import Commitment
from core import disclosure, documents, freshness, work
from core.documents import DocumentKind
from core.extensions import db
from core.params import page_number
from core.timeutil import from_programme_time

PER_PAGE = 20
SORTS = ("support", "date")

#: The data version of the consultations' public pages (``core.freshness``).
CHANNEL = "consultations"
for _model in (Consultation, Proposal, Comment, Support, ParticipationProfile, AbuseReport):
    freshness.watch(CHANNEL, _model)
freshness.watch(CHANNEL, Organisation, "name", "sector", rows=False)
# The public action plan page shows its consultations: a change to one is a change there.
freshness.watch(freshness.PLANS, Consultation)


# Consultations -----------------------------------------------------------------------------

def consultations() -> list[Consultation]:
    return list(db.session.scalars(select(Consultation).options(joinedload(Consultation.plan))
                                   .order_by(Consultation.opens_at.desc())))


def consultations_of_plan(plan_id: int) -> list[Consultation]:
    return list(db.session.scalars(select(Consultation).where(Consultation.plan_id == plan_id)
                                   .order_by(Consultation.opens_at.desc())))


def _participants(of):
    """The distinct people who proposed, commented or supported in the consultations
    ``of(column)`` selects."""
    return union(
        select(Proposal.author_id.label("user_id")).where(
            of(Proposal.consultation_id), Proposal.author_id.is_not(None)),
        select(Comment.author_id).where(of(Comment.consultation_id),
                                        Comment.author_id.is_not(None)),
        select(Support.user_id).where(of(Support.consultation_id)),
    ).subquery()


@dataclass
class Numbers:
    proposals: int = 0
    comments: int = 0
    participants: int = 0
    supporters: int = 0
    women: int = 0
    #: sector value -> organisations of participants who named one
    sectors: dict = field(default_factory=dict)
    consultations: int = 1

    def for_reader(self, user) -> dict:
        """The counts of people withheld below k for readers other than staff."""
        return {"proposals": self.proposals, "comments": self.comments,
                "participants": disclosure.count(user, self.participants),
                "supporters": disclosure.count(user, self.supporters),
                "women": disclosure.share(user, self.women, self.participants),
                "sectors": self.sectors,
                "consultations": self.consultations}


def numbers(consultation: Consultation) -> Numbers:
    """Four statements whatever the size of the consultation."""
    return _numbers(lambda column: column == consultation.id)


def period_numbers(start: date, end: date) -> Numbers:
    """The consultations that opened from ``start`` to ``end`` (days in the programme's
    time zone, inclusive), counted together: each person once across them (five
    statements). For the programme's indicators."""
    since = from_programme_time(datetime.combine(start, time()))
    until = from_programme_time(datetime.combine(end + timedelta(days=1), time()))
    ids = select(Consultation.id).where(Consultation.opens_at >= since,
                                        Consultation.opens_at < until)
    result = _numbers(lambda column: column.in_(ids))
    result.consultations = db.session.scalar(select(func.count()).select_from(
        ids.subquery())) or 0
    return result


def _numbers(of) -> Numbers:
    visible_proposals = select(func.count(Proposal.id)).where(
        of(Proposal.consultation_id), Proposal.hidden_at.is_(None)).scalar_subquery()
    visible_comments = select(func.count(Comment.id)).where(
        of(Comment.consultation_id), Comment.hidden_at.is_(None)).scalar_subquery()
    supporters = select(func.count(distinct(Support.user_id))).where(
        of(Support.consultation_id)).scalar_subquery()
    row = db.session.execute(select(visible_proposals, visible_comments, supporters)).one()
    people = _participants(of)
    participants, women = db.session.execute(
        select(func.count(people.c.user_id),
               func.count(ParticipationProfile.id).filter(ParticipationProfile.sex == Sex.female))
        .select_from(people).outerjoin(ParticipationProfile,
                                       ParticipationProfile.user_id == people.c.user_id)).one()
    sectors = dict(db.session.execute(
        select(Organisation.sector, func.count(distinct(Organisation.id)))
        .join(ParticipationProfile, ParticipationProfile.organisation_id == Organisation.id)
        .where(ParticipationProfile.user_id.in_(select(people.c.user_id)))
        .group_by(Organisation.sector)).all())
    return Numbers(row[0], row[1], participants, row[2], women,
                   {getattr(key, "value", key): value for key, value in sectors.items()})


# Proposals ---------------------------------------------------------------------------------

def _support_counts():
    return (select(Support.proposal_id, func.count(Support.id).label("supports"))
            .where(Support.proposal_id.is_not(None)).group_by(Support.proposal_id).subquery())


def _comment_counts():
    return (select(Comment.proposal_id, func.count(Comment.id).label("comments"))
            .where(Comment.proposal_id.is_not(None), Comment.hidden_at.is_(None))
            .group_by(Comment.proposal_id).subquery())


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def proposals_page(consultation: Consultation, *, area: str | None = None,
                   institution: str | None = None, status: str | None = None,
                   sort: str = "support", page: int | None = None) -> Page:
    """Visible proposals with their supports and comments, filtered, sorted and paged in
    SQL: two statements (the count and the page)."""
    supports, comments = _support_counts(), _comment_counts()
    conditions = [Proposal.consultation_id == consultation.id, Proposal.hidden_at.is_(None)]
    if area:
        conditions.append(Proposal.thematic_area == area)
    if institution:
        conditions.append(or_(Organisation.name == institution,
                              Proposal.institution_name == institution))
    if status == AWAITING:
        conditions.append(Proposal.response.is_(None))
    elif status in ResponseKind.__members__:
        conditions.append(Proposal.response == ResponseKind(status))
    support_count = func.coalesce(supports.c.supports, 0)
    query = (select(Proposal, support_count.label("supports"),
                    func.coalesce(comments.c.comments, 0).label("comments"),
                    Organisation.name.label("institution"))
             .outerjoin(supports, supports.c.proposal_id == Proposal.id)
             .outerjoin(comments, comments.c.proposal_id == Proposal.id)
             .outerjoin(Organisation, Organisation.id == Proposal.institution_id)
             .where(*conditions))
    order = ((support_count.desc(), Proposal.created_at.desc()) if sort == "support"
             else (Proposal.created_at.desc(),))
    total = db.session.scalar(select(func.count()).select_from(
        select(Proposal.id).outerjoin(Organisation, Organisation.id == Proposal.institution_id)
        .where(*conditions).subquery())) or 0
    number = page or page_number()
    if number > 1 and (number - 1) * PER_PAGE >= total:
        abort(404)
    rows = db.session.execute(query.order_by(*order, Proposal.id.desc())
                              .limit(PER_PAGE).offset((number - 1) * PER_PAGE)).all()
    return Page(rows, number, PER_PAGE, total)


def filter_choices(consultation: Consultation) -> tuple[list[str], list[str]]:
    """The thematic areas and institutions named by visible proposals (two statements)."""
    visible = (Proposal.consultation_id == consultation.id, Proposal.hidden_at.is_(None))
    areas = db.session.scalars(select(distinct(Proposal.thematic_area)).where(
        *visible, Proposal.thematic_area != "").order_by(Proposal.thematic_area))
    institutions = db.session.scalars(select(distinct(func.coalesce(
        Organisation.name, Proposal.institution_name))).select_from(Proposal)
        .outerjoin(Organisation, Organisation.id == Proposal.institution_id).where(*visible))
    return list(areas), sorted(name for name in institutions if name)


def supports_of(consultation_id: int, subject: str) -> int:
    return db.session.scalar(select(func.count(Support.id)).where(
        Support.consultation_id == consultation_id, Support.subject == subject)) or 0


def has_supported(user, consultation_id: int, subject: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(select(Support.id).where(
        Support.consultation_id == consultation_id, Support.subject == subject,
        Support.user_id == user.id)) is not None


def comments_on(*, proposal_id: int | None = None,
                commitment_id: int | None = None, consultation_id: int | None = None):
    """The comments with their authors' names, oldest first (hidden ones included: the page
    shows the moderator's reason in their place)."""
    query = select(Comment, User.name).outerjoin(User, User.id == Comment.author_id)
    if proposal_id is not None:
        query = query.where(Comment.proposal_id == proposal_id)
    else:
        query = query.where(Comment.commitment_id == commitment_id,
                            Comment.consultation_id == consultation_id)
    return db.session.execute(query.order_by(Comment.created_at, Comment.id)).all()


def has_profile(user) -> bool:
    return db.session.scalar(select(ParticipationProfile.id).where(
        ParticipationProfile.user_id == user.id)) is not None


def draft_commitments(consultation: Consultation) -> list[tuple]:
    """The plan's commitments with their supports and visible comments in the consultation
    (three statements)."""
    commitments = list(db.session.scalars(select(Commitment).where(
        Commitment.plan_id == consultation.plan_id).order_by(Commitment.position,
                                                             Commitment.id)))
    supports = dict(db.session.execute(
        select(Support.commitment_id, func.count(Support.id)).where(
            Support.consultation_id == consultation.id, Support.commitment_id.is_not(None))
        .group_by(Support.commitment_id)).all())
    comments = dict(db.session.execute(
        select(Comment.commitment_id, func.count(Comment.id)).where(
            Comment.consultation_id == consultation.id, Comment.commitment_id.is_not(None),
            Comment.hidden_at.is_(None)).group_by(Comment.commitment_id)).all())
    return [(c, supports.get(c.id, 0), comments.get(c.id, 0)) for c in commitments]


# What we heard -----------------------------------------------------------------------------

def responses(consultation: Consultation) -> dict[str, list]:
    """Visible proposals grouped by their response (AWAITING for none), with supports."""
    supports = _support_counts()
    rows = db.session.execute(
        select(Proposal, func.coalesce(supports.c.supports, 0))
        .outerjoin(supports, supports.c.proposal_id == Proposal.id)
        .options(joinedload(Proposal.response_commitment), joinedload(Proposal.institution))
        .where(Proposal.consultation_id == consultation.id, Proposal.hidden_at.is_(None))
        .order_by(Proposal.created_at, Proposal.id)).all()
    groups: dict[str, list] = {kind.value: [] for kind in ResponseKind}
    groups[AWAITING] = []
    for proposal, count in rows:
        groups[proposal.response.value if proposal.response else AWAITING].append(
            (proposal, count))
    return groups


# Moderation --------------------------------------------------------------------------------

def open_reports(limit: int = 200) -> list[AbuseReport]:
    return list(db.session.scalars(
        select(AbuseReport).where(AbuseReport.resolved_at.is_(None))
        .options(joinedload(AbuseReport.proposal), joinedload(AbuseReport.comment))
        .order_by(AbuseReport.created_at).limit(limit)))


def reported_subjects(subjects: list[str]) -> set[str]:
    if not subjects:
        return set()
    return set(db.session.scalars(select(distinct(AbuseReport.subject)).where(
        AbuseReport.subject.in_(subjects), AbuseReport.resolved_at.is_(None))))


def reports_by(user, subjects: list[str]) -> set[str]:
    if not getattr(user, "is_authenticated", False) or not subjects:
        return set()
    return set(db.session.scalars(select(AbuseReport.subject).where(
        AbuseReport.subject.in_(subjects), AbuseReport.reporter_id == user.id)))


# My work -----------------------------------------------------------------------------------

@work.provide("consultations.responses", _l("Proposals awaiting a response"), can_respond,
              order=57)
def proposals_to_answer(user, today) -> list[work.WorkItem]:
    rows = db.session.execute(
        select(Consultation.id, Consultation.title, func.count(Proposal.id))
        .join(Proposal, Proposal.consultation_id == Consultation.id)
        .where(Proposal.hidden_at.is_(None), Proposal.response.is_(None))
        .group_by(Consultation.id, Consultation.title).order_by(Consultation.id)).all()
    return [work.WorkItem(title, url_for("consultations.proposals", consultation_id=cid,
                                         status=AWAITING), count=count)
            for cid, title, count in rows]


@work.provide("consultations.reports", _l("Reports of abuse"), can_moderate, order=58,
              see_all="consultations.reports")
def reports_to_review(user, today) -> list[work.WorkItem]:
    count = db.session.scalar(select(func.count(AbuseReport.id)).where(
        AbuseReport.resolved_at.is_(None))) or 0
    if not count:
        return []
    return [work.WorkItem(gettext("Reports waiting for a moderator"),
                          url_for("consultations.reports"), count=count)]




@documents.provide("consultations.what_we_heard", channel=CHANNEL,
                   url=lambda row: url_for("consultations.what_we_heard",
                                           consultation_id=row.ref_id))
def _consultation_reports():
    """A consultation's published "What we heard" is its report, dated the day it was
    published."""
    published_on = type_coerce(func.date(Consultation.summary_published_at), Date)
    return (select(Consultation.id.label("ref_id"),
                   literal(DocumentKind.consultation_report.value).label("kind"),
                   Consultation.title.label("title"),
                   Consultation.description.label("description"),
                   Consultation.translations.label("translations"),
                   published_on.label("document_date"), cast(null(), String).label("link"))
            .where(Consultation.summary_published_at.is_not(None)))
