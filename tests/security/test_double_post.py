"""Every state-changing POST route, sent twice at once: two threads, each with its own client,
session cookie and CSRF token, released together by a barrier, on real transactions that
commit (PostgreSQL when TEST_DATABASE_URL is set, else SQLite, whose writers queue on the
busy timeout).

Afterwards neither answer is a server error, both answer alike, and the database holds what
one request would have written: no row twice, no audit entry twice, no email twice, and no
reference number given out that no application or award carries.

Every route accepting POST has a case in ``tests/security/double_post/cases.py``; a new
route without one fails ``test_every_post_route_has_a_double_post_case``. A route that
changes nothing (or nothing twice, by design) is listed with the reason; a case whose repeat
still misbehaves names the problem and runs as an expected failure (not strict: how the two
requests interleave differs between PostgreSQL and SQLite, so a repeat may behave on one and
not the other); routes not yet given a case are listed as pending.

Each case builds the two-organisation world of ``tests/security/world.py`` and commits it;
the rows it added are deleted afterwards, so the rest of the suite sees an empty database.
"""

from __future__ import annotations

import pytest

from core.extensions import db
from tests.security.double_post import harness
from tests.security.double_post.cases import CASES, PENDING, Case
from tests.security.routes import post_endpoints

STATE_CHANGING = sorted(name for name, case in CASES.items() if isinstance(case, Case))


@pytest.fixture(autouse=True)
def db_session():
    """This module commits for real: no per-test rollback session."""
    yield None


def test_every_post_route_has_a_double_post_case(app):
    endpoints = post_endpoints(app)
    missing = sorted(endpoints - CASES.keys() - PENDING)
    assert not missing, f"POST routes without a double-post case: {missing}"
    stale = sorted((CASES.keys() | PENDING) - endpoints)
    assert not stale, f"Double-post cases for routes that take no POST: {stale}"
    assert not CASES.keys() & PENDING, "A route with a case is still listed as pending"


def _user_id(world, who: str):
    if who == "anonymous":
        return None
    user = world.alpha.owner if who == "alpha" else getattr(world, who)
    return user.get_id()


@pytest.mark.parametrize("endpoint", [
    pytest.param(name, marks=pytest.mark.xfail(reason=CASES[name].known_problem))
    if CASES[name].known_problem else name for name in STATE_CHANGING])
def test_the_same_post_twice_at_once_acts_once(endpoint, app, csrf_enabled, tmp_path,
                                                monkeypatch):
    from tests.fixtures.factories import Factories
    from tests.security.world import build_world

    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    case = CASES[endpoint]
    with app.app_context():
        marks = harness.snapshot(db.session)
        db.session.remove()
    try:
        with app.app_context():
            session = db.session
            factories = Factories(session)
            world = build_world(session, factories)
            ctx = case.setup(world, session, factories) if case.setup else {}
            session.commit()
            user_id, url = _user_id(world, case.who), case.url(world, ctx)
            forms = [case.data(world, ctx) for _ in range(2)]
            before = harness.snapshot(session)
            counters = harness.counters(session)
            session.commit()
            outcome = harness.send(app, user_id, url, forms)
            session.expire_all()
            gained = harness.new_rows(session, before)
            gaps = harness.reference_gaps(session, counters)
            session.remove()
    finally:
        harness.remove_new_rows(app, marks)
    with app.app_context():
        left = harness.new_rows(db.session, marks)
        db.session.remove()
    assert not left, f"rows left behind for the rest of the suite: {sorted(left)}"

    assert not outcome.errors, outcome.errors[0]
    assert all(status < 500 for status in outcome.statuses), (endpoint, outcome.statuses)
    if case.same_status:
        assert outcome.statuses[0] == outcome.statuses[1], (endpoint, outcome.statuses)
    assert any(status < 400 for status in outcome.statuses), \
        (endpoint, outcome.statuses, "the case's form was refused: it tests nothing",
         harness.flashed(outcome.bodies[0]))
    assert gained, (endpoint, "neither request wrote anything: the case tests nothing")
    if case.repeats_by_design:
        return
    assert not harness.duplicated_rows(gained), (endpoint, harness.duplicated_rows(gained))
    assert not harness.duplicated_audit_entries(gained.get("audit_entries", [])), endpoint
    assert not harness.duplicated_messages(gained.get("outbox_messages", [])), endpoint
    assert not gaps, (endpoint, gaps)
