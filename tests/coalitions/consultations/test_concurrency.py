"""Supports sent at the same moment, with real transactions and commits (on PostgreSQL when
TEST_DATABASE_URL is set, else SQLite): one support per person and item whatever the
interleaving, through the advisory locks and the unique constraints together."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from core.errors import OperationError
from core.extensions import db
from tests.security.double_post.harness import remove_new_rows, snapshot

THREADS = 8


@pytest.fixture(autouse=True)
def db_session():
    """This module commits for real: no per-test rollback session."""
    yield None


@pytest.fixture
def world(app):
    from coalitions.consultations import operations
    from coalitions.plans import operations as plan_operations
    from core.timeutil import utcnow
    from tests.fixtures.factories import Factories

    with app.app_context():
        marks = snapshot(db.session)
        factories = Factories(db.session)
        staff = factories.user(roles=("staff",))
        plan = plan_operations.create_plan(staff, title="Concurrent plan", country="BZ",
                                           starts_on=date(2027, 1, 1),
                                           ends_on=date(2028, 1, 1))
        consultation = operations.create_consultation(
            staff, plan_id=plan.id, title="Concurrent", description="",
            opens_at=utcnow() - timedelta(days=1), closes_at=utcnow() + timedelta(days=1))
        proposal = operations.propose(consultation, staff, title="Idea", problem="P",
                                      solution="S", institution_name="Ministry")
        users = [factories.user(email=email) for email in (
            "same.person@gmail.com", "sameperson+1@gmail.com", "s.a.m.e.person@googlemail.com",
            "SamePerson+x@gmail.com")]
        db.session.commit()
        ids = {"consultation": consultation.id, "proposal": proposal.id,
               "users": [user.id for user in users]}
    yield ids
    remove_new_rows(app, marks)


def _support_at_once(app, ids, user_ids) -> list[str]:
    from accounts.models import User
    from coalitions.consultations import operations
    from coalitions.consultations.models import Consultation, Proposal

    barrier = threading.Barrier(len(user_ids))
    outcomes: list[str] = []

    def run(user_id):
        with app.app_context():
            barrier.wait()  # before the first statement: SQLite's writers hold their lock
            try:
                user = db.session.get(User, user_id)
                consultation = db.session.get(Consultation, ids["consultation"])
                proposal = db.session.get(Proposal, ids["proposal"])
                operations.support(consultation, user, proposal=proposal)
                db.session.commit()
                outcomes.append("supported")
            except OperationError:
                db.session.rollback()
                outcomes.append("already")
            except Exception as error:  # noqa: BLE001 - reported by the test
                db.session.rollback()
                outcomes.append(f"error: {error!r}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(user_id,)) for user_id in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def _supports(app, ids) -> int:
    from coalitions.consultations.models import Support
    with app.app_context():
        return db.session.scalar(select(func.count(Support.id)).where(
            Support.proposal_id == ids["proposal"]))


def test_one_account_supporting_many_times_at_once_counts_once(app, world):
    outcomes = _support_at_once(app, world, [world["users"][0]] * THREADS)
    assert outcomes.count("supported") == 1, outcomes
    assert outcomes.count("already") == THREADS - 1, outcomes
    assert _supports(app, world) == 1


def test_accounts_on_one_mailbox_supporting_at_once_count_once(app, world):
    outcomes = _support_at_once(app, world, world["users"])
    assert outcomes.count("supported") == 1, outcomes
    assert _supports(app, world) == 1
