"""Awards for the tests: an application awarded by a decision, its grant agreement (waiting
for signature, or signed and active) and helpers to request and pay disbursements.

The call awards US$5,000, so the default schedule gives tranches of 2,500.00 (on signature),
2,000.00 (mid-term report accepted) and 500.00 (final report accepted).
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from core.audit.models import AuditEntry
from core.outbox.models import OutboxMessage
from core.timeutil import utcnow
from grants.applications.states import ApplicationState
from grants.awards import checks, operations
from grants.awards.models import Disbursement
from grants.ledger import operations as ledger
from grants.monitoring.models import ProgressReport
from grants.monitoring.states import ReportKind, ReportState
from grants.reviews.models import Decision
from grants.reviews.states import Outcome
from tests.fixtures.applications import make_submitted_application

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def pdf_upload(name: str = "agreement.pdf", data: bytes = PDF) -> FileStorage:
    return FileStorage(BytesIO(data), filename=name)


def make_awarded(session, factories, *, decided_by=None, **fields):
    """An application in state awarded with its award Decision."""
    application = make_submitted_application(session, factories, state=ApplicationState.awarded,
                                             decided_at=utcnow(), **fields)
    session.add(Decision(application_id=application.id, outcome=Outcome.award,
                         rationale="Ranked above the funding line.",
                         decided_by_id=getattr(decided_by, "id", None)))
    session.flush()
    return application


def today():
    return operations.programme_today()


def create(application, actor, **fields):
    start = today() - timedelta(days=30)
    fields.setdefault("starts_on", start)
    fields.setdefault("ends_on", start + timedelta(days=365))
    return operations.create_award(application, actor, **fields)


def sign(award, actor, **fields):
    fields.setdefault("file_storage", pdf_upload())
    fields.setdefault("signed_on", today())
    return operations.sign_award(award, actor, **fields)


def request(award, actor, tranche=None, amount="1000.00", **fields):
    tranche = tranche or award.tranches[0]
    fields.setdefault("planned_on", today())
    fields.setdefault("payment_method", "bank_transfer")
    fields.setdefault("payee_reference", "Belize Bank 123-456")
    fields.setdefault("idempotency_key", checks.new_idempotency_key())
    entry, _created = ledger.request_disbursement(
        award, tranche, actor, amount=amount,
        **fields)
    return entry


def pay(entry, actor, **fields):
    fields.setdefault("paid_on", today())
    fields.setdefault("bank_reference", "TRF-0001")
    fields.setdefault("paid_currency", entry.award.currency)
    fields.setdefault("exchange_rate", Decimal(1))
    return ledger.record_payment(entry, actor, **fields)


def accept_report(session, award, kind: ReportKind) -> ProgressReport:
    """Mark the award's report of ``kind`` accepted (monitoring's job, done directly here)."""
    report = next(r for r in session.query(ProgressReport).filter_by(award_id=award.id)
                  if r.kind == kind)
    report.state = ReportState.accepted
    report.accepted_at = utcnow()
    session.flush()
    return report


@pytest.fixture
def staff(factories):
    return factories.user(roles=("staff",), name="Stella Staff")


@pytest.fixture
def other_staff(factories):
    return factories.user(roles=("staff",), name="Sam Staff")


@pytest.fixture
def finance(factories):
    return factories.user(roles=("finance",), name="Fiona Finance")


@pytest.fixture
def other_finance(factories):
    return factories.user(roles=("finance",), name="Frank Finance")


@pytest.fixture
def awarded(db_session, factories, staff):
    return make_awarded(db_session, factories, decided_by=staff)


@pytest.fixture
def grantee(awarded):
    """The member of the grantee organisation."""
    return awarded.organisation.members[0].user


@pytest.fixture
def award(awarded, staff):
    """An award waiting for signature."""
    return create(awarded, staff)


@pytest.fixture
def active_award(award, staff):
    """A signed, active award."""
    return sign(award, staff)


@pytest.fixture
def requested(active_award, staff):
    """A request of 1,000.00 on the first tranche, awaiting approval."""
    return request(active_award, staff, amount="1000.00")


@pytest.fixture
def approved(requested, finance):
    return ledger.approve_disbursement(requested, finance)


@pytest.fixture
def paid(approved, other_finance):
    return pay(approved, other_finance)


D = Decimal


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def page(response) -> str:
    return response.get_data(as_text=True)


def hidden_key(html: str) -> str:
    return re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', html).group(1)


def audit_actions(session, obj) -> list[str]:
    return list(session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == obj.__tablename__, AuditEntry.object_id == str(obj.id))
        .order_by(AuditEntry.id)))


def entries(session, award) -> list[Disbursement]:
    return list(session.scalars(select(Disbursement).where(Disbursement.award_id == award.id)
                                .order_by(Disbursement.id)))


def outbox(session, recipient: str, kind: str) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == recipient, OutboxMessage.kind == kind)))
