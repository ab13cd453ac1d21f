from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from core.audit.models import AuditEntry
from core.errors import OperationError
from core.extensions import db
from core.timeutil import programme_today
from grants.awards.states import AwardState, DisbursementKind, DisbursementState
from grants.monitoring import operations, queries
from grants.monitoring.models import ProgressReport, ReportVersion
from grants.monitoring.states import ReportKind, ReportState
from tests.grants.monitoring.conftest import (
    accepted,
    day,
    make_grant,
    messages,
    pay,
    submitted,
    upload,
    write_version,
)

D = Decimal


def _count(session, model, *conditions) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*conditions))


def _audits(session, action, report) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.object_type == "progress_reports",
        AuditEntry.object_id == str(report.id))))


def _line(category="activities", amount="250.00", offset=-3, description="Venue hire",
          line_id=None):
    return {"id": line_id, "category": category, "spent_on": day(offset),
            "description": description, "amount": D(amount)}


def _save(report, actor, lines=(), **overrides):
    fields = {"activities": "Two workshops in Cayo.", "results": "Four datasets published.",
              "challenges": "Rain.", "beneficiaries": {"women_under_30": 12,
                                                       "men_30_and_over": 8},
              "expenditures": list(lines)}
    fields.update(overrides)
    return operations.save_draft(report, actor, **fields)


# Drafts ------------------------------------------------------------------------------------

def test_saving_starts_the_first_version_and_updates_it_in_place(db_session, grant):
    report = grant.midterm
    version = _save(report, grant.owner, [_line(), _line("personnel", "1000.00")])
    assert version.number == 1 and version.submitted_at is None
    assert report.state == ReportState.due
    assert version.women_under_30 == 12 and version.men_30_and_over == 8
    assert version.other_under_30 == 0 and version.beneficiaries_total == 20
    assert [(e.category, e.amount) for e in version.expenditures] == [
        ("activities", D("250.00")), ("personnel", D("1000.00"))]
    first = version.expenditures[0]
    receipt_holder = operations.attach_receipt(report, grant.owner, first,
                                               file_storage=upload())
    assert receipt_holder.receipt_file.original_name == "receipt.pdf"

    again = _save(report, grant.member, [_line(amount="300.00", line_id=first.id),
                                         _line("materials", "80.00")])
    assert again is version and _count(db_session, ReportVersion,
                                       ReportVersion.report_id == report.id) == 1
    assert [(e.category, e.amount) for e in again.expenditures] == [
        ("activities", D("300.00")), ("materials", D("80.00"))]
    assert again.expenditures[0].id == first.id
    assert again.expenditures[0].receipt_file_id is not None  # the receipt stays
    assert len(_audits(db_session, "report.save", report)) == 2


@pytest.mark.parametrize("bad", [
    {"amount": "0.00"}, {"amount": "-5.00"}, {"amount": "10.005"}, {"offset": 1},
    {"category": "travel"},  # not in the application's budget
    {"description": "  "},
])
def test_bad_expenditure_lines_are_refused_before_anything_changes(db_session, grant, bad):
    with pytest.raises(OperationError) as refused:
        _save(grant.midterm, grant.owner, [_line(), _line(**bad)])
    assert refused.value.field == "expenditures"
    assert not grant.midterm.versions
    assert _count(db_session, ReportVersion) == 0


@pytest.mark.parametrize("value", [-1, 10_000_001, True, "3"])
def test_bad_beneficiary_counts_are_refused(db_session, grant, value):
    with pytest.raises(OperationError) as refused:
        _save(grant.midterm, grant.owner, beneficiaries={"men_under_30": value})
    assert refused.value.field == "men_under_30"
    assert not grant.midterm.versions


def test_a_line_of_another_version_cannot_be_updated(db_session, grant, other_grant):
    foreign = write_version(db_session, other_grant.midterm, submitted=False,
                            lines=[("activities", "10.00")]).expenditures[0]
    _save(grant.midterm, grant.owner, [_line()])
    with pytest.raises(OperationError):
        _save(grant.midterm, grant.owner, [_line(line_id=foreign.id)])


