"""Redactors registered with the audit log: the log's page asks each of them about the page
of entries and shows their reason instead of what the entry says."""

from __future__ import annotations

from flask import Blueprint, Flask

from core.audit import visibility
from core.audit.operations import record


def test_a_registered_redactor_hides_what_it_names(app, db_session, client, login_as):
    secret = record("thing.note", object_type="thing", object_id=1, summary="Secret summary",
                    data={"secret": "value"})
    record("thing.note", object_type="thing", object_id=2, summary="Open summary")
    db_session.flush()
    redactors = app.extensions.setdefault(visibility.EXTENSION_KEY, [])
    seen_readers = []

    def hide_first(entries, reader):
        seen_readers.append(reader.id)
        return {entry.id: "Hidden from you." for entry in entries if entry.id == secret.id}

    redactors.append(hide_first)
    try:
        reader = login_as("staff")
        page = client.get("/admin/audit?object_type=thing").get_data(as_text=True)
    finally:
        redactors.remove(hide_first)
    assert "Secret summary" not in page and '"secret"' not in page
    assert "Hidden from you." in page and "Open summary" in page
    assert seen_readers == [reader.id]


def test_a_redactor_is_registered_once_with_its_blueprint():
    probe = Flask(__name__)
    blueprint = Blueprint("visibility_probe", __name__)

    def redactor(entries, reader):
        return {}

    visibility.register(blueprint, redactor)
    visibility.register(blueprint, redactor)
    assert visibility.EXTENSION_KEY not in probe.extensions
    probe.register_blueprint(blueprint)
    assert probe.extensions[visibility.EXTENSION_KEY] == [redactor]


def test_no_entries_asks_nobody(app):
    with app.test_request_context():
        assert visibility.redactions([], reader=None) == {}
