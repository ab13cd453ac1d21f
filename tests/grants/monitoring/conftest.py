"""An active award with its tranches and reports, built directly from the models (so these
tests do not depend on the awards package's operations), and helpers to write report
versions and ledger entries.

The grant: US$5,000 awarded to an application whose budget is personnel 2,000, activities
2,500 and materials 500, with two expected results; tranches of 50/40/10 % on signature,
mid-term report and final report; a mid-term report due in 30 days and a final report due
30 days after the award ends. The grantee organisation has an owner and a member.
"""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from core.outbox.models import OutboxMessage
from core.timeutil import utcnow
from grants.applications.models import BudgetLine, ExpectedResult
from grants.applications.states import ApplicationState
from grants.awards.models import Award, Disbursement, Tranche
from grants.awards.states import AwardState, DisbursementKind, DisbursementState, TrancheCondition
from grants.monitoring.models import Expenditure, ProgressReport, ReportEvidence, ReportVersion
from grants.monitoring.operations import programme_today
from grants.monitoring.states import ReportKind, ReportState
from tests.fixtures.applications import make_call, make_stored_file, make_submitted_application

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
BUDGET = {"personnel": Decimal("2000.00"), "activities": Decimal("2500.00"),
          "materials": Decimal("500.00")}

_counter = itertools.count(1)


@dataclass
class Grant:
    award: Award
    owner: object
    member: object
    midterm: ProgressReport
    final: ProgressReport

    @property
    def application(self):
        return self.award.application

    @property
    def organisation(self):
        return self.award.application.organisation

    @property
    def tranches(self) -> list[Tranche]:
        return self.award.tranches


def make_grant(session, factories, *, state: AwardState = AwardState.active,
               amount: Decimal = Decimal("5000.00"), currency: str = "USD", call=None,
               budget: dict | None = None) -> Grant:
    n = next(_counter)
    today = programme_today()
    call = call or make_call(session, factories, currency=currency)
    application = make_submitted_application(session, factories, call=call,
                                             state=ApplicationState.awarded,
                                             title=f"Open budgets {n}")
    owner = application.organisation.members[0].user
    member = factories.user(name=f"Grantee Member {n}")
    factories.member(application.organisation, member, "member")
    budget = BUDGET if budget is None else budget
    application.budget_lines = [
        BudgetLine(position=i, category=category, description=f"{category} costs",
                   amount=value) for i, (category, value) in enumerate(budget.items())]
    application.results = [
        ExpectedResult(position=0, result="District budgets published as open data",
                       indicator="Datasets published", target="12"),
        ExpectedResult(position=1, result="Journalists use the data",
                       indicator="Stories citing the data", target="5"),
    ]
    starts_on = today - timedelta(days=90)
    ends_on = today + timedelta(days=270)
    award = Award(application=application, reference=f"TST-G-{n:05d}", amount=amount,
                  currency=currency, starts_on=starts_on, ends_on=ends_on, state=state,
                  signed_on=starts_on if state != AwardState.pending_signature else None)
    shares = [(Decimal("50"), TrancheCondition.signature, starts_on),
              (Decimal("40"), TrancheCondition.midterm_report, today + timedelta(days=45)),
              (Decimal("10"), TrancheCondition.final_report, ends_on + timedelta(days=45))]
    planned = [(amount * share / 100).quantize(Decimal("0.01")) for share, _c, _d in shares]
    planned[-1] = amount - sum(planned[:-1])
    award.tranches = [Tranche(sequence=i + 1, percentage=share, planned_amount=planned[i],
                              planned_on=planned_on, condition=condition)
                      for i, (share, condition, planned_on) in enumerate(shares)]
    midterm = ProgressReport(award=award, kind=ReportKind.midterm,
                             due_on=today + timedelta(days=30), state=ReportState.due)
    final = ProgressReport(award=award, kind=ReportKind.final,
                           due_on=ends_on + timedelta(days=30), state=ReportState.due)
    session.add_all([award, midterm, final])
    session.flush()
    return Grant(award=award, owner=owner, member=member, midterm=midterm, final=final)