def test_evidence_is_added_to_the_draft_and_removed_on_save(db_session, grant):
    report = grant.midterm
    evidence = operations.add_evidence(report, grant.owner, file_storage=upload("photo.pdf"),
                                       description="Workshop photo")
    draft = queries.draft_version(report)
    assert draft.number == 1 and draft.evidence == [evidence]
    assert _audits(db_session, "report.evidence", report)
    _save(report, grant.owner, remove_evidence_ids=[evidence.id])
    assert queries.draft_version(report).evidence == []
    with pytest.raises(OperationError):
        _save(report, grant.owner, remove_evidence_ids=[evidence.id])


def test_a_bad_upload_is_refused(db_session, grant):
    with pytest.raises(OperationError) as refused:
        operations.add_evidence(grant.midterm, grant.owner,
                                file_storage=upload("photo.pdf", b"not a pdf at all"))
    assert refused.value.field == "file"
    with pytest.raises(OperationError):
        operations.add_evidence(grant.midterm, grant.owner, file_storage=upload("x.exe"))


def test_receipts_only_for_lines_of_the_draft(db_session, grant):
    old = submitted(db_session, grant.midterm, lines=[("activities", "10.00", False)])
    with pytest.raises(OperationError):
        operations.attach_receipt(grant.midterm, grant.owner, old.expenditures[0],
                                  file_storage=upload())
    version = _save(grant.final, grant.owner, [_line()])
    with pytest.raises(OperationError) as refused:  # receipts are PDFs or images
        operations.attach_receipt(grant.final, grant.owner, version.expenditures[0],
                                  file_storage=upload("receipt.xlsx"))
    assert refused.value.field == "file"
    assert version.expenditures[0].receipt_file_id is None


# Submitting, accepting, returning ----------------------------------------------------------

def test_submitting_locks_the_version_and_tells_staff(db_session, grant, staff, factories):
    admin = factories.user(roles=("admin",))
    report = grant.midterm
    _save(report, grant.owner, [_line(), _line("personnel", "100.00")])
    version = operations.submit_report(report, grant.owner)
    assert report.state == ReportState.submitted
    assert version.submitted_at is not None and version.submitted_by_id == grant.owner.id
    [entry] = _audits(db_session, "report.submit", report)
    assert entry.data["missing_receipts"] == 2 and entry.data["version"] == 1
    [message] = messages(db_session, staff.email, "grants.monitoring.submitted")
    assert grant.award.reference in message.subject
    assert "2 expenses have no receipt" in message.body_text
    assert f"/staff/reports/{report.id}/review" in message.body_text
    assert not messages(db_session, admin.email)

    with pytest.raises(OperationError) as twice:
        operations.submit_report(report, grant.owner)
    assert "already been submitted" in str(twice.value.message)
    with pytest.raises(OperationError):
        _save(report, grant.owner)


def test_a_report_needs_a_draft_and_a_narrative_to_be_submitted(db_session, grant):
    with pytest.raises(OperationError):
        operations.submit_report(grant.midterm, grant.owner)
    _save(grant.midterm, grant.owner, activities="")
    with pytest.raises(OperationError) as refused:
        operations.submit_report(grant.midterm, grant.owner)
    assert refused.value.field == "activities"
    assert grant.midterm.state == ReportState.due


def test_reports_of_an_award_that_is_not_running_cannot_be_written(db_session, factories):
    closed = make_grant(db_session, factories, state=AwardState.closed)
    with pytest.raises(OperationError):
        _save(closed.midterm, closed.owner)


