"""Many staff and finance users working on the same award at the same moment, with real
transactions and real commits (on PostgreSQL when TEST_DATABASE_URL is set, else SQLite).

The per-test rollback session is switched off in this module (``db_session`` below): every
thread pushes its own app context and so gets its own ``db.session`` (Flask-SQLAlchemy
scopes sessions by app context) and its own connection, and commits like a request does. The
rows the test creates are committed too, and deleted at the end.

On PostgreSQL the award's row lock (``SELECT … FOR UPDATE``) serialises the balance checks;
on SQLite, ``BEGIN IMMEDIATE`` with a busy timeout serialises the writers.
"""

from __future__ import annotations

import threading
import traceback
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, or_, select

from core.errors import OperationError
from core.extensions import db

#: Threads working on the same award at once (on SQLite too: its writers queue quickly).
THREADS = 24
AMOUNT = Decimal("450.00")


@pytest.fixture(autouse=True)
def db_session():
    """This module commits for real: no per-test rollback session."""
    yield None


@dataclass
class Setup:
    award_id: int
    tranche_ids: list[int]
    staff_ids: list[int]
    finance_ids: list[int]
    user_ids: list[int] = field(default_factory=list)
    organisation_ids: list[int] = field(default_factory=list)
    application_id: int | None = None
    call_id: int | None = None
    fund_id: int | None = None
    file_ids: list[int] = field(default_factory=list)
    series: str = ""


def _create(app, threads: int) -> Setup:
    """Commit an active award (5,000: tranches of 2,500, 2,000 and 500) with its users."""
    from tests.fixtures.applications import make_stored_file
    from tests.fixtures.factories import Factories
    from tests.grants.awards.conftest import create, make_awarded, today

    with app.app_context():
        session = db.session
        factories = Factories(session)
        staff = [factories.user(roles=("staff",), name=f"Concurrent Staff {i}")
                 for i in range(threads)]
        finance = [factories.user(roles=("finance",), name=f"Concurrent Finance {i}")
                   for i in range(threads)]
        application = make_awarded(session, factories, decided_by=staff[0])
        call = application.call
        call.reference_prefix = "CCY"
        session.flush()
        award = create(application, staff[0])
        stored = make_stored_file(session, uploaded_by=staff[0], name="signed.pdf")
        award.agreement_file_id = stored.id
        award.signed_on = today() - timedelta(days=1)
        from grants.awards.states import AwardState
        award.state = AwardState.active
        session.flush()
        organisations = [application.organisation_id, application.counterpart_organisation_id,
                         call.fund.donor_organisation_id]
        setup = Setup(
            award_id=award.id, tranche_ids=[t.id for t in award.tranches],
            staff_ids=[u.id for u in staff], finance_ids=[u.id for u in finance],
            user_ids=[u.id for u in (*staff, *finance)]
            + [m.user_id for m in application.organisation.members],
            organisation_ids=[o for o in organisations if o is not None],
            application_id=application.id, call_id=call.id, fund_id=call.fund_id,
            file_ids=[stored.id], series=f"CCY-G-{today().year}")
        session.commit()
        session.remove()
    return setup


