"""Every change to users and their sign-in state. Operations flush and never commit."""

from __future__ import annotations

import hmac
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from accounts.models import InvitationState, Role, User, UserInvitation, UserRole
from accounts.passwords import (
    hash_password,
    password_matches,
    set_password,
    validate_new_password,
)
from core.audit.operations import record
from core.errors import OperationError
from core.extensions import db
from core.locking import AlreadyDone, lock, lock_key
from core.outbox.models import OutboxMessage
from core.outbox.operations import queue_email
from core.timeutil import utcnow
from core.tokens import InvalidToken, fingerprint, make_token, read_token
from core.urls import external_url

#: A second link of the same kind asked for within this time is taken for a repeat of the
#: first request (a double click, a proxy's retry): the link already queued is on its way.
REPEAT_WINDOW = timedelta(seconds=10)


# Lookup ------------------------------------------------------------------------------------

def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


# Registration and confirmation -------------------------------------------------------------

def register(*, name: str, email: str, password: str, locale: str | None) -> User | None:
    """Create an applicant account and send the confirmation link.

    When the email is already registered nothing is created; the owner of that address is
    told instead, so the page shown is the same either way (no account enumeration).
    """
    email = email.strip().lower()
    validate_new_password(password, email=email, name=name)
    # Hashed whether or not the account exists, so the answer takes as long either way.
    password_hash = hash_password(password)
    lock_key(f"users.email:{email}")  # the same registration sent twice at once
    existing = user_by_email(email)
    if existing is not None and not existing.is_confirmed and existing.name == name \
            and password_matches(existing, password):
        return None  # a repeat of the registration that created it: its email is on its way
    if existing is not None:
        queue_email(existing.email, "accounts/already_registered", locale=existing.locale,
                    user=existing, login_url=external_url("accounts.login"),
                    reset_url=external_url("accounts.forgot_password"))
        return None
    user = User(email=email, name=name, locale=locale, session_version=1,
                failed_login_count=0, is_enabled=True)
    user.password_hash = password_hash
    user.role_rows.append(UserRole(role=Role.applicant))
    db.session.add(user)
    db.session.flush()
    record("user.register", user, actor=user, summary=f"{user.email} registered")
    send_confirmation(user)
    return user


def send_confirmation(user: User) -> None:
    token = make_token("confirm", {"u": user.id, "e": user.email})
    queue_email(user.email, "accounts/confirm", locale=user.locale, user=user,
                confirm_url=external_url("accounts.confirm_email", token=token))


def resend_confirmation(email: str) -> None:
    """Under the user's row lock: the same request sent twice at once sends one link."""
    user = user_by_email(email)
    if user is not None and not user.is_confirmed and user.is_enabled:
        user = lock(user)
        if not user.is_confirmed and not _link_just_queued(user, "accounts.confirm"):
            send_confirmation(user)


def _link_just_queued(user: User, kind: str) -> bool:
    """Whether a message of ``kind`` went into the outbox for ``user`` within the repeat
    window. Called under the user's row lock, so that of two requests sent at once the
    second sees the first one's message; a deliberate request later sends a new link."""
    return db.session.scalar(select(OutboxMessage.id).where(
        OutboxMessage.recipient == user.email, OutboxMessage.kind == kind,
        OutboxMessage.created_at >= utcnow() - REPEAT_WINDOW).limit(1)) is not None


def confirm_email(token: str) -> User:
    try:
        payload = read_token("confirm", token, current_app.config["CONFIRM_TOKEN_MAX_AGE"])
    except InvalidToken as error:
        raise OperationError(_l("This confirmation link has expired. Sign in to get a new one.")
                             if error.expired
                             else _l("This confirmation link is not valid.")) from None
    user = db.session.get(User, payload.get("u")) if isinstance(payload.get("u"), int) else None
    if user is None or user.email != payload.get("e"):
        raise OperationError(_l("This confirmation link is not valid."))
    if not user.is_confirmed:
        user.email_confirmed_at = utcnow()
        record("user.confirm_email", user, actor=user, summary=f"{user.email} confirmed")
    return user


# Signing in --------------------------------------------------------------------------------

LOGIN_FAILED = _l("The email or password is incorrect. After 5 failed attempts, signing in "
                  "to an account is paused for 15 minutes.")


def authenticate(email: str, password: str) -> User:
    """Return the user for valid credentials, or raise with one message for every failure."""
    user = user_by_email(email)
    now = utcnow()
    if user is not None and user.is_locked(now):
        password_matches(None, password)  # same cost as a real check
        raise OperationError(LOGIN_FAILED)
    if not password_matches(user, password) or not user.is_enabled:
        if user is not None:
            _note_failed_login(user, now)
        raise OperationError(LOGIN_FAILED)
    if not user.is_confirmed:
        send_confirmation(user)
        raise OperationError(_l("Confirm your email address first: we have sent you a new "
                                "confirmation link."))
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = now
    record("user.login", user, actor=user, summary=f"{user.email} signed in")
    return user


