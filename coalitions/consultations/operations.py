"""Every write of a consultation: opening it, and what participants send. Operations check
the rules, lock what they change, write the audit entry and flush; they never commit.
Moderation and the forum's responses are in ``moderation.py``."""

from __future__ import annotations

from datetime import datetime, time

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from accounts.organisations.models import Organisation
from coalitions.consultations.models import (
    REASON_MAX,
    SHORT_MAX,
    TEXT_MAX,
    TITLE_MAX,
    AbuseReport,
    Comment,
    Consultation,
    ParticipationProfile,
    Proposal,
    Support,
    subject_key,
)
from coalitions.consultations.policies import can_report, can_take_part
from coalitions.events.states import Sex
from coalitions.plans.models import ActionPlan, Commitment
from coalitions.plans.states import PlanState
from core.audit.operations import record
from core.errors import OperationError
from core.extensions import db
from core.locking import AlreadyDone, identical, lock, lock_key
from core.timeutil import as_utc, from_programme_time, programme_today, utcnow
from core.translations import apply_translations, clean_translations
from core.validation import clean_text

#: Proposals and comments one account may send in a programme day, unless configured.
DEFAULT_DAILY_CAP = 10
AREA_MAX = 120
CONSULTATION_LIMITS = {"title": TITLE_MAX, "description": TEXT_MAX}
_GMAIL = ("gmail.com", "googlemail.com")


def email_key(email: str) -> str:
    """The mailbox an address delivers to, as far as we can tell: lower-case, without a
    "+tag", and for Gmail without dots (which Gmail ignores) and on one domain."""
    local, _at, domain = (email or "").strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in _GMAIL:
        local, domain = local.replace(".", ""), _GMAIL[0]
    return f"{local}@{domain}"


def _who(actor) -> str:
    return getattr(actor, "email", None) or "the command line"


# Consultations -----------------------------------------------------------------------------

def _clean_consultation(fields: dict) -> dict:
    cleaned = {}
    if "title" in fields:
        cleaned["title"] = clean_text(fields["title"], field="title", max_length=TITLE_MAX,
                                      required=_l("Enter the consultation's title."))
    if "description" in fields:
        cleaned["description"] = clean_text(fields["description"], field="description",
                                            max_length=TEXT_MAX, multiline=True)
    if "plan_id" in fields:
        plan = db.session.get(ActionPlan, fields["plan_id"]) if fields["plan_id"] else None
        if plan is None:
            raise OperationError(_l("Choose an action plan from the list."), field="plan_id")
        cleaned["plan_id"] = plan.id
    for name in ("opens_at", "closes_at"):
        if name in fields:
            if not isinstance(fields[name], datetime):
                raise OperationError(_l("Enter a date and time."), field=name)
            cleaned[name] = as_utc(fields[name])
    if "translations" in fields:
        cleaned["translations"] = clean_translations(fields["translations"],
                                                     CONSULTATION_LIMITS, {"description"})
    return cleaned


#: The plans whose commitments are still open to change.
CONSULTABLE = (PlanState.drafting, PlanState.in_consultation)


def _check_dates(opens_at, closes_at) -> None:
    if opens_at and closes_at and closes_at <= opens_at:
        raise OperationError(_l("The consultation must close after it opens."),
                             field="closes_at")


def create_consultation(actor, **fields) -> Consultation:
    """Open a consultation. ``fields``: plan_id, title, description, opens_at, closes_at
    (aware datetimes) and translations."""
    cleaned = _clean_consultation(fields)
    for name in ("plan_id", "title", "opens_at", "closes_at"):
        if name not in cleaned:
            raise OperationError(_l("This is required."), field=name)
    _check_dates(cleaned["opens_at"], cleaned["closes_at"])
    if db.session.get(ActionPlan, cleaned["plan_id"]).state not in CONSULTABLE:
        raise OperationError(_l("Only a plan still being drafted or in consultation can be "
                                "put to consultation."), field="plan_id")
    translations = cleaned.pop("translations", {})
    lock_key(f"consultations:{cleaned['plan_id']}:{cleaned['title']}")
    existing = identical(Consultation, cleaned)
    if existing is not None:
        raise AlreadyDone(_l("The consultation %(title)s is already there.",
                             title=existing.title), existing=existing)
    consultation = Consultation(**cleaned, created_by_id=getattr(actor, "id", None))
    apply_translations(consultation, translations)
    db.session.add(consultation)
    db.session.flush()
    record("consultation.create", consultation, actor=actor,
           summary=f"{_who(actor)} opened the consultation {consultation.title}",
           data={**cleaned, "translations": consultation.translations})
    return consultation


