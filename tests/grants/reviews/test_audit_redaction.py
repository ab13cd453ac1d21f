"""The audit log hides what entries about an application say from readers conflicted with
it (declared with the application, declared with its organisation in the panel, or member
of the applicant or counterpart organisation): review revisions carry the scores."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from core.audit.operations import record
from core.extensions import db
from core.timeutil import utcnow
from grants.reviews.conflicts import can_see_assessment
from grants.reviews.models import ConflictDeclaration, Panel, Review, ReviewAssignment
from grants.reviews.states import Recommendation, ReviewState
from tests.fixtures.applications import make_submitted_application

SECRET = "Scores nine, strong budget"


def _reviewed(session, factories, panel=None):
    """An application in review with a submitted review, and the entries its review and its
    decision write."""
    application = make_submitted_application(session, factories, state="in_review")
    panel = panel or Panel(call=application.call)
    reviewer = factories.user(roles=("reviewer",))
    assignment = ReviewAssignment(panel=panel, application=application, reviewer=reviewer)
    review = Review(assignment=assignment, state=ReviewState.submitted, overall_comment="",
                    recommendation=Recommendation.fund, submitted_at=utcnow())
    session.add_all([panel, assignment, review])
    session.flush()
    record("review.revise", review, actor=reviewer, summary=f"Revised: {SECRET}",
           data={"assignment_id": assignment.id, "application_id": application.id,
                 "scores": {"1": 9}})
    record("assignment.decline", assignment, actor=reviewer, summary=f"Declined: {SECRET}")
    record("decision.award", application, summary=f"Decided: {SECRET}",
           data={"panel_id": panel.id, "score": 90.0})
    return application, panel


@pytest.fixture
def reviewed(db_session, factories):
    return _reviewed(db_session, factories)


def _page(client, **query) -> str:
    return client.get("/admin/audit", query_string=query).get_data(as_text=True)


@pytest.mark.parametrize("how", ["applicant", "counterpart", "declared application",
                                 "declared organisation"])
def test_conflicted_staff_see_who_and_when_but_not_what(how, reviewed, client, login_as,
                                                        factories, db_session):
    application, panel = reviewed
    reader = login_as("staff")
    if how == "applicant":
        factories.member(application.organisation, reader, "member")
    elif how == "counterpart":
        factories.member(application.counterpart, reader, "member")
    else:
        db_session.add(ConflictDeclaration(
            panel=panel, reviewer_id=reader.id, reason="Former employer",
            **({"application_id": application.id} if how == "declared application"
               else {"organisation_id": application.organisation_id})))
    db_session.flush()
    page = _page(client)
    assert SECRET not in page and '"scores"' not in page
    assert page.count("You have a conflict of interest with this application.") == 3
    assert "review.revise" in page and "decision.award" in page
    assert not can_see_assessment(reader, application)[0]


def test_staff_without_a_conflict_read_everything(reviewed, client, login_as):
    application, _panel = reviewed
    reader = login_as("staff")
    page = _page(client)
    assert page.count(SECRET) == 3 and '"scores"' in page
    assert can_see_assessment(reader, application) == (True, "")


def test_only_the_conflicted_application_is_hidden(reviewed, client, login_as, factories,
                                                   db_session):
    application, _panel = reviewed
    _reviewed(db_session, factories)
    reader = login_as("staff")
    factories.member(application.counterpart, reader, "member")
    assert _page(client).count(SECRET) == 3


def test_the_log_takes_as_many_queries_for_many_applications_as_for_one(
        reviewed, client, login_as, factories, db_session):
    reader = login_as("admin")
    factories.member(reviewed[0].organisation, reader, "member")

    def queries() -> int:
        statements = []

        def count(*_args):
            statements.append(1)

        engine = db.session.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get("/admin/audit").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    few = queries()
    for _ in range(4):
        _reviewed(db_session, factories)
    db_session.flush()
    assert queries() == few
