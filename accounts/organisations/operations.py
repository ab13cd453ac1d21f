"""Every change to the organisations directory. Operations flush and never commit."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accounts.models import User
from accounts.operations import user_by_email
from accounts.organisations import queries
from accounts.organisations.forms import ORG_ID_PATTERN, country_codes
from accounts.organisations.models import Organisation, OrganisationInvitation, OrganisationMember
from accounts.organisations.policies import can_answer_invitation
from accounts.organisations.states import ORGANISATION_INVITATION_WORKFLOW as INVITATIONS
from accounts.organisations.states import MemberRole, Sector
from accounts.policies import is_staff
from accounts.states import InvitationState
from core.audit.operations import record
from core.errors import OperationError
from core.extensions import db
from core.locking import AlreadyDone, identical, lock, lock_key
from core.outbox.operations import queue_email
from core.timeutil import utcnow
from core.urls import external_url
from core.validation import clean_text
from core.workflow import Transition

#: The fields a person fills in, with their column limits.
FIELD_LIMITS = {
    "name": 200, "acronym": 30, "district": 100, "registration_number": 100, "org_id": 100,
    "website": 300, "email": 254, "phone": 50, "address": 1000,
}
EDITABLE_FIELDS = ("name", "acronym", "sector", "country", *[
    name for name in FIELD_LIMITS if name not in ("name", "acronym")])
#: Changing one of these on a verified organisation (other than by staff) withdraws the
#: verification: it vouched for the identity these describe.
IDENTITY_FIELDS = ("name", "sector", "country", "registration_number", "org_id")

# Field values ------------------------------------------------------------------------------

def _clean(fields: dict) -> dict:
    """Validate and normalise the submitted fields (the forms check the same rules, with
    friendlier messages; this keeps other callers such as imports honest)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown organisation fields: {', '.join(sorted(unknown))}")
    cleaned = {}
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        if name in ("sector", "country"):
            cleaned[name] = value
            continue
        value = value or None
        if value is not None:
            value = clean_text(value, field=name, max_length=FIELD_LIMITS[name],
                               multiline=name == "address")
        cleaned[name] = value
    if "name" in cleaned and not cleaned["name"]:
        raise OperationError(_l("Enter the organisation's name."), field="name")
    if "sector" in cleaned:
        try:
            cleaned["sector"] = Sector(cleaned["sector"])
        except ValueError:
            raise OperationError(_l("Choose a sector from the list."), field="sector") from None
    if "country" in cleaned:
        country = (cleaned["country"] or current_app.config["DEFAULT_COUNTRY"]).upper()
        if country not in country_codes():
            raise OperationError(_l("Choose a country from the list."), field="country")
        cleaned["country"] = country
    if cleaned.get("org_id") and not ORG_ID_PATTERN.match(cleaned["org_id"]):
        raise OperationError(_l("Use the org-id.guide form LIST-CODE-identifier, for example "
                                "BZ-COA-12345."), field="org_id")
    return cleaned


def _check_org_id_free(org_id: str | None, exclude_id: int | None = None) -> None:
    if not org_id:
        return
    query = select(Organisation.id).where(Organisation.org_id == org_id)
    if exclude_id is not None:
        query = query.where(Organisation.id != exclude_id)
    if db.session.scalar(query.limit(1)) is not None:
        raise OperationError(_l("Another organisation in the directory already has this "
                                "identifier. Ask the programme team to merge the two."),
                             field="org_id")


# Creating and changing ---------------------------------------------------------------------

def create_organisation(creator: User, *, as_owner: bool | None = None,
                        **fields) -> Organisation:
    """Add an organisation. The creator becomes its owner, unless they are programme staff
    adding it to the directory (``as_owner`` overrides either way)."""
    fields.setdefault("country", current_app.config["DEFAULT_COUNTRY"])
    cleaned = _clean(fields)
    if "name" not in cleaned:
        raise OperationError(_l("Enter the organisation's name."), field="name")
    if "sector" not in cleaned:
        raise OperationError(_l("Choose a sector from the list."), field="sector")
    if as_owner is None:
        as_owner = not is_staff(creator)
    lock_key(f"organisations:{cleaned['name']}")  # the same organisation added twice at once
    existing = identical(Organisation, cleaned)
    if existing is not None and (not as_owner or any(
            member.user_id == creator.id and member.role == MemberRole.owner
            for member in existing.members)):
        raise AlreadyDone(_l("%(name)s is already in the directory.", name=existing.name),
                          existing=existing)
    _check_org_id_free(cleaned.get("org_id"))
    org = Organisation(is_verified=False, **cleaned)
    db.session.add(org)
    if as_owner:
        org.members.append(OrganisationMember(user_id=creator.id, role=MemberRole.owner))
    db.session.flush()
    record("organisation.create", org, actor=creator,
           summary=f"{creator.email} added the organisation {org.name}",
           data={"fields": {key: value for key, value in cleaned.items() if value is not None},
                 "owner_id": creator.id if as_owner else None})
    return org