def test_accepting_only_a_submitted_report(db_session, grant, staff):
    with pytest.raises(OperationError) as refused:
        operations.accept_report(grant.midterm, staff)
    assert "Only a submitted report" in str(refused.value.message)
    _save(grant.midterm, grant.owner)
    operations.submit_report(grant.midterm, grant.owner)
    with pytest.raises(OperationError):  # not staff
        operations.accept_report(grant.midterm, grant.owner)
    version = operations.accept_report(grant.midterm, staff, comment="  Well done. ")
    assert grant.midterm.state == ReportState.accepted
    assert grant.midterm.accepted_at == version.reviewed_at
    assert version.reviewed_by_id == staff.id and version.staff_comment == "Well done."
    assert _audits(db_session, "report.accept", grant.midterm)
    for user in (grant.owner, grant.member):
        [message] = messages(db_session, user.email, "grants.monitoring.accepted")
        assert "Well done." in message.body_text
    with pytest.raises(OperationError):
        operations.accept_report(grant.midterm, staff)


def test_returning_needs_a_comment_and_starts_the_next_version(db_session, grant, staff):
    report = grant.midterm
    first = submitted(db_session, report, lines=[("activities", "100.00", True)], evidence=1)
    with pytest.raises(OperationError) as refused:
        operations.return_report(report, staff, comment="   ")
    assert refused.value.field == "comment"
    assert report.state == ReportState.submitted and first.reviewed_at is None

    operations.return_report(report, staff, comment="Add the attendance lists.")
    assert report.state == ReportState.returned
    assert first.staff_comment == "Add the attendance lists." and first.reviewed_at
    draft = queries.draft_version(report)
    assert draft.number == 2 and draft.activities == first.activities
    assert [e.receipt_file_id for e in draft.expenditures] == [
        e.receipt_file_id for e in first.expenditures]
    assert draft.expenditures[0].id != first.expenditures[0].id
    assert [e.stored_file_id for e in draft.evidence] == [
        e.stored_file_id for e in first.evidence]
    [message] = messages(db_session, grant.owner.email, "grants.monitoring.returned")
    assert "Add the attendance lists." in message.body_text
    assert f"/reports/{report.id}/edit" in message.body_text

    _save(report, grant.owner, [_line(amount="120.00", line_id=draft.expenditures[0].id)])
    operations.submit_report(report, grant.owner)
    assert report.state == ReportState.submitted
    assert _audits(db_session, "report.resubmit", report)
    assert [v.number for v in queries.submitted_versions(report)] == [1, 2]
    assert first.expenditures[0].amount == D("100.00")  # the returned version is kept as it was


def test_staff_add_a_report(db_session, grant, staff):
    with pytest.raises(OperationError) as refused:
        operations.add_report(grant.award, staff, title="Launch", due_on=day(-1))
    assert refused.value.field == "due_on"
    with pytest.raises(OperationError) as refused:
        operations.add_report(grant.award, staff, title=" ", due_on=day(5))
    assert refused.value.field == "title"
    with pytest.raises(OperationError):
        operations.add_report(grant.award, grant.owner, title="Launch", due_on=day(5))
    report = operations.add_report(grant.award, staff, title="Launch event", due_on=day(5))
    assert report.kind == ReportKind.other and report.state == ReportState.due
    assert _audits(db_session, "report.add", report)
    grant.award.state = AwardState.closed
    with pytest.raises(OperationError):
        operations.add_report(grant.award, staff, title="Late", due_on=day(5))


# Budget versus actual and the ledger -------------------------------------------------------

