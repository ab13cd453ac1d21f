"""The events pages: uploads through the client, downloads, and personal data for staff
only."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import func, select

from coalitions.events.models import Attendance, Event, Person
from tests.coalitions.events import HEADER, make_event, row, xlsx_bytes


def _count(session, model, *conditions) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*conditions))


@pytest.fixture
def event(db_session):
    return make_event(db_session)


def _upload(client, event, data: bytes, filename="sheet.xlsx", dry_run=False):
    form = {"file": (io.BytesIO(data), filename)}
    if dry_run:
        form["dry_run"] = "y"
    return client.post(f"/staff/events/{event.id}/import", data=form,
                       content_type="multipart/form-data")


def test_upload_imports_and_shows_the_summary(client, login_as, db_session, event):
    login_as("staff")
    response = _upload(client, event, xlsx_bytes([row(), row(name="Ann Lee",
                                                             email="ann@example.org")]))
    assert response.status_code == 302
    assert response.location.endswith(f"/staff/events/{event.id}")
    assert _count(db_session, Attendance, Attendance.event_id == event.id) == 2
    page = client.get(response.location)
    assert b"2 rows imported" in page.data
    assert b"Ann Lee" in page.data


def test_dry_run_shows_the_plan_and_writes_nothing(client, login_as, db_session, event):
    login_as("staff")
    response = _upload(client, event, xlsx_bytes([row()]), dry_run=True)
    assert response.status_code == 200
    assert b"Dry run" in response.data
    assert b"New person" in response.data
    assert _count(db_session, Person) == 0


def test_errors_are_listed_and_downloadable(client, login_as, db_session, event):
    login_as("staff")
    response = _upload(client, event, xlsx_bytes([row(), row(name="X", sex="Alien",
                                                             email="x@example.org")]))
    assert response.status_code == 422
    assert b"nothing was imported" in response.data
    assert b"Alien" in response.data
    assert _count(db_session, Person) == 0
    token = response.data.split(b'name="errors" value="')[1].split(b'"')[0].decode()
    download = client.post(f"/staff/events/{event.id}/import/errors.xlsx",
                           data={"errors": token})
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    sheet = openpyxl.load_workbook(io.BytesIO(download.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("Row", "Column", "Value", "Problem")
    assert values[1][:3] == (3, "Sex", "Alien")


def test_error_sheet_by_uploading_the_file_again(client, login_as, event):
    login_as("staff")
    data = xlsx_bytes([row(year=1800)])
    download = client.post(f"/staff/events/{event.id}/import/errors.xlsx",
                           data={"file": (io.BytesIO(data), "sheet.xlsx")},
                           content_type="multipart/form-data")
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(download.data)).active
    assert list(sheet.iter_rows(values_only=True))[1][:2] == (2, "Year of birth")


def test_a_forged_error_token_is_refused(client, login_as, event):
    login_as("staff")
    response = client.post(f"/staff/events/{event.id}/import/errors.xlsx",
                           data={"errors": "forged"})
    assert response.status_code == 400


def test_not_a_spreadsheet_and_no_file(client, login_as, db_session, event):
    login_as("staff")
    response = _upload(client, event, b"%PDF-1.4\n%%EOF\n", filename="sheet.pdf")
    assert response.status_code == 422
    assert b"not a spreadsheet" in response.data
    response = client.post(f"/staff/events/{event.id}/import", data={},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert b"Choose a file" in response.data


def test_template_download_opens_with_openpyxl(client, login_as):
    login_as("staff")
    response = client.get("/staff/events/template.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    header = next(book.worksheets[0].iter_rows(values_only=True))
    assert list(header) == [*HEADER, "Consent"]  # the optional column comes last


def test_create_event_and_refuse_backwards_dates(client, login_as, db_session):
    login_as("staff")
    form = {"type": "workshop", "title": "Open contracting", "starts_on": "2019-03-15",
            "ends_on": "2019-03-14", "country": "BZ", "district": "Cayo"}
    response = client.post("/staff/events/new", data=form)
    assert response.status_code == 422
    assert b"cannot end before it starts" in response.data
    assert _count(db_session, Event) == 0
    form["ends_on"] = "2019-03-16"
    response = client.post("/staff/events/new", data=form)
    assert response.status_code == 302
    event = db_session.scalar(select(Event))
    assert event.title == "Open contracting"
    response = client.post(f"/staff/events/{event.id}/edit",
                           data={**form, "title": "Open contracting 2"})
    assert response.status_code == 302
    db_session.refresh(event)
    assert event.title == "Open contracting 2"


def test_agenda_upload_and_download(client, login_as, db_session, app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    login_as("staff")
    form = {"type": "workshop", "title": "With agenda", "starts_on": "2019-03-15",
            "ends_on": "2019-03-15", "country": "BZ",
            "agenda": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "agenda.pdf")}
    response = client.post("/staff/events/new", data=form, content_type="multipart/form-data")
    assert response.status_code == 302, response.data
    event = db_session.scalar(select(Event))
    download = client.get(f"/staff/events/{event.id}/agenda")
    assert download.status_code == 200
    assert download.data.startswith(b"%PDF")


def test_people_page_offers_likely_duplicates_and_merges(client, login_as, db_session,
                                                          factories):
    org = factories.organisation(name="Open Data Belize")
    kept = Person(full_name="Maria Chen", organisation_id=org.id, country="BZ")
    duplicate = Person(full_name="maria chen", organisation_id=org.id, country="BZ",
                       email="maria@example.org")
    db_session.add_all([kept, duplicate])
    db_session.flush()
    login_as("staff")
    page = client.get("/staff/events/people")
    assert page.status_code == 200
    assert f'name="duplicate_id" value="{duplicate.id}"'.encode() in page.data
    response = client.post("/staff/events/people/merge",
                           data={"kept_id": kept.id, "duplicate_id": duplicate.id})
    assert response.status_code == 302
    assert _count(db_session, Person) == 1
    response = client.post("/staff/events/people/merge",
                           data={"kept_id": kept.id, "duplicate_id": kept.id})
    assert response.status_code == 422


@pytest.mark.parametrize("role", ["applicant", "reviewer", "donor", "finance"])
def test_personal_data_is_staff_only(client, login_as, db_session, event, role):
    db_session.add(Attendance(event=event, person=Person(full_name="Private Person",
                                                         country="BZ")))
    db_session.flush()
    login_as(role)
    for url in (f"/staff/events/{event.id}", "/staff/events/people", "/staff/events",
                f"/staff/events/{event.id}/import"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"Private Person" not in response.data


def test_staff_see_the_attendance_list(client, login_as, db_session, event):
    db_session.add(Attendance(event=event, person=Person(full_name="Private Person",
                                                         country="BZ")))
    db_session.flush()
    login_as("staff")
    response = client.get(f"/staff/events/{event.id}")
    assert response.status_code == 200
    assert b"Private Person" in response.data
    assert client.get("/staff/events").status_code == 200
