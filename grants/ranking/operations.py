"""Decisions, feedback, locking and review reminders. Operations flush and never commit.

A decision (award, waitlist or decline, with a rationale) is taken on one application or on
several at once. The whole batch is checked before anything is written: the panel must be
unlocked; every application must belong to the panel's call, be in review (or on the waiting
list) and allow the move; the person deciding must not have a conflict of interest with any
of them; and awards must keep the call within its pool (see ``queries``) and its maximum
number of awards. Then each application gets its Decision row and moves through the
application workflow, which audits the move and emails the applicant's members.

An award decides an amount, stored on the decision: the amount the application requested,
or for a single application another amount staff set, more than zero and at most the call's
award amount, with the reason (a bulk award always takes the requested amounts). The grant
agreement is then issued for exactly that amount.

Two decisions must not both take the last money of a pool: the fund's row is locked
(``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite ``BEGIN IMMEDIATE`` already serialises
writers) before anything is checked, so the pool's sums, the applications' states and the
decisions are read after the lock, in the transaction that writes the decision.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask import current_app
from flask_babel import force_locale, gettext, lazy_ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from accounts.policies import is_staff
from core.audit.operations import record
from core.errors import OperationError
from core.extensions import db
from core.locking import AlreadyDone, lock
from core.money import CENT, format_money
from core.outbox.operations import queue_email
from core.timeutil import from_programme_time, programme_today, utcnow
from core.urls import external_url
from core.validation import clean_text
from grants.applications.models import Application
from grants.applications.operations import transition
from grants.applications.states import APPLICATION_WORKFLOW, ApplicationState
from grants.calls.models import Fund
from grants.ranking import queries
from grants.reviews.conflicts import conflicted_application_ids
from grants.reviews.late_conflicts import unresolved_application_ids
from grants.reviews.models import Decision, Panel, Review, ReviewAssignment
from grants.reviews.states import AssignmentState, Outcome, ReviewState

RATIONALE_MAX = 4000
AMOUNT_REASON_MAX = 2000

#: Where each outcome takes the application.
OUTCOME_STATES = {
    Outcome.award: ApplicationState.awarded,
    Outcome.waitlist: ApplicationState.waitlisted,
    Outcome.decline: ApplicationState.declined,
}

#: Reviewers are reminded from this many days before the due date (and every day after it,
#: until they submit).
REMIND_DAYS_BEFORE = 3


def _require_unlocked(panel: Panel) -> None:
    if panel.is_locked:
        raise OperationError(_l("The panel is locked: its reviews and decisions are frozen. "
                                "Programme staff can unlock it."))


# Decisions ---------------------------------------------------------------------------------

def _check_application(panel: Panel, application: Application, target: ApplicationState,
                       actor, conflicted: set[int]) -> None:
    reference = application.display_reference
    if application.call_id != panel.call_id:
        raise OperationError(_l("%(reference)s is not an application to this panel's call.",
                                reference=reference), field="application_ids")
    if application.state not in queries.DECIDABLE_STATES:
        raise OperationError(_l("%(reference)s is “%(state)s”: only applications in review "
                                "or on the waiting list can be decided.",
                                reference=reference, state=application.state.title),
                             field="application_ids")
    if application.state == target:
        raise OperationError(_l("%(reference)s is already “%(state)s”.", reference=reference,
                                state=application.state.title), field="application_ids")
    if application.id in conflicted:
        raise OperationError(_l("You have a conflict of interest with %(reference)s: another "
                                "member of the programme team must decide on it.",
                                reference=reference), field="application_ids")
    try:
        APPLICATION_WORKFLOW.check(application, target, actor)
    except OperationError as error:
        raise OperationError(_l("%(reference)s: %(reason)s", reference=reference,
                                reason=error.message), field="application_ids") from error


def _refuse_repeated_decision(applications: list[Application], outcome: Outcome,
                              target: ApplicationState) -> None:
    """The same decision sent twice at once: under the fund's lock the second finds every
    application decided so already, and records nothing (``AlreadyDone``)."""
    if not applications or any(a.state != target for a in applications):
        return
    decided = queries.decisions_for(a.id for a in applications)
    if all(a.id in decided and decided[a.id].outcome == outcome for a in applications):
        raise AlreadyDone(lazy_ngettext(
            "This decision is already recorded.",
            "These %(num)d decisions are already recorded.", len(applications)))


def _lock_fund(panel: Panel) -> None:
    """Lock the row of the call's fund until the transaction ends: the pools of all the
    fund's calls are checked and taken one decision at a time."""
    db.session.execute(select(Fund.id).where(Fund.id == panel.call.fund_id).with_for_update())


