"""The error page after a failed write: the handler rolls the session back before rendering,
so the page (which reads the signed-in user and the navigation) renders instead of failing
again on the aborted transaction (PendingRollbackError) and leaving a bare server page."""

from __future__ import annotations

from sqlalchemy import select


def test_a_failed_flush_still_gets_the_friendly_error_page(app, client, db_session, login_as,
                                                           monkeypatch):
    from core.extensions import db
    from core.references import ReferenceCounter

    def clash():
        # Two rows with the same key: the flush fails as a unique constraint would on a race.
        db.session.add(ReferenceCounter(series="CLASH-2026", last_number=1))
        db.session.flush()
        db.session.add(ReferenceCounter(series="CLASH-2026", last_number=2))
        db.session.flush()

    login_as("staff")
    monkeypatch.setitem(app.view_functions, "core.health", clash)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/health")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong" in page
    assert "Sign out" in page  # the page loaded the signed-in user after the rollback
    assert db_session.scalar(select(ReferenceCounter).where(
        ReferenceCounter.series == "CLASH-2026")) is None
