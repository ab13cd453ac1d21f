"""States, roles and kinds in a coalition's life."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.enums import TitledEnum


class CoalitionState(TitledEnum):
    forming = "forming"
    active = "active"
    dormant = "dormant"
    dissolved = "dissolved"

    __titles__ = {
        forming: _l("Forming"),
        active: _l("Active"),
        dormant: _l("Dormant"),
        dissolved: _l("Dissolved"),
    }


class MembershipRole(TitledEnum):
    lead = "lead"
    member = "member"
    observer = "observer"

    __titles__ = {
        lead: _l("Lead"),
        member: _l("Member"),
        observer: _l("Observer"),
    }


class ActivityKind(TitledEnum):
    meeting = "meeting"
    advocacy = "advocacy"
    policy_submission = "policy_submission"
    campaign = "campaign"
    joint_project = "joint_project"

    __titles__ = {
        meeting: _l("Meeting"),
        advocacy: _l("Advocacy action"),
        policy_submission: _l("Policy submission"),
        campaign: _l("Campaign"),
        joint_project: _l("Joint project"),
    }
