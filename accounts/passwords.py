"""Password rules and hashing: what a new password must be, how it is stored, and a check
that costs the same whether or not the account exists."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

from accounts.models import User
from core.errors import OperationError

MIN_PASSWORD = 12
MAX_PASSWORD = 128

# Compared against when the email is unknown or the account is locked, so every path costs
# one hash check. Made once per process and hash method: making it is itself a hash's work.
_DUMMY_HASH_CACHE: dict[str, str] = {}


def validate_new_password(password: str, *, email: str, name: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise OperationError(_l("Use at least 12 characters."), field="password")
    if len(password) > MAX_PASSWORD:
        raise OperationError(_l("Use at most 128 characters."), field="password")
    folded = password.strip().casefold()
    if folded in {email.strip().casefold(), name.strip().casefold()}:
        raise OperationError(_l("Your password must not be your email address or your name."),
                             field="password")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def set_password(user: User, password: str) -> None:
    validate_new_password(password, email=user.email, name=user.name)
    user.password_hash = hash_password(password)
    # Every other session ends: its stored session version no longer matches.
    user.session_version += 1
    user.failed_login_count = 0
    user.locked_until = None


def _dummy_hash() -> str:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    dummy = _DUMMY_HASH_CACHE.get(method)
    if dummy is None:
        dummy = _DUMMY_HASH_CACHE[method] = hash_password("not-a-real-password")
    return dummy


def password_matches(user: User | None, password: str) -> bool:
    if user is None or not user.password_hash:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(user.password_hash, password)
