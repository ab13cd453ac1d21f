"""Reference numbers under concurrency, with real transactions and commits (on PostgreSQL
when TEST_DATABASE_URL is set, else SQLite).

The load test found this: the first two applications submitted to a call at the same moment
both found no counter row for the new series, both inserted one, and the second request
failed on the primary key with a 500.
"""

from __future__ import annotations

import secrets
import threading

import pytest
from sqlalchemy import delete

from core.extensions import db


@pytest.fixture(autouse=True)
def db_session():
    """This module commits for real: no per-test rollback session."""
    yield None


def _number_in_own_transaction(app, series, results, errors, *, numbered=None, release=None):
    """In its own app context (so its own session and connection), take the next number of
    ``series``; wait for ``release`` (if given) before committing, as a slow request would."""
    from core.references import next_number

    with app.app_context():
        try:
            results.append(next_number(series))
            if numbered is not None:
                numbered.set()
            if release is not None:
                release.wait(10)
            db.session.commit()
        except Exception as error:  # the test reports it
            db.session.rollback()
            errors.append(repr(error))
            if numbered is not None:
                numbered.set()
        finally:
            db.session.remove()


def _delete_series(app, series):
    from core.references import ReferenceCounter

    with app.app_context():
        db.session.execute(delete(ReferenceCounter).where(ReferenceCounter.series == series))
        db.session.commit()
        db.session.remove()


def test_two_requests_starting_a_new_series_get_one_and_two(app):
    series = f"RACE-{secrets.token_hex(4)}"
    first_results, second_results, errors = [], [], []
    numbered, release = threading.Event(), threading.Event()
    first = threading.Thread(target=_number_in_own_transaction,
                             args=(app, series, first_results, errors),
                             kwargs={"numbered": numbered, "release": release})
    # The second request starts while the first holds its new, uncommitted counter row.
    second = threading.Thread(target=_number_in_own_transaction,
                              args=(app, series, second_results, errors))
    try:
        first.start()
        assert numbered.wait(10)
        second.start()
        second.join(0.5)  # it now waits on the first one's row
        release.set()
        first.join(15)
        second.join(15)
        assert errors == []
        assert first_results == [1]
        assert second_results == [2]
    finally:
        release.set()
        first.join(15)
        second.join(15)
        _delete_series(app, series)


def test_many_concurrent_requests_share_no_number(app):
    series = f"RACE-{secrets.token_hex(4)}"
    results, errors = [], []
    barrier = threading.Barrier(8)

    def take():
        barrier.wait(10)
        _number_in_own_transaction(app, series, results, errors)

    threads = [threading.Thread(target=take) for _ in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert errors == []
        assert sorted(results) == list(range(1, 9))
    finally:
        _delete_series(app, series)