def _reload(applications: list[Application]) -> list[Application]:
    """The applications as committed now (another decision may have moved them)."""
    ids = [a.id for a in applications]
    loaded = {a.id: a for a in db.session.scalars(
        select(Application).where(Application.id.in_(ids))
        .execution_options(populate_existing=True))}
    return [loaded[i] for i in ids if i in loaded]


def _parse_amount(amount) -> Decimal:
    """A typed amount as a two-place Decimal: figures with at most two decimals, no float."""
    try:
        value = None if isinstance(amount, float | bool) else Decimal(str(amount).strip())
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite():
        raise OperationError(_l("Enter the amount in figures, for example 2500.00."),
                             field="amount")
    if value.as_tuple().exponent < -2:
        raise OperationError(_l("Use at most two decimal places (cents)."), field="amount")
    return value.quantize(CENT)


def _check_decided_amount(panel: Panel, applications: list[Application], amount,
                          reason: str) -> tuple[dict[int, Decimal], str]:
    """({application id: amount decided}, reason) for an award of ``applications``."""
    call = panel.call
    maximum = call.award_amount or queries.ZERO
    currency = call.currency
    if amount is not None and amount != "":
        if len(applications) != 1:
            raise OperationError(_l("An amount can be set when deciding on one application; "
                                    "awarding several at once awards their requested "
                                    "amounts."), field="amount")
        value = _parse_amount(amount)
        if value <= 0:
            raise OperationError(_l("Enter an amount of more than zero."), field="amount")
        if value > maximum:
            raise OperationError(_l("The call awards at most %(amount)s.",
                                    amount=format_money(maximum, currency)), field="amount")
        application = applications[0]
        reason = (reason or "").strip()
        if value == application.requested_amount:
            reason = ""
        elif not reason:
            raise OperationError(_l(
                "%(reference)s requested %(requested)s: give the reason for awarding "
                "%(amount)s.", reference=application.display_reference,
                requested=format_money(application.requested_amount, currency),
                amount=format_money(value, currency)), field="amount_reason")
        reason = clean_text(reason, field="amount_reason", max_length=AMOUNT_REASON_MAX,
                            multiline=True)
        return {application.id: value}, reason
    amounts = {}
    for application in applications:
        requested = application.requested_amount
        if requested is None or requested <= 0:
            raise OperationError(_l("%(reference)s requested no amount: set the amount to "
                                    "award.", reference=application.display_reference),
                                 field="amount")
        if requested > maximum:
            raise OperationError(_l(
                "%(reference)s requested %(requested)s, more than the call's %(amount)s: set "
                "the amount to award.", reference=application.display_reference,
                requested=format_money(requested, currency),
                amount=format_money(maximum, currency)), field="amount")
        amounts[application.id] = requested
    return amounts, ""


def _check_pool(panel: Panel, amounts: dict[int, Decimal]) -> None:
    """Awards of ``amounts`` (application id: amount decided) must keep the call's awarded
    total within the pool and its number within the maximum number of awards. Called with
    the fund's row locked."""
    call = panel.call
    pool = queries.pool_for(call)
    awarded_total, awarded_count = queries.awarded_in_call(call)
    new_awards = list(amounts)
    added = sum(amounts.values(), queries.ZERO)
    if awarded_count + len(new_awards) > pool.max_awards:
        raise OperationError(_l(
            "This would make %(count)s awards; the call allows at most %(max)s "
            "(%(done)s already awarded).", count=awarded_count + len(new_awards),
            max=pool.max_awards, done=awarded_count), field="application_ids")
    if awarded_total + added > pool.amount:
        raise OperationError(_l(
            "These awards would bring the call's total to %(total)s, more than its pool of "
            "%(pool)s (%(left)s is left).",
            total=format_money(awarded_total + added, pool.currency),
            pool=format_money(pool.amount, pool.currency),
            left=format_money(max(pool.amount - awarded_total, queries.ZERO), pool.currency)),
            field="application_ids")


def _score_for_record(scores: queries.PanelScores, application_id: int,
                      method: str) -> Decimal | None:
    value = scores.score(application_id, method)
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def feedback_note(rationale: str, comments: list[str]) -> str:
    """The text added to the decision email: the rationale, then the shared reviewers'
    comments as "Reviewer 1: …" (anonymised), in the programme's default language."""
    parts = [rationale.strip()] if rationale and rationale.strip() else []
    if comments:
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            lines = [gettext("Comments from the reviewers:")]
            lines += [gettext("Reviewer %(number)s: %(comment)s", number=number,
                              comment=comment) for number, comment in enumerate(comments, 1)]
        parts.append("\n\n".join(lines))
    return "\n\n".join(parts)


