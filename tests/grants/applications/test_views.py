from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from sqlalchemy import func, select

from core.timeutil import utcnow
from grants.applications import operations
from grants.applications.models import Application, BudgetLine
from grants.applications.states import ApplicationState
from tests.grants.applications.conftest import PDF_BYTES


def test_start_an_application_through_the_page(client, login_as, applicant, applicant_org,
                                               open_call, db_session):
    login_as(applicant)
    page = client.get(f"/calls/{open_call.id}/apply")
    assert page.status_code == 200 and b"Start the application" in page.data
    response = client.post(f"/calls/{open_call.id}/apply",
                           data={"organisation_id": str(applicant_org.id)})
    assert response.status_code == 302
    application = db_session.scalar(select(Application))
    assert response.location.endswith(f"/applications/{application.id}/sections/project")


def test_the_start_page_proposes_an_organisation_that_has_not_applied(
        client, login_as, applicant, applicant_org, open_call, factories, db_session):
    import re

    from accounts.organisations.models import OrganisationMember
    second = factories.organisation(name="Zeta Budget Watch")
    db_session.add(OrganisationMember(organisation=second, user=applicant))
    draft = operations.start_application(open_call, applicant_org, applicant)
    db_session.flush()
    login_as(applicant)
    page = client.get(f"/calls/{open_call.id}/apply").get_data(as_text=True)
    selected = re.search(r'<option selected value="(\d+)"|<option value="(\d+)" selected', page)
    assert selected and str(second.id) in selected.groups()
    assert f"(already applied: {draft.display_reference})" in page


def test_user_without_an_organisation_is_told_to_add_one(client, login_as, open_call):
    login_as("applicant")
    page = client.get(f"/calls/{open_call.id}/apply")
    assert b"Add your organisation" in page.data


def test_sections_save_and_show_progress(client, login_as, applicant, draft, db_session):
    login_as(applicant)
    area = draft.call.thematic_areas[0]
    response = client.post(f"/applications/{draft.id}/sections/project", data={
        "title": "Open budgets", "summary": "Short summary", "problem": "P",
        "objectives": "O", "duration_months": "6", "thematic_areas": [str(area.id)]})
    assert response.status_code == 302
    assert response.location.endswith(f"/applications/{draft.id}/sections/plan")
    assert draft.title == "Open budgets" and draft.thematic_areas == [area]
    page = client.get(f"/applications/{draft.id}")
    assert b"1 of 7 sections complete" in page.data


def test_withdrawing_asks_first(client, login_as, applicant, draft, db_session):
    login_as(applicant)
    page = client.get(f"/applications/{draft.id}").get_data(as_text=True)
    form = page.index(f'action="/applications/{draft.id}/withdraw"')
    step = page.rindex('<details class="confirm-step">', 0, form)
    assert "Withdraw this application from the call?" in page[step:form]
    assert "</details>" not in page[step:form]
    response = client.post(f"/applications/{draft.id}/withdraw", data={"reason": "Other plans"})
    assert response.status_code == 302
    db_session.expire_all()
    assert draft.state == ApplicationState.withdrawn


def test_save_draft_stays_on_the_section(client, login_as, applicant, draft):
    login_as(applicant)
    response = client.post(f"/applications/{draft.id}/sections/beneficiaries", data={
        "beneficiaries_total": "10", "districts": ["Cayo"], "then": "stay"})
    assert response.location.endswith("/sections/beneficiaries")
    assert draft.districts == ["Cayo"]


@pytest.mark.parametrize("amount, message", [
    ("100.123", b"at most two decimals"), ("-5", b"at most two decimals"),
    ("1e3", b"at most two decimals"), ("5000.01", b"cannot be more than the award amount"),
    ("0", b"must be more than zero"),
])
def test_bad_amounts_are_refused_next_to_the_field(client, login_as, applicant, draft,
                                                   db_session, amount, message):
    login_as(applicant)
    response = client.post(f"/applications/{draft.id}/sections/budget", data={
        "requested_amount": amount, "lines-0-category": "activities",
        "lines-0-description": "Workshops", "lines-0-amount": "100.00"})
    assert response.status_code == 422
    assert message in response.data
    assert db_session.scalar(select(func.count()).select_from(BudgetLine)) == 0
    assert draft.requested_amount is None