def _cleanup(app, setup: Setup) -> None:
    """Delete what the test committed. Core deletes: paid ledger entries refuse deletion
    through the ORM, as they should."""
    from accounts.models import User
    from accounts.organisations.models import Organisation, OrganisationMember
    from core.audit.models import AuditEntry
    from core.outbox.models import OutboxMessage
    from core.references import ReferenceCounter
    from core.uploads.models import StoredFile
    from grants.applications.models import Application, Attachment
    from grants.awards.models import Award, Disbursement, Tranche
    from grants.calls.models import Call, Fund
    from grants.monitoring.models import ProgressReport
    from grants.reviews.models import Decision

    with app.app_context():
        session = db.session
        emails = list(session.scalars(select(User.email).where(User.id.in_(setup.user_ids))))
        attachment_files = list(session.scalars(select(Attachment.stored_file_id).where(
            Attachment.application_id == setup.application_id)))
        session.execute(delete(AuditEntry).where(or_(
            AuditEntry.actor_id.in_(setup.user_ids),
            (AuditEntry.object_type == "awards")
            & (AuditEntry.object_id == str(setup.award_id)))))
        session.execute(delete(OutboxMessage).where(OutboxMessage.recipient.in_(emails)))
        session.execute(delete(Disbursement).where(Disbursement.award_id == setup.award_id))
        session.execute(delete(ProgressReport).where(ProgressReport.award_id == setup.award_id))
        session.execute(delete(Tranche).where(Tranche.award_id == setup.award_id))
        session.execute(delete(Award).where(Award.id == setup.award_id))
        session.execute(delete(Decision).where(Decision.application_id == setup.application_id))
        session.execute(delete(Application).where(Application.id == setup.application_id))
        session.execute(delete(StoredFile).where(StoredFile.id.in_(
            setup.file_ids + attachment_files)))
        call = session.get(Call, setup.call_id)
        session.delete(call)  # with its areas, statements, documents and criteria
        session.flush()
        session.execute(delete(Fund).where(Fund.id == setup.fund_id))
        session.execute(delete(OrganisationMember).where(
            OrganisationMember.organisation_id.in_(setup.organisation_ids)))
        session.execute(delete(Organisation).where(
            Organisation.id.in_(setup.organisation_ids)))
        session.execute(delete(User).where(User.id.in_(setup.user_ids)))
        session.execute(delete(ReferenceCounter).where(
            ReferenceCounter.series == setup.series))
        session.commit()
        session.remove()


@dataclass
class Outcome:
    requested: list[int] = field(default_factory=list)
    approved: list[int] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    committed_seen: list[Decimal] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _worker(app, setup: Setup, index: int, barrier: threading.Barrier, outcome: Outcome):
    """Request 450.00 on one of the tranches (with an override reason, since two of the
    three conditions do not hold), then approve it as a finance user (not the requester)."""
    from accounts.models import User
    from grants.awards import checks
    from grants.awards.models import Award, Disbursement, Tranche
    from grants.ledger import operations as ledger
    from grants.ledger import queries as ledger_queries
    from tests.grants.awards.conftest import today

    tranche_id = setup.tranche_ids[index % len(setup.tranche_ids)]
    with app.app_context():
        session = db.session
        try:
            staff = session.get(User, setup.staff_ids[index])
            approver = session.get(User, setup.finance_ids[index])
            session.commit()  # end the read: SQLite's BEGIN IMMEDIATE holds the write lock
            barrier.wait(timeout=60)
            entry_id = None
            try:
                award = session.get(Award, setup.award_id)
                tranche = session.get(Tranche, tranche_id)
                entry, _created = ledger.request_disbursement(
                    award, tranche, staff, amount=AMOUNT, planned_on=today(),
                    payment_method="bank_transfer", payee_reference=f"Account {index}",
                    idempotency_key=checks.new_idempotency_key(),
                    override_reason="Agreed with the grantee.")
                entry_id = entry.id
                session.commit()
                with outcome.lock:
                    outcome.requested.append(entry_id)
            except OperationError as error:
                session.rollback()
                with outcome.lock:
                    outcome.refusals.append(str(error.message))
            if entry_id is not None:
                try:
                    entry = session.get(Disbursement, entry_id)
                    ledger.approve_disbursement(entry, approver)
                    session.commit()
                    with outcome.lock:
                        outcome.approved.append(entry_id)
                except OperationError as error:
                    session.rollback()
                    with outcome.lock:
                        outcome.refusals.append(str(error.message))
            # A reader checks the invariant while the others write.
            award = session.get(Award, setup.award_id)
            totals = ledger_queries.money_of(award)
            session.commit()
            with outcome.lock:
                outcome.committed_seen.append(totals.drawn)
        except Exception:  # noqa: BLE001 - anything but a clean refusal fails the test
            session.rollback()
            with outcome.lock:
                outcome.errors.append(traceback.format_exc())
        finally:
            session.remove()


