"""The life of an application, as data.

draft → submitted → eligible | ineligible → in review → awarded | waitlisted | declined;
withdrawn from any state before a decision.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from core import contributions
from core.workflow import Transition, Workflow


class ApplicationState(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"
    eligible = "eligible"
    ineligible = "ineligible"
    in_review = "in_review"
    awarded = "awarded"
    waitlisted = "waitlisted"
    declined = "declined"
    withdrawn = "withdrawn"

    @property
    def title(self) -> str:
        return str(APPLICATION_STATE_TITLES[self])


APPLICATION_STATE_TITLES = {
    ApplicationState.draft: _l("Draft"),
    ApplicationState.submitted: _l("Submitted"),
    ApplicationState.eligible: _l("Eligible"),
    ApplicationState.ineligible: _l("Ineligible"),
    ApplicationState.in_review: _l("In review"),
    ApplicationState.awarded: _l("Awarded"),
    ApplicationState.waitlisted: _l("Waitlisted"),
    ApplicationState.declined: _l("Declined"),
    ApplicationState.withdrawn: _l("Withdrawn"),
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


class EndorsementState(enum.StrEnum):
    pending = "pending"
    endorsed = "endorsed"
    declined = "declined"
    #: The application changed (counterpart, contact, title, summary, budget or period)
    #: after the request or the answer: the endorsement is needed again.
    voided = "voided"

    @property
    def title(self) -> str:
        return str({EndorsementState.pending: _l("Awaiting the counterpart"),
                    EndorsementState.endorsed: _l("Endorsed"),
                    EndorsementState.declined: _l("Declined by the counterpart"),
                    EndorsementState.voided: _l("Endorsement needed again: the application "
                                                "changed")}[self])
