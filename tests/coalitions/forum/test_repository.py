"""The repository of the co-creation documents: uploads, links, minutes listed by
themselves, documents other packages contribute, search, filters, pages."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from sqlalchemy import event, literal, select
from werkzeug.datastructures import FileStorage

from coalitions.forum import operations, queries
from coalitions.forum.models import RepositoryDocument
from core import documents
from core.documents import DocumentKind
from core.errors import OperationError
from core.extensions import db
from core.locking import AlreadyDone
from tests.coalitions.forum.conftest import meeting_fields

PDF = b"%PDF-1.4\n%%EOF\n"


def _pdf(name="draft.pdf", data=PDF):
    return FileStorage(BytesIO(data), filename=name)


@contextmanager
def counting_statements():
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


@pytest.fixture
def in_request(app):
    """The rows' addresses are built with ``url_for``."""
    with app.test_request_context():
        yield


def _link(staff, title, day, kind="other", description=""):
    return operations.add_document(staff, kind=kind, title=title, document_date=day,
                                   description=description, link="/action-plans")


def test_a_file_or_a_link_is_stored(staff):
    upload = operations.add_document(staff, kind="draft_plan", title="First draft",
                                     document_date=date(2020, 3, 1), file_storage=_pdf())
    assert upload.file.kind == "pdf" and upload.link is None
    link = _link(staff, "Final plan", date(2020, 9, 1), kind="plan")
    assert link.file is None and link.link == "/action-plans"
    with pytest.raises(AlreadyDone):
        operations.add_document(staff, kind="draft_plan", title="First draft",
                                document_date=date(2020, 3, 1), file_storage=_pdf())


