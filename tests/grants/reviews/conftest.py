"""Fixtures for panels, conflicts, assignments and reviews: a call whose rubric has a
criterion that allows N/A, eligible applications, staff and a panel of four reviewers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.audit.models import AuditEntry
from core.timeutil import utcnow
from grants.applications.states import ApplicationState
from tests.fixtures.applications import make_submitted_application


@pytest.fixture
def staff(factories):
    return factories.user(roles=("staff",), name="Programme Officer")


@pytest.fixture
def call(grant_factories):
    """Rubric: Relevance (weight 2, 0–10), Feasibility (weight 1, 0–10), Partnership
    (weight 1, 0–5, N/A allowed)."""
    return grant_factories.call(title="Mini-grants 2026")


@pytest.fixture
def criteria(call):
    return {criterion.name: criterion for criterion in call.criteria}


@pytest.fixture
def make_application(db_session, factories, call):
    def make(state=ApplicationState.eligible, **fields):
        application = make_submitted_application(db_session, factories, call=call, **fields)
        application.state = ApplicationState(state)
        db_session.flush()
        return application
    return make


@pytest.fixture
def applications(make_application):
    """Four eligible applications."""
    return [make_application() for _ in range(4)]


@pytest.fixture
def reviewers(factories):
    return [factories.user(roles=("reviewer",), name=f"Reviewer {name}")
            for name in ("Ada", "Ben", "Cleo", "Dev")]


@pytest.fixture
def panel(call, staff, reviewers):
    from grants.reviews import operations

    panel = operations.create_panel(call, staff, due_at=utcnow() + timedelta(days=14),
                                    reviewers_per_application=3)
    for reviewer in reviewers:
        operations.add_member(panel, reviewer, staff)
    return panel


@pytest.fixture
def assignment(panel, applications, reviewers, staff):
    """The first application, assigned by hand to the first reviewer."""
    from grants.reviews import operations
    return operations.assign(panel, applications[0], reviewers[0], staff)


def full_scores(criteria, **overrides):
    """A complete set of scores for a submission: 7, 6 and N/A, unless overridden."""
    scores = {criteria["Relevance"].id: 7, criteria["Feasibility"].id: 6,
              criteria["Partnership"].id: None}
    for name, value in overrides.items():
        scores[criteria[name].id] = value
    return scores


@pytest.fixture
def submit_review(criteria):
    """Submit a complete review of ``assignment`` through the operation."""
    from grants.reviews import operations

    def submit(assignment, reviewer=None, **overrides):
        return operations.save_review(
            assignment, reviewer or assignment.reviewer, scores=full_scores(criteria, **overrides),
            comments={}, overall_comment="Solid.", recommendation="fund",
            confidence="high", submit=True)
    return submit


def _count(session, model, *conditions) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*conditions))


def _actions(session) -> list[str]:
    return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
