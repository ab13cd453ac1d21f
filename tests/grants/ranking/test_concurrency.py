"""Two members of the programme team award two applications at the same moment when the pool
has money for one of them, with real transactions and real commits (on PostgreSQL when
TEST_DATABASE_URL is set, else SQLite), as in ``tests/grants/awards/test_concurrency.py``.

The fund's row lock makes the second decision wait for the first and then see its award: one
award is recorded, the other is refused with the pool's message, never both.
"""

from __future__ import annotations

import threading
import traceback
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, or_, select

from core.errors import OperationError
from core.extensions import db

#: Decisions racing for the pool (each for its own application).
THREADS = 4
REQUESTED = Decimal("5000.00")
#: Money for one award of 5,000 only (the call's 4 × 5,000 is limited by the fund).
FUND_BUDGET = Decimal("8000.00")


@pytest.fixture(autouse=True)
def db_session():
    """This module commits for real: no per-test rollback session."""
    yield None


@dataclass
class Setup:
    panel_id: int
    application_ids: list[int]
    staff_ids: list[int]
    call_id: int
    fund_id: int
    user_ids: list[int] = field(default_factory=list)
    organisation_ids: list[int] = field(default_factory=list)


def _create(app) -> Setup:
    from core.timeutil import utcnow
    from grants.applications.models import Application
    from grants.applications.states import ApplicationState
    from grants.reviews.models import Panel, PanelMember
    from tests.fixtures.applications import make_submitted_application
    from tests.fixtures.factories import Factories
    from tests.fixtures.grants import GrantFactories

    with app.app_context():
        session = db.session
        factories = Factories(session)
        grants = GrantFactories(session, factories)
        fund = grants.fund(total_budget=FUND_BUDGET)
        call = grants.call(fund=fund, award_amount=REQUESTED, max_awards=4, documents=[],
                           statements=[])
        applications = [make_submitted_application(
            session, factories, call=call, requested_amount=REQUESTED, budget=[REQUESTED],
            state=ApplicationState.in_review) for _ in range(THREADS)]
        staff = [factories.user(roles=("staff",), name=f"Deciding Staff {i}")
                 for i in range(THREADS)]
        chair = factories.user(roles=("reviewer",), name="Racing Chair")
        panel = Panel(call=call, chair=chair, due_at=utcnow() + timedelta(days=2),
                      reviewers_per_application=1, disagreement_threshold=25)
        panel.members = [PanelMember(user=chair)]
        session.add(panel)
        session.flush()
        members = list(session.scalars(
            select(Application).where(Application.id.in_([a.id for a in applications]))))
        organisations = {fund.donor_organisation_id}
        users = {chair.id, *(u.id for u in staff)}
        for application in members:
            organisations.update({application.organisation_id,
                                  application.counterpart_organisation_id})
            users.update(m.user_id for m in application.organisation.members)
        setup = Setup(panel_id=panel.id, application_ids=[a.id for a in applications],
                      staff_ids=[u.id for u in staff], call_id=call.id, fund_id=fund.id,
                      user_ids=sorted(users),
                      organisation_ids=sorted(o for o in organisations if o is not None))
        session.commit()
        session.remove()
    return setup


def _cleanup(app, setup: Setup) -> None:
    from accounts.models import User
    from accounts.organisations.models import Organisation, OrganisationMember
    from core.audit.models import AuditEntry
    from core.outbox.models import OutboxMessage
    from grants.applications.models import Application
    from grants.calls.models import Call, Fund
    from grants.reviews.models import Decision, Panel

    with app.app_context():
        session = db.session
        emails = list(session.scalars(select(User.email).where(User.id.in_(setup.user_ids))))
        session.execute(delete(AuditEntry).where(or_(
            AuditEntry.actor_id.in_(setup.user_ids),
            (AuditEntry.object_type == "applications")
            & AuditEntry.object_id.in_([str(i) for i in setup.application_ids]))))
        session.execute(delete(OutboxMessage).where(OutboxMessage.recipient.in_(emails)))
        session.execute(delete(Decision).where(
            Decision.application_id.in_(setup.application_ids)))
        session.delete(session.get(Panel, setup.panel_id))
        for application_id in setup.application_ids:
            session.delete(session.get(Application, application_id))
        session.flush()
        session.delete(session.get(Call, setup.call_id))
        session.flush()
        session.execute(delete(Fund).where(Fund.id == setup.fund_id))
        session.execute(delete(OrganisationMember).where(or_(
            OrganisationMember.organisation_id.in_(setup.organisation_ids),
            OrganisationMember.user_id.in_(setup.user_ids))))
        session.execute(delete(Organisation).where(
            Organisation.id.in_(setup.organisation_ids)))
        session.execute(delete(User).where(User.id.in_(setup.user_ids)))
        session.commit()
        session.remove()


def test_two_decisions_never_both_take_the_last_money_of_the_pool(app):
    from accounts.models import User
    from grants.applications.models import Application
    from grants.ranking import operations, queries
    from grants.reviews.models import Decision, Panel
    from grants.reviews.states import Outcome

    setup = _create(app)
    awarded, refusals, errors = [], [], []
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def decide(index):
        with app.app_context():
            session = db.session
            try:
                staff = session.get(User, setup.staff_ids[index])
                panel = queries.load_panel(setup.panel_id)
                application = session.get(Application, setup.application_ids[index])
                session.commit()  # end the read: SQLite's BEGIN IMMEDIATE holds the write lock
                barrier.wait(timeout=60)
                try:
                    operations.decide(panel, [application], Outcome.award, staff,
                                      rationale="Ranked above the funding line.")
                    session.commit()
                    with lock:
                        awarded.append(application.id)
                except OperationError as error:
                    session.rollback()
                    with lock:
                        refusals.append(str(error.message))
            except Exception:  # noqa: BLE001 - anything but a clean refusal fails the test
                session.rollback()
                with lock:
                    errors.append(traceback.format_exc())
            finally:
                session.remove()

    try:
        workers = [threading.Thread(target=decide, args=(i,)) for i in range(THREADS)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=300)
        assert not any(worker.is_alive() for worker in workers)
        assert not errors, errors[0]
        with app.app_context():
            decisions = list(db.session.scalars(select(Decision).where(
                Decision.application_id.in_(setup.application_ids))))
            panel = db.session.get(Panel, setup.panel_id)
            total, count = queries.awarded_in_call(panel.call)
            db.session.remove()
        assert len(awarded) == 1 and count == 1 and len(decisions) == 1
        assert total == REQUESTED <= FUND_BUDGET
        assert len(refusals) == THREADS - 1
        assert all("more than its pool" in message for message in refusals), refusals
    finally:
        _cleanup(app, setup)
