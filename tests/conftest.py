"""Shared fixtures: an app on a migrated database, a transaction rolled back after every test,
a client, ``login_as`` and the factories in ``tests/fixtures``.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import contextvars
import os
import secrets

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from hypothesis import settings
from sqlalchemy import text

from tests.fixtures.factories import Factories

# Property tests assert behaviour, never time: speed is measured by `make bench`, and a loaded
# CI machine must not turn a slow example into a failure.
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        from config import _normalise_database_url
        return _normalise_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _reset_postgres_schema(engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    os.environ["INSTANCE_PATH"] = str(instance)
    from app import create_app
    from config import TestingConfig

    settings = TestingConfig.from_environment()
    settings.update(
        SQLALCHEMY_DATABASE_URI=_database_url(tmp_path_factory),
        SECRET_KEY=secrets.token_urlsafe(32),
        WTF_CSRF_ENABLED=False,
        MAIL_SERVER="",
    )
    application = create_app(settings)
    application.test_client_class = IsolatedClient
    with application.app_context():
        from flask_migrate import upgrade

        from core.extensions import db

        if db.engine.dialect.name == "postgresql":
            _reset_postgres_schema(db.engine)
        # The schema comes from the migrations, so the suite also proves they work.
        upgrade(directory=application.extensions["migrate"].directory, revision="heads")
        db.session.remove()
    return application


class IsolatedClient(FlaskClient):
    """A test client whose every request gets its own app context (and so its own ``g``
    and database session), as in production, although the test itself runs inside one."""

    def open(self, *args, **kwargs):
        response = contextvars.copy_context().run(self._open_in_fresh_context, *args, **kwargs)
        from core.extensions import db
        db.session.expire_all()  # let the test see what the request committed
        return response

    def _open_in_fresh_context(self, *args, **kwargs):
        _cv_app.set(None)
        return super().open(*args, **kwargs)


class _ConnectionBoundSession(FlaskSQLAlchemySession):
    """Flask-SQLAlchemy picks the engine per table; tests need the one shared connection."""

    def get_bind(self, *args, **kwargs):
        return self.bind


@pytest.fixture(autouse=True)
def db_session(app):
    """Run each test inside one outer transaction that is rolled back afterwards.

    Commits made by the code under test become savepoint releases, so nothing persists.
    Values remembered per data version are not kept (see ``core.freshness.REMEMBER``) unless
    a test asks for ``remembering``.
    """
    from core import freshness
    from core.extensions import db

    freshness.REMEMBER = False
    freshness._REMEMBERED.clear()

    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session({
            "class_": _ConnectionBoundSession, "bind": connection,
            "join_transaction_mode": "create_savepoint",
        })
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def remembering(db_session):
    """Values remembered per data version kept, as in production: the test commits what the
    requests must see."""
    from core import freshness

    freshness.REMEMBER = True
    yield
    freshness.REMEMBER = False
    freshness._REMEMBERED.clear()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def factories(db_session) -> Factories:
    return Factories(db_session)


@pytest.fixture
def login_as(client, factories):
    """Sign the test client in as a new user with the given role(s), or as a given user."""

    def sign_in(who, **user_fields):
        from accounts.models import User

        user = who if isinstance(who, User) else factories.user(
            roles=(who,) if isinstance(who, str) else tuple(who), **user_fields)
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return user

    return sign_in


@pytest.fixture
def csrf_enabled(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def login_rate_limit(app, monkeypatch):
    """Set the sign-in rate limit for one test, starting from a clean count."""
    from core.extensions import limiter

    def set_limit(limit: str):
        monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", limit)
        limiter.reset()

    yield set_limit
    limiter.reset()
