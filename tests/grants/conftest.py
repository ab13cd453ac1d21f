from __future__ import annotations

import pytest

from tests.fixtures.grants import GrantFactories


@pytest.fixture
def grant_factories(db_session, factories) -> GrantFactories:
    return GrantFactories(db_session, factories)
