"""The roles people hold and the life of an invitation to take them."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from core.enums import TitledEnum


class Role(TitledEnum):
    admin = "admin"
    staff = "staff"
    finance = "finance"
    reviewer = "reviewer"
    applicant = "applicant"
    donor = "donor"

    __titles__ = {
        admin: _l("Administrator"),
        staff: _l("Programme staff"),
        finance: _l("Finance"),
        reviewer: _l("Reviewer"),
        applicant: _l("Applicant"),
        donor: _l("Donor"),
    }


ROLE_TITLES = Role.titles()


class InvitationState(enum.StrEnum):
    """An invitation waits for the invited person: only they can accept or decline it; the
    people who sent it can revoke it while it waits."""

    pending = "pending"
    accepted = "accepted"
    declined = "declined"
    revoked = "revoked"
