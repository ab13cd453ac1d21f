"""The donor workbook is made for the person downloading it: the review scores (reviews,
mean, rank) of the applications they have a conflict of interest with are left blank, in the
staff variant and the donor variant alike."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import select

from grants.applications.models import Application
from grants.applications.states import ApplicationState
from reporting.workbook.builder import build_donor_workbook
from tests.reporting.test_workbook_views import download

SCORE_HEADERS = ("Reviews", "Mean weighted score (0–100)", "Rank in the call")


def _rows(book: openpyxl.Workbook) -> dict[str, dict]:
    rows = list(book["Applications"].iter_rows(values_only=True))
    headers = rows[0]
    return {row[0]: dict(zip(headers, row, strict=True)) for row in rows[1:] if row[0]}


def _load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _built(viewer) -> dict[str, dict]:
    buffer = io.BytesIO()
    build_donor_workbook(None, None, viewer=viewer).save(buffer)
    return _rows(_load(buffer.getvalue()))


@pytest.fixture
def awarded(demo_programme, db_session) -> list[Application]:
    return list(db_session.scalars(select(Application).where(
        Application.state == ApplicationState.awarded).order_by(Application.id)))


def test_a_member_of_the_applicant_gets_no_scores_of_its_application(awarded, factories):
    conflicted, other = awarded[0], awarded[1]
    staff = factories.user(roles=("staff",), name="Member Of The Grantee")
    factories.member(conflicted.organisation, staff, "member")
    rows = _built(staff)
    assert all(rows[conflicted.reference][header] is None for header in SCORE_HEADERS)
    assert rows[other.reference]["Mean weighted score (0–100)"] is not None
    assert rows[other.reference]["Rank in the call"] is not None
    # Without the conflict, the same reader sees both.
    unconflicted = _built(factories.user(roles=("staff",)))
    assert unconflicted[conflicted.reference]["Rank in the call"] is not None


def test_a_declared_conflict_hides_the_scores_too(awarded, factories, db_session):
    from grants.reviews.models import ConflictDeclaration, Panel

    conflicted = awarded[2]
    reviewer = factories.user(roles=("reviewer", "staff"), name="Declaring Reviewer")
    panel = db_session.scalar(select(Panel).where(Panel.call_id == conflicted.call_id))
    db_session.add(ConflictDeclaration(panel=panel, reviewer_id=reviewer.id,
                                       application_id=conflicted.id, reason="Former employer"))
    db_session.flush()
    rows = _built(reviewer)
    assert all(rows[conflicted.reference][header] is None for header in SCORE_HEADERS)
    assert rows[awarded[0].reference]["Rank in the call"] is not None


@pytest.mark.parametrize("role", ["staff", "donor"])
def test_the_downloaded_workbook_blanks_the_readers_conflicts(role, awarded, client, login_as,
                                                              factories):
    conflicted = awarded[3]
    assert conflicted.counterpart_organisation_id is not None
    reader = login_as(role, name=f"Counterpart {role}")
    factories.member(conflicted.counterpart, reader, "member")
    query = {"names": "y"} if role == "staff" else {}
    response = download(client, query)
    assert response.status_code == 200
    rows = _rows(_load(response.get_data()))
    assert all(rows[conflicted.reference][header] is None for header in SCORE_HEADERS)
    assert rows[awarded[0].reference]["Rank in the call"] is not None
