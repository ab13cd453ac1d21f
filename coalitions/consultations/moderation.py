"""The moderators' and the forum's writes: hiding a contribution with a public reason,
dismissing a report, responding to each proposal and publishing "What we heard". The hidden
text stays in the audit log; the pages show the reason in its place."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import func, select, update

from coalitions.consultations.models import (
    REASON_MAX,
    TEXT_MAX,
    AbuseReport,
    Comment,
    Consultation,
    Proposal,
    subject_key,
)
from coalitions.consultations.states import Phase, ResponseKind, phase_at
from coalitions.plans.models import Commitment
from core.audit.operations import record
from core.errors import OperationError
from core.extensions import db
from core.locking import AlreadyDone, lock
from core.timeutil import utcnow
from core.validation import clean_text


def _who(actor) -> str:
    return getattr(actor, "email", None) or "the command line"


def _resolve_reports(subject: str, actor, outcome: str) -> int:
    result = db.session.execute(
        update(AbuseReport).where(AbuseReport.subject == subject,
                                  AbuseReport.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by_id=getattr(actor, "id", None),
                outcome=outcome).execution_options(synchronize_session=False))
    return result.rowcount or 0


def _hide(item, kind: str, actor, reason: str, text: dict):
    item = lock(item)
    reason = clean_text(reason, field="reason", max_length=REASON_MAX,
                        required=_l("Give the reason shown in its place."))
    if item.is_hidden:
        raise AlreadyDone(_l("This is already hidden."), existing=item)
    item.hidden_at = utcnow()
    item.hidden_reason = reason
    item.hidden_by_id = getattr(actor, "id", None)
    resolved = _resolve_reports(subject_key(kind, item.id), actor, "hidden")
    db.session.flush()
    record(f"consultation.hide_{kind}", item, actor=actor,
           summary=f"{_who(actor)} hid {kind} #{item.id}: {reason}",
           data={"reason": reason, "hidden_text": text, "reports_resolved": resolved})
    return item


def hide_proposal(proposal: Proposal, actor, reason: str) -> Proposal:
    return _hide(proposal, "proposal", actor, reason, {
        "title": proposal.title, "problem": proposal.problem, "solution": proposal.solution,
        "institution": proposal.institution_name, "milestones": proposal.milestones})


def hide_comment(comment: Comment, actor, reason: str) -> Comment:
    return _hide(comment, "comment", actor, reason, {"body": comment.body})


def dismiss_report(report: AbuseReport, actor) -> AbuseReport:
    report = lock(report)
    if report.resolved_at is not None:
        raise AlreadyDone(_l("This report was already dealt with."), existing=report)
    report.resolved_at = utcnow()
    report.resolved_by_id = getattr(actor, "id", None)
    report.outcome = "dismissed"
    db.session.flush()
    record("consultation.dismiss_report", report, actor=actor,
           summary=f"{_who(actor)} dismissed the report of {report.subject}")
    return report


def respond(proposal: Proposal, actor, *, kind, text: str = "",
            commitment_id: int | None = None) -> dict:
    """The forum's public response: merged into a commitment of the plan, accepted (to be
    drafted), or not taken up with a reason. Returns the changes (empty: the same again)."""
    proposal = lock(proposal)
    try:
        kind = ResponseKind(kind)
    except ValueError:
        raise OperationError(_l("Choose a response from the list."), field="kind") from None
    text = clean_text(text, field="text", max_length=TEXT_MAX, multiline=True)
    if kind == ResponseKind.declined and not text:
        raise OperationError(_l("Give the reason the proposal is not taken up: every "
                                "participant is owed one."), field="text")
    if kind == ResponseKind.merged:
        commitment = db.session.get(Commitment, commitment_id) if commitment_id else None
        plan_id = proposal.consultation.plan_id
        if commitment is None or commitment.plan_id != plan_id:
            raise OperationError(_l("Choose the commitment of the plan it was merged into."),
                                 field="commitment_id")
    else:
        commitment_id = None
    new = {"response": kind, "response_text": text, "response_commitment_id": commitment_id}
    changes = {name: [getattr(proposal, name), value] for name, value in new.items()
               if getattr(proposal, name) != value}
    if not changes:
        raise AlreadyDone(_l("This response is already recorded."), existing=proposal)
    for name, value in new.items():
        setattr(proposal, name, value)
    proposal.responded_at = utcnow()
    proposal.responded_by_id = getattr(actor, "id", None)
    db.session.flush()
    record("consultation.respond", proposal, actor=actor,
           summary=f"{_who(actor)} responded to proposal #{proposal.id}: {kind.value}",
           data={"changes": changes})
    return changes


def unanswered_count(consultation: Consultation) -> int:
    return db.session.scalar(select(func.count(Proposal.id)).where(
        Proposal.consultation_id == consultation.id, Proposal.hidden_at.is_(None),
        Proposal.response.is_(None))) or 0


def publish_summary(consultation: Consultation, actor) -> Consultation:
    """Publish "What we heard": once closed, and only when every visible proposal has its
    response (OGP's reasoned response is owed to each)."""
    consultation = lock(consultation)
    if consultation.summary_published_at is not None:
        raise AlreadyDone(_l("What we heard is already published."), existing=consultation)
    if phase_at(consultation, utcnow()) != Phase.closed:
        raise OperationError(_l("What we heard is published once the consultation has "
                                "closed."))
    remaining = unanswered_count(consultation)
    if remaining:
        raise OperationError(lazy_ngettext(
            "%(num)d proposal still has no response. Respond to every proposal before "
            "publishing what we heard.",
            "%(num)d proposals still have no response. Respond to every proposal before "
            "publishing what we heard.", remaining))
    consultation.summary_published_at = utcnow()
    consultation.summary_published_by_id = getattr(actor, "id", None)
    db.session.flush()
    record("consultation.publish_summary", consultation, actor=actor,
           summary=f"{_who(actor)} published what we heard of {consultation.title}")
    return consultation
