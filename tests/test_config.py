
import pytest

import config


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for key in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "MAIL_SERVER", "APP_ENV"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    return tmp_path


def test_secret_key_is_generated_once_into_instance(clean_env):
    first = config.Config.from_environment()["SECRET_KEY"]
    second = config.Config.from_environment()["SECRET_KEY"]
    assert first == second and len(first) >= 40
    key_file = clean_env / "secret_key"
    assert key_file.read_text().strip() == first
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_secret_key_from_environment_wins(clean_env, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert config.Config.from_environment()["SECRET_KEY"] == "from-the-environment"


def test_sqlite_in_instance_by_default_and_postgres_urls_use_psycopg(clean_env, monkeypatch):
    settings = config.Config.from_environment()
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{clean_env / 'grants.db'}"
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.internal/grants")
    assert config.Config.from_environment()["SQLALCHEMY_DATABASE_URI"] == \
        "postgresql+psycopg://u@db.internal/grants"


def test_rate_limits_use_redis_when_configured(clean_env, monkeypatch):
    assert config.Config.from_environment()["RATELIMIT_STORAGE_URI"] == "memory://"
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    assert config.Config.from_environment()["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"


def test_production_config_secures_cookies(clean_env):
    settings = config.ProductionConfig.from_environment()
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_unknown_app_env_is_refused(clean_env, monkeypatch):
    monkeypatch.setenv("APP_ENV", "staging-typo")
    with pytest.raises(SystemExit):
        config.config_from_name()


def test_trusted_proxy_headers_give_the_client_address(app):
    from flask import request

    from app import create_app

    settings = dict(app.config, TRUSTED_PROXIES=1)
    proxied = create_app(settings)
    seen = {}

    @proxied.before_request
    def capture():
        seen["addr"], seen["scheme"] = request.remote_addr, request.scheme

    proxied.test_client().get("/health", headers={"X-Forwarded-For": "198.51.100.7",
                                                  "X-Forwarded-Proto": "https"})
    assert seen == {"addr": "198.51.100.7", "scheme": "https"}
