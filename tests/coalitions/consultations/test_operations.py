from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coalitions.consultations import moderation, operations, queries
from coalitions.consultations.models import (
    Comment,
    ParticipationProfile,
    Proposal,
    Support,
)
from coalitions.consultations.states import Phase, ResponseKind, phase_at
from core.audit.models import AuditEntry
from core.errors import OperationError
from core.locking import AlreadyDone
from core.timeutil import utcnow
from reporting.disclosure import Fewer
from tests.coalitions.consultations.conftest import PROPOSAL, open_consultation


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(("email", "key"), [
    ("Ana.Citizen@Example.org", "ana.citizen@example.org"),
    ("ana+news@example.org", "ana@example.org"),
    ("a.n.a+x@gmail.com", "ana@gmail.com"),
    ("A.N.A@GoogleMail.com", "ana@gmail.com"),
])
def test_email_key_normalises_the_mailbox(email, key):
    assert operations.email_key(email) == key


def test_phases_follow_the_dates(consultation):
    now = utcnow()
    assert phase_at(consultation, now) == Phase.open
    assert phase_at(consultation, now - timedelta(days=2)) == Phase.upcoming
    assert phase_at(consultation, now + timedelta(days=8)) == Phase.closed


def test_closing_before_opening_is_refused(staff, plan):
    now = utcnow()
    with pytest.raises(OperationError) as error:
        open_consultation(staff, plan, opens_at=now, closes_at=now)
    assert error.value.field == "closes_at"


def test_translations_are_kept(staff, plan):
    item = open_consultation(staff, plan, translations={
        "es": {"title": "Opine", "description": "Cuéntenos."}})
    assert item.text_in("title", "es") == "Opine"


def test_propose_records_a_profile_and_an_audit_entry(consultation, citizen, db_session):
    proposal = operations.propose(consultation, citizen, sex="female", **PROPOSAL)
    profile = db_session.scalar(select(ParticipationProfile))
    assert profile.user_id == citizen.id and profile.sex.value == "female"
    assert db_session.scalar(select(AuditEntry).where(
        AuditEntry.action == "consultation.propose")).object_id == str(proposal.id)


def test_the_same_proposal_twice_is_one(consultation, citizen, db_session):
    first = operations.propose(consultation, citizen, **PROPOSAL)
    with pytest.raises(AlreadyDone) as done:
        operations.propose(consultation, citizen, **PROPOSAL)
    assert done.value.existing.id == first.id
    assert _count(db_session, Proposal) == 1


def test_a_proposal_needs_an_institution(consultation, citizen):
    with pytest.raises(OperationError) as error:
        operations.propose(consultation, citizen, **{**PROPOSAL, "institution_name": ""})
    assert error.value.field == "institution_name"


@pytest.mark.parametrize("shift", [timedelta(days=-30), timedelta(days=30)])
def test_outside_the_dates_everything_is_refused(staff, plan, commitment, citizen, shift):
    now = utcnow() + shift
    item = open_consultation(staff, plan, opens_at=now, closes_at=now + timedelta(days=1))
    for action in (lambda: operations.propose(item, citizen, **PROPOSAL),
                   lambda: operations.comment(item, citizen, "Hi", commitment=commitment),
                   lambda: operations.support(item, citizen, commitment=commitment)):
        with pytest.raises(OperationError) as error:
            action()
        assert "consultation" in str(error.value.message)


def test_an_unconfirmed_account_cannot_take_part(consultation, factories):
    with pytest.raises(OperationError):
        operations.propose(consultation, factories.user(confirmed=False), **PROPOSAL)


def test_daily_cap_counts_proposals_and_comments(app, consultation, proposal, citizen,
                                                  monkeypatch):
    monkeypatch.setitem(app.config, "CONSULTATION_DAILY_CAP", 3)
    operations.comment(consultation, citizen, "One", proposal=proposal)
    operations.comment(consultation, citizen, "Two", proposal=proposal)
    with pytest.raises(OperationError) as error:
        operations.comment(consultation, citizen, "Three", proposal=proposal)
    assert "tomorrow" in str(error.value.message)


def test_support_once_per_account(consultation, proposal, factories, db_session):
    bob = factories.user(email="bob@example.org")
    operations.support(consultation, bob, proposal=proposal)
    with pytest.raises(AlreadyDone):
        operations.support(consultation, bob, proposal=proposal)
    assert _count(db_session, Support) == 1


def test_a_second_account_on_the_same_mailbox_cannot_support_again(consultation, proposal,
                                                                    factories, db_session):
    operations.support(consultation, factories.user(email="j.doe@gmail.com"), proposal=proposal)
    twin = factories.user(email="JDoe+again@googlemail.com")
    with pytest.raises(AlreadyDone):
        operations.support(consultation, twin, proposal=proposal)
    assert _count(db_session, Support) == 1


def test_a_commitment_of_another_plan_is_refused(consultation, staff, citizen):
    from coalitions.plans import operations as plan_operations
    other = plan_operations.create_plan(staff, title="Other", country="BZ",
                                        starts_on=consultation.plan.starts_on,
                                        ends_on=consultation.plan.ends_on)
    foreign = plan_operations.create_commitment(other, staff, title="Elsewhere")
    with pytest.raises(OperationError):
        operations.support(consultation, citizen, commitment=foreign)


def test_hiding_keeps_the_text_in_the_audit_log_and_resolves_reports(
        consultation, proposal, citizen, staff, factories, db_session):
    comment = operations.comment(consultation, citizen, "Rude words", proposal=proposal)
    report = operations.report_abuse(factories.user(), comment=comment, reason="Insulting")
    moderation.hide_comment(comment, staff, "Insults another participant")
    entry = db_session.scalar(select(AuditEntry).where(
        AuditEntry.action == "consultation.hide_comment"))
    assert entry.data["hidden_text"] == {"body": "Rude words"}
    assert report.resolved_at is not None and report.outcome == "hidden"
    with pytest.raises(AlreadyDone):
        moderation.hide_comment(comment, staff, "Again")


