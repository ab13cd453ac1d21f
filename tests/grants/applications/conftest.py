"""Fixtures for application tests: an open call, an applicant organisation with a member,
a government counterpart, and a helper that completes every section of a draft."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from accounts.organisations.models import Sector
from core.timeutil import utcnow
from grants.calls.models import (
    Call,
    Criterion,
    EligibilityStatement,
    Fund,
    RequiredDocument,
    ThematicArea,
)
from grants.calls.states import CallState

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"


@pytest.fixture
def open_call(db_session, factories):
    donor = factories.organisation(name="Embassy", sector=Sector.international)
    fund = Fund(name="Open Government Ecosystem", donor_organisation_id=donor.id,
                currency="USD", total_budget=Decimal("40000.00"))
    call = Call(
        fund=fund, title="Mini-grants 2026", summary="Small grants for partnerships.",
        body_markdown="Apply **now**.", award_amount=Decimal("5000.00"), max_awards=8,
        opens_at=utcnow() - timedelta(days=1), closes_at=utcnow() + timedelta(days=10),
        state=CallState.published, reference_prefix="OGB",
        thematic_areas=[ThematicArea(name="Open data", position=0),
                        ThematicArea(name="E-government", position=1)],
        eligibility_statements=[EligibilityStatement(
            text="We are a registered civil-society organisation.", position=0)],
        required_documents=[RequiredDocument(name="Registration certificate", position=0)],
        criteria=[Criterion(name="Relevance", weight=Decimal("1"), max_score=10, position=0)],
    )
    db_session.add(call)
    db_session.flush()
    return call


@pytest.fixture
def applicant(factories):
    user = factories.user(roles=("applicant",), name="Ana Applicant")
    organisation = factories.organisation(name="Citizens for Transparency",
                                          sector=Sector.civil_society, is_verified=True)
    factories.member(organisation, user, "owner")
    return user


@pytest.fixture
def applicant_org(applicant):
    return applicant.memberships[0].organisation


@pytest.fixture
def ministry(factories):
    return factories.organisation(name="Ministry of E-Governance", sector=Sector.government)


@pytest.fixture
def draft(open_call, applicant, applicant_org):
    from grants.applications.operations import start_application
    return start_application(open_call, applicant_org, applicant)


def upload(name="certificate.pdf", data=PDF_BYTES, content_type="application/pdf"):
    from io import BytesIO

    from werkzeug.datastructures import FileStorage
    return FileStorage(stream=BytesIO(data), filename=name, content_type=content_type)


@pytest.fixture
def uploads(app, monkeypatch, tmp_path):
    """Uploaded files go to a temporary folder."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))


@pytest.fixture
def complete(app, monkeypatch, tmp_path, ministry):
    """Fill every section of an application through the operations."""
    from grants.applications import operations

    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))

    def fill(application, actor):
        call = application.call
        operations.save_project(application, actor, title="Open budgets for Cayo",
                                summary="We will publish the district budget as open data.",
                                problem="Budgets are hard to find.", objectives="Publish.",
                                duration_months=6, thematic_areas=call.thematic_areas[:1])
        operations.save_plan(application, actor, activities=[{
            "description": "Workshops", "starts_on": date(2026, 1, 1),
            "ends_on": date(2026, 3, 1), "milestone": "Three workshops held"}],
            results=[{"result": "Budget online", "indicator": "Datasets published",
                      "target": "12"}])
        operations.save_beneficiaries(application, actor, total=120, women=70, youth=40,
                                      description="Residents", districts=["Cayo"])
        operations.save_budget(application, actor, requested_amount=Decimal("5000.00"), lines=[
            {"category": "activities", "description": "Workshops",
             "amount": Decimal("3000.00")},
            {"category": "personnel", "description": "Coordinator",
             "amount": Decimal("2000.00")}])
        operations.save_counterpart(application, actor, organisation=ministry,
                                    proposed_name="", contact_name="Carlos Chan",
                                    contact_position="Director",
                                    contact_email="carlos@gov.example.bz")
        operations.attach_document(application, actor, file_storage=upload(),
                                   required_document=call.required_documents[0])
        operations.save_declarations(application, actor,
                                     statements=call.eligibility_statements)
        return application

    return fill
