import pytest
from sqlalchemy import select

from core.audit.models import AuditEntry, AuditLogIsAppendOnly
from core.audit.operations import record


def test_entries_cannot_be_changed_or_deleted(db_session, factories):
    user = factories.user()
    entry = record("test.action", user, summary="something")
    entry.summary = "rewritten"
    with pytest.raises(AuditLogIsAppendOnly):
        db_session.flush()
    db_session.rollback()
    entry = record("test.action", user, summary="something")
    db_session.delete(entry)
    with pytest.raises(AuditLogIsAppendOnly):
        db_session.flush()


def test_staff_filter_the_log(client, login_as, factories, db_session):
    staff = login_as("staff")
    target = factories.user()
    record("user.example", target, actor=staff, summary="Filtered entry")
    record("other.example", staff, actor=staff, summary="Other entry")
    page = client.get(f"/admin/audit?object_type=users&object_id={target.id}")
    assert b"Filtered entry" in page.data and b"Other entry" not in page.data
    assert b"Other entry" in client.get("/admin/audit?action=other").data


def test_bad_filter_dates_get_400(client, login_as):
    login_as("staff")
    assert client.get("/admin/audit?from=not-a-date").status_code == 400


def test_audit_entry_records_ip_of_the_request(client, db_session, factories):
    user = factories.user()
    client.post("/login", data={"email": user.email, "password": "correct horse battery staple"},
                environ_base={"REMOTE_ADDR": "203.0.113.9"})
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "user.login"))
    assert entry.ip_address == "203.0.113.9" and entry.actor_id == user.id
