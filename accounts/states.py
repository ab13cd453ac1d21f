"""The roles people hold and the life of an invitation to take them."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class Role(enum.StrEnum):
    admin = "admin"
    staff = "staff"
    finance = "finance"
    reviewer = "reviewer"
    applicant = "applicant"
    donor = "donor"

    @property
    def title(self) -> str:
        return str(ROLE_TITLES[self])


ROLE_TITLES = {
    Role.admin: _l("Administrator"),
    Role.staff: _l("Programme staff"),
    Role.finance: _l("Finance"),
    Role.reviewer: _l("Reviewer"),
    Role.applicant: _l("Applicant"),
    Role.donor: _l("Donor"),
}


class InvitationState(enum.StrEnum):
    """An invitation waits for the invited person: only they can accept or decline it; the
    people who sent it can revoke it while it waits."""

    pending = "pending"
    accepted = "accepted"
    declined = "declined"
    revoked = "revoked"
