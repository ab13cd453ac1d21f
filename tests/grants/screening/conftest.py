from __future__ import annotations

import pytest

from tests.fixtures.applications import applicant_member, make_submitted_application


@pytest.fixture
def application(db_session, factories):
    """A submitted application whose every automatic check passes (the endorsement
    included)."""
    from core.timeutil import utcnow
    from grants.applications.models import Endorsement, EndorsementState

    application = make_submitted_application(db_session, factories)
    db_session.add(Endorsement(application=application, state=EndorsementState.endorsed,
                               recipient_email=application.counterpart_contact_email,
                               responder_name="Maria Chen", responder_position="Director",
                               responded_at=utcnow()))
    db_session.flush()
    return application


@pytest.fixture
def member(application):
    return applicant_member(application)


@pytest.fixture
def staff(factories):
    return factories.user(roles=("staff",), name="Screening Officer")
