"""The public call pages carry validators: a browser's kept copy is answered with 304 until
a call changes, or the clock changes what the page says."""

from __future__ import annotations

from datetime import timedelta

from core.extensions import db
from core.freshness import CALLS, current_version
from core.timeutil import utcnow


def test_call_pages_answer_304_until_a_call_changes(client, grant_factories):
    call = grant_factories.call(title="Mini-grants 2026")
    for path in ("/calls", f"/calls/{call.id}"):
        first = client.get(path)
        etag = first.headers["ETag"]
        assert first.headers["Cache-Control"] == "private, no-cache"
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.get_data() == b"", path
    etags = {path: client.get(path).headers["ETag"] for path in ("/calls", f"/calls/{call.id}")}
    before = current_version(CALLS)
    call.title = "Mini-grants 2026 (extended)"
    db.session.commit()
    assert current_version(CALLS) > before
    for path, etag in etags.items():
        response = client.get(path, headers={"If-None-Match": etag})
        assert response.status_code == 200 and "(extended)" in response.get_data(as_text=True)


def test_a_call_page_follows_the_clock(client, grant_factories, monkeypatch):
    call = grant_factories.call(closes_at=utcnow().replace(microsecond=0) + timedelta(hours=2))
    etag = client.get(f"/calls/{call.id}").headers["ETag"]
    later = utcnow() + timedelta(hours=3)  # the call has closed since
    monkeypatch.setattr("grants.calls.views.utcnow", lambda: later)
    response = client.get(f"/calls/{call.id}", headers={"If-None-Match": etag})
    assert response.status_code == 200
