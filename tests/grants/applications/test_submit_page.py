"""Checking and submitting: what the budget lacks, the answers read once more with a way
back to each section, and what happens after submission."""

from __future__ import annotations

from decimal import Decimal

from grants.applications import operations

BUDGET = "/applications/{}/sections/budget"


def test_the_budget_notice_says_what_is_missing_or_over(client, login_as, applicant, draft):
    login_as(applicant)
    operations.save_budget(draft, applicant, requested_amount=Decimal("5000.00"), lines=[
        {"category": "activities", "description": "Workshops", "amount": Decimal("4300.00")}])
    for page in (BUDGET.format(draft.id), f"/applications/{draft.id}/submit"):
        html = client.get(page).get_data(as_text=True)
        assert "add up to US$4,300.00: US$700.00 short of the requested US$5,000.00" in html
    operations.save_budget(draft, applicant, requested_amount=Decimal("4000.00"), lines=[
        {"category": "activities", "description": "Workshops", "amount": Decimal("4300.00")}])
    html = client.get(BUDGET.format(draft.id)).get_data(as_text=True)
    assert "US$300.00 over the requested US$4,000.00" in html


def test_the_submit_page_shows_every_answer_with_a_link_to_change_it(
        client, login_as, applicant, draft, complete, uploads):
    complete(draft, applicant)
    login_as(applicant)
    html = client.get(f"/applications/{draft.id}/submit").get_data(as_text=True)
    assert "Your answers" in html and "Open budgets for Cayo" in html and "Workshops" in html
    for section in ("project", "plan", "beneficiaries", "budget", "counterpart"):
        assert f'href="/applications/{draft.id}/sections/{section}">Change this section' in html


def test_after_submitting_the_applicant_is_told_what_happens_next(
        client, login_as, applicant, draft, complete, uploads):
    complete(draft, applicant)
    login_as(applicant)
    assert client.post(f"/applications/{draft.id}/submit").status_code == 302
    html = client.get(f"/applications/{draft.id}").get_data(as_text=True)
    assert "What happens next" in html and "independent review panel" in html
    assert "Change this section" not in html


def test_what_happens_next_gives_the_calls_planned_dates(
        client, login_as, applicant, draft, complete, uploads, db_session):
    from datetime import date
    complete(draft, applicant)
    call = draft.call
    closes = call.closes_at.date()
    call.screening_by, call.review_by, call.decisions_by = (
        date.fromordinal(closes.toordinal() + days) for days in (14, 42, 56))
    db_session.flush()
    login_as(applicant)
    assert client.post(f"/applications/{draft.id}/submit").status_code == 302
    html = client.get(f"/applications/{draft.id}").get_data(as_text=True)
    for day in (call.screening_by, call.review_by, call.decisions_by):
        assert f"by {day.strftime('%b')} {day.day}, {day.year}" in html
    public = client.get(f"/calls/{call.id}").get_data(as_text=True)
    assert "Funding decisions" in public


def test_staff_reach_an_application_from_the_staff_list(client, login_as, draft):
    login_as("staff")
    html = client.get(f"/applications/{draft.id}").get_data(as_text=True)
    assert f'href="/staff/applications?call_id={draft.call_id}">Applications</a>' in html
    assert 'href="/applications">My applications' not in html
    assert "What happens next" not in html
