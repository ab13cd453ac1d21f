"""Signed, expiring tokens for links sent by email.

Each purpose has its own salt so a token made for one purpose is useless for another. A
``fingerprint`` bound into the token (for example derived from the password hash) makes a
token single-use: once the thing it protects changes, the token no longer matches.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class InvalidToken(Exception):
    def __init__(self, expired: bool = False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"ogb.{purpose}")


def fingerprint(*parts) -> str:
    raw = "|".join("" if part is None else str(part) for part in parts)
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, raw.encode(), hashlib.sha256).hexdigest()[:16]


def make_token(purpose: str, payload: dict) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: int) -> dict:
    if not token or len(token) > 1000:
        raise InvalidToken()
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise InvalidToken(expired=True) from exc
    except (BadSignature, ValueError, TypeError, UnicodeError) as exc:
        raise InvalidToken() from exc
    if not isinstance(payload, dict):
        raise InvalidToken()
    return payload