def update_organisation(org: Organisation, actor: User, **fields) -> dict:
    """Change the organisation's details; returns the changes as ``{field: [old, new]}``."""
    lock(org)  # the same form sent twice at once: the second finds nothing to change
    cleaned = _clean(fields)
    if "org_id" in cleaned:
        _check_org_id_free(cleaned["org_id"], exclude_id=org.id)
    changes = {name: [getattr(org, name), value] for name, value in cleaned.items()
               if getattr(org, name) != value}
    if not changes:
        return {}
    for name, (_old, new) in changes.items():
        setattr(org, name, new)
    data = {"changes": changes}
    if org.is_verified and not is_staff(actor) and set(changes) & set(IDENTITY_FIELDS):
        org.is_verified = False
        org.verified_at = None
        data["verification_withdrawn"] = True
    db.session.flush()
    record("organisation.update", org, actor=actor,
           summary=f"{actor.email} changed {', '.join(sorted(changes))} of {org.name}",
           data=data)
    return changes


def set_verified(org: Organisation, actor: User, verified: bool) -> None:
    if not is_staff(actor):
        raise OperationError(_l("Only programme staff can verify organisations."))
    verified = bool(verified)
    lock(org)  # the same change sent twice at once is made (and recorded) once
    if org.is_verified == verified:
        return
    org.is_verified = verified
    org.verified_at = utcnow() if verified else None
    db.session.flush()
    record("organisation.verify" if verified else "organisation.unverify", org, actor=actor,
           summary=f"{actor.email} {'verified' if verified else 'withdrew the verification of'}"
                   f" {org.name}",
           data={"verified": verified})


# Members -----------------------------------------------------------------------------------