def test_spent_counts_only_accepted_versions(db_session, grant, staff, factories):
    accepted(db_session, grant.midterm, lines=[("personnel", "1800.00"),
                                               ("activities", "900.00"),
                                               ("travel", "50.00")])
    submitted(db_session, grant.final, lines=[("activities", "9999.00")])
    returned_report = operations.add_report(grant.award, staff, title="Extra", due_on=day(3))
    write_version(db_session, returned_report, lines=[("materials", "7777.00")])
    returned_report.state = ReportState.returned
    other = make_grant(db_session, factories)
    accepted(db_session, other.midterm, lines=[("personnel", "123.00")])

    assert queries.spent_by_category(grant.award) == {
        "personnel": D("1800.00"), "activities": D("900.00"), "travel": D("50.00")}
    table = queries.award_budget(grant.award).table
    by_category = {row.category: row for row in table.rows}
    assert [row.category for row in table.rows] == ["personnel", "activities", "materials",
                                                    "travel"]
    assert not by_category["personnel"].is_flagged  # 10 % under
    # 64 % under, but the final report is not due yet: spending not reported yet.
    assert not by_category["activities"].is_flagged
    assert by_category["travel"].is_unbudgeted and by_category["travel"].is_flagged
    assert table.total.budgeted == D("5000.00") and table.total.spent == D("2750.00")
    # Once the final report is due, the under-spending is off budget.
    grant.final.due_on = programme_today() - timedelta(days=1)
    db_session.flush()
    by_category = {row.category: row
                   for row in queries.award_budget(grant.award).table.rows}
    assert by_category["activities"].is_flagged
    assert not by_category["personnel"].is_flagged


def test_accepted_resubmission_counts_only_its_last_version(db_session, grant):
    write_version(db_session, grant.midterm, lines=[("personnel", "500.00")])
    accepted(db_session, grant.midterm, lines=[("personnel", "450.00")])
    assert queries.spent_by_category(grant.award) == {"personnel": D("450.00")}


def test_disbursed_is_paid_net_of_reversals(db_session, grant):
    first = grant.tranches[0]
    paid = pay(db_session, grant.award, "2500.00", tranche=first)
    pay(db_session, grant.award, "-500.00", tranche=first, kind=DisbursementKind.reversal,
        reverses=paid)
    pay(db_session, grant.award, "2000.00", tranche=grant.tranches[1],
        state=DisbursementState.requested)
    pay(db_session, grant.award, "100.00", state=DisbursementState.rejected)
    accepted(db_session, grant.midterm, lines=[("personnel", "1200.00")])
    position = queries.award_budget(grant.award).position
    assert position.money.disbursed == D("2000.00")
    assert position.money.committed == D("5000.00")
    assert position.money.undisbursed == D("3000.00")
    assert position.spent == D("1200.00") and position.unspent == D("800.00")
    assert position.to_spend == D("3800.00")
    statuses = queries.tranche_statuses(grant.tranches)
    assert [s.money.disbursed for s in statuses] == [D("2000.00"), D("0.00"), D("0.00")]
    assert [s.has_pending_request for s in statuses] == [False, True, False]
    assert [s.condition_met for s in statuses] == [True, True, False]  # mid-term accepted


def _count_queries(work) -> int:
    statements = []

    def count(*_args):
        statements.append(1)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_budget_takes_a_fixed_number_of_queries(db_session, grant, staff):
    accepted(db_session, grant.midterm, lines=[("personnel", "10.00")])
    db_session.expire_all()
    few = _count_queries(lambda: queries.award_budget(db.session.get(
        type(grant.award), grant.award.id)))
    for i in range(4):
        report = operations.add_report(grant.award, staff, title=f"R{i}", due_on=day(3))
        accepted(db_session, report, lines=[("activities", "5.00")] * 5)
        pay(db_session, grant.award, "10.00")
    db_session.expire_all()
    many = _count_queries(lambda: queries.award_budget(db.session.get(
        type(grant.award), grant.award.id)))
    assert 0 < few == many


# Dashboards --------------------------------------------------------------------------------

def test_the_grantees_grants_with_next_tranche_and_reports_due(db_session, grant, other_grant,
                                                                staff):
    pay(db_session, grant.award, "2500.00", tranche=grant.tranches[0])
    accepted(db_session, grant.final)
    [summary] = queries.grants_of_user(grant.member, day(0))
    assert summary.award is grant.award and summary.money.disbursed == D("2500.00")
    assert summary.next_tranche.tranche.sequence == 2
    assert not summary.next_tranche.condition_met
    assert summary.reports == [grant.midterm]
    assert queries.grants_of_user(staff, day(0)) == []


