"""Recording the screening of an application. Operations flush and never commit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.audit.operations import record
from core.errors import OperationError
from core.extensions import db
from core.locking import AlreadyDone, lock
from core.timeutil import utcnow
from core.validation import clean_text
from grants.applications.models import Application, EligibilityCheck
from grants.applications.operations import transition
from grants.applications.states import ApplicationState
from grants.screening.policies import can_screen
from grants.screening.queries import build_checklist, failing_items

REASON_MAX = 5000
NOTE_MAX = 500


def _clean_notes(notes: dict | None, checklist: list[dict]) -> dict[str, str]:
    """Staff's notes, kept only for items of this checklist."""
    keys = {item["key"] for item in checklist}
    cleaned = {}
    for key, value in (notes or {}).items():
        if key not in keys:
            continue
        value = clean_text(value, field=f"note_{key}", max_length=NOTE_MAX)
        if value:
            cleaned[key] = value
    return cleaned


def already_screened_so(application: Application, eligible: bool) -> bool:
    """Whether the application was screened with this outcome already (a repeated request)."""
    check = application.eligibility_check
    return (application.state in (ApplicationState.eligible, ApplicationState.ineligible)
            and check is not None and check.is_eligible == bool(eligible))


def record_screening(application: Application, actor, *, eligible: bool, reason: str,
                     notes: dict | None = None) -> EligibilityCheck:
    """Save the checklist as staff saw it, with their notes and the outcome, then move the
    application to eligible or ineligible (which tells the applicant, with the reason).

    Ineligible always needs a reason. Eligible needs one too when an automatic check fails:
    that is an override, and the audit entry says so.

    The application's row is locked first: of two identical screenings sent at once, the
    second waits and then finds the first one's outcome (``AlreadyDone``)."""
    lock(application)
    db.session.expire(application, ["eligibility_check"])
    if already_screened_so(application, eligible):
        raise AlreadyDone(_l("%(reference)s has already been screened: it is “%(state)s”.",
                             reference=application.display_reference,
                             state=application.state.title))
    allowed, why = can_screen(actor, application)
    if not allowed:
        raise OperationError(why)
    if application.state != ApplicationState.submitted:
        raise OperationError(_l("Only submitted applications can be screened; this one is "
                                "“%(state)s”.", state=application.state.title))
    reason = clean_text(reason, field="reason", max_length=REASON_MAX, multiline=True)
    checklist = build_checklist(application)
    failing = failing_items(checklist)
    if not eligible and not reason:
        raise OperationError(_l("Give the reason the application is ineligible; it is sent to "
                                "the applicant."), field="reason")
    override = bool(eligible and failing)
    if override and not reason:
        raise OperationError(_l("Some checks are not met. To mark the application eligible "
                                "anyway, write the reason."), field="reason")
    cleaned_notes = _clean_notes(notes, checklist)
    snapshot = [{"key": item["key"], "item": item["label"], "ok": item["ok"],
                 "detail": item["detail"], "note": cleaned_notes.get(item["key"], "")}
                for item in checklist]

    check = application.eligibility_check
    if check is None:
        check = EligibilityCheck(application=application)
        db.session.add(check)
    check.checked_by_id = actor.id
    check.checked_at = utcnow()
    check.is_eligible = bool(eligible)
    check.reason = reason
    check.checklist = snapshot
    db.session.flush()

    failed_keys = [item["key"] for item in failing]
    record("screening.override" if override else "screening.record", application,
           actor=actor,
           summary=(f"{application.display_reference}: marked eligible although "
                    f"{len(failing)} check(s) failed" if override else
                    f"{application.display_reference}: screened "
                    f"{'eligible' if eligible else 'ineligible'}"),
           data={"eligible": bool(eligible), "reason": reason, "override": override,
                 "failed": failed_keys, "check_id": check.id})
    transition(application,
               ApplicationState.eligible if eligible else ApplicationState.ineligible,
               actor, note=reason)
    return check
