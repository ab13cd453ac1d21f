"""Timing must not tell whether an account exists: signing in with a wrong password costs the
same for a known and an unknown email, and registering costs the same for a new and an
existing email. Measured with the production hash method (the suite's is cheap), as medians
over interleaved tries, so noise on a shared machine evens out."""

from __future__ import annotations

import statistics
import time

import pytest

from config import Config

TRIES = 15
TOLERANCE = 0.25


@pytest.fixture
def production_hashing(app, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", Config.PASSWORD_HASH_METHOD)
    # Every wrong password here is deliberate: keep the account from locking part-way.
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES", 10_000)


def _timed(client, url, data) -> float:
    started = time.perf_counter()
    response = client.post(url, data=data)
    elapsed = time.perf_counter() - started
    assert response.status_code in (200, 422)
    return elapsed


def _medians(client, url, first, second) -> tuple[float, float]:
    _timed(client, url, first(0))  # warm-up: templates, the dummy hash of this process
    _timed(client, url, second(0))
    times_first, times_second = [], []
    for n in range(1, TRIES + 1):
        times_first.append(_timed(client, url, first(n)))
        times_second.append(_timed(client, url, second(n)))
    return statistics.median(times_first), statistics.median(times_second)


def _assert_close(a: float, b: float) -> None:
    assert abs(a - b) <= TOLERANCE * max(a, b), f"medians {a * 1000:.1f} ms vs {b * 1000:.1f} ms"


def test_a_wrong_password_takes_as_long_for_a_known_as_for_an_unknown_email(
        client, factories, production_hashing):
    factories.user(email="known@example.org", password="the right passphrase")
    known, unknown = _medians(
        client, "/login",
        lambda n: {"email": "known@example.org", "password": f"wrong passphrase {n}"},
        lambda n: {"email": f"nobody{n}@example.org", "password": f"wrong passphrase {n}"})
    _assert_close(known, unknown)


def test_registering_takes_as_long_for_an_existing_as_for_a_new_email(
        client, factories, production_hashing):
    factories.user(email="taken@example.org")
    existing, new = _medians(
        client, "/register",
        lambda n: {"name": "Someone", "email": "taken@example.org",
                   "password": f"a long passphrase {n}"},
        lambda n: {"name": "Someone", "email": f"fresh{n}@example.org",
                   "password": f"a long passphrase {n}"})
    _assert_close(existing, new)