def decide(panel: Panel, applications: list[Application], outcome: Outcome, actor, *,
           rationale: str, method: str = queries.RAW, amount=None,
           amount_reason: str = "") -> list[Decision]:
    """Record ``outcome`` for every application in ``applications`` (all or none). An award
    of one application may set ``amount`` (with ``amount_reason`` when it is not the amount
    requested); otherwise each award is of the amount requested."""
    _require_unlocked(panel)
    rationale = clean_text(rationale, field="rationale", max_length=RATIONALE_MAX,
                           required=_l("Give the rationale for the decision."), multiline=True)
    if not applications:
        raise OperationError(_l("Choose at least one application."), field="application_ids")
    if method not in queries.METHODS:
        raise OperationError(_l("Choose how the ranking is sorted."))
    outcome = Outcome(outcome)
    target = OUTCOME_STATES[outcome]
    if outcome != Outcome.award and amount not in (None, ""):
        raise OperationError(_l("Only an award has an amount: leave the amount empty."),
                             field="amount")
    _lock_fund(panel)
    unique = _reload(list({a.id: a for a in applications}.values()))
    _refuse_repeated_decision(unique, outcome, target)
    conflicted = conflicted_application_ids(panel, actor)
    to_resolve = unresolved_application_ids(panel, [a.id for a in unique])
    for application in unique:
        _check_application(panel, application, target, actor, conflicted)
        if application.id in to_resolve:
            raise OperationError(_l(
                "%(reference)s has a conflict to resolve: a reviewer became conflicted with "
                "it after reviewing it. Programme staff must keep or exclude that review on "
                "the application's reviews page first.",
                reference=application.display_reference), field="application_ids")
    amounts, reason = {}, ""
    if outcome == Outcome.award:
        amounts, reason = _check_decided_amount(panel, unique, amount, amount_reason)
        _check_pool(panel, amounts)

    scores = queries.panel_scores(panel)
    shared: dict[int, list[str]] = {}
    for review in scores.reviews:  # in feedback order, as on the feedback page
        comment = (review.overall_comment or "").strip()
        if review.is_shared_with_applicant and comment:
            shared.setdefault(review.assignment.application_id, []).append(comment)
    existing = queries.decisions_for(a.id for a in unique)
    now = utcnow()
    decisions = []
    for application in unique:
        decision = existing.get(application.id)
        if decision is None:
            decision = Decision(application_id=application.id)
            db.session.add(decision)
        decision.outcome = outcome
        decision.rationale = rationale
        decision.score_at_decision = _score_for_record(scores, application.id, method)
        decision.decided_by_id = actor.id
        decision.decided_at = now
        decision.method = method
        decision.amount = amounts.get(application.id)
        decision.amount_reason = reason
        db.session.flush()
        record(f"decision.{outcome.value}", application, actor=actor,
               summary=f"{application.display_reference}: {outcome.value} "
                       f"(panel {panel.id})",
               data={"decision_id": decision.id, "panel_id": panel.id,
                     "outcome": outcome.value, "rationale": rationale, "method": method,
                     "score": decision.score_at_decision,
                     "amount": decision.amount, "amount_reason": reason,
                     "requested_amount": application.requested_amount,
                     "batch": [a.id for a in unique]})
        note = feedback_note(rationale, shared.get(application.id, []))
        transition(application, target, actor, note=note)
        decisions.append(decision)
    return decisions


# Feedback ----------------------------------------------------------------------------------

def choose_feedback(panel: Panel, application: Application, actor, *,
                    shared_review_ids) -> list[Review]:
    """Share exactly the reviews in ``shared_review_ids`` (their overall comments, without
    the reviewers' names) with the applicant; the others stop being shared."""
    _require_unlocked(panel)
    if application.call_id != panel.call_id:
        raise OperationError(_l("This application is not in this panel's call."))
    lock(application)  # the same choice sent twice at once is recorded once
    reviews = queries.feedback_reviews(panel, application)
    wanted = set(shared_review_ids)
    unknown = wanted - {review.id for review in reviews}
    if unknown:
        raise OperationError(_l("Choose among the submitted reviews of this application."),
                             field="shared")
    if all(review.is_shared_with_applicant == (review.id in wanted) for review in reviews):
        raise AlreadyDone(_l("These are already the reviews shared with the applicant."))
    for review in reviews:
        review.is_shared_with_applicant = review.id in wanted
    db.session.flush()
    shared = [review for review in reviews if review.is_shared_with_applicant]
    record("review.share_feedback", application, actor=actor,
           summary=f"{application.display_reference}: {len(shared)} of {len(reviews)} "
                   f"review(s) shared with the applicant",
           data={"panel_id": panel.id, "shared_review_ids": sorted(r.id for r in shared)})
    return shared


