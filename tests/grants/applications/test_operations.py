from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accounts.organisations.models import Sector
from core.audit.models import AuditEntry
from core.errors import OperationError
from core.outbox.models import OutboxMessage
from core.timeutil import utcnow
from grants.applications import operations
from grants.applications.checks import missing_items, submission_problems
from grants.applications.models import Application, BudgetLine, EndorsementState
from grants.applications.states import ApplicationState


def test_start_creates_a_draft_for_a_civil_society_organisation(draft, applicant_org):
    assert draft.state == ApplicationState.draft
    assert draft.organisation is applicant_org and draft.reference is None


def test_one_active_application_per_organisation(draft, open_call, applicant, applicant_org):
    with pytest.raises(OperationError) as error:
        operations.start_application(open_call, applicant_org, applicant)
    assert "already has an application" in str(error.value.message)


def test_a_second_application_is_allowed_when_the_call_permits_it(draft, open_call, applicant,
                                                                  applicant_org):
    open_call.is_one_application_per_organisation = False
    assert operations.start_application(open_call, applicant_org, applicant) is not draft


def test_only_civil_society_applies(open_call, applicant, factories):
    company = factories.organisation(sector=Sector.private)
    with pytest.raises(OperationError):
        operations.start_application(open_call, company, applicant)


def test_cannot_start_on_a_closed_call(open_call, applicant, applicant_org):
    open_call.closes_at = utcnow() - timedelta(seconds=1)
    with pytest.raises(OperationError):
        operations.start_application(open_call, applicant_org, applicant)


@pytest.mark.parametrize("amount", [Decimal("0.00"), Decimal("-5.00"), Decimal("5000.01")])
def test_requested_amount_limits(draft, applicant, amount):
    with pytest.raises(OperationError) as error:
        operations.save_budget(draft, applicant, requested_amount=amount, lines=[])
    assert error.value.field == "requested_amount"


def test_budget_lines_must_sum_exactly_to_the_requested_amount(draft, applicant, complete):
    complete(draft, applicant)
    assert submission_problems(draft) == []
    draft.budget_lines[1].amount = Decimal("1999.99")
    problems = submission_problems(draft)
    assert [p.section for p in problems] == ["budget"]
    assert "add up to" in str(problems[0].message)
    with pytest.raises(OperationError):
        operations.submit(draft, applicant)
    assert draft.state == ApplicationState.draft


def test_counterpart_must_be_a_government_organisation(draft, applicant, factories):
    ngo = factories.organisation(sector=Sector.civil_society)
    with pytest.raises(OperationError) as error:
        operations.save_counterpart(draft, applicant, organisation=ngo, proposed_name="",
                                    contact_name="X", contact_position="Y",
                                    contact_email="x@example.org")
    assert error.value.field == "organisation_id"


def test_proposing_a_new_counterpart_adds_an_unverified_government_body(draft, applicant):
    operations.save_counterpart(draft, applicant, organisation=None,
                                proposed_name="Belize Open Data Unit", contact_name="Lee",
                                contact_position="Head", contact_email="lee@gov.example.bz")
    assert draft.counterpart.sector == Sector.government
    assert draft.counterpart.is_verified is False


def test_submit_gives_sequential_references_and_locks(db_session, open_call, applicant,
                                                     factories, draft, complete):
    complete(draft, applicant)
    operations.submit(draft, applicant)
    year = utcnow().year
    assert draft.reference == f"OGB-{year}-0001"
    assert draft.state == ApplicationState.submitted and draft.submitted_at is not None
    with pytest.raises(OperationError):
        operations.save_project(draft, applicant, title="Changed", summary="", problem="",
                                objectives="", duration_months=1, thematic_areas=[])
    # A second organisation's application gets the next number.
    other_user = factories.user()
    other_org = factories.organisation(sector=Sector.civil_society)
    factories.member(other_org, other_user, "owner")
    second = operations.start_application(open_call, other_org, other_user)
    complete(second, other_user)
    operations.submit(second, other_user)
    assert second.reference == f"OGB-{year}-0002"


