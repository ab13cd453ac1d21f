"""The "My work" registry: sources by policy and order, the list limit, days left."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core import work

TODAY = date(2026, 12, 6)


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(work, "_sources", {})
    return work


def allowed(user):
    return True, ""


def refused(user):
    return False, "no"


def test_sections_follow_order_policy_and_skip_empty_ones(registry):
    registry.provide("b", "Second", allowed, order=20)(
        lambda user, today: [work.WorkItem("one", "/one")])
    registry.provide("a", "First", allowed, order=10)(
        lambda user, today: [work.WorkItem(str(n), f"/{n}") for n in range(8)])
    registry.provide("c", "Refused", refused, order=5)(
        lambda user, today: [work.WorkItem("hidden", "/hidden")])
    registry.provide("d", "Empty", allowed, order=30)(lambda user, today: [])
    sections = registry.sections_for(object(), TODAY)
    assert [section.heading for section in sections] == ["First", "Second"]
    assert len(sections[0].items) == work.LIST_LIMIT and sections[0].more == 8 - work.LIST_LIMIT
    assert sections[1].more == 0


def test_a_name_cannot_be_taken_twice(registry):
    def first(user, today):
        return []

    def second(user, today):
        return []

    registry.provide("x", "X", allowed)(first)
    registry.provide("x", "X", allowed)(first)  # its module imported again: no error
    with pytest.raises(RuntimeError):
        registry.provide("x", "X", allowed)(second)


def test_days_left_counts_a_moment_by_its_day_in_the_programme(app):
    with app.app_context():
        # 03:00 UTC on the 7th is still the 6th in Belize (UTC-6).
        assert work.days_left(datetime(2026, 12, 7, 3, 0, tzinfo=UTC), TODAY) == 0
        assert work.days_left(date(2026, 12, 1), TODAY) == -5
        assert work.days_left(None, TODAY) is None
