"""The award pages: the lists, issuing an agreement, the award's page, editing the
schedule and signing."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

from sqlalchemy import event

from core.extensions import db
from grants.awards import queries
from grants.awards.models import Award
from grants.awards.states import AwardState
from grants.ledger import operations as ledger
from tests.grants.awards.conftest import (
    PDF,
    D,
    count,
    create,
    make_awarded,
    page,
    request,
    sign,
    today,
)

# Lists -------------------------------------------------------------------------------------

def test_staff_see_every_award_with_its_balances(client, login_as, paid, staff):
    login_as(staff)
    response = client.get("/staff/awards")
    assert response.status_code == 200
    html = page(response)
    award = paid.award
    assert award.reference in html and award.application.organisation.name in html
    assert "US$5,000.00" in html and "US$1,000.00" in html and "US$4,000.00" in html
    assert 'class="table-wrap table-key" role="group" aria-label="Awards"' in html
    assert '<th scope="col" class="number">' in html
    assert 'href="/finance/disbursements"' in html
    assert client.get("/staff/awards?state=active").status_code == 200
    assert client.get("/staff/awards?state=nonsense").status_code == 400


def test_the_list_offers_awarded_applications_without_an_agreement(client, login_as, awarded,
                                                                   staff):
    login_as(staff)
    html = page(client.get("/staff/awards"))
    assert f"/staff/applications/{awarded.id}/award" in html


def test_the_awards_list_does_not_query_per_award(client, login_as, db_session, factories,
                                                  staff, finance):
    login_as(staff)

    def queries_for_list():
        statements = []

        def listener(*_args):
            statements.append(1)

        engine = db.session.get_bind()
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get("/staff/awards").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    def add_award():
        award = sign(create(make_awarded(db_session, factories), staff), staff)
        entry = request(award, staff, amount="100.00")
        ledger.approve_disbursement(entry, finance)

    add_award()
    before = queries_for_list()
    for _ in range(3):
        add_award()
    assert queries_for_list() == before


def test_others_cannot_list_awards(client, login_as):
    for role in ("applicant", "donor", "reviewer"):
        login_as(role)
        assert client.get("/staff/awards").status_code == 403
        assert client.get("/finance/disbursements").status_code == 403


def test_the_payments_menu_entry_is_for_finance(client, login_as, finance, staff):
    login_as(finance)
    html = page(client.get("/finance/disbursements"))
    assert 'href="/finance/disbursements"' in html and 'href="/staff/awards"' in html
    login_as(staff)
    html = page(client.get("/"))
    assert 'href="/staff/awards"' in html
    assert '<a href="/finance/disbursements"' not in html


# Creating ----------------------------------------------------------------------------------

def test_staff_issue_the_agreement_of_an_awarded_application(client, login_as, db_session,
                                                             awarded, staff):
    login_as(staff)
    response = client.get(f"/staff/applications/{awarded.id}/award")
    assert response.status_code == 200
    html = page(response)
    assert "US$2,500.00" in html and "US$2,000.00" in html and "US$500.00" in html
    assert "On acceptance of the mid-term report" in html
    start = today()
    response = client.post(f"/staff/applications/{awarded.id}/award", data={
        "starts_on": start.isoformat(), "ends_on": (start + timedelta(days=180)).isoformat(),
        "conditions": "Acknowledge the donor in every publication."})
    assert response.status_code == 302
    award = queries.award_for_application(awarded.id)
    assert response.location == f"/awards/{award.id}"
    assert award.state is AwardState.pending_signature
    assert award.conditions == "Acknowledge the donor in every publication."
    # A second award is refused: the page sends to the existing one; a post (the same form
    # sent again) is answered as the first was, on the existing agreement, with a note.
    response = client.get(f"/staff/applications/{awarded.id}/award")
    assert response.status_code == 303 and response.location == f"/awards/{award.id}"
    response = client.post(f"/staff/applications/{awarded.id}/award", data={
        "starts_on": start.isoformat(), "ends_on": (start + timedelta(days=180)).isoformat()})
    assert response.status_code == 302 and response.location == f"/awards/{award.id}"
    assert "already has a grant agreement" in page(client.get(response.location))
    assert count(db_session, Award, Award.application_id == awarded.id) == 1


def test_bad_award_forms_write_nothing(client, login_as, db_session, awarded, staff):
    login_as(staff)
    for data in ({"starts_on": "2026-05-01", "ends_on": "2026-04-01"},
                 {"starts_on": "yesterday", "ends_on": "2026-04-01"},
                 {"starts_on": "1949-12-31", "ends_on": "2026-04-01"},
                 {"starts_on": "", "ends_on": ""}):
        response = client.post(f"/staff/applications/{awarded.id}/award", data=data)
        assert response.status_code == 422, data
    assert count(db_session, Award) == 0


def test_no_award_without_an_award_decision(client, login_as, db_session, factories, staff):
    from tests.fixtures.applications import make_submitted_application

    application = make_submitted_application(db_session, factories)
    login_as(staff)
    response = client.get(f"/staff/applications/{application.id}/award")
    assert response.status_code == 409 and "no award decision" in page(response)
    assert client.get("/staff/applications/999999/award").status_code == 404


# The award's page --------------------------------------------------------------------------

def test_the_grantee_reads_the_award_with_tranches_ledger_and_agreement(
        client, login_as, paid, grantee):
    award = paid.award
    login_as(grantee)
    response = client.get(f"/awards/{award.id}")
    assert response.status_code == 200
    html = page(response)
    assert award.reference in html and "Disbursement ledger" in html
    assert "agreement.pdf" in html and "Met" in html and "Not met yet" in html
    assert "TRF-0001" in html
    # Read-only: no staff or finance actions.
    for action in ("/request", "/approve", "/reverse", "/transition", "/edit", "/sign"):
        assert action not in html
    download = client.get(f"/awards/{award.id}/agreement")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")


def test_a_grantee_never_sees_another_organisations_award(client, login_as, db_session,
                                                          factories, active_award):
    other = make_awarded(db_session, factories)
    login_as(other.organisation.members[0].user)
    assert client.get(f"/awards/{active_award.id}").status_code == 403
    assert client.get(f"/awards/{active_award.id}/agreement").status_code == 403
    assert client.get("/awards/999999").status_code == 404


def test_staff_and_finance_see_their_actions(client, login_as, requested, staff, other_finance):
    award = requested.award
    login_as(staff)
    html = page(client.get(f"/awards/{award.id}"))
    assert f"/staff/awards/{award.id}/tranches/{award.tranches[0].id}/request" in html
    assert "Suspend the award" in html and "Terminate the award" in html
    terminate = html.index('name="action" value="terminate"')
    step = html.rindex('<details class="confirm-step">', 0, terminate)
    assert "Terminate this award?" in html[step:terminate]
    assert "</details>" not in html[step:terminate]
    assert "confirm-step" not in html[:html.index('name="action" value="suspend"')]
    assert f"/finance/disbursements/{requested.id}/approve" not in html
    login_as(other_finance)
    html = page(client.get(f"/awards/{award.id}"))
    assert f"/finance/disbursements/{requested.id}/approve" in html
    assert "/request" not in html


def test_the_agreement_is_404_before_signature(client, login_as, award, staff):
    login_as(staff)
    assert client.get(f"/awards/{award.id}/agreement").status_code == 404


# Editing and signing -----------------------------------------------------------------------

def _edit_data(award, shares, **fields):
    data = {"starts_on": award.starts_on.isoformat(), "ends_on": award.ends_on.isoformat(),
            "conditions": ""}
    for index, (tranche, share) in enumerate(zip(award.tranches, shares, strict=True)):
        data[f"tranches-{index}-tranche_id"] = str(tranche.id)
        data[f"tranches-{index}-percentage"] = share
        data[f"tranches-{index}-planned_on"] = ""
    data.update(fields)
    return data


def test_staff_change_the_schedule_while_it_waits_for_signature(client, login_as, award,
                                                                staff):
    login_as(staff)
    response = client.get(f"/staff/awards/{award.id}/edit")
    assert response.status_code == 200 and 'value="50.00"' in page(response)
    response = client.post(f"/staff/awards/{award.id}/edit",
                           data=_edit_data(award, ["50", "40", "9.99"]))
    assert response.status_code == 422
    assert "add up to exactly 100; they add up to 99.99" in page(response)
    assert [t.planned_amount for t in award.tranches] == [D("2500.00"), D("2000.00"),
                                                          D("500.00")]
    response = client.post(f"/staff/awards/{award.id}/edit",
                           data=_edit_data(award, ["60", "30", "10"]))
    assert response.status_code == 302
    assert [t.planned_amount for t in award.tranches] == [D("3000.00"), D("1500.00"),
                                                          D("500.00")]


def test_tampered_tranche_rows_are_refused(client, login_as, award, staff):
    login_as(staff)
    data = _edit_data(award, ["50", "40", "10"])
    data["tranches-2-tranche_id"] = "999999"
    response = client.post(f"/staff/awards/{award.id}/edit", data=data)
    assert response.status_code == 422 and "every tranche" in page(response)


def test_signing_through_the_page(client, login_as, db_session, award, staff):
    login_as(staff)
    assert client.get(f"/staff/awards/{award.id}/sign").status_code == 200
    response = client.post(f"/staff/awards/{award.id}/sign",
                           data={"signed_on": today().isoformat()})
    assert response.status_code == 422 and "Choose a file" in page(response)
    response = client.post(f"/staff/awards/{award.id}/sign", data={
        "signed_on": today().isoformat(),
        "agreement": (BytesIO(b"MZ not a pdf"), "agreement.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 422 and award.state is AwardState.pending_signature
    response = client.post(f"/staff/awards/{award.id}/sign", data={
        "signed_on": today().isoformat(), "agreement": (BytesIO(PDF), "signed.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    assert award.state is AwardState.active and award.agreement_file.original_name == "signed.pdf"
    # Signed: neither the signature nor the schedule can change any more.
    assert client.get(f"/staff/awards/{award.id}/sign").status_code == 409
    assert client.get(f"/staff/awards/{award.id}/edit").status_code == 409


def test_suspending_and_terminating_through_the_page(client, login_as, active_award, staff):
    login_as(staff)
    url = f"/staff/awards/{active_award.id}/transition"
    response = client.post(url, data={"action": "suspend", "reason": ""})
    assert response.status_code == 303
    assert active_award.state is AwardState.active
    assert "Give the reason" in page(client.get(f"/awards/{active_award.id}"))
    assert client.post(url, data={"action": "close", "reason": "x"}).status_code == 400
    response = client.post(url, data={"action": "suspend", "reason": "Audit."})
    assert response.status_code == 302 and active_award.state is AwardState.suspended
    response = client.post(url, data={"action": "resume"})
    assert response.status_code == 302 and active_award.state is AwardState.active
    response = client.post(url, data={"action": "terminate", "reason": "Stopped."})
    assert response.status_code == 302 and active_award.state is AwardState.terminated
    response = client.post(url, data={"action": "resume"})
    assert response.status_code == 303 and active_award.state is AwardState.terminated