def pay(session, award, amount, *, tranche=None, state=DisbursementState.paid,
        kind=DisbursementKind.payment, reverses=None) -> Disbursement:
    entry = Disbursement(award=award, tranche=tranche, kind=kind, state=state,
                         amount=Decimal(amount), idempotency_key=secrets.token_hex(16),
                         reverses=reverses,
                         paid_on=programme_today() if state == DisbursementState.paid else None)
    session.add(entry)
    session.flush()
    return entry


def write_version(session, report, *, submitted: bool = True, lines=(), evidence: int = 0,
                  by=None, **fields) -> ReportVersion:
    """A version of ``report`` with expenditure ``lines`` given as (category, amount) or
    (category, amount, with_receipt); submitted unless told otherwise (the report's state
    is left to the caller)."""
    previous = report.current_version
    version = ReportVersion(number=(previous.number + 1) if previous else 1,
                            activities=fields.pop("activities", "Three workshops."),
                            results=fields.pop("results", "Six datasets published."),
                            challenges=fields.pop("challenges", ""),
                            submitted_at=utcnow() if submitted else None,
                            submitted_by_id=getattr(by, "id", None), **fields)
    for position, line in enumerate(lines):
        category, amount, *rest = line
        receipt = make_stored_file(session, name=f"receipt-{position}.pdf") \
            if (rest[0] if rest else True) else None
        version.expenditures.append(Expenditure(
            position=position, category=category, spent_on=programme_today() - timedelta(
                days=10), description=f"Expense {position + 1}", amount=Decimal(amount),
            receipt_file=receipt))
    for i in range(evidence):
        version.evidence.append(ReportEvidence(
            stored_file=make_stored_file(session, name=f"evidence-{i}.pdf"),
            description=f"Photo {i + 1}"))
    report.versions.append(version)
    session.flush()
    return version


def accepted(session, report, lines=(), **fields) -> ReportVersion:
    """A report accepted with one submitted version carrying ``lines``."""
    version = write_version(session, report, lines=lines, **fields)
    version.reviewed_at = utcnow()
    report.state = ReportState.accepted
    report.accepted_at = version.reviewed_at
    session.flush()
    return version


def submitted(session, report, lines=(), **fields) -> ReportVersion:
    version = write_version(session, report, lines=lines, **fields)
    report.state = ReportState.submitted
    session.flush()
    return version


def upload(name: str = "receipt.pdf", data: bytes = PDF_BYTES) -> FileStorage:
    return FileStorage(stream=BytesIO(data), filename=name, content_type="application/pdf")


def messages(session, recipient: str, kind: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.recipient == recipient)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    return list(session.scalars(query.order_by(OutboxMessage.id)))


@pytest.fixture
def grant(db_session, factories) -> Grant:
    return make_grant(db_session, factories)


@pytest.fixture
def other_grant(db_session, factories) -> Grant:
    """Another organisation's grant."""
    return make_grant(db_session, factories)


@pytest.fixture
def staff(factories):
    return factories.user(roles=("staff",), name="Sam Staff")


@pytest.fixture
def finance(factories):
    return factories.user(roles=("finance",), name="Fiona Finance")


def day(offset: int) -> date:
    return programme_today() + timedelta(days=offset)


D = Decimal


def _count(session, model, *conditions) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*conditions))


def _edit_url(report) -> str:
    return f"/reports/{report.id}/edit"


def _form(action="save", lines=(), **overrides) -> dict:
    data = {"activities": "Two workshops in Cayo.", "results": "Four datasets published.",
            "challenges": "Heavy rain.", "women_under_30": "12", "women_30_and_over": "7",
            "men_under_30": "9", "men_30_and_over": "5", "other_under_30": "0",
            "other_30_and_over": "1", "action": action}
    for i, line in enumerate(lines):
        for key, value in line.items():
            data[f"expenditures-{i}-{key}"] = value
    data.update(overrides)
    return data


def _line(**fields) -> dict:
    line = {"id": "", "category": "activities", "spent_on": day(-2).isoformat(),
            "description": "Venue hire", "amount": "250.00"}
    line.update(fields)
    return line
