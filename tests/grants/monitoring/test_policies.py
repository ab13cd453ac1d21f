from __future__ import annotations

import pytest

from grants.awards.states import AwardState
from grants.monitoring import policies
from grants.monitoring.states import ReportState


class Anonymous:
    is_authenticated = False
    memberships = ()


def _allowed(decision) -> bool:
    allowed, reason = decision
    assert allowed or reason  # a refusal always says why
    return allowed


def test_reports_are_for_the_grantee_staff_and_finance(grant, other_grant, staff, finance,
                                                       factories):
    report = grant.midterm
    # Finance read the reports whose acceptance releases the tranches they pay.
    for user in (grant.owner, grant.member, staff, factories.user(roles=("admin",)), finance):
        assert _allowed(policies.can_view_report(user, report))
        assert not _allowed(policies.can_edit_report(user, report)) or user in (
            grant.owner, grant.member)
    for user in (other_grant.owner, factories.user(roles=("donor",)),
                 factories.user(roles=("reviewer",)), Anonymous()):
        assert not _allowed(policies.can_view_report(user, report))


def test_only_grantee_members_write_reports(grant, other_grant, staff):
    report = grant.midterm
    assert _allowed(policies.can_edit_report(grant.member, report))
    assert not _allowed(policies.can_edit_report(staff, report))
    assert not _allowed(policies.can_edit_report(other_grant.owner, report))
    assert not _allowed(policies.can_edit_report(Anonymous(), report))


@pytest.mark.parametrize(("state", "editable"), [
    (ReportState.due, True), (ReportState.returned, True),
    (ReportState.submitted, False), (ReportState.accepted, False)])
def test_reports_are_written_while_due_or_returned(grant, state, editable):
    grant.midterm.state = state
    assert _allowed(policies.report_is_editable(grant.midterm)) is editable
    assert _allowed(policies.can_edit_report(grant.owner, grant.midterm)) is editable


@pytest.mark.parametrize(("award_state", "editable"), [
    (AwardState.pending_signature, False), (AwardState.active, True),
    (AwardState.suspended, True), (AwardState.closed, False), (AwardState.terminated, False)])
def test_reports_are_written_while_the_award_runs(grant, award_state, editable):
    grant.award.state = award_state
    assert _allowed(policies.report_is_editable(grant.midterm)) is editable


def test_staff_review_add_and_close(grant, staff, finance, factories):
    admin = factories.user(roles=("admin",))
    for policy in (policies.can_review_reports, policies.can_add_report,
                   policies.can_close_out):
        assert _allowed(policy(staff, grant.award)) and _allowed(policy(admin, grant.award))
        for user in (grant.owner, finance, Anonymous()):
            assert not _allowed(policy(user, grant.award))


def test_budget_for_grantee_staff_and_finance(grant, other_grant, staff, finance, factories):
    for user in (grant.owner, grant.member, staff, finance):
        assert _allowed(policies.can_view_budget(user, grant.award))
    for user in (other_grant.owner, factories.user(roles=("donor",)), Anonymous()):
        assert not _allowed(policies.can_view_budget(user, grant.award))


def test_dashboards(grant, staff, finance, factories):
    assert _allowed(policies.can_view_finance_dashboard(staff))
    assert _allowed(policies.can_view_finance_dashboard(finance))
    for user in (grant.owner, factories.user(roles=("donor",)), Anonymous()):
        assert not _allowed(policies.can_view_finance_dashboard(user))
    assert _allowed(policies.can_view_my_grants(factories.user(roles=("reviewer",))))
    assert not _allowed(policies.can_view_my_grants(Anonymous()))


def test_finance_read_the_awarded_application_behind_a_grant(grant, finance, factories):
    from grants.applications import policies as application_policies
    from grants.applications.states import ApplicationState

    application = grant.award.application
    assert application.state == ApplicationState.awarded
    assert _allowed(application_policies.can_view(finance, application))
    assert not _allowed(application_policies.can_edit(finance, application))
    application.state = ApplicationState.submitted  # not (yet) money of theirs
    assert not _allowed(application_policies.can_view(finance, application))
