"""Fixtures for the security checks: the two-organisation world, an upload folder of the
test's own, and an app built with the production configuration."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from tests.security.world import World, build_world


@pytest.fixture
def upload_folder(app, tmp_path, monkeypatch) -> Path:
    """A fresh upload folder, so a test can tell exactly which files were written."""
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(folder))
    return folder


@pytest.fixture
def world(db_session, factories, upload_folder) -> World:
    return build_world(db_session, factories)


def stored_paths(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.fixture(scope="session")
def production_app(app):
    """The app as ``create_app("production")`` builds it (CSRF on, secure cookies, HSTS),
    on the test database so its pages can be rendered."""
    from app import create_app
    from config import ProductionConfig

    settings = ProductionConfig.from_environment()
    settings.update(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                    SECRET_KEY=secrets.token_urlsafe(32),
                    UPLOAD_FOLDER=app.config["UPLOAD_FOLDER"], MAIL_SERVER="",
                    # The test client's host, so that requests pass TRUSTED_HOSTS.
                    PUBLIC_BASE_URL="https://localhost")
    production = create_app(settings)
    production.test_client_class = app.test_client_class
    return production