def test_budget_rows_through_the_page(client, login_as, applicant, draft, db_session):
    login_as(applicant)
    response = client.post(f"/applications/{draft.id}/sections/budget", data={
        "requested_amount": "5,000.00",
        "lines-0-category": "activities", "lines-0-description": "Workshops",
        "lines-0-amount": "3000", "lines-1-category": "personnel",
        "lines-1-description": "Coordinator", "lines-1-amount": "1999.99",
        "lines-2-category": "", "lines-2-description": "", "lines-2-amount": ""})
    assert response.status_code == 302
    assert draft.requested_amount == Decimal("5000.00")
    assert [line.amount for line in draft.budget_lines] == [Decimal("3000.00"),
                                                             Decimal("1999.99")]
    page = client.get(f"/applications/{draft.id}/submit")
    assert b"add up to" in page.data


def test_counterpart_must_be_government_through_the_page(client, login_as, applicant, draft,
                                                         factories):
    login_as(applicant)
    ngo = factories.organisation(name="Not a ministry")
    response = client.post(f"/applications/{draft.id}/sections/counterpart", data={
        "organisation_id": str(ngo.id), "contact_name": "A", "contact_position": "B",
        "contact_email": "a@example.org"})
    assert response.status_code == 422
    assert b"must be a government organisation" in response.data
    assert draft.counterpart is None