def update_consultation(consultation: Consultation, actor, **fields) -> dict:
    consultation = lock(consultation)
    cleaned = _clean_consultation(fields)
    translations = cleaned.pop("translations", {})
    _check_dates(cleaned.get("opens_at", consultation.opens_at),
                 cleaned.get("closes_at", consultation.closes_at))
    changes = {name: [getattr(consultation, name), value] for name, value in cleaned.items()
               if getattr(consultation, name) != value}
    for name, (_old, new) in changes.items():
        setattr(consultation, name, new)
    changes.update({f"translations.{language}": change for language, change
                    in apply_translations(consultation, translations).items()})
    if not changes:
        return {}
    db.session.flush()
    record("consultation.update", consultation, actor=actor,
           summary=f"{_who(actor)} changed {', '.join(sorted(changes))} of the consultation "
                   f"{consultation.title}", data={"changes": changes})
    return changes


# Taking part -------------------------------------------------------------------------------

def _require(decision) -> None:
    allowed, reason = decision
    if not allowed:
        raise OperationError(reason)


def daily_cap() -> int:
    return int(current_app.config.get("CONSULTATION_DAILY_CAP", DEFAULT_DAILY_CAP))


def sent_today(user, now: datetime | None = None) -> int:
    """Proposals and comments ``user`` sent since midnight in the programme's time zone."""
    now = now or utcnow()
    since = from_programme_time(datetime.combine(programme_today(now), time()))
    proposals = select(func.count(Proposal.id)).where(
        Proposal.author_id == user.id, Proposal.created_at >= since).scalar_subquery()
    comments = select(func.count(Comment.id)).where(
        Comment.author_id == user.id, Comment.created_at >= since).scalar_subquery()
    return db.session.scalar(select(proposals + comments)) or 0


def _check_cap(user) -> None:
    """Under a lock on the person, so that requests sent at once are counted one by one."""
    lock_key(f"consultation-cap:{user.id}")
    cap = daily_cap()
    if sent_today(user) >= cap:
        raise OperationError(_l(
            "You have sent %(cap)s proposals and comments today, the most one person may send "
            "in a day. Thank you for taking part: you can send more tomorrow.", cap=cap))


def ensure_profile(user, *, sex=None, organisation_id=None) -> ParticipationProfile:
    """The participant's profile, made the first time they take part with what they chose
    to tell (both optional); later answers do not change it."""
    profile = db.session.scalar(select(ParticipationProfile)
                                .where(ParticipationProfile.user_id == user.id))
    if profile is not None:
        return profile
    if sex:
        try:
            sex = Sex(sex)
        except ValueError:
            raise OperationError(_l("Choose an answer from the list."), field="sex") from None
    if organisation_id and db.session.get(Organisation, organisation_id) is None:
        raise OperationError(_l("Choose an organisation from the list."),
                             field="organisation_id")
    profile = ParticipationProfile(user_id=user.id, sex=sex or None,
                                   organisation_id=organisation_id or None)
    db.session.add(profile)
    return profile


def _clean_proposal(fields: dict) -> dict:
    cleaned = {
        "title": clean_text(fields.get("title"), field="title", max_length=TITLE_MAX,
                            required=_l("Give your proposal a short title.")),
        "problem": clean_text(fields.get("problem"), field="problem", max_length=TEXT_MAX,
                              multiline=True, required=_l("Describe the problem.")),
        "solution": clean_text(fields.get("solution"), field="solution", max_length=TEXT_MAX,
                               multiline=True, required=_l("Describe the solution you propose.")),
        "institution_name": clean_text(fields.get("institution_name"), field="institution_name",
                                       max_length=SHORT_MAX),
        "thematic_area": clean_text(fields.get("thematic_area"), field="thematic_area",
                                    max_length=AREA_MAX),
        "milestones": clean_text(fields.get("milestones"), field="milestones",
                                 max_length=TEXT_MAX, multiline=True),
    }
    institution_id = fields.get("institution_id") or None
    if institution_id is not None and db.session.get(Organisation, institution_id) is None:
        raise OperationError(_l("Choose an organisation from the list."), field="institution_id")
    cleaned["institution_id"] = institution_id
    if institution_id is None and not cleaned["institution_name"]:
        raise OperationError(_l("Name the institution that would be responsible, or choose "
                                "one from the directory."), field="institution_name")
    return cleaned


