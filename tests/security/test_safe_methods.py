"""GET changes nothing: CSRF protection covers POST only, so a page that wrote on GET could
be triggered from another site by an image or a link. Every GET route is requested as an
administrator, as finance and as Alpha's owner (pages, downloads, refusals), and the
database must be exactly as before, table by table.
"""

from __future__ import annotations

import pytest

from tests.security.routes import row_counts, sign_in
from tests.security.test_headers import _urls

#: Derived data a GET may build and keep: the stored open-data files, rebuilt from what staff
#: published, and the indicators' figures, stored per version of the records they count (no
#: one's choice changes by either).
DERIVED_TABLES = frozenset({"open_data_files", "open_data_bodies", "indicator_figures",
                            "ranking_figures"})


def _changes(before: dict, after: dict) -> dict:
    return {table: (before[table], after[table]) for table in before
            if before[table] != after[table] and table not in DERIVED_TABLES}


@pytest.mark.parametrize("who", ["admin", "finance", "alpha"])
def test_no_get_request_writes(who, app, client, world, db_session):
    user = {"admin": world.admin, "finance": world.finance, "alpha": world.alpha.owner}[who]
    sign_in(client, user)
    urls = _urls(app, world)
    before = row_counts(db_session)
    for url in urls:
        client.get(url).close()
    if not _changes(before, row_counts(db_session)):
        return
    # Something wrote: find which addresses, one by one.
    problems = []
    for url in urls:
        before = row_counts(db_session)
        client.get(url).close()
        changed = _changes(before, row_counts(db_session))
        if changed:
            problems.append(f"{url}: {changed}")
    assert not problems, problems
    pytest.fail("a GET request wrote to the database")
