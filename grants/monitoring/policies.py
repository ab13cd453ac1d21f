"""Who may do what with progress reports, budgets, close-out and the dashboards.

The grantee is the applicant organisation of the award's application: its members write and
submit the reports. Programme staff (administrators count as staff) read every report,
accept or return it, add reports and close awards. Finance reads budgets and the dashboard.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from accounts.policies import is_staff
from accounts.states import Role
from core.access import ALLOW, Decision
from core.policies import signed_in
from grants.applications.policies import check_disinterested
from grants.awards.states import AwardState
from grants.monitoring.states import ReportState

#: Reports the grantee may still write: not yet submitted, or returned for changes.
EDITABLE_STATES = frozenset({ReportState.due, ReportState.returned})
#: Awards under which reports are written (not before signature, not after the end).
REPORTING_AWARD_STATES = frozenset({AwardState.active, AwardState.suspended})


def _is_finance(user) -> bool:
    return signed_in(user) and user.has_role(Role.finance)


def is_member_of(user, organisation_id: int | None) -> bool:
    if not signed_in(user) or organisation_id is None:
        return False
    return any(membership.organisation_id == organisation_id
               for membership in user.memberships)


def is_grantee_member(user, award) -> Decision:
    """Members of the award's applicant organisation act for the grantee."""
    if is_member_of(user, award.application.organisation_id):
        return ALLOW
    return False, str(_l("Only members of the grantee organisation can do this."))


def can_view_my_grants(user) -> Decision:
    if signed_in(user):
        return ALLOW
    return False, str(_l("Sign in first."))


def can_view_report(user, report) -> Decision:
    """Staff and the grantee; finance read the reports behind the tranches they release."""
    if is_staff(user) or _is_finance(user) \
            or is_member_of(user, report.award.application.organisation_id):
        return ALLOW
    return False, str(_l("You cannot see this report."))


def report_is_editable(report) -> Decision:
    """Whether the report can be written now, whoever asks (the reason is shown as is)."""
    if report.award.state not in REPORTING_AWARD_STATES:
        return False, str(_l("Reports can only be written while the award is active."))
    if report.state == ReportState.submitted:
        return False, str(_l("This report has been submitted and is waiting for the "
                             "programme team's review. It can be changed only if it is "
                             "returned to you."))
    if report.state == ReportState.accepted:
        return False, str(_l("This report has been accepted and can no longer be changed."))
    return ALLOW


def can_edit_report(user, report) -> Decision:
    allowed, reason = is_grantee_member(user, report.award)
    if not allowed:
        return allowed, reason
    return report_is_editable(report)


def can_review_reports(user, report=None) -> Decision:
    """Accept or return a report (or add one to an award): staff, never for an organisation
    they belong to."""
    if not is_staff(user):
        return False, str(_l("Only programme staff can accept or return reports."))
    if report is not None:
        award = getattr(report, "award", report)
        return check_disinterested(user, award.application)
    return ALLOW


def can_add_report(user, award=None) -> Decision:
    if is_staff(user):
        return ALLOW
    return False, str(_l("Only programme staff can add reports."))


def can_view_budget(user, award) -> Decision:
    if (is_staff(user) or _is_finance(user)
            or is_member_of(user, award.application.organisation_id)):
        return ALLOW
    return False, str(_l("You cannot see this award's budget."))


def can_close_out(user, award=None) -> Decision:
    """Close an award: staff, never for an organisation they belong to."""
    if not is_staff(user):
        return False, str(_l("Only programme staff can close awards."))
    if award is not None:
        return check_disinterested(user, award.application)
    return ALLOW


def can_view_finance_dashboard(user) -> Decision:
    if is_staff(user) or _is_finance(user):
        return ALLOW
    return False, str(_l("Only programme staff and finance can see the dashboard."))