def _note_failed_login(user: User, now) -> None:
    user.failed_login_count += 1
    if user.failed_login_count >= current_app.config["LOGIN_MAX_FAILURES"]:
        user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
        user.failed_login_count = 0
        record("user.locked", user, actor=user,
               summary=f"{user.email} locked after repeated failed sign-ins")


def end_all_sessions(user: User) -> None:
    """Sign out: every session of the user, on every device, stops being valid. Under the
    user's row lock: a second sign-out sent at once finds the sessions ended, and records
    nothing."""
    seen = user.session_version
    user = lock(user)
    if user.session_version != seen:
        return  # signed out by a request that came first (a double click)
    user.session_version += 1
    record("user.logout", user, actor=user, summary=f"{user.email} signed out")


# Password reset ----------------------------------------------------------------------------

def _reset_fingerprint(user: User) -> str:
    # Changes as soon as the password does, which makes the link single-use.
    return fingerprint("reset", user.id, user.password_hash, user.email)


def request_password_reset(email: str) -> None:
    """Under the user's row lock: the same request sent twice at once sends one link."""
    user = user_by_email(email)
    if user is None or not user.is_enabled:
        return
    user = lock(user)
    if _link_just_queued(user, "accounts.reset_password"):
        return
    token = make_token("reset", {"u": user.id, "f": _reset_fingerprint(user)})
    queue_email(user.email, "accounts/reset_password", locale=user.locale, user=user,
                reset_url=external_url("accounts.reset_password", token=token),
                minutes=current_app.config["RESET_TOKEN_MAX_AGE"] // 60)


def user_for_reset_token(token: str) -> User:
    return _user_for_token("reset", token, current_app.config["RESET_TOKEN_MAX_AGE"],
                           _reset_fingerprint)


def reset_password(token: str, password: str) -> User:
    """Under the user's row lock: the same reset sent twice at once sets the password once;
    the second finds the link used to set this very password (``AlreadyDone``)."""
    try:
        lock(user_for_reset_token(token))
        user = user_for_reset_token(token)
    except OperationError:
        if reset_repeated(token, password):
            raise AlreadyDone(PASSWORD_ALREADY_CHANGED) from None
        raise
    set_password(user, password)
    # Following the emailed link proves the address too.
    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    record("user.reset_password", user, actor=user, summary=f"{user.email} reset the password")
    return user


PASSWORD_ALREADY_CHANGED = _l("Your password is already changed. Sign in with the new one.")


def reset_repeated(token: str, password: str) -> bool:
    """Whether a reset link no longer valid was used to set ``password``: a repeat of the
    request that used it (a double click), to be answered as that one was."""
    try:
        payload = read_token("reset", token, current_app.config["RESET_TOKEN_MAX_AGE"])
    except InvalidToken:
        return False
    user_id = payload.get("u")
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    return user is not None and user.is_enabled and password_matches(user, password)


def _user_for_token(purpose: str, token: str, max_age: int, make_fingerprint) -> User:
    try:
        payload = read_token(purpose, token, max_age)
    except InvalidToken as error:
        raise OperationError(_l("This link has expired. Ask for a new one.") if error.expired
                             else _l("This link is not valid or has already been used.")) from None
    user_id = payload.get("u")
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if (user is None or not user.is_enabled
            or not hmac.compare_digest(str(payload.get("f")), make_fingerprint(user))):
        raise OperationError(_l("This link is not valid or has already been used."))
    return user


# Signed-in account -------------------------------------------------------------------------

def change_password(user: User, current_password: str, new_password: str) -> None:
    """Under the user's row lock: of the same change sent twice at once, the second finds
    the new password already set (``AlreadyDone``) and changes and records nothing."""
    seen = user.session_version
    user = lock(user)
    if user.session_version != seen and password_matches(user, new_password):
        raise AlreadyDone(_l("Your password is already changed."))
    if not password_matches(user, current_password):
        raise OperationError(_l("Your current password is not correct."),
                             field="current_password")
    set_password(user, new_password)
    record("user.change_password", user, summary=f"{user.email} changed the password")


def update_profile(user: User, *, name: str, locale: str) -> None:
    lock(user)  # the same form sent twice at once: the second finds nothing to change
    changes = {key: [getattr(user, key), value] for key, value in
               {"name": name, "locale": locale}.items() if getattr(user, key) != value}
    user.name = name
    user.locale = locale
    if changes:
        record("user.update_profile", user, summary=f"{user.email} updated the profile",
               data=changes)


# Administration ----------------------------------------------------------------------------

def _invite_fingerprint(invitation: UserInvitation) -> str:
    return fingerprint("invite", invitation.id, invitation.user_id, invitation.user.email)


def _locked_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email)
                             .with_for_update())