def test_one_report_per_person_and_item(proposal, factories):
    reporter = factories.user()
    operations.report_abuse(reporter, proposal=proposal, reason="Spam")
    with pytest.raises(AlreadyDone):
        operations.report_abuse(reporter, proposal=proposal, reason="Spam again")


def test_declining_needs_a_reason_and_merging_a_commitment(proposal, staff, commitment):
    with pytest.raises(OperationError) as error:
        moderation.respond(proposal, staff, kind="declined", text="")
    assert error.value.field == "text"
    with pytest.raises(OperationError) as error:
        moderation.respond(proposal, staff, kind="merged", commitment_id=None)
    assert error.value.field == "commitment_id"
    moderation.respond(proposal, staff, kind="merged", commitment_id=commitment.id)
    assert proposal.response == ResponseKind.merged
    assert proposal.response_commitment_id == commitment.id
    with pytest.raises(AlreadyDone):
        moderation.respond(proposal, staff, kind="merged", commitment_id=commitment.id)


def test_publishing_waits_for_every_response_and_the_close(consultation, proposal, staff,
                                                           db_session):
    with pytest.raises(OperationError):  # still open
        moderation.publish_summary(consultation, staff)
    consultation.opens_at = utcnow() - timedelta(days=10)
    consultation.closes_at = utcnow() - timedelta(days=1)
    db_session.flush()
    with pytest.raises(OperationError) as error:
        moderation.publish_summary(consultation, staff)
    assert "1 proposal still has no response" in str(error.value.message)
    moderation.respond(proposal, staff, kind="accepted")
    moderation.publish_summary(consultation, staff)
    assert consultation.summary_published_at is not None


def test_numbers_count_people_once(consultation, proposal, citizen, factories, db_session):
    from accounts.organisations.models import Sector
    org = factories.organisation(sector=Sector.academic)
    bob = factories.user()
    operations.comment(consultation, bob, "Yes", proposal=proposal, sex="female",
                       organisation_id=org.id)
    operations.support(consultation, bob, proposal=proposal)
    operations.support(consultation, citizen, proposal=proposal)
    hidden = operations.comment(consultation, citizen, "No", proposal=proposal)
    moderation.hide_comment(hidden, factories.user(roles=("staff",)), "Off topic")
    numbers = queries.numbers(consultation)
    assert (numbers.proposals, numbers.comments, numbers.participants, numbers.supporters,
            numbers.women) == (1, 1, 2, 2, 1)
    assert numbers.sectors == {"academic": 1}


def test_people_counts_are_withheld_below_five_for_the_public(app, consultation, proposal,
                                                               staff):
    from flask_login import AnonymousUserMixin
    numbers = queries.numbers(consultation)
    shown = numbers.for_reader(AnonymousUserMixin())
    assert isinstance(shown["participants"], Fewer)
    assert shown["proposals"] == 1
    assert numbers.for_reader(staff)["participants"] == 1


def test_women_are_withheld_with_the_rest_of_the_participants():
    """Five women of six participants would name the one man: both are withheld, as the
    indicators withhold a share with its complement."""
    from flask_login import AnonymousUserMixin
    numbers = queries.Numbers(participants=6, women=5)
    shown = numbers.for_reader(AnonymousUserMixin())
    assert shown["participants"] == 6
    assert isinstance(shown["women"], Fewer)
    assert queries.Numbers(participants=12, women=6).for_reader(AnonymousUserMixin())[
        "women"] == 6


def test_proposals_page_filters_and_sorts_in_sql(consultation, citizen, factories):
    first = operations.propose(consultation, citizen, **PROPOSAL)
    second = operations.propose(consultation, citizen, **{**PROPOSAL, "title": "Budgets",
                                                           "thematic_area": "Fiscal"})
    operations.support(consultation, factories.user(), proposal=second)
    page = queries.proposals_page(consultation, sort="support", page=1)
    assert [row[0].id for row in page.items] == [second.id, first.id]
    assert page.items[0].supports == 1
    page = queries.proposals_page(consultation, area="Procurement", page=1)
    assert [row[0].id for row in page.items] == [first.id]
    page = queries.proposals_page(consultation, status="awaiting", page=1)
    assert page.total == 2


def test_work_lists_what_waits_for_staff(app, proposal, staff, factories):
    from core.timeutil import programme_today
    from core.work import sections_for
    operations.report_abuse(factories.user(), proposal=proposal, reason="Spam")
    with app.test_request_context():
        names = {section.name for section in sections_for(staff, programme_today())}
    assert {"consultations.responses", "consultations.reports"} <= names


def test_comments_need_a_subject_of_the_consultation(consultation, citizen):
    with pytest.raises(OperationError):
        operations.comment(consultation, citizen, "Hello")
    assert Comment  # the model is importable


def test_only_a_plan_open_to_change_is_put_to_consultation(staff, plan):
    """A plan submitted to OGP has frozen commitments: nobody can be asked to change them."""
    from coalitions.plans.states import PlanState

    for state in (PlanState.submitted, PlanState.in_implementation, PlanState.completed):
        plan.state = state
        with pytest.raises(OperationError) as refused:
            open_consultation(staff, plan, title=f"Too late {state}")
        assert refused.value.field == "plan_id"
    plan.state = PlanState.in_consultation
    assert open_consultation(staff, plan).plan_id == plan.id
