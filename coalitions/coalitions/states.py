"""States, roles and kinds in a coalition's life."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class CoalitionState(enum.StrEnum):
    forming = "forming"
    active = "active"
    dormant = "dormant"
    dissolved = "dissolved"

    @property
    def title(self) -> str:
        return str({CoalitionState.forming: _l("Forming"), CoalitionState.active: _l("Active"),
                    CoalitionState.dormant: _l("Dormant"),
                    CoalitionState.dissolved: _l("Dissolved")}[self])


class MembershipRole(enum.StrEnum):
    lead = "lead"
    member = "member"
    observer = "observer"

    @property
    def title(self) -> str:
        return str({MembershipRole.lead: _l("Lead"), MembershipRole.member: _l("Member"),
                    MembershipRole.observer: _l("Observer")}[self])


class ActivityKind(enum.StrEnum):
    meeting = "meeting"
    advocacy = "advocacy"
    policy_submission = "policy_submission"
    campaign = "campaign"
    joint_project = "joint_project"

    @property
    def title(self) -> str:
        return str({ActivityKind.meeting: _l("Meeting"),
                    ActivityKind.advocacy: _l("Advocacy action"),
                    ActivityKind.policy_submission: _l("Policy submission"),
                    ActivityKind.campaign: _l("Campaign"),
                    ActivityKind.joint_project: _l("Joint project")}[self])
