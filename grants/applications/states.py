"""The life of an application, as data.

draft → submitted → eligible | ineligible → in review → awarded | waitlisted | declined;
withdrawn from any state before a decision.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core import contributions
from core.enums import TitledEnum
from core.workflow import Transition, Workflow


class ApplicationState(TitledEnum):
    draft = "draft"
    submitted = "submitted"
    eligible = "eligible"
    ineligible = "ineligible"
    in_review = "in_review"
    awarded = "awarded"
    waitlisted = "waitlisted"
    declined = "declined"
    withdrawn = "withdrawn"

    __titles__ = {
        draft: _l("Draft"),
        submitted: _l("Submitted"),
        eligible: _l("Eligible"),
        ineligible: _l("Ineligible"),
        in_review: _l("In review"),
        awarded: _l("Awarded"),
        waitlisted: _l("Waitlisted"),
        declined: _l("Declined"),
        withdrawn: _l("Withdrawn"),
    }


#: States in which the application still counts as the organisation's active application.
ACTIVE_STATES = frozenset(ApplicationState) - {
    ApplicationState.ineligible, ApplicationState.declined, ApplicationState.withdrawn}
DECIDED_STATES = frozenset({ApplicationState.awarded, ApplicationState.waitlisted,
                            ApplicationState.declined})


def _applicant(user, application):
    from grants.applications.policies import is_applicant_member
    return is_applicant_member(user, application)


def _staff(user, application):
    from grants.applications.policies import can_screen
    return can_screen(user, application)


def _decider(user, application):
    """Award, waitlist and decline: staff, or the chair of the call's review panel."""
    # Ranking decides (grants.ranking.policies); it comes later in the pipeline.
    return contributions.ask("application.can_decide", user, application)


def _complete_and_open(application):
    from grants.applications.checks import submission_problems
    problems = submission_problems(application)
    if problems:
        return False, str(problems[0].message)
    return True, ""


def _screening_passed(application):
    check = application.eligibility_check
    if check is None or not check.is_eligible:
        return False, str(_l("Record an eligible screening outcome first."))
    return True, ""


def _has_reason(application):
    check = application.eligibility_check
    if check is None or check.is_eligible or not check.reason:
        return False, str(_l("Give the reason the application is ineligible."))
    return True, ""


_D = ApplicationState
_withdrawable = [_D.draft, _D.submitted, _D.eligible, _D.in_review, _D.waitlisted]

APPLICATION_WORKFLOW = Workflow("application", [
    Transition("submit", _D.draft, _D.submitted, _applicant, _complete_and_open),
    Transition("mark_eligible", _D.submitted, _D.eligible, _staff, _screening_passed),
    Transition("mark_ineligible", _D.submitted, _D.ineligible, _staff, _has_reason),
    Transition("send_to_review", _D.eligible, _D.in_review, _staff),
    Transition("award", [_D.in_review, _D.waitlisted], _D.awarded, _decider),
    Transition("waitlist", _D.in_review, _D.waitlisted, _decider),
    Transition("decline", [_D.in_review, _D.waitlisted], _D.declined, _decider),
    Transition("withdraw", _withdrawable, _D.withdrawn, _applicant),
])


class EndorsementState(TitledEnum):
    pending = "pending"
    endorsed = "endorsed"
    declined = "declined"
    #: The application changed (counterpart, contact, title, summary, budget or period)
    #: after the request or the answer: the endorsement is needed again.
    voided = "voided"

    __titles__ = {
        pending: _l("Awaiting the counterpart"),
        endorsed: _l("Endorsed"),
        declined: _l("Declined by the counterpart"),
        voided: _l("Endorsement needed again: the application changed"),
    }
