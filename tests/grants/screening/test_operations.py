from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from core.audit.models import AuditEntry
from core.errors import OperationError
from core.outbox.models import OutboxMessage
from grants.applications.models import EndorsementState
from grants.applications.states import ApplicationState
from grants.screening import operations
from grants.screening.queries import build_checklist, failing_items
from tests.fixtures.applications import make_submitted_application


def _actions(session, application) -> list[str]:
    return list(session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "applications",
        AuditEntry.object_id == str(application.id)).order_by(AuditEntry.id)))


def _by_key(checklist) -> dict:
    return {item["key"]: item for item in checklist}


# The checklist -----------------------------------------------------------------------------

def test_checklist_items_come_from_the_call_and_pass_for_a_complete_application(application):
    checklist = build_checklist(application)
    call = application.call
    expected = ([f"statement_{s.id}" for s in call.eligibility_statements]
                + [f"document_{d.id}" for d in call.required_documents]
                + ["endorsement", "organisation", "amount"])
    assert [item["key"] for item in checklist] == expected
    assert all(item["ok"] for item in checklist), failing_items(checklist)
    statement = call.eligibility_statements[0]
    assert _by_key(checklist)[f"statement_{statement.id}"]["label"] == statement.text
    document = _by_key(checklist)[f"document_{call.required_documents[0].id}"]
    assert document["attachment_id"] == application.attachments[0].id


def test_checklist_items_fail_when_the_data_says_so(db_session, factories):
    application = make_submitted_application(db_session, factories, verified=False,
                                             affirm=False, attach=False)
    items = _by_key(build_checklist(application))
    assert not any(item["ok"] for item in items.values() if item["kind"] in
                   ("statement", "document"))
    assert items["endorsement"]["ok"] is False  # not requested
    assert items["organisation"]["ok"] is False
    assert items["amount"]["ok"] is True


@pytest.mark.parametrize("state, ok", [(EndorsementState.pending, False),
                                       (EndorsementState.declined, False),
                                       (EndorsementState.endorsed, True)])
def test_endorsement_item_follows_the_state(application, db_session, state, ok):
    application.endorsement.state = state
    db_session.flush()
    assert _by_key(build_checklist(application))["endorsement"]["ok"] is ok


def test_no_endorsement_item_when_the_call_needs_no_counterpart(db_session, factories):
    application = make_submitted_application(db_session, factories,
                                             counterpart_required=False)
    assert "endorsement" not in _by_key(build_checklist(application))


@pytest.mark.parametrize("requested, budget, ok", [
    (Decimal("5000.00"), [Decimal("5000.00")], True),
    (Decimal("4000.00"), [Decimal("1000.00"), Decimal("3000.00")], True),
    (Decimal("5000.01"), [Decimal("5000.01")], False),   # above the award amount
    (Decimal("0.00"), [], False),
    (Decimal("5000.00"), [Decimal("4000.00")], False),  # lines do not add up
    (Decimal("5000.00"), [], False),
    (None, [], False),
])
def test_amount_item(db_session, factories, requested, budget, ok):
    application = make_submitted_application(db_session, factories, requested_amount=requested,
                                             budget=budget)
    assert _by_key(build_checklist(application))["amount"]["ok"] is ok


# Recording the outcome ---------------------------------------------------------------------

def test_eligible_moves_the_application_on(db_session, application, staff, member):
    check = operations.record_screening(application, staff, eligible=True, reason="",
                                        notes={"amount": "Checked against the budget."})
    assert application.state is ApplicationState.eligible
    assert check.is_eligible is True and check.checked_by_id == staff.id
    assert application.eligibility_check is check
    amount = next(item for item in check.checklist if item["key"] == "amount")
    assert amount["ok"] is True and amount["note"] == "Checked against the budget."
    assert _actions(db_session, application)[-2:] == ["screening.record",
                                                       "application.mark_eligible"]
    assert db_session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == member.email,
        OutboxMessage.kind == "grants.applications.eligible")).all()


def test_ineligible_needs_a_reason_and_sends_it_to_the_applicant(db_session, application,
                                                                 staff, member):
    with pytest.raises(OperationError) as caught:
        operations.record_screening(application, staff, eligible=False, reason="  ")
    assert caught.value.field == "reason"
    assert application.state is ApplicationState.submitted
    assert application.eligibility_check is None

    reason = "The organisation was registered less than a year ago."
    operations.record_screening(application, staff, eligible=False, reason=reason)
    assert application.state is ApplicationState.ineligible
    assert application.eligibility_check.reason == reason
    [message] = db_session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == member.email,
        OutboxMessage.kind == "grants.applications.ineligible")).all()
    assert reason in message.body_text
    assert "application.mark_ineligible" in _actions(db_session, application)


def test_eligible_despite_a_failing_check_needs_a_reason_and_is_audited(db_session, factories,
                                                                         staff):
    application = make_submitted_application(db_session, factories, verified=False)
    with pytest.raises(OperationError) as caught:
        operations.record_screening(application, staff, eligible=True, reason="")
    assert caught.value.field == "reason"
    assert application.state is ApplicationState.submitted

    operations.record_screening(application, staff, eligible=True,
                                reason="Verification and endorsement are on their way.")
    assert application.state is ApplicationState.eligible
    [entry] = db_session.scalars(select(AuditEntry).where(
        AuditEntry.action == "screening.override",
        AuditEntry.object_id == str(application.id))).all()
    assert entry.actor_id == staff.id
    assert entry.data["override"] is True
    assert set(entry.data["failed"]) == {"endorsement", "organisation"}


def test_only_staff_screen(db_session, application, member):
    with pytest.raises(OperationError):
        operations.record_screening(application, member, eligible=True, reason="")
    assert application.state is ApplicationState.submitted


def test_only_submitted_applications_are_screened(db_session, application, staff):
    operations.record_screening(application, staff, eligible=True, reason="")
    with pytest.raises(OperationError):
        operations.record_screening(application, staff, eligible=False, reason="Changed.")
    assert application.state is ApplicationState.eligible


def test_notes_are_limited_to_the_checklist(db_session, application, staff):
    check = operations.record_screening(application, staff, eligible=True, reason="",
                                        notes={"unknown": "ignored", "organisation": " ok "})
    notes = {item["key"]: item["note"] for item in check.checklist}
    assert "unknown" not in notes and notes["organisation"] == "ok"


def test_long_notes_are_refused(db_session, application, staff):
    with pytest.raises(OperationError) as caught:
        operations.record_screening(application, staff, eligible=True, reason="",
                                    notes={"amount": "x" * 501})
    assert caught.value.field == "note_amount"
    assert application.state is ApplicationState.submitted
