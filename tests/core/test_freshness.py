"""A watched foreign key is seen changed when its relationship is assigned: before a flush
``call.fund = other`` has changed ``fund`` but not yet ``fund_id``, and stored figures keyed
by the channel's version must not survive the move."""

from __future__ import annotations

from core import freshness
from core.extensions import db
from reporting.indicators.figures import INDICATORS
from tests.fixtures.grants import GrantFactories


def test_assigning_the_relationship_of_a_watched_key_is_a_change(factories, db_session):
    grants = GrantFactories(db_session, factories)
    call, other = grants.call(), grants.fund()
    db.session.commit()
    assert not freshness.changed_in_transaction(INDICATORS)
    call.fund = other
    assert freshness.changed_in_transaction(INDICATORS)


def test_an_unwatched_attribute_is_no_change(factories, db_session):
    call = GrantFactories(db_session, factories).call()
    db.session.commit()
    call.summary = "Another summary"
    assert not freshness.changed_in_transaction(INDICATORS)


def test_a_remembered_value_lasts_as_long_as_its_version(factories, db_session, remembering):
    grants = GrantFactories(db_session, factories)
    computed = []

    def compute():
        computed.append(1)
        return len(computed)

    key = ("test.remembered", id(computed))
    first = freshness.remembered(freshness.CALLS, key, compute)
    assert freshness.remembered(freshness.CALLS, key, compute) == first
    assert len(computed) == 1

    call = grants.call()  # a change the channel watches, not committed yet
    db.session.flush()
    assert freshness.changed_in_transaction(freshness.CALLS)
    assert freshness.remembered(freshness.CALLS, key, compute) == 2  # afresh, not kept
    db.session.commit()
    assert freshness.remembered(freshness.CALLS, key, compute) == 3  # the version moved
    assert freshness.remembered(freshness.CALLS, key, compute) == 3
    assert call.id and len(computed) == 3



def test_remembered_values_are_bounded(db_session, remembering, monkeypatch):
    """Filters come from the address: any number of keys keeps at most the limit."""
    monkeypatch.setattr(freshness, "REMEMBERED_LIMIT", 8)
    for number in range(50):
        assert freshness.remembered(freshness.CALLS, ("test.bounded", number),
                                    lambda number=number: number) == number
        assert len(freshness._REMEMBERED) <= 8
    assert freshness.remembered(freshness.CALLS, ("test.bounded", 49), lambda: "again") == 49
