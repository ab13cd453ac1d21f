"""Kinds of organisation and the roles of their members."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from accounts.states import InvitationState
from core.enums import TitledEnum
from core.workflow import Transition, Workflow


class Sector(TitledEnum):
    civil_society = "civil_society"
    government = "government"
    international = "international"
    private = "private"
    academic = "academic"
    media = "media"
    other = "other"

    __titles__ = {
        civil_society: _l("Civil society"),
        government: _l("Government"),
        international: _l("International organisation"),
        private: _l("Private sector"),
        academic: _l("Academic"),
        media: _l("Media"),
        other: _l("Other"),
    }


SECTOR_TITLES = Sector.titles()


class MemberRole(TitledEnum):
    owner = "owner"
    member = "member"

    __titles__ = {owner: _l("Owner"), member: _l("Member")}


def _not_answerable(_invitation):
    return _l("This invitation has expired or has been withdrawn.")


def _open(invitation) -> tuple[bool, str]:
    return invitation.is_open(), str(_not_answerable(invitation))


_I = InvitationState

#: An invitation to join an organisation waits for the invited person, who accepts or
#: declines it; the organisation's owners withdraw it while it waits. The audit entries
#: belong to the organisation.
ORGANISATION_INVITATION_WORKFLOW = Workflow("organisation_invitation", [
    Transition("accept", _I.pending, _I.accepted, guard=_open,
               audit="organisation.accept_invitation", refusal=_not_answerable),
    Transition("decline", _I.pending, _I.declined, guard=_open,
               audit="organisation.decline_invitation", refusal=_not_answerable),
    Transition("revoke", _I.pending, _I.revoked, audit="organisation.revoke_invitation"),
], refusal=lambda _invitation: _l("This invitation has already been answered."))
