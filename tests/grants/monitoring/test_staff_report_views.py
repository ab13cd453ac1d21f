"""Staff's monitoring pages: reviewing reports, the budget page, the finance dashboard and
closing out an award."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.outbox.models import OutboxMessage
from core.timeutil import programme_today
from grants.awards.states import AwardState, DisbursementState
from grants.monitoring import queries
from grants.monitoring.models import ProgressReport
from grants.monitoring.states import ReportState
from tests.grants.monitoring.conftest import (
    D,
    _count,
    _edit_url,
    accepted,
    day,
    make_grant,
    pay,
    submitted,
)

# Review ------------------------------------------------------------------------------------

def test_staff_accept_a_submitted_report(db_session, client, login_as, grant):
    submitted(db_session, grant.midterm, lines=[("activities", "100.00")])
    login_as("staff")
    page = client.get(f"/staff/reports/{grant.midterm.id}/review").get_data(as_text=True)
    assert "Accept the report" in page and "Datasets published" in page
    response = client.post(f"/staff/reports/{grant.midterm.id}/review",
                           data={"decision": "accept", "comment": "Thank you."})
    assert response.status_code == 302
    assert grant.midterm.state == ReportState.accepted
    assert _count(db_session, OutboxMessage,
                  OutboxMessage.kind == "grants.monitoring.accepted") == 2


def test_returning_without_a_comment_is_refused(db_session, client, login_as, grant):
    submitted(db_session, grant.midterm)
    login_as("staff")
    url = f"/staff/reports/{grant.midterm.id}/review"
    response = client.post(url, data={"decision": "return", "comment": ""})
    assert response.status_code == 422
    assert "a returned report needs a comment" in response.get_data(as_text=True)
    assert grant.midterm.state == ReportState.submitted
    assert client.post(url, data={"decision": "maybe"}).status_code == 422
    response = client.post(url, data={"decision": "return", "comment": "Add receipts."})
    assert response.status_code == 302
    assert grant.midterm.state == ReportState.returned
    assert queries.draft_version(grant.midterm).number == 2

    # The grantee sees the comments and revises.
    login_as(grant.owner)
    page = client.get(_edit_url(grant.midterm)).get_data(as_text=True)
    assert "Add receipts." in page and "Three workshops." in page


def test_accepting_a_report_that_is_not_submitted(db_session, client, login_as, grant):
    login_as("staff")
    url = f"/staff/reports/{grant.midterm.id}/review"
    assert "nothing to review" in client.get(url).get_data(as_text=True)
    response = client.post(url, data={"decision": "accept"})
    assert response.status_code == 422
    assert "Only a submitted report can be accepted" in response.get_data(as_text=True)
    assert grant.midterm.state == ReportState.due


def test_staff_add_a_report(db_session, client, login_as, grant):
    login_as("staff")
    url = f"/staff/awards/{grant.award.id}/reports/new"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"title": "Launch event", "due_on": day(-1).isoformat()})
    assert response.status_code == 422
    assert "cannot be in the past" in response.get_data(as_text=True)
    response = client.post(url, data={"title": "", "due_on": day(9).isoformat()})
    assert response.status_code == 422
    response = client.post(url, data={"title": "Launch event", "due_on": day(9).isoformat()})
    assert response.status_code == 302
    report = db_session.scalar(select(ProgressReport).where(
        ProgressReport.title == "Launch event"))
    assert report.award_id == grant.award.id and report.due_on == day(9)
    assert client.get("/staff/awards/999999/reports/new").status_code == 404


# Budget, dashboard and close-out -----------------------------------------------------------

def test_the_budget_page(db_session, client, login_as, grant, finance):
    pay(db_session, grant.award, "2500.00", tranche=grant.tranches[0])
    accepted(db_session, grant.midterm, lines=[("personnel", "1800.00"),
                                               ("activities", "1000.00")])
    submitted(db_session, grant.final, lines=[("materials", "400.00")])
    for who in (grant.member, finance, "staff"):
        login_as(who)
        response = client.get(f"/awards/{grant.award.id}/budget")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        # Finance sees the budget but not the reports themselves.
        assert (f'href="/reports/{grant.midterm.id}"' in page) is (who is not finance)
    assert "US$2,800.00" in page  # spent (accepted only)
    assert "-US$1,500.00" in page and "-60.0 %" in page  # activities
    assert "-10.0 %" in page  # personnel: exactly 10 % under, not flagged
    # Activities, materials and the total are under budget, but the final report is not
    # due yet: nothing is flagged until it is.
    assert page.count("Over 10% variance") == 0
    grant.final.due_on = programme_today() - timedelta(days=1)
    db_session.flush()
    page = client.get(f"/awards/{grant.award.id}/budget").get_data(as_text=True)
    assert page.count("Over 10% variance") == 3  # activities, materials, total
    assert "US$2,500.00" in page  # disbursed
    assert "-US$300.00" in page  # disbursed but not yet reported as spent
    assert f"/staff/awards/{grant.award.id}/close-out" in page
    login_as("donor")
    assert client.get(f"/awards/{grant.award.id}/budget").status_code == 403


def test_the_finance_dashboard_adds_up(db_session, client, login_as, grant, other_grant):
    pay(db_session, grant.award, "2500.00", tranche=grant.tranches[0])
    pay(db_session, other_grant.award, "2000.00", tranche=other_grant.tranches[1],
        state=DisbursementState.requested)
    grant.midterm.due_on = day(-3)
    submitted(db_session, other_grant.midterm)
    login_as("finance")
    response = client.get("/staff/dashboard")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Grants dashboard" in page  # the menu entry
    funds = queries.money_by_fund()
    rows = [row.money for fund in funds for row in fund.calls]
    assert sum(r.committed for r in rows) - sum(r.disbursed for r in rows) == sum(
        r.undisbursed for r in rows)
    for row in rows:
        assert row.undisbursed == row.committed - row.disbursed
    assert "US$2,500.00" in page and "US$2,000.00" in page
    assert "Payment requests awaiting approval" in page
    assert grant.award.reference in page and other_grant.award.reference in page
    assert "Overdue reports" in page and ">3<" in page  # days overdue
    assert f"/staff/reports/{other_grant.midterm.id}/review" not in page  # finance: no review
    login_as("staff")
    assert f"/staff/reports/{other_grant.midterm.id}/review" in client.get(
        "/staff/dashboard").get_data(as_text=True)
    login_as(grant.owner)
    assert client.get("/staff/dashboard").status_code == 403


def test_the_dashboard_takes_a_fixed_number_of_queries(db_session, client, login_as,
                                                       factories, grant, app):
    from sqlalchemy import event

    from core.extensions import db

    def run() -> int:
        statements = []
        engine = db.session.get_bind()

        def count(*_args):
            statements.append(1)

        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get("/staff/dashboard").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    login_as("staff")
    pay(db_session, grant.award, "100.00", state=DisbursementState.requested)
    grant.midterm.due_on = day(-1)
    db_session.flush()
    few = run()
    for _ in range(3):
        more = make_grant(db_session, factories)
        pay(db_session, more.award, "100.00", state=DisbursementState.requested)
        more.midterm.due_on = day(-1)
        submitted(db_session, more.final)
    db_session.flush()
    assert run() == few


def test_the_close_out_page_shows_the_checklist(db_session, client, login_as, grant):
    pay(db_session, grant.award, "4500.00")
    login_as("staff")
    response = client.get(f"/staff/awards/{grant.award.id}/close-out")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "The final report is accepted." in page and "Not yet" in page
    # Closing asks first; the reason stays in view, outside the question.
    question = page.index("A closed award cannot be reopened")
    assert page.index('name="deobligation_reason"') < page.index('<details class="confirm-step">')
    assert question < page.index("Close the award</button>")
    assert "US$500.00 of the award was not paid" in page
    login_as(grant.owner)
    assert client.get(f"/staff/awards/{grant.award.id}/close-out").status_code == 403


def test_closing_an_award_through_the_close_out_page(db_session, client, login_as, grant):
    url = f"/staff/awards/{grant.award.id}/close-out"
    pay(db_session, grant.award, "4500.00")
    login_as("staff")
    response = client.post(url, data={"deobligation_reason": "Savings on venues."})
    assert response.status_code == 422
    assert "final report must be accepted" in response.get_data(as_text=True)
    assert grant.award.state == AwardState.active

    accepted(db_session, grant.midterm)
    accepted(db_session, grant.final)
    response = client.post(url, data={"deobligation_reason": ""})
    assert response.status_code == 422
    assert "give the reason for de-obligating it" in response.get_data(as_text=True)
    assert grant.award.state == AwardState.active and grant.award.deobligated_amount == 0

    response = client.post(url, data={"deobligation_reason": "Savings on venues."})
    assert response.status_code == 302
    assert response.location.endswith(f"/awards/{grant.award.id}/budget")
    assert grant.award.state == AwardState.closed
    assert grant.award.deobligated_amount == D("500.00")
    assert grant.award.deobligation_reason == "Savings on venues."
    page = client.get(url).get_data(as_text=True)
    assert "This award was closed on" in page and "Close the award</button>" not in page
    # Closed: committed is what was paid, so nothing is outstanding.
    [fund] = [f for f in queries.money_by_fund()
              if f.fund_id == grant.application.call.fund_id]
    assert fund.calls[0].money.committed == D("4500.00")
    assert fund.calls[0].money.undisbursed == D("0.00")


def test_a_fully_disbursed_award_closes_without_a_reason(db_session, client, login_as, grant):
    pay(db_session, grant.award, "5000.00")
    accepted(db_session, grant.final)
    login_as("staff")
    page = client.get(f"/staff/awards/{grant.award.id}/close-out").get_data(as_text=True)
    assert "The award is fully disbursed." in page
    response = client.post(f"/staff/awards/{grant.award.id}/close-out", data={})
    assert response.status_code == 302
    assert grant.award.state == AwardState.closed and grant.award.deobligated_amount == 0
