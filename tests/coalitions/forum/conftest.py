from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from accounts.organisations.states import Sector
from coalitions.forum import operations


@pytest.fixture
def staff(factories):
    return factories.user(roles=("staff",))


@pytest.fixture
def members(factories, staff):
    """Three members: two in government, one in civil society."""
    made = []
    for name, sector in (("Ministry of Finance", Sector.government),
                         ("Ministry of Education", Sector.government),
                         ("Citizens Watch", Sector.civil_society)):
        organisation = factories.organisation(name=name, sector=sector)
        made.append(operations.add_member(staff, organisation_id=organisation.id,
                                          joined_on=date(2020, 1, 15),
                                          representative_name=f"Rep of {name}",
                                          representative_role="Director"))
    return made


def meeting_fields(**overrides) -> dict:
    fields = {"title": "First forum meeting", "starts_at": datetime(2020, 2, 3, 15, tzinfo=UTC),
              "format": "in_person", "place": "Belmopan", "agenda": "1. Welcome",
              "minutes": "The forum met.", "other_attendees": 4, "is_published": True,
              "attendee_ids": []}
    fields.update(overrides)
    return fields