# Locking -----------------------------------------------------------------------------------

def lock_panel(panel: Panel, actor) -> None:
    """Freeze the panel's reviews and decisions."""
    lock(panel)
    if panel.is_locked:
        raise AlreadyDone(_l("The panel is already locked."))
    panel.is_locked = True
    panel.locked_at = utcnow()
    panel.locked_by_id = actor.id
    db.session.flush()
    record("panel.lock", panel, actor=actor,
           summary=f"Panel {panel.id} ({panel.call.title}) locked")


def unlock_panel(panel: Panel, actor) -> None:
    if not is_staff(actor):
        raise OperationError(_l("Only programme staff can unlock a panel."))
    lock(panel)
    if not panel.is_locked:
        raise AlreadyDone(_l("The panel is not locked."))
    locked_at = panel.locked_at
    panel.is_locked = False
    panel.locked_at = None
    panel.locked_by_id = None
    db.session.flush()
    record("panel.unlock", panel, actor=actor,
           summary=f"Panel {panel.id} ({panel.call.title}) unlocked",
           data={"locked_at": locked_at})


# Review reminders --------------------------------------------------------------------------

def _start_of(day: date) -> datetime:
    """The moment ``day`` began in the programme's time zone, in UTC."""
    return from_programme_time(datetime.combine(day, time.min))


def assignments_due_for_reminder(today: date) -> list[ReviewAssignment]:
    """Open assignments without a submitted review, on unlocked panels whose due date (in the
    programme's time zone) is at most three days ahead or already past, for applications
    still in review, not yet reminded today."""
    start_of_today = _start_of(today)
    horizon = _start_of(today + timedelta(days=REMIND_DAYS_BEFORE + 1))
    candidates = db.session.scalars(
        select(ReviewAssignment)
        .join(ReviewAssignment.panel).join(ReviewAssignment.application)
        .outerjoin(ReviewAssignment.review)
        .where(ReviewAssignment.state == AssignmentState.assigned,
               Panel.is_locked.is_(False), Panel.due_at.is_not(None),
               Panel.due_at < horizon,
               Application.state == ApplicationState.in_review,
               (Review.id.is_(None)) | (Review.state != ReviewState.submitted),
               (ReviewAssignment.last_reminded_on.is_(None))
               | (ReviewAssignment.last_reminded_on < start_of_today))
        .options(contains_eager(ReviewAssignment.panel),
                 contains_eager(ReviewAssignment.application),
                 joinedload(ReviewAssignment.reviewer))
        .order_by(ReviewAssignment.reviewer_id, ReviewAssignment.id))
    return [a for a in candidates if a.reviewer is not None and a.reviewer.is_enabled]


def send_review_reminders(today: date | None = None) -> int:
    """Remind each reviewer, in one email, of their reviews due within three days or overdue;
    at most once a day (``last_reminded_on`` records the start of the programme day the
    reminder went out, so a second run the same day sends nothing). Returns the number of
    emails queued."""
    today = today or programme_today()
    due = assignments_due_for_reminder(today)
    by_reviewer: dict[int, list[ReviewAssignment]] = {}
    for assignment in due:
        by_reviewer.setdefault(assignment.reviewer_id, []).append(assignment)
    reminded_on = _start_of(today)
    for assignments in by_reviewer.values():
        reviewer = assignments[0].reviewer
        items = [{"application": a.application, "due_at": a.panel.due_at,
                  "is_late": programme_today(a.panel.due_at) < today} for a in assignments]
        queue_email(reviewer.email, "grants/ranking/review_reminder", locale=reviewer.locale,
                    user=reviewer, items=items, reviews_url=_reviews_url())
        for assignment in assignments:
            assignment.last_reminded_on = reminded_on
        db.session.flush()
        record("review.remind", reviewer, actor=None,
               summary=f"Review reminder to {reviewer.email} for "
                       f"{len(assignments)} application(s)",
               data={"assignment_ids": [a.id for a in assignments], "day": today})
    return len(by_reviewer)


def _reviews_url() -> str:
    """The reviewer's workspace when the reviews pages are installed, else the home page."""
    if "reviews.workspace" in current_app.view_functions:
        return external_url("reviews.workspace")
    return external_url("core.home")