def test_upload_through_the_page(client, login_as, applicant, draft, uploads):
    login_as(applicant)
    document = draft.call.required_documents[0]
    response = client.post(f"/applications/{draft.id}/attachments", data={
        "required_document_id": str(document.id),
        "file": (BytesIO(PDF_BYTES), "certificate.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    [attachment] = draft.attachments
    download = client.get(f"/applications/{draft.id}/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF_BYTES
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name, data", [
    ("budget.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),  # content does not match the name
    ("empty.pdf", b""),
    ("../../etc/passwd.pdf", PDF_BYTES),
    ("script.exe", b"MZ" + b"\x00" * 40),
])
def test_bad_uploads_are_refused(client, login_as, applicant, draft, uploads, name, data):
    login_as(applicant)
    response = client.post(f"/applications/{draft.id}/attachments", data={
        "required_document_id": "", "file": (BytesIO(data), name)},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert b'class="error-message"' in response.data or b"form-errors" in response.data
    assert draft.attachments == []


def test_the_address_a_failed_upload_is_shown_at_leads_back_to_the_form(
        client, login_as, applicant, draft):
    login_as(applicant)
    response = client.get(f"/applications/{draft.id}/attachments")
    assert response.status_code == 302
    assert response.location.endswith(f"/applications/{draft.id}/sections/documents") or \
        "documents" in response.location


def test_upload_too_large_is_refused(app, client, login_as, applicant, draft, uploads,
                                     monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 1000)
    login_as(applicant)
    response = client.post(f"/applications/{draft.id}/attachments", data={
        "required_document_id": "", "file": (BytesIO(PDF_BYTES + b"0" * 2000), "big.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert draft.attachments == []


def test_submit_page_lists_what_is_missing_with_links(client, login_as, applicant, draft):
    login_as(applicant)
    page = client.get(f"/applications/{draft.id}/submit").data.decode()
    assert "Before you can submit" in page
    assert f"/applications/{draft.id}/sections/budget" in page
    assert client.post(f"/applications/{draft.id}/submit").status_code == 422
    assert draft.state == ApplicationState.draft


def test_submit_page_shows_the_documents_and_declarations(client, login_as, applicant,
                                                          draft, complete, uploads):
    import re
    complete(draft, applicant)
    login_as(applicant)
    page = client.get(f"/applications/{draft.id}/submit").get_data(as_text=True)
    documents = page[page.index('id="s-documents"'):page.index('id="s-declarations"')]
    for document in draft.call.required_documents:
        assert document.name in documents
    assert draft.attachments[0].stored_file.original_name in documents
    declarations = page[page.index('id="s-declarations"'):]
    for statement in draft.call.eligibility_statements:
        assert f"Affirmed: {statement.text}" in re.sub(r"\s+", " ", declarations)
    assert f"/applications/{draft.id}/sections/declarations" in declarations


def test_submit_through_the_page_then_read_only(client, login_as, applicant, draft, complete,
                                                uploads):
    complete(draft, applicant)
    login_as(applicant)
    response = client.post(f"/applications/{draft.id}/submit")
    assert response.status_code == 302
    assert draft.state == ApplicationState.submitted and draft.reference
    assert client.get(f"/applications/{draft.id}/sections/project").status_code == 403
    page = client.get(f"/applications/{draft.id}")
    assert draft.reference.encode() in page.data
    printable = client.get(f"/applications/{draft.id}/print")
    assert b"Open budgets for Cayo" in printable.data and b"Coordinator" in printable.data


def test_submit_after_closing_time_through_the_page(client, login_as, applicant, draft,
                                                    complete, uploads, db_session):
    complete(draft, applicant)
    draft.call.closes_at = utcnow() - timedelta(seconds=1)
    db_session.flush()
    login_as(applicant)
    response = client.post(f"/applications/{draft.id}/submit")
    assert response.status_code == 422
    assert b"applications can no longer be submitted" in response.data
    assert draft.state == ApplicationState.draft


def test_other_organisations_cannot_see_or_change_it(client, login_as, draft):
    login_as("applicant")
    for path in ("", "/print", "/sections/project", "/submit"):
        assert client.get(f"/applications/{draft.id}{path}").status_code == 403
    assert client.post(f"/applications/{draft.id}/withdraw").status_code == 403
    assert client.get("/applications/999999").status_code == 404


def test_withdraw_through_the_page(client, login_as, applicant, draft):
    login_as(applicant)
    response = client.post(f"/applications/{draft.id}/withdraw", data={"reason": "No longer"})
    assert response.status_code == 302
    assert draft.state == ApplicationState.withdrawn


def test_staff_list_filters_counts_and_search(client, login_as, applicant, draft, complete,
                                              uploads, open_call):
    complete(draft, applicant)
    operations.submit(draft, applicant)
    login_as("staff")
    page = client.get("/staff/applications").data.decode()
    assert draft.reference in page and "Submitted (1)" in page
    assert draft.reference in client.get("/staff/applications?q=budgets").data.decode()
    assert draft.reference not in client.get("/staff/applications?q=zzz").data.decode()
    assert draft.reference in client.get(
        "/staff/applications?district=Cayo&endorsement=pending").data.decode()
    assert draft.reference not in client.get(
        "/staff/applications?district=Toledo").data.decode()
    area = open_call.thematic_areas[0]
    assert draft.reference in client.get(
        f"/staff/applications?call_id={open_call.id}&area_id={area.id}").data.decode()
    assert client.get("/staff/applications?state=bogus").status_code == 400
    assert client.get("/staff/applications?call_id=abc").status_code == 400


def test_staff_list_query_count_does_not_grow(client, login_as, applicant, open_call, factories,
                                              complete, uploads, app):
    from sqlalchemy import event

    from core.extensions import db
    from grants.applications.operations import start_application

    def submitted(n):
        for _ in range(n):
            user = factories.user()
            org = factories.organisation()
            factories.member(org, user, "owner")
            application = start_application(open_call, org, user)
            complete(application, user)
            operations.submit(application, user)

    def queries_for_list():
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            client.get("/staff/applications")
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    login_as("staff")
    submitted(2)
    few = queries_for_list()
    submitted(5)
    assert queries_for_list() == few
