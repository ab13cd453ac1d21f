"""Separation of duties by interest, the one rule (``policies.check_disinterested``): a
member of the applicant or the counterpart organisation, whatever their roles, does not
screen, decide, record a paper endorsement, accept or return reports for the application.
Awards and money: tests/grants/awards/test_separation_of_duties.py."""

from __future__ import annotations

import io

import pytest
from werkzeug.datastructures import FileStorage

from core.errors import OperationError
from grants.applications import operations
from grants.applications.policies import check_disinterested, has_interest
from grants.applications.states import ApplicationState
from tests.fixtures.applications import make_submitted_application

SIDES = ("organisation", "counterpart")


@pytest.fixture
def application(db_session, factories):
    return make_submitted_application(db_session, factories)


def _member(factories, application, side: str, *roles: str):
    user = factories.user(roles=roles or ("staff",))
    factories.member(getattr(application, side), user, "member")
    return user


@pytest.mark.parametrize("role", ["staff", "admin", "finance", "reviewer"])
@pytest.mark.parametrize("side", SIDES)
def test_members_of_either_organisation_are_interested_whatever_their_roles(
        application, factories, side, role):
    member = _member(factories, application, side, role)
    allowed, reason = check_disinterested(member, application)
    assert not allowed and has_interest(member, application)
    assert reason.startswith("You belong to the")
    assert check_disinterested(factories.user(roles=(role,)), application) == (True, "")


@pytest.mark.parametrize("side", SIDES)
def test_screening_is_refused_to_a_member(application, factories, side):
    from grants.screening.operations import record_screening

    member = _member(factories, application, side, "staff", "admin")
    with pytest.raises(OperationError, match="belong to the"):
        record_screening(application, member, eligible=False, reason="Out of scope.")
    assert application.state is ApplicationState.submitted
    assert application.eligibility_check is None


@pytest.mark.parametrize("side", SIDES)
def test_workflow_moves_are_refused_to_a_member(application, factories, db_session, side):
    member = _member(factories, application, side)
    application.state = ApplicationState.eligible
    db_session.flush()
    with pytest.raises(OperationError, match="belong to the"):
        operations.transition(application, ApplicationState.in_review, member)
    application.state = ApplicationState.in_review
    db_session.flush()
    with pytest.raises(OperationError, match="belong to the"):
        operations.transition(application, ApplicationState.awarded, member)
    assert application.state is ApplicationState.in_review


def test_a_paper_endorsement_is_refused_to_a_member_of_the_counterpart(application, factories):
    from grants.endorsements.operations import record_paper_endorsement

    member = _member(factories, application, "counterpart")
    letter = FileStorage(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), filename="letter.pdf")
    with pytest.raises(OperationError, match="belong to the counterpart"):
        record_paper_endorsement(application, member, endorse=True, name="Maria Chen",
                                 position="Director", comment="", file_storage=letter)


def test_accepting_a_report_is_refused_to_a_member(db_session, factories):
    from grants.monitoring import operations as monitoring
    from tests.grants.monitoring.conftest import make_grant, submitted

    grant = make_grant(db_session, factories)
    submitted(db_session, grant.midterm)
    member = _member(factories, grant.application, "organisation")
    with pytest.raises(OperationError, match="belong to the applicant"):
        monitoring.accept_report(grant.midterm, member)
    with pytest.raises(OperationError, match="belong to the applicant"):
        monitoring.return_report(grant.midterm, member, comment="Add receipts.")


@pytest.mark.parametrize("side", SIDES)
def test_the_routes_answer_403_and_the_page_says_why(application, factories, client,
                                                     login_as, side):
    member = login_as("staff")
    factories.member(getattr(application, side), member, "member")
    assert client.get(f"/staff/applications/{application.id}/screening").status_code == 403
    assert client.post(f"/staff/applications/{application.id}/screening",
                       data={"outcome": "ineligible", "reason": "No."}).status_code == 403
    assert client.get(f"/staff/applications/{application.id}/endorsement/paper"
                      ).status_code == 403
    assert client.post(f"/staff/applications/{application.id}/transition",
                       data={"target": "eligible"}).status_code == 403
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "You belong to the" in page
    assert f"/staff/applications/{application.id}/screening" not in page
    assert f"/staff/applications/{application.id}/endorsement/paper" not in page
    assert application.state is ApplicationState.submitted


def test_staff_without_an_interest_get_the_buttons(application, client, login_as):
    login_as("staff")
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "You belong to the" not in page
    assert f"/staff/applications/{application.id}/screening" in page
    assert f"/staff/applications/{application.id}/endorsement/paper" in page