def test_commitments_add_up_by_fund_and_call(db_session, factories, grant):
    from tests.fixtures.applications import make_call

    call = grant.application.call
    second = make_grant(db_session, factories, call=call, amount=D("4000.00"))
    second.award.deobligated_amount = D("400.00")
    bzd = make_grant(db_session, factories, call=make_call(db_session, factories,
                                                           currency="BZD"),
                     amount=D("10000.00"), currency="BZD")
    pay(db_session, grant.award, "2500.00")
    pay(db_session, second.award, "1000.00")
    pay(db_session, second.award, "300.00", state=DisbursementState.approved)
    pay(db_session, bzd.award, "5000.00")
    funds = {fund.fund_id: fund for fund in queries.money_by_fund()}
    [row] = funds[call.fund_id].calls
    assert row.awards == 2
    assert row.money.committed == D("8600.00")
    assert row.money.disbursed == D("3500.00") and row.money.undisbursed == D("5100.00")
    assert row.money.approved == D("300.00")
    [bzd_row] = funds[bzd.application.call.fund_id].calls
    assert bzd_row.currency == "BZD" and bzd_row.money.undisbursed == D("5000.00")


def test_overdue_upcoming_and_awaiting_review(db_session, grant, other_grant, factories):
    grant.midterm.due_on = day(-2)
    submitted(db_session, other_grant.midterm)
    closed = make_grant(db_session, factories, state=AwardState.closed)
    closed.midterm.due_on = day(-5)
    assert queries.overdue_reports(day(0)) == [grant.midterm]
    assert queries.reports_awaiting_review() == [other_grant.midterm]
    pay(db_session, grant.award, "2500.00", tranche=grant.tranches[0])
    pay(db_session, grant.award, "2000.00", tranche=grant.tranches[1],
        state=DisbursementState.requested)
    upcoming = queries.upcoming_tranches()
    ours = [s.tranche.sequence for s in upcoming if s.tranche.award_id == grant.award.id]
    assert ours == [3]
    assert all(s.tranche.award_id != closed.award.id for s in upcoming)
    [request] = queries.requests_awaiting_approval()
    assert request.amount == D("2000.00")


def test_close_out_checklist(db_session, grant):
    checklist = queries.close_out(grant.award)
    assert not checklist.final_accepted and not checklist.is_ready
    accepted(db_session, grant.midterm)
    accepted(db_session, grant.final)
    pay(db_session, grant.award, "4500.00")
    checklist = queries.close_out(grant.award)
    assert checklist.final_accepted and checklist.reports_not_accepted == []
    assert checklist.balance == D("500.00") and checklist.needs_reason and checklist.is_ready
    pay(db_session, grant.award, "500.00", state=DisbursementState.requested)
    assert not queries.close_out(grant.award).is_ready


def test_report_files_belong_to_their_report(db_session, grant, other_grant):
    version = write_version(db_session, grant.midterm, lines=[("activities", "1.00")],
                            evidence=1)
    other = write_version(db_session, other_grant.midterm, evidence=1)
    evidence_file = version.evidence[0].stored_file_id
    receipt_file = version.expenditures[0].receipt_file_id
    assert queries.report_file(grant.midterm, evidence_file).id == evidence_file
    assert queries.report_file(grant.midterm, receipt_file).id == receipt_file
    assert queries.report_file(grant.midterm, other.evidence[0].stored_file_id) is None
    assert queries.report_file(grant.final, evidence_file) is None


def test_budget_categories_follow_the_application(db_session, factories, grant):
    assert queries.budget_categories(grant.application) == ["personnel", "activities",
                                                            "materials"]
    bare = make_grant(db_session, factories, budget={})
    assert "travel" in queries.budget_categories(bare.application)


def test_reports_are_loaded_with_every_version(db_session, grant):
    write_version(db_session, grant.midterm, lines=[("activities", "1.00")])
    db_session.expire_all()
    report = queries.load_report(grant.midterm.id)
    assert isinstance(report, ProgressReport) and len(report.versions) == 1
    assert queries.load_report(10**6) is None
