"""The programme team's journey in a real browser, on top of the demo programme: staff add a
fund, create a call with its rubric and publish it; once applications are in and the deadline
has passed they close the call, screen, send to review, build the panel and assign reviewers,
rank and decide, issue and sign the grant agreement and request the first tranche, which a
finance officer (another person) approves and pays; then staff accept a progress report,
import an event's attendance sheet and download the donor workbook.

What is not the point of the journey is put in the database directly: the applications that
arrive while the call is open, the passing of the deadline, the reviewers' scores and the
grantee's report. Every page goes through the quality checks (``quality.py``).
"""

from __future__ import annotations

import pytest

from tests.browser.journey_data import (
    CALL,
    STAFF,
    applications_arrive_and_deadline_passes,
    assert_paid_in_belize_dollars,
    award_reference_of,
    demo_programme,
    grantee_reports,
    new_event,
    reviewers_score,
)
from tests.browser.journey_steps import (
    accept_report,
    close_and_start_review,
    create_and_publish_call,
    download_workbook,
    finance_approves_and_pays,
    fund_row,
    import_attendance,
    issue_and_sign,
    panel_and_assignments,
    rank_and_decide,
    request_disbursement,
    screen,
    sign_in,
)

pytestmark = pytest.mark.browser


# The journey ---------------------------------------------------------------------------------

def test_staff_run_a_call_from_publication_to_donor_report(live_server, page, new_page,
                                                           page_problems, journey, tmp_path):
    demo_programme(live_server)
    steps = journey("staff")

    sign_in(page, live_server, steps, *STAFF, who="staff")
    create_and_publish_call(page, live_server, steps)

    first, second, third = applications_arrive_and_deadline_passes(live_server, CALL)
    close_and_start_review(page, live_server, steps)
    screen(page, live_server, steps, first, eligible=True)
    screen(page, live_server, steps, second, eligible=True)
    screen(page, live_server, steps, third, eligible=False)

    panel_and_assignments(page, live_server, steps)
    reviewers_score(live_server, CALL, first)
    rank_and_decide(page, steps, first, second)

    award_id = issue_and_sign(page, live_server, steps, first, tmp_path)
    award_reference = award_reference_of(live_server, award_id)
    page.goto(f"{live_server.url}/staff/dashboard")
    steps.check(page, "dashboard-before")
    before = fund_row(page)
    assert "$5,000.00" in before
    page.goto(f"{live_server.url}/awards/{award_id}")
    steps.check(page, "award")
    request_disbursement(page, steps)

    finance = new_page()
    steps.watch(finance)
    finance_approves_and_pays(finance, live_server, steps, award_reference)

    # The dashboard now shows US$2,500 of the new fund disbursed and US$2,500 outstanding.
    page.goto(f"{live_server.url}/staff/dashboard")
    steps.check(page, "dashboard-after")
    after = fund_row(page)
    assert after != before and after.count("$2,500.00") == 2, after
    assert_paid_in_belize_dollars(live_server, award_id)

    accept_report(page, live_server, steps, grantee_reports(live_server, award_id))
    import_attendance(page, live_server, steps, new_event(live_server), tmp_path)
    # Last: the donor workbook's page is the newest part of the system.
    download_workbook(page, live_server, steps, award_reference, tmp_path)
    assert page_problems.errors == []