def invite_member(org: Organisation, actor: User, email: str, name: str,
                  role: MemberRole | str = MemberRole.member) -> OrganisationInvitation:
    """Invite a person to join the organisation. Nobody is added now: the person joins only
    by accepting the emailed invitation, signed in as the account with this address.

    What happens (and what the inviter is told) is the same whether the address has an
    account, an unconfirmed one, or already belongs to the organisation, so inviting tells
    nothing about other people's accounts.
    """
    try:
        role = MemberRole(role)
    except ValueError:
        raise OperationError(_l("Choose a role from the list."), field="role") from None
    email = (email or "").strip().lower()
    name = (name or "").strip()
    if not email:
        raise OperationError(_l("Enter an email."), field="email")
    if not name:
        raise OperationError(_l("Enter the person's name."), field="name")
    if len(email) > 254 or len(name) > 120:
        raise OperationError(_l("Use at most %(count)s characters.", count=120), field="name")
    lock(org)  # the same invitation sent twice at once: the second finds the first's
    for earlier in queries.open_invitations(org, email=email, lock=True):
        if (earlier.name, earlier.role, earlier.invited_by_id) == (name, role, actor.id):
            raise AlreadyDone(_l("An invitation has already been sent to %(email)s.",
                                 email=email), existing=earlier)
    _check_invitation_limits(org, actor)
    for earlier in queries.open_invitations(org, email=email, lock=True):
        _close_invitation(earlier, INVITATIONS.check(earlier, "revoke"), actor,
                          "replaced an earlier invitation of")
    invitation = OrganisationInvitation(organisation_id=org.id, email=email, name=name,
                                        role=role, invited_by_id=actor.id,
                                        state=InvitationState.pending, created_at=utcnow())
    db.session.add(invitation)
    db.session.flush()
    # The invitee's language where known; only they see the email.
    invitee = user_by_email(email)
    queue_email(email, "accounts/organisations/invitation",
                locale=(invitee.locale if invitee is not None else None) or actor.locale,
                name=name, inviter=actor, organisation=org, role=role,
                invitation_url=external_url("organisations.invitation",
                                            invitation_id=invitation.id),
                days=current_app.config["INVITE_TOKEN_MAX_AGE"] // 86400)
    record("organisation.invite", org, actor=actor,
           summary=f"{actor.email} invited {email} to {org.name} as {role.value}",
           data={"invitation_id": invitation.id, "email": email, "role": role.value})
    return invitation


def _check_invitation_limits(org: Organisation, actor: User) -> None:
    """At most so many invitations a day per organisation and per inviter, counted in the
    database under lock so that the limits hold across workers and parallel requests."""
    db.session.execute(select(Organisation.id).where(Organisation.id == org.id)
                       .with_for_update())
    db.session.execute(select(User.id).where(User.id == actor.id).with_for_update())
    config = current_app.config
    per_organisation = config["ORGANISATION_INVITES_PER_DAY"]
    if queries.invitations_sent_today(organisation=org) >= per_organisation:
        raise OperationError(_l("This organisation has sent %(count)s invitations in the last "
                                "24 hours, the most allowed. Try again tomorrow.",
                                count=per_organisation), field="email")
    per_inviter = config["INVITES_PER_INVITER_PER_DAY"]
    if queries.invitations_sent_today(inviter=actor) >= per_inviter:
        raise OperationError(_l("You have sent %(count)s invitations in the last 24 hours, the "
                                "most allowed. Try again tomorrow.", count=per_inviter),
                             field="email")


def _locked(invitation: OrganisationInvitation) -> OrganisationInvitation:
    return db.session.get(OrganisationInvitation, invitation.id, with_for_update=True,
                          populate_existing=True)


def _close_invitation(invitation: OrganisationInvitation, transition: Transition, actor: User,
                      verb: str) -> None:
    invitation.state = transition.target
    invitation.responded_at = utcnow()
    db.session.flush()
    record(transition.audit, invitation.organisation, actor=actor,
           summary=f"{actor.email} {verb} {invitation.email} to "
                   f"{invitation.organisation.name}",
           data={"invitation_id": invitation.id, "email": invitation.email,
                 "role": MemberRole(invitation.role).value})


def _refuse_if_already(invitation: OrganisationInvitation, state: InvitationState) -> None:
    """Under the invitation's lock: the same answer sent twice at once is given once."""
    if invitation.state is state:
        raise AlreadyDone(_l("This invitation has already been answered."))


def _answer(invitation: OrganisationInvitation, user: User, name: str) -> Transition:
    """The invited person's answer (``name``: accept or decline), if it can still be given."""
    allowed, reason = can_answer_invitation(user, invitation)
    if not allowed:
        raise OperationError(reason)
    return INVITATIONS.check(invitation, name, user)


def accept_invitation(invitation: OrganisationInvitation, user: User) -> OrganisationMember:
    """The invited person joins, with the invitation's role (an existing member keeps the
    stronger of the two roles)."""
    invitation = _locked(invitation)
    _refuse_if_already(invitation, InvitationState.accepted)
    transition = _answer(invitation, user, "accept")
    org = invitation.organisation
    role = MemberRole(invitation.role)
    member = queries.membership(org, user)
    if member is None:
        member = OrganisationMember(user_id=user.id, role=role)
        org.members.append(member)
    elif role is MemberRole.owner:
        member.role = role
    _close_invitation(invitation, transition, user, "accepted the invitation of")
    record("organisation.add_member", org, actor=user,
           summary=f"{user.email} joined {org.name} as {MemberRole(member.role).value}",
           data={"user_id": user.id, "email": user.email,
                 "role": MemberRole(member.role).value, "invitation_id": invitation.id,
                 "invited_by_id": invitation.invited_by_id})
    return member


def decline_invitation(invitation: OrganisationInvitation, user: User) -> None:
    invitation = _locked(invitation)
    _refuse_if_already(invitation, InvitationState.declined)
    transition = _answer(invitation, user, "decline")
    _close_invitation(invitation, transition, user, "declined the invitation of")


def revoke_invitation(org: Organisation, invitation: OrganisationInvitation,
                      actor: User) -> None:
    invitation = _locked(invitation)
    if invitation.organisation_id != org.id:
        raise OperationError(_l("This invitation is not for this organisation."))
    _refuse_if_already(invitation, InvitationState.revoked)
    transition = INVITATIONS.check(invitation, "revoke", actor)
    _close_invitation(invitation, transition, actor, "withdrew the invitation of")


def remove_member(org: Organisation, actor: User, member: OrganisationMember) -> None:
    member_id = member.id
    lock(org)  # the same removal sent twice at once: the second finds the member gone
    member = db.session.get(OrganisationMember, member_id)
    if member is None:
        raise AlreadyDone(_l("This person is no longer a member of this organisation."))
    if member.organisation_id != org.id:
        raise OperationError(_l("This person is not a member of this organisation."))
    if member.role is MemberRole.owner and queries.owner_count(org) <= 1:
        raise OperationError(_l("An organisation must keep at least one owner. Make someone "
                                "else an owner first."))
    user = member.user
    data = {"user_id": member.user_id, "email": user.email if user else None,
            "role": MemberRole(member.role).value}
    if member in org.members:
        org.members.remove(member)
    db.session.delete(member)
    db.session.flush()
    record("organisation.remove_member", org, actor=actor,
           summary=f"{actor.email} removed {data['email']} from {org.name}", data=data)
