"""``core.loading.get_or_404``: the object a page is about, or a 404."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from accounts.organisations.models import Organisation
from core.extensions import db
from core.loading import get_or_404


def test_loads_the_object_by_its_primary_key(factories):
    organisation = factories.organisation()
    db.session.flush()

    assert get_or_404(Organisation, organisation.id) is organisation


def test_a_missing_object_is_a_404(factories):
    with pytest.raises(NotFound):
        get_or_404(Organisation, 2_000_000_000)


def test_the_options_load_relationships_eagerly(factories):
    organisation = factories.organisation()
    factories.member(organisation, factories.user())
    db.session.flush()
    organisation_id = organisation.id
    db.session.expunge_all()

    loaded = get_or_404(Organisation, organisation_id, selectinload(Organisation.members))

    assert "members" not in inspect(loaded).unloaded
    assert len(loaded.members) == 1