def propose(consultation: Consultation, user, *, sex=None, organisation_id=None,
            **fields) -> Proposal:
    """A proposed commitment. ``fields``: title, problem, solution, institution_id or
    institution_name, thematic_area, milestones."""
    _require(can_take_part(user, consultation))
    cleaned = _clean_proposal(fields)
    _check_cap(user)  # also serialises this person's requests
    existing = identical(Proposal, {**cleaned, "consultation_id": consultation.id,
                                    "author_id": user.id})
    if existing is not None:
        raise AlreadyDone(_l("Your proposal is already there."), existing=existing)
    ensure_profile(user, sex=sex, organisation_id=organisation_id)
    proposal = Proposal(consultation_id=consultation.id, author_id=user.id, **cleaned)
    db.session.add(proposal)
    db.session.flush()
    record("consultation.propose", proposal, actor=user,
           summary=f"{_who(user)} proposed {proposal.title} in {consultation.title}",
           data=cleaned)
    return proposal


def _subject(consultation: Consultation, proposal=None, commitment=None) -> tuple[str, dict]:
    if proposal is not None:
        if proposal.consultation_id != consultation.id:
            raise OperationError(_l("This proposal belongs to another consultation."))
        if proposal.is_hidden:
            raise OperationError(_l("This proposal was hidden by the moderator."))
        return subject_key("proposal", proposal.id), {"proposal_id": proposal.id}
    if commitment is None or commitment.plan_id != consultation.plan_id:
        raise OperationError(_l("This commitment is not part of the plan under consultation."))
    return subject_key("commitment", commitment.id), {"commitment_id": commitment.id}


def comment(consultation: Consultation, user, body, *, proposal: Proposal | None = None,
            commitment: Commitment | None = None, sex=None, organisation_id=None) -> Comment:
    """A comment on a proposal or on one of the plan's draft commitments."""
    _require(can_take_part(user, consultation))
    _subject_name, link = _subject(consultation, proposal, commitment)
    body = clean_text(body, field="body", max_length=TEXT_MAX, multiline=True,
                      required=_l("Write your comment."))
    _check_cap(user)
    existing = identical(Comment, {"consultation_id": consultation.id, "author_id": user.id,
                                   "body": body, **link})
    if existing is not None:
        raise AlreadyDone(_l("Your comment is already there."), existing=existing)
    ensure_profile(user, sex=sex, organisation_id=organisation_id)
    item = Comment(consultation_id=consultation.id, author_id=user.id, body=body, **link)
    db.session.add(item)
    db.session.flush()
    record("consultation.comment", item, actor=user,
           summary=f"{_who(user)} commented in {consultation.title}", data={"body": body, **link})
    return item


def support(consultation: Consultation, user, *, proposal: Proposal | None = None,
            commitment: Commitment | None = None) -> Support:
    """One support per person and item: per account and per mailbox (``email_key``)."""
    _require(can_take_part(user, consultation))
    subject, link = _subject(consultation, proposal, commitment)
    key = email_key(user.email)
    lock_key(f"consultation-support:{consultation.id}:{subject}:{key}")
    lock_key(f"consultation-support:{consultation.id}:{subject}:user:{user.id}")
    existing = db.session.scalar(select(Support).where(
        Support.consultation_id == consultation.id, Support.subject == subject,
        or_(Support.email_key == key, Support.user_id == user.id)))
    if existing is not None:
        raise AlreadyDone(_l("Your support is already counted: thank you. Each person "
                             "supports an item once."), existing=existing)
    ensure_profile(user)
    row = Support(consultation_id=consultation.id, subject=subject, user_id=user.id,
                  email_key=key, **link)
    db.session.add(row)
    db.session.flush()
    record("consultation.support", row, actor=user,
           summary=f"{_who(user)} supported {subject} in {consultation.title}", data=link)
    return row


def report_abuse(user, *, proposal: Proposal | None = None, comment: Comment | None = None,
                 reason: str = "") -> AbuseReport:
    """One report per person and item, for the moderators' queue."""
    _require(can_report(user))
    item = proposal if proposal is not None else comment
    kind = "proposal" if proposal is not None else "comment"
    reason = clean_text(reason, field="reason", max_length=REASON_MAX,
                        required=_l("Say briefly what is wrong with it."))
    subject = subject_key(kind, item.id)
    lock_key(f"consultation-report:{subject}:{user.id}")
    if item.is_hidden:
        raise AlreadyDone(_l("A moderator has already hidden this."))
    existing = db.session.scalar(select(AbuseReport).where(
        AbuseReport.subject == subject, AbuseReport.reporter_id == user.id))
    if existing is not None:
        raise AlreadyDone(_l("You have already reported this: a moderator will look at it."),
                          existing=existing)
    report = AbuseReport(consultation_id=item.consultation_id, subject=subject,
                         reporter_id=user.id, reason=reason, **{f"{kind}_id": item.id})
    db.session.add(report)
    db.session.flush()
    record("consultation.report", report, actor=user,
           summary=f"{_who(user)} reported {subject}", data={"reason": reason})
    return report