def test_simultaneous_requests_and_approvals_never_over_disburse(app):
    from grants.awards.models import Award, Disbursement
    from grants.awards.states import COUNTING_STATES, DisbursementState
    from grants.ledger import queries as ledger_queries

    threads = THREADS
    setup = _create(app, threads)
    outcome = Outcome()
    try:
        barrier = threading.Barrier(threads)
        workers = [threading.Thread(target=_worker, args=(app, setup, i, barrier, outcome))
                   for i in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=300)
        assert not any(worker.is_alive() for worker in workers)
        assert not outcome.errors, outcome.errors[0]

        with app.app_context():
            award = db.session.get(Award, setup.award_id)
            rows = list(db.session.scalars(select(Disbursement).where(
                Disbursement.award_id == setup.award_id)))
            counted = sum((row.amount for row in rows if row.state in COUNTING_STATES),
                          Decimal(0))
            totals = ledger_queries.money_of(award)
            book = ledger_queries.ledger(award)
            per_tranche = {tranche_id: money.drawn for tranche_id, money
                           in ledger_queries.money_by_tranche(award.tranches).items()}
            tranches = {t.id: t.planned_amount for t in award.tranches}
            in_db = db.session.scalar(select(func.coalesce(func.sum(Disbursement.amount), 0))
                                      .where(Disbursement.award_id == setup.award_id,
                                             Disbursement.state.in_(COUNTING_STATES)))
            db.session.remove()

        # Never over the award, nor any tranche over its planned amount.
        assert counted <= award.amount
        assert max(outcome.committed_seen) <= award.amount
        assert all(per_tranche.get(tranche_id, 0) <= planned
                   for tranche_id, planned in tranches.items())
        # The ledger balances: drawn is exactly the sum of the counting entries.
        assert totals.drawn == counted == Decimal(in_db).quantize(Decimal("0.01"))
        assert book.balances and totals.remaining == award.amount - counted
        # Every attempt either succeeded or was refused with a clean message.
        assert len(outcome.requested) + sum(
            "over-disburse" in m or "tranche has" in m for m in outcome.refusals) == threads
        assert len(rows) == len(outcome.requested) == len(outcome.approved)
        assert all(row.state is DisbursementState.approved for row in rows)
        # The tranches (2,500, 2,000 and 500) hold five, four and one 450.00 requests.
        expected = sum(min(len(range(i, threads, 3)), int(planned // AMOUNT))
                       for i, planned in enumerate(tranches.values()))
        assert len(outcome.requested) == expected
        assert outcome.refusals, "the test should have contention"
    finally:
        _cleanup(app, setup)


def test_simultaneous_submissions_of_one_form_create_one_entry(app):
    """Everyone sends the same idempotency key at once: one entry, the same one for all."""
    from accounts.models import User
    from grants.awards import checks
    from grants.awards.models import Award, Disbursement, Tranche
    from grants.ledger import operations as ledger
    from tests.grants.awards.conftest import today

    threads = THREADS
    setup = _create(app, threads)
    key = checks.new_idempotency_key()
    results, errors, lock = [], [], threading.Lock()
    barrier = threading.Barrier(threads)

    def submit(index):
        with app.app_context():
            session = db.session
            try:
                staff = session.get(User, setup.staff_ids[0])
                session.commit()
                barrier.wait(timeout=60)
                entry, created = ledger.request_disbursement(
                    session.get(Award, setup.award_id),
                    session.get(Tranche, setup.tranche_ids[0]), staff, amount=Decimal("100.00"),
                    planned_on=today(), payment_method="bank_transfer",
                    payee_reference="Account", idempotency_key=key)
                session.commit()
                with lock:
                    results.append((entry.id, created))
            except Exception:  # noqa: BLE001 - reported as a failure below
                session.rollback()
                with lock:
                    errors.append(traceback.format_exc())
            finally:
                session.remove()

    try:
        workers = [threading.Thread(target=submit, args=(i,)) for i in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=300)
        assert not errors, errors[0]
        assert len(results) == threads
        assert len({entry_id for entry_id, _created in results}) == 1
        assert sum(created for _entry_id, created in results) == 1
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(Disbursement).where(
                Disbursement.award_id == setup.award_id)) == 1
            db.session.remove()
    finally:
        _cleanup(app, setup)