@pytest.mark.parametrize(("upload", "link", "field"), [
    (None, None, "file"),
    (lambda: _pdf(), "/action-plans", "file"),
    (None, "https://evil.example/", "link"),
    (None, "//evil.example/", "link"),
    (lambda: _pdf("report.exe", b"MZ\x90\x00"), None, "file"),
    (lambda: _pdf("report.pdf", b"not a pdf at all"), None, "file"),
    (lambda: _pdf("picture.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20), None, "file"),
    (lambda: _pdf("empty.pdf", b""), None, "file"),
    (lambda: _pdf("../../etc/passwd.pdf"), None, "file"),
])
def test_bad_files_and_links_are_refused(staff, upload, link, field):
    with pytest.raises(OperationError) as error:
        operations.add_document(staff, kind="other", title="Document",
                                document_date=date(2020, 1, 1), link=link,
                                file_storage=upload() if upload else None)
    assert error.value.field == field


def test_a_file_over_the_limit_is_refused(app, staff, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 10)
    with pytest.raises(OperationError) as error:
        operations.add_document(staff, kind="other", title="Large", file_storage=_pdf(),
                                document_date=date(2020, 1, 1))
    assert "larger than" in str(error.value.message)


def test_the_upload_page_shows_the_refusal_beside_the_field(client, login_as):
    login_as("staff")
    response = client.post("/staff/forum/documents/new", data={
        "kind": "minutes", "title": "Minutes", "document_date": "2020-02-03",
        "file": (BytesIO(b"MZ\x90\x00"), "minutes.exe")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "cannot be uploaded here" in response.get_data(as_text=True)
    assert db.session.scalar(select(RepositoryDocument.id)) is None


def test_published_minutes_are_listed_by_themselves(members, staff, in_request):
    operations.create_meeting(staff, **meeting_fields())
    operations.create_meeting(staff, **meeting_fields(title="Unpublished",
                                                      is_published=False))
    operations.create_meeting(staff, **meeting_fields(title="No minutes yet", minutes=""))
    page = queries.search_documents()
    assert [(row.kind, row.title) for row in page.items] == [
        (DocumentKind.minutes, "First forum meeting")]
    assert page.items[0].url.startswith("/forum/meetings/")
    assert not page.items[0].removable


def test_search_kind_and_year_filter_in_sql(members, staff, in_request):
    _link(staff, "Draft one", date(2020, 3, 1), "draft_plan", "Open contracting ideas")
    _link(staff, "Draft two", date(2021, 3, 1), "draft_plan")
    _link(staff, "Consultation report", date(2020, 8, 1), "consultation_report")
    operations.create_meeting(staff, **meeting_fields(
        translations={"es": {"title": "Reunión de apertura", "agenda": "", "minutes": ""}}))

    def titles(**filters):
        return [row.title for row in queries.search_documents(**filters).items]

    assert titles(search="CONTRACTING") == ["Draft one"]
    assert titles(search="apertura") == ["First forum meeting"]
    assert titles(search="reunión") == ["First forum meeting"]
    assert titles(search="Reunión de") == ["First forum meeting"]
    assert titles(search="100%") == []
    assert titles(kind="draft_plan") == ["Draft two", "Draft one"]
    assert titles(year=2020) == ["Consultation report", "Draft one", "First forum meeting"]
    assert titles(kind="minutes", year=2021) == []
    assert queries.document_years() == [2021, 2020]


def test_the_repository_is_paged_in_a_fixed_number_of_statements(members, staff, in_request):
    for day in range(1, 26):
        _link(staff, f"Document {day}", date(2020, 1, day))
    first = queries.search_documents(page=1, per_page=10)
    assert first.total == 25 and first.pages == 3 and first.has_next
    assert [row.title for row in queries.search_documents(page=3, per_page=10).items] == [
        "Document 5", "Document 4", "Document 3", "Document 2", "Document 1"]
    with counting_statements() as few:
        queries.search_documents(search="document", page=1)
    for day in range(1, 20):
        _link(staff, f"More {day}", date(2020, 2, day))
        operations.create_meeting(staff, **meeting_fields(
            title=f"Meeting {day}", starts_at=datetime(2020, 3, day, 15, tzinfo=UTC)))
    with counting_statements() as many:
        queries.search_documents(search="e", page=2)
    assert len(few) == len(many) == 2


def test_another_package_contributes_documents_by_registration(members, staff, in_request):
    from coalitions.forum.models import Meeting

    @documents.provide("tests.consultation_reports", url=lambda row: f"/elsewhere/{row.ref_id}")
    def _reports():
        return select(Meeting.id.label("ref_id"),
                      literal(DocumentKind.consultation_report.value).label("kind"),
                      literal("Contributed report").label("title"),
                      literal("").label("description"),
                      Meeting.translations.label("translations"),
                      Meeting.held_on.label("document_date"),
                      literal(None).label("link"))

    try:
        operations.create_meeting(staff, **meeting_fields(minutes=""))
        rows = queries.search_documents(kind="consultation_report").items
        assert [(row.title, row.url[:11]) for row in rows] == [
            ("Contributed report", "/elsewhere/")]
    finally:
        documents._sources.pop("tests.consultation_reports")


def test_the_public_list_and_a_file_download(client, login_as, staff):
    document = operations.add_document(staff, kind="draft_plan", title="First draft",
                                       document_date=date(2020, 3, 1), file_storage=_pdf())
    db.session.commit()
    html = client.get("/forum/documents?q=first&kind=draft_plan&year=2020").get_data(
        as_text=True)
    assert "First draft" in html and f"/forum/documents/{document.id}/file" in html
    response = client.get(f"/forum/documents/{document.id}/file")
    assert response.status_code == 200 and response.get_data() == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert client.get("/forum/documents?kind=nonsense").status_code == 400
    assert "No documents match." in client.get("/forum/documents?q=zzz").get_data(as_text=True)


def test_adding_a_document_moves_the_repositorys_validator_on(client, staff):
    _link(staff, "First", date(2020, 1, 1))
    db.session.commit()
    etag = client.get("/forum/documents").headers["ETag"]
    assert client.get("/forum/documents", headers={"If-None-Match": etag}).status_code == 304
    _link(staff, "Second", date(2020, 1, 2))
    db.session.commit()
    assert client.get("/forum/documents", headers={"If-None-Match": etag}).status_code == 200


def test_staff_remove_a_document_and_its_file(client, login_as, staff):
    from core.uploads.models import StoredFile

    document = operations.add_document(staff, kind="other", title="Old", file_storage=_pdf(),
                                       document_date=date(2020, 3, 1))
    db.session.commit()
    login_as("staff")
    assert client.post(f"/staff/forum/documents/{document.id}/remove").status_code == 302
    assert db.session.scalar(select(StoredFile.id)) is None
