"""The ledger as a workbook: the entries of the page, with the details it folds away, for
those who may read the award and nobody else."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook

from grants.awards.states import DisbursementKind, DisbursementState
from tests.grants.monitoring.conftest import make_grant, pay


def test_the_ledger_downloads_with_its_running_totals(db_session, factories, client, login_as):
    grant = make_grant(db_session, factories)
    first = grant.tranches[0]
    paid = pay(db_session, grant.award, "2500.00", tranche=first)
    pay(db_session, grant.award, "-500.00", tranche=first, kind=DisbursementKind.reversal,
        reverses=paid)
    pay(db_session, grant.award, "300.00", tranche=first, state=DisbursementState.requested)
    db_session.flush()
    login_as(grant.owner)
    response = client.get(f"/awards/{grant.award.id}/ledger.xlsx")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    [sheet] = load_workbook(BytesIO(response.data)).worksheets
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("Entry", "Kind", "Status")
    drawn = header.index("Drawn")
    amounts = [(row[1], row[6], row[drawn]) for row in rows[1:]]
    assert amounts == [("Payment", Decimal("2500.00"), Decimal("2500.00")),
                       ("Reversal", Decimal("-500.00"), Decimal("2000.00")),
                       ("Payment", Decimal("300.00"), Decimal("2300.00"))]
    assert rows[2][header.index("Reverses entry")] == paid.id


def test_strangers_cannot_download_a_ledger(db_session, factories, client, login_as):
    grant = make_grant(db_session, factories)
    login_as("applicant")
    assert client.get(f"/awards/{grant.award.id}/ledger.xlsx").status_code == 403
