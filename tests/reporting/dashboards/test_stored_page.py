"""The dashboard read from the stored money is the same page, byte for byte, as the one
computed from the raw rows, for every reader (donors and finance officers see small counts
withheld): when the figures are first computed and stored, and when they are read back."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from grants.calls.models import Fund
from reporting.dashboards import queries, stored


def _page(client, query: str) -> bytes:
    response = client.get(f"/reports/dashboard{query}")
    assert response.status_code == 200
    # The per-request tokens are the only thing two renderings may differ by.
    return re.sub(rb'(nonce|value|token)="[A-Za-z0-9_.\-+/=]{16,}"', b"", response.data)


@pytest.mark.parametrize("reader", ["staff", "donor", "finance"])
def test_the_stored_dashboard_is_the_same_page(client, login_as, demo_programme, db_session,
                                               monkeypatch, reader):
    login_as(demo_programme.get(reader) or reader)
    queries_ = ["", "?from=2018-01-01&to=2019-12-31", "?from=2019-04-01",
                *(f"?fund_id={fund}" for fund in db_session.scalars(select(Fund.id)))]
    computed = {query: _page(client, query) for query in queries_}
    read_back = {query: _page(client, query) for query in queries_}
    monkeypatch.setattr(stored, "dashboard", queries.dashboard)
    live = {query: _page(client, query) for query in queries_}
    assert computed == read_back == live
