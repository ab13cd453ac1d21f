"""Configuration classes, read from the environment.

Every setting a deployment may change comes from an environment variable; the defaults give a
working development setup with SQLite under ``instance/`` and no SMTP server.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEFAULT_INSTANCE_DIR = BASE_DIR / "instance"


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def instance_dir() -> Path:
    return Path(os.environ.get("INSTANCE_PATH", DEFAULT_INSTANCE_DIR))


def load_secret_key(directory: Path) -> str:
    """SECRET_KEY from the environment, otherwise one generated once and kept in instance/."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    directory.mkdir(parents=True, exist_ok=True)
    key_file = directory / "secret_key"
    if not key_file.exists():
        # O_EXCL: two processes starting at once must not write two different keys.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    return key_file.read_text().strip()


def _normalise_database_url(url: str) -> str:
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy needs the psycopg 3 driver named.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    """Development defaults; every value may be overridden from the environment."""

    ENV_NAME = "development"
    TESTING = False

    SQLALCHEMY_DATABASE_URI = ""  # filled in by from_environment()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Sessions: HttpOnly and SameSite=Lax always; Secure in production.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12

    WTF_CSRF_TIME_LIMIT = 60 * 60 * 8
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 1024 * 1024

    # The name of a hashing method, not a password.
    PASSWORD_HASH_METHOD = "scrypt"  # nosec B105
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 15
    LOGIN_RATE_LIMIT = "20 per minute;200 per hour"
    #: Open-data files, QR codes and printable sheets, per client address, all together.
    PUBLIC_DOWNLOAD_RATE_LIMIT = "30 per minute;300 per hour"
    # Proposals, comments, supports and reports of abuse in consultations, per account.
    CONSULTATION_RATE_LIMIT = "20 per minute;200 per hour"
    # Proposals and comments one account may send in a day (counted in the database).
    CONSULTATION_DAILY_CAP = 10
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True

    CONFIRM_TOKEN_MAX_AGE = 7 * 24 * 3600
    RESET_TOKEN_MAX_AGE = 3600
    INVITE_TOKEN_MAX_AGE = 14 * 24 * 3600
    # Organisation invitations a day (a rolling 24 hours), counted in the database so the
    # limits hold across workers: per organisation, and per person sending them.
    ORGANISATION_INVITES_PER_DAY = 10
    INVITES_PER_INVITER_PER_DAY = 20

    BABEL_DEFAULT_LOCALE = "en"
    LANGUAGES = ("en", "es")
    PROGRAMME_TIMEZONE = "America/Belize"
    DEFAULT_COUNTRY = "BZ"
    DEFAULT_CURRENCY = "USD"
    # 360Giving publisher prefix, used for generated organisation and grant identifiers.
    OPEN_DATA_PREFIX = "ogbz"
    #: The publishing (managing) organisation's org-id.guide identifier, for the 360Giving
    #: publisher block; empty: the grants' one funding organisation stands for it.
    OPEN_DATA_PUBLISHER_ID = ""
    PROGRAMME_NAME = "Open Government Grants"
    # The smallest group of people any release to donors or the public may single out:
    # k of the anonymised participants' k-anonymity, and the smallest count of people shown
    # in a breakdown (reporting.privacy).
    PRIVACY_MIN_GROUP = 5
    # IATI activity file (reporting/iati): the reporting organisation's registered identifier
    # (e.g. BZ-COA-123), its OrganisationType code and name, and the prefix of activity
    # identifiers (the reporting organisation's identifier when empty). Empty values fall back
    # to the first fund's managing organisation; see the README.
    IATI_REPORTING_ORG_ID = ""
    IATI_REPORTING_ORG_TYPE = ""
    IATI_REPORTING_ORG_NAME = ""
    IATI_ACTIVITY_PREFIX = ""
    IATI_PROGRAMME_DESCRIPTION = ""
    #: Thematic area (its name in the main language) -> OECD DAC 5-digit purpose code.
    IATI_SECTORS = {
        "Access to public information": "15153",  # Media and free flow of information
        "Fight against corruption": "15113",      # Anti-corruption organisations and institutions
        "E-government": "15110",                  # Public sector policy and admin. management
        "Citizen participation": "15150",         # Democratic participation and civil society
        "Digital/online requests": "15153",
        "Open data": "15153",
        "Education": "11110",                     # Education policy and admin. management
    }
    #: For an area missing from IATI_SECTORS, or a project whose areas are not public.
    IATI_DEFAULT_SECTOR = "15150"

    # Compression (Flask-Compress) of the text the application sends. Brotli first, gzip for
    # the rest: Flask-Compress requires the brotli and zstd bindings anyway (binary wheels, no
    # compiler needed), so brotli costs nothing extra; zstd is left out as few browsers ask
    # for it. Spreadsheets (xlsx, already zip-compressed), PNGs and uploads are left alone.
    COMPRESS_MIMETYPES = [
        "text/html", "text/css", "text/csv", "text/plain", "text/javascript",
        "application/javascript", "application/json", "application/xml", "image/svg+xml",
    ]
    # Pages carry a form token: a compressed page's length could leak it to someone who both
    # sees the traffic and makes the victim's browser send requests with text the page
    # repeats (BREACH). The session cookie is SameSite=Lax, so only top-level navigations
    # carry it; masking the token per response would close the rest.
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_LEVEL = 6
    COMPRESS_BR_LEVEL = 4
    COMPRESS_MIN_SIZE = 500
    # Streamed responses (generated downloads, uploaded files, partial 206 answers) are sent
    # as they are: compressing a stream drops its length and would garble a byte range.
    # Static files are read into memory first and so are compressed (core/static_files.py).
    COMPRESS_STREAMS = False
    # A compressed response's strong ETag gets the coding appended ("abc:gzip"), and a
    # matching If-None-Match still gets 304 (core/conditional.py accepts either form).
    COMPRESS_EVALUATE_CONDITIONAL_REQUEST = True

    MAIL_SERVER = ""
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = "Open Government Grants <no-reply@localhost>"
    MAIL_TIMEOUT = 10
    OUTBOX_MAX_ATTEMPTS = 8
    OUTBOX_BATCH_SIZE = 50
    OUTBOX_CLAIM_MINUTES = 10
    #: A running job whose worker has not written for this long is taken over by another.
    JOBS_STALE_MINUTES = 10
    #: The same in seconds, when set (a test of the take-over that cannot wait minutes); it
    #: wins over JOBS_STALE_MINUTES.
    JOBS_STALE_SECONDS = None
    #: A job that ended (done or failed) this many days ago is deleted, with its file.
    JOBS_KEEP_DAYS = 30
    #: A job whose worker died this many times (it may be what kills it) fails instead.
    JOBS_MAX_ATTEMPTS = 3
    #: The address people use, e.g. https://grants.example.org: every absolute link in email,
    #: QR codes, open data and printed sheets is built from it (required in production).
    PUBLIC_BASE_URL = ""
    #: Hosts accepted in the Host header (comma-separated in the environment); by default the
    #: host of PUBLIC_BASE_URL, plus 127.0.0.1 and localhost outside production.
    TRUSTED_HOSTS = None
    # Uploads: kept outside static/, served only through permission-checked views.
    UPLOAD_FOLDER = ""  # <instance>/uploads unless UPLOAD_FOLDER is set
    MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    #: An attendance sheet may be larger than other uploads: up to 200,000 people.
    ATTENDANCE_MAX_UPLOAD_BYTES = 32 * 1024 * 1024
    #: An attendance sheet with more people than this is imported in the background (a job
    #: with its progress page); a smaller one at once, within the request.
    ATTENDANCE_JOB_THRESHOLD = 2000
    ENDORSEMENT_LINK_DAYS = 21
    #: Days after a participant's last event before their name, email and year of birth are
    #: erased by the worker (0: kept until erased on request). Counts stay exact.
    PERSONAL_DATA_RETENTION_DAYS = 0
    #: How many reverse proxies in front of the app set X-Forwarded-* headers (0: none).
    TRUSTED_PROXIES = 0

    @classmethod
    def from_environment(cls) -> dict:
        """Settings as a dict, with everything the environment overrides applied."""
        settings = {key: getattr(cls, key) for key in dir(cls) if key.isupper()}
        folder = instance_dir()
        folder.mkdir(parents=True, exist_ok=True)
        default_db = f"sqlite:///{folder / 'grants.db'}"
        settings["SQLALCHEMY_DATABASE_URI"] = _normalise_database_url(
            os.environ.get("DATABASE_URL", default_db)
        )
        settings["SECRET_KEY"] = load_secret_key(folder)
        settings["UPLOAD_FOLDER"] = os.environ.get("UPLOAD_FOLDER") or str(folder / "uploads")
        redis_url = os.environ.get("REDIS_URL")
        if redis_url:
            settings["RATELIMIT_STORAGE_URI"] = redis_url
        for key in ("MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_DEFAULT_SENDER",
                    "PROGRAMME_TIMEZONE", "OPEN_DATA_PREFIX", "OPEN_DATA_PUBLISHER_ID",
                    "PROGRAMME_NAME", "PUBLIC_BASE_URL", "DEFAULT_COUNTRY",
                    "IATI_REPORTING_ORG_ID", "IATI_REPORTING_ORG_TYPE",
                    "IATI_REPORTING_ORG_NAME", "IATI_ACTIVITY_PREFIX",
                    "IATI_PROGRAMME_DESCRIPTION", "IATI_DEFAULT_SECTOR"):
            if os.environ.get(key):
                settings[key] = os.environ[key]
        settings["MAIL_PORT"] = _env_int("MAIL_PORT", cls.MAIL_PORT)
        settings["MAIL_USE_TLS"] = _env_bool("MAIL_USE_TLS", cls.MAIL_USE_TLS)
        settings["MAIL_USE_SSL"] = _env_bool("MAIL_USE_SSL", cls.MAIL_USE_SSL)
        settings["OUTBOX_MAX_ATTEMPTS"] = _env_int("OUTBOX_MAX_ATTEMPTS", cls.OUTBOX_MAX_ATTEMPTS)
        if os.environ.get("TRUSTED_HOSTS"):
            settings["TRUSTED_HOSTS"] = os.environ["TRUSTED_HOSTS"]
        settings["TRUSTED_PROXIES"] = _env_int("TRUSTED_PROXIES", cls.TRUSTED_PROXIES)
        settings["PERSONAL_DATA_RETENTION_DAYS"] = _env_int(
            "PERSONAL_DATA_RETENTION_DAYS", cls.PERSONAL_DATA_RETENTION_DAYS)
        settings["ENDORSEMENT_LINK_DAYS"] = _env_int("ENDORSEMENT_LINK_DAYS",
                                                     cls.ENDORSEMENT_LINK_DAYS)
        settings["PRIVACY_MIN_GROUP"] = _env_int("PRIVACY_MIN_GROUP", cls.PRIVACY_MIN_GROUP)
        for key in ("JOBS_STALE_MINUTES", "JOBS_STALE_SECONDS", "JOBS_KEEP_DAYS"):
            settings[key] = _env_int(key, getattr(cls, key))
        settings["SESSION_COOKIE_SECURE"] = _env_bool(
            "SESSION_COOKIE_SECURE", cls.SESSION_COOKIE_SECURE
        )
        settings["REMEMBER_COOKIE_SECURE"] = settings["SESSION_COOKIE_SECURE"]
        return settings


class DevelopmentConfig(Config):
    pass


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    # Cheap hashing keeps the suite fast; the algorithm is the same as in production.
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"  # nosec B105
    # Limits stay on (in memory) so they are exercised; tests lower them where they test them.
    LOGIN_RATE_LIMIT = "10000 per minute"
    PUBLIC_DOWNLOAD_RATE_LIMIT = "10000 per minute"
    CONSULTATION_RATE_LIMIT = "10000 per minute"
    SERVER_NAME = None
    # The test client's host, so links in test email point where the client can follow them.
    PUBLIC_BASE_URL = "http://localhost"


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}


def config_from_name(name: str | None = None) -> dict:
    name = name or os.environ.get("APP_ENV", "development")
    try:
        return CONFIGS[name].from_environment()
    except KeyError:
        raise SystemExit(f"Unknown APP_ENV {name!r}; use one of {', '.join(CONFIGS)}") from None
