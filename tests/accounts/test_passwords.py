"""The password rules and the hashing shared by sign-up, resets and invitations."""

import pytest

from accounts.passwords import hash_password, password_matches, set_password
from core.errors import OperationError


def test_a_set_password_is_hashed_and_ends_other_sessions(factories):
    user = factories.user()
    version = user.session_version
    set_password(user, "a long enough passphrase")
    assert user.password_hash != "a long enough passphrase"
    assert password_matches(user, "a long enough passphrase")
    assert not password_matches(user, "another passphrase here")
    assert user.session_version == version + 1 and user.failed_login_count == 0


def test_short_or_guessable_passwords_are_refused(factories):
    user = factories.user(name="Ana Lopez")
    for password in ("too short", "x" * 129, "ana lopez", user.email.upper()):
        with pytest.raises(OperationError) as caught:
            set_password(user, password)
        assert caught.value.field == "password"


def test_hashes_differ_and_no_account_matches(app):
    assert hash_password("some passphrase!") != hash_password("some passphrase!")
    assert not password_matches(None, "anything at all")