def test_submit_emails_the_applicant_and_asks_the_counterpart(db_session, draft, applicant,
                                                             complete):
    complete(draft, applicant)
    operations.submit(draft, applicant)
    kinds = {(m.recipient, m.kind) for m in db_session.scalars(select(OutboxMessage))}
    assert (applicant.email, "grants.applications.submitted") in kinds
    assert ("carlos@gov.example.bz", "grants.endorsements.request") in kinds
    assert draft.endorsement.state == EndorsementState.pending
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.action == "application.submit"))


def test_submission_one_second_after_closing_is_refused_and_the_draft_stays(
        draft, applicant, complete, db_session):
    complete(draft, applicant)
    draft.call.closes_at = utcnow() - timedelta(seconds=1)
    with pytest.raises(OperationError) as error:
        operations.submit(draft, applicant)
    assert "closed" in str(error.value.message)
    assert draft.state == ApplicationState.draft and draft.reference is None
    assert draft.title == "Open budgets for Cayo"


def test_submission_just_before_closing_is_accepted(draft, applicant, complete):
    complete(draft, applicant)
    draft.call.closes_at = utcnow() + timedelta(seconds=5)
    operations.submit(draft, applicant)
    assert draft.state == ApplicationState.submitted


def test_missing_items_name_every_section(draft):
    sections = {problem.section for problem in missing_items(draft)}
    assert sections == {"project", "plan", "beneficiaries", "budget", "counterpart",
                        "documents", "declarations"}


def test_summary_over_300_words_blocks_submission(draft, applicant, complete):
    complete(draft, applicant)
    draft.summary = "word " * 301
    assert any("300 words" in str(p.message) for p in missing_items(draft))


def test_withdraw_until_a_decision(draft, applicant, complete, db_session):
    complete(draft, applicant)
    operations.submit(draft, applicant)
    operations.withdraw(draft, applicant, reason="Changed plans")
    assert draft.state == ApplicationState.withdrawn and draft.withdrawn_at is not None


def test_withdraw_refused_after_a_decision(draft, applicant, complete, factories):
    complete(draft, applicant)
    operations.submit(draft, applicant)
    draft.state = ApplicationState.awarded
    with pytest.raises(OperationError):
        operations.withdraw(draft, applicant)


def test_staff_transitions_follow_the_table(draft, applicant, complete, factories):
    staff = factories.user(roles=("staff",))
    complete(draft, applicant)
    operations.submit(draft, applicant)
    with pytest.raises(OperationError):  # not screened yet
        operations.transition(draft, ApplicationState.eligible, staff)
    with pytest.raises(OperationError):  # not a step in the table
        operations.transition(draft, ApplicationState.awarded, staff)
    with pytest.raises(OperationError):  # applicants cannot screen
        operations.transition(draft, ApplicationState.ineligible, applicant)


def test_attachment_for_the_same_document_replaces_the_old_one(draft, applicant, complete,
                                                               db_session):
    from tests.grants.applications.conftest import upload
    complete(draft, applicant)
    document = draft.call.required_documents[0]
    operations.attach_document(draft, applicant, file_storage=upload("new.pdf"),
                               required_document=document)
    names = [a.stored_file.original_name for a in draft.attachments]
    assert names == ["new.pdf"]


def test_upload_whose_content_does_not_match_its_name_is_refused(draft, applicant, app,
                                                                  monkeypatch, tmp_path):
    from tests.grants.applications.conftest import upload
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path))
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    with pytest.raises(OperationError) as error:
        operations.attach_document(draft, applicant, file_storage=upload("budget.pdf", png),
                                   required_document=None)
    assert error.value.field == "file"
    assert draft.attachments == []


def test_budget_lines_are_decimal_and_saved_in_order(draft, applicant, db_session):
    operations.save_budget(draft, applicant, requested_amount=Decimal("100.10"), lines=[
        {"category": "other", "description": "A", "amount": Decimal("100.05")},
        {"category": "other", "description": "B", "amount": Decimal("0.05")}])
    db_session.expire_all()
    lines = db_session.scalars(select(BudgetLine).order_by(BudgetLine.position)).all()
    assert [line.amount for line in lines] == [Decimal("100.05"), Decimal("0.05")]
    assert isinstance(lines[0].amount, Decimal)
    assert db_session.scalar(select(func.count()).select_from(Application)) == 1
