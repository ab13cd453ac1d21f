"""Stored uploads: downloads as attachments, bytes kept in step with the transaction,
the local storage and the form field."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from core.audit.models import AuditEntry
from core.uploads.models import StoredFile
from core.uploads.operations import delete_stored_file, store_upload
from core.uploads.responses import send_stored_file
from core.uploads.storage import LocalStorage, get_storage
from tests.core.upload_samples import PDF, png_bytes, stored_files, upload

# Downloads ---------------------------------------------------------------------------------

def test_send_stored_file_is_an_attachment_with_the_stored_bytes(app, folder):
    data = png_bytes()
    stored = store_upload(upload(data, "logo.png"), uploaded_by=None)
    with app.test_request_context("/"):
        response = send_stored_file(stored)
        response.direct_passthrough = False
        body = response.get_data()
        response.close()
    assert body == data
    assert response.headers["Content-Disposition"] == 'attachment; filename=logo.png'
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.content_length == len(data)


def test_non_ascii_names_are_sent_with_rfc_5987(app, folder):
    stored = store_upload(upload(PDF, 'Informe "final" año.pdf'), uploaded_by=None)
    with app.test_request_context("/"):
        response = send_stored_file(stored)
        response.close()
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Informe%20%22final%22%20a%C3%B1o.pdf" in disposition
    assert response.mimetype == "application/pdf"


def test_missing_bytes_give_404(app, folder):
    from werkzeug.exceptions import NotFound

    stored = store_upload(upload(PDF, "a.pdf"), uploaded_by=None)
    get_storage().delete(stored.storage_key)
    with app.test_request_context("/"), pytest.raises(NotFound):
        send_stored_file(stored)


# Transactions ------------------------------------------------------------------------------

def test_bytes_of_a_rolled_back_upload_are_removed(folder, db_session):
    stored = store_upload(upload(PDF, "a.pdf"), uploaded_by=None)
    path = folder / stored.storage_key[:2] / stored.storage_key
    assert path.exists()
    db_session.rollback()
    assert not path.exists()


def test_bytes_of_a_committed_upload_stay(folder, db_session):
    stored = store_upload(upload(PDF, "a.pdf"), uploaded_by=None)
    db_session.commit()
    db_session.rollback()
    assert (folder / stored.storage_key[:2] / stored.storage_key).exists()


def test_a_rolled_back_savepoint_removes_only_its_own_uploads(folder, db_session):
    kept = store_upload(upload(PDF, "kept.pdf"), uploaded_by=None)
    savepoint = db_session.begin_nested()
    dropped = store_upload(upload(PDF, "dropped.pdf"), uploaded_by=None)
    savepoint.rollback()
    storage = get_storage()
    assert storage.exists(kept.storage_key) and not storage.exists(dropped.storage_key)
    db_session.commit()
    assert storage.exists(kept.storage_key)


def test_bytes_are_removed_if_the_row_cannot_be_written(folder, monkeypatch):
    from core.uploads import operations

    def failing_record(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(operations, "record", failing_record)
    with pytest.raises(RuntimeError):
        store_upload(upload(PDF, "a.pdf"), uploaded_by=None)
    assert stored_files(folder) == []


def test_deleting_a_file_removes_its_bytes_only_when_the_transaction_commits(
        folder, db_session, factories):
    staff = factories.user(roles=("staff",))
    stored = store_upload(upload(PDF, "old.pdf"), uploaded_by=staff)
    db_session.commit()
    storage, key, stored_id = get_storage(), stored.storage_key, stored.id

    delete_stored_file(stored, actor=staff)
    assert db_session.get(StoredFile, stored_id) is None
    assert storage.exists(key)  # a rollback now must not leave a row without bytes
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "file.delete"))
    assert entry.object_id == str(stored_id) and entry.actor_id == staff.id
    db_session.commit()
    assert not storage.exists(key)


def test_a_rolled_back_delete_keeps_row_and_bytes(folder, db_session):
    stored = store_upload(upload(PDF, "old.pdf"), uploaded_by=None)
    db_session.commit()
    key, stored_id = stored.storage_key, stored.id
    delete_stored_file(stored)
    db_session.rollback()
    assert db_session.get(StoredFile, stored_id) is not None
    db_session.commit()
    assert get_storage().exists(key)


# Storage -----------------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["../etc/passwd", "ABCDEF0123456789", "abc", "a" * 129,
                                 "0123456789abcdef/", "", "0123456789abcdeg"])
def test_local_storage_refuses_keys_that_are_not_hex(tmp_path, key):
    storage = LocalStorage(tmp_path)
    with pytest.raises(ValueError):
        storage.save(key, b"x")
    with pytest.raises(ValueError):
        storage.open(key)
    assert list(tmp_path.iterdir()) == []


def test_local_storage_never_overwrites_and_deletes_quietly(tmp_path):
    storage = LocalStorage(tmp_path / "files")
    key = "ab" * 32
    storage.save(key, b"first")
    with pytest.raises(FileExistsError):
        storage.save(key, b"second")
    with storage.open(key) as handle:
        assert handle.read() == b"first"
    storage.delete(key)
    storage.delete(key)
    assert not storage.exists(key)
    with pytest.raises(FileNotFoundError):
        storage.open(key)


def test_default_folder_is_in_the_instance_and_static_is_refused(app, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", None)
    assert get_storage().root == (Path(app.instance_path) / "uploads").resolve()
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(Path(app.static_folder) / "uploads"))
    with pytest.raises(RuntimeError):
        get_storage()


# Form field --------------------------------------------------------------------------------

def test_upload_field_hints_types_and_limit_and_can_be_required(app):
    from core.forms import BaseForm
    from core.uploads.forms import FileUploadField

    class AttachmentForm(BaseForm):
        attachment = FileUploadField("Attachment", kinds=("pdf", "jpg"), required=True)
        optional = FileUploadField("Optional")

    with app.test_request_context("/", method="POST", data={}):
        form = AttachmentForm()
        assert str(form.attachment.description) == "Accepted types: PDF, JPG. At most 10 MB."
        assert 'accept=".pdf,.jpg,.jpeg"' in str(form.attachment())
        assert not form.validate()
        assert [str(error) for error in form.attachment.errors] == ["Choose a file to upload."]
        assert not form.optional.errors

    with app.test_request_context("/", method="POST",
                                  data={"attachment": (io.BytesIO(PDF), "a.pdf")}):
        form = AttachmentForm()
        assert form.validate()
        assert isinstance(form.attachment.data, FileStorage)