def invite_user(*, email: str, name: str, roles, invited_by: User) -> UserInvitation:
    """An administrator's invitation to take roles. Nothing is granted now: the roles wait
    with the invitation until the person accepts it through the emailed link (setting a
    password, or signed in when the account already has one).

    An address nobody has confirmed may have been registered by someone else ahead of the
    person it belongs to: its password and sessions are discarded, so only whoever reads the
    invitation email can use the account.
    """
    roles = {Role(role) for role in roles} or {Role.applicant}
    email = email.strip().lower()
    lock_key(f"users.email:{email}")  # the same invitation sent twice at once
    user = _locked_user_by_email(email)
    if user is not None:
        repeated = _pending_invitation(user, invited_by, roles)
        if repeated is not None:
            raise AlreadyDone(_l("%(email)s has already been invited.", email=user.email),
                              existing=repeated)
    if user is None:
        account = "new"
        user = User(email=email, name=name, session_version=1, failed_login_count=0,
                    is_enabled=True)
        db.session.add(user)
        db.session.flush()
    elif not user.is_confirmed:
        account = "unconfirmed"
        user.password_hash = None
        user.name = name
        user.session_version += 1
        record("user.discard_unconfirmed", user, actor=invited_by,
               summary=f"{invited_by.email} invited {user.email}, whose address was never "
                       f"confirmed: its password and sessions are discarded")
    else:
        account = "confirmed"
    _supersede_invitations(user, invited_by)
    invitation = UserInvitation(user=user, invited_by_id=invited_by.id,
                                roles=",".join(sorted(role.value for role in roles)),
                                state=InvitationState.pending)
    db.session.add(invitation)
    db.session.flush()
    token = make_token("invite", {"u": user.id, "i": invitation.id,
                                  "f": _invite_fingerprint(invitation)})
    queue_email(user.email, "accounts/invitation", locale=user.locale or invited_by.locale,
                user=user, inviter=invited_by, has_password=user.password_hash is not None,
                roles=sorted(role.title for role in roles),
                accept_url=external_url("accounts.accept_invitation", token=token),
                days=current_app.config["INVITE_TOKEN_MAX_AGE"] // 86400)
    record("user.invite", user, actor=invited_by,
           summary=f"{invited_by.email} invited {user.email}",
           data={"roles": sorted(role.value for role in roles), "account": account,
                 "invitation_id": invitation.id})
    return invitation


def _pending_invitation(user: User, inviter: User, roles) -> UserInvitation | None:
    """A pending invitation of ``user`` by ``inviter`` to exactly ``roles``: the one a
    repeated request would only replace."""
    wanted = ",".join(sorted(role.value for role in roles))
    return db.session.scalar(select(UserInvitation).where(
        UserInvitation.user_id == user.id, UserInvitation.invited_by_id == inviter.id,
        UserInvitation.state == InvitationState.pending, UserInvitation.roles == wanted)
        .limit(1))


def _supersede_invitations(user: User, actor: User) -> None:
    """Only the latest invitation counts: earlier pending ones are revoked."""
    earlier = db.session.scalars(select(UserInvitation).where(
        UserInvitation.user_id == user.id,
        UserInvitation.state == InvitationState.pending).with_for_update()).all()
    for invitation in earlier:
        invitation.state = InvitationState.revoked
        invitation.responded_at = utcnow()
        record("user.revoke_invitation", user, actor=actor,
               summary=f"{actor.email} replaced an earlier invitation of {user.email}",
               data={"invitation_id": invitation.id, "roles": invitation.roles})


def invitation_for_token(token: str) -> UserInvitation:
    """The pending invitation a link stands for, or an error saying why it cannot be used."""
    try:
        payload = read_token("invite", token, current_app.config["INVITE_TOKEN_MAX_AGE"])
    except InvalidToken as error:
        raise OperationError(_l("This link has expired. Ask for a new one.") if error.expired
                             else _l("This link is not valid or has already been used.")) from None
    invitation_id = payload.get("i")
    invitation = (db.session.get(UserInvitation, invitation_id)
                  if isinstance(invitation_id, int) else None)
    if (invitation is None or invitation.user_id != payload.get("u")
            or not invitation.user.is_enabled
            or not hmac.compare_digest(str(payload.get("f")), _invite_fingerprint(invitation))):
        raise OperationError(_l("This link is not valid or has already been used."))
    if invitation.state is InvitationState.accepted:
        raise OperationError(_l("This invitation has already been accepted. Sign in instead."))
    if invitation.state is not InvitationState.pending:
        raise OperationError(_l("This invitation has been withdrawn."))
    return invitation


def accept_invitation(token: str, password: str | None = None, *,
                      signed_in: User | None = None) -> User:
    """Grant the invitation's roles. An account without a password (new, or an unconfirmed
    one whose password was discarded) sets one now; an account with a password must be the
    one signed in."""
    invitation = invitation_for_token(token)
    invitation = lock(invitation)  # its account too is read afresh after the lock
    if invitation.state is not InvitationState.pending:
        if _acceptance_repeated(invitation, password, signed_in):
            raise AlreadyDone(INVITATION_ALREADY_ACCEPTED, existing=invitation.user)
        raise OperationError(_l("This invitation has already been accepted. Sign in instead."))
    user = invitation.user
    if user.password_hash is None:
        if not password:
            raise OperationError(_l("Choose a password."), field="password")
        set_password(user, password)
        # Following the emailed link proves the address.
        user.email_confirmed_at = user.email_confirmed_at or utcnow()
    elif signed_in is None or signed_in.id != user.id:
        raise OperationError(_l("Sign in as %(email)s to accept this invitation.",
                                email=user.email))
    complete_invitation(invitation)
    return user


INVITATION_ALREADY_ACCEPTED = _l("The invitation is already accepted.")


def acceptance_repeated(token: str, password: str | None, *,
                        signed_in: User | None = None) -> User | None:
    """The account of an invitation already accepted through this link by whoever now sends
    it again (the password they chose, or signed in as the account): a repeat of the request
    that accepted it (a double click), to be answered as that one was. None otherwise."""
    try:
        payload = read_token("invite", token, current_app.config["INVITE_TOKEN_MAX_AGE"])
    except InvalidToken:
        return None
    invitation_id = payload.get("i")
    invitation = (db.session.get(UserInvitation, invitation_id)
                  if isinstance(invitation_id, int) else None)
    if (invitation is None or invitation.user_id != payload.get("u")
            or not invitation.user.is_enabled
            or not hmac.compare_digest(str(payload.get("f")), _invite_fingerprint(invitation))
            or not _acceptance_repeated(invitation, password, signed_in)):
        return None
    return invitation.user


def _acceptance_repeated(invitation: UserInvitation, password: str | None,
                         signed_in: User | None) -> bool:
    user = invitation.user
    if invitation.state is not InvitationState.accepted:
        return False
    if signed_in is not None:
        return signed_in.id == user.id
    return bool(password) and password_matches(user, password)


def complete_invitation(invitation: UserInvitation) -> None:
    """Mark the invitation accepted and grant its roles (the person has accepted it)."""
    user = invitation.user
    invitation.state = InvitationState.accepted
    invitation.responded_at = utcnow()
    granted = sorted(role.value for role in invitation.role_set - user.roles)
    record("user.accept_invitation", user, actor=user, summary=f"{user.email} accepted the "
           f"invitation", data={"invitation_id": invitation.id, "granted": granted,
                                "invited_by_id": invitation.invited_by_id})
    set_roles(user, user.roles | invitation.role_set, actor=user)


def set_roles(user: User, roles, *, actor: User) -> None:
    """Under the user's row lock: the same change sent twice is made (and recorded) once."""
    lock(user)
    new = {Role(role) for role in roles}
    old = set(user.roles)
    # Taking away one's own admin role could leave nobody able to manage users.
    if actor.id == user.id and Role.admin in old and Role.admin not in new:
        raise OperationError(_l("You cannot remove your own administrator role."),
                             field="roles")
    if new == old:
        return
    if new - old and not user.is_confirmed:
        # Whoever registered an unconfirmed address may not own it: roles go through an
        # invitation, which only the address's owner can accept.
        raise OperationError(_l("This account's email address is not confirmed. Invite the "
                                "person instead: the roles are granted when they accept."),
                             field="roles")
    user.role_rows = [row for row in user.role_rows if row.role in new]
    user.role_rows.extend(UserRole(role=role) for role in sorted(new - old))
    # Roles are read on every request, so the change takes effect at once.
    db.session.flush()
    record("user.set_roles", user, actor=actor,
           summary=f"{actor.email} changed the roles of {user.email}",
           data={"granted": sorted(r.value for r in new - old),
                 "revoked": sorted(r.value for r in old - new)})


def set_enabled(user: User, enabled: bool, *, actor: User) -> None:
    lock(user)  # the same change sent twice at once is made (and recorded) once
    if user.is_enabled == enabled:
        return
    user.is_enabled = enabled
    user.session_version += 1
    record("user.enable" if enabled else "user.disable", user, actor=actor,
           summary=f"{actor.email} {'enabled' if enabled else 'disabled'} {user.email}")
