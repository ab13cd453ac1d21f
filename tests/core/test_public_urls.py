"""Absolute links come from PUBLIC_BASE_URL alone, and unknown hosts are refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.outbox.models import OutboxMessage
from core.urls import configure_public_urls, external_url

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PUBLIC = "https://grants.example.org"


def _outbox_count(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(OutboxMessage))


def _links(body: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", body)


@pytest.fixture
def public_address(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", PUBLIC)
    return PUBLIC


def test_reset_link_uses_the_public_address_not_the_request_host(
        client, factories, db_session, public_address):
    user = factories.user()
    response = client.post("/password/forgot", data={"email": user.email},
                           headers={"Host": "127.0.0.1:8080"})
    assert response.status_code == 200
    message = db_session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    links = _links(message.body_text)
    assert links and all(link.startswith(PUBLIC + "/") for link in links)
    assert any("/password/reset/" in link for link in links)


@pytest.mark.parametrize("host", ["attacker.example:8080", "attacker.example",
                                  "grants.example.org.attacker.example", "localhost@evil"])
def test_a_forged_host_is_refused_before_anything_is_written(client, factories, db_session,
                                                              host):
    user = factories.user()
    before = _outbox_count(db_session)
    response = client.post("/password/forgot", data={"email": user.email},
                           headers={"Host": host})
    assert response.status_code == 400
    assert _outbox_count(db_session) == before


def test_a_forged_forwarded_host_is_refused_behind_a_proxy(app):
    from app import create_app

    proxied = create_app(dict(app.config, TRUSTED_PROXIES=1, PUBLIC_BASE_URL=PUBLIC,
                              TRUSTED_HOSTS=None))
    client = proxied.test_client()
    forged = client.get("/health", headers={"Host": "grants.example.org",
                                            "X-Forwarded-Host": "attacker.example"})
    assert forged.status_code == 400
    honest = client.get("/health", headers={"Host": "grants.example.org",
                                            "X-Forwarded-Host": "grants.example.org"})
    assert honest.status_code == 200


def test_the_qr_code_and_project_links_ignore_the_request_host(app, public_address):
    with app.test_request_context("/", base_url="http://localhost:9999"):
        assert external_url("portal.project", reference="OGB-2018-0001") == \
            f"{PUBLIC}/projects/OGB-2018-0001"
        assert external_url("accounts.login", _anchor="top") == f"{PUBLIC}/login#top"


def test_a_public_address_with_a_path_keeps_it(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://example.org/grants")
    with app.app_context():
        assert external_url("accounts.login") == "https://example.org/grants/login"


class _Stub:
    def __init__(self, **config):
        self.config = config


def test_production_refuses_to_start_without_a_public_address():
    with pytest.raises(SystemExit, match="PUBLIC_BASE_URL is not set"):
        configure_public_urls(_Stub(ENV_NAME="production", PUBLIC_BASE_URL=""))


@pytest.mark.parametrize("value", ["grants.example.org", "ftp://grants.example.org",
                                   "https://", "https://grants.example.org/?next=x",
                                   "https://user:pw@grants.example.org"])
def test_a_malformed_public_address_is_refused_at_start(value):
    with pytest.raises(SystemExit, match="PUBLIC_BASE_URL"):
        configure_public_urls(_Stub(ENV_NAME="production", PUBLIC_BASE_URL=value))


def test_trusted_hosts_default_to_the_public_host():
    production = _Stub(ENV_NAME="production", PUBLIC_BASE_URL="https://grants.example.org/")
    configure_public_urls(production)
    assert production.config["TRUSTED_HOSTS"] == ["grants.example.org"]
    assert production.config["PUBLIC_BASE_URL"] == "https://grants.example.org"
    development = _Stub(ENV_NAME="development", PUBLIC_BASE_URL="")
    configure_public_urls(development)
    assert set(development.config["TRUSTED_HOSTS"]) == {"127.0.0.1", "localhost"}
    explicit = _Stub(ENV_NAME="production", PUBLIC_BASE_URL=PUBLIC,
                     TRUSTED_HOSTS="grants.example.org, .example.org")
    configure_public_urls(explicit)
    assert explicit.config["TRUSTED_HOSTS"] == ["grants.example.org", ".example.org"]


# Code that could build a link from the request: only core/urls.py may build absolute URLs.
_REQUEST_DERIVED = re.compile(
    r"_external\s*=\s*True|request\.(host|host_url|url_root|base_url|root_url|url)\b"
    r"|X-Forwarded-Host")
_APPLICATION_DIRS = ("accounts", "coalitions", "core", "demo", "grants", "reporting", "templates")


def test_no_code_builds_an_absolute_url_from_the_request():
    offenders = []
    for directory in _APPLICATION_DIRS:
        for path in (PROJECT_ROOT / directory).rglob("*"):
            if path.suffix not in (".py", ".html", ".txt") or path.name == "urls.py":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if _REQUEST_DERIVED.search(line):
                    offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()}")
    assert offenders == []
