"""Fixtures for browser tests: a real server, a real SMTP server and Debian's Chromium.

The application is served by werkzeug in a background thread from its own app instance, so
requests commit for real (CSRF is on, as in production). Email goes through the outbox
worker to an aiosmtpd server that keeps what it receives. Chromium is driven by Playwright
for Python; the browser is the system's (``/usr/bin/chromium``), never a downloaded build.

On SQLite the live app gets a database file of its own. On PostgreSQL (TEST_DATABASE_URL)
it shares the suite's database, so every table is emptied after each test.

Journeys check every page they visit with ``quality.py`` (axe-core, a 360 px screen, page
weight, screenshots) through the ``journey`` fixture; the findings are written to
test-artifacts/browser/accessibility.json and page-weight.json.
"""

from __future__ import annotations

import email.message
import os
import re
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.browser import quality

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
DESKTOP = {"width": 1280, "height": 900}

# Reports Content-Security-Policy violations to the console, where the tests collect them.
# Init scripts are injected by the browser itself, so the page's CSP does not block this one.
CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.violatedDirective + " blocked " + event.blockedURI);
});
"""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's report on the test item, so fixtures can tell a failure."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(autouse=True)
def db_session():
    """Browser tests opt out of the per-test rollback: the live server commits for real, and
    its requests must not go through a session bound to the test's connection."""
    yield None


# Mail ----------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def smtp_server():
    from tests.fixtures.smtp import SMTPServer

    server = SMTPServer().start()
    try:
        yield server
    finally:
        server.stop()


class Mailbox:
    """What the SMTP server received during one test."""

    def __init__(self, server):
        self._server = server

    def received(self) -> list[email.message.EmailMessage]:
        return [entry["message"] for entry in self._server.messages]

    def clear(self) -> None:
        self._server.messages.clear()

    @staticmethod
    def text_of(message: email.message.EmailMessage) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def mailbox(smtp_server) -> Mailbox:
    box = Mailbox(smtp_server)
    box.clear()
    yield box
    box.clear()


# The live server -----------------------------------------------------------------------------

@dataclass
class LiveServer:
    app: object
    url: str

    def deliver_mail(self):
        """Run the outbox worker once, as ``flask outbox send --once`` would."""
        from core.outbox.worker import send_batch

        with self.app.app_context():
            return send_batch()

    def run_jobs(self) -> int:
        """Run the queued background jobs, as the worker's loop would."""
        from core.jobs.worker import run_all

        with self.app.app_context():
            return run_all()


def _empty_database(live_app) -> None:
    from core.extensions import db

    with live_app.app_context():
        tables = db.metadata.sorted_tables
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                names = ", ".join(connection.dialect.identifier_preparer.quote(table.name)
                                  for table in tables)
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(tables):
                    _unlink_rows(connection, table)
                    connection.execute(table.delete())
        db.session.remove()


def _unlink_rows(connection, table) -> None:
    """Clear a table's references to its own rows (a reversal points at the payment it
    corrects, ON DELETE RESTRICT), which SQLite would otherwise refuse to delete in bulk."""
    for key in table.foreign_keys:
        if key.column.table is table and key.parent.nullable:
            connection.execute(table.update().values({key.parent.name: None}))


@pytest.fixture(scope="session")
def _live_app(app, smtp_server, tmp_path_factory):
    """A second app for the live server. It depends on the suite's ``app`` so that, on
    PostgreSQL, the schema has been reset and migrated before it starts."""
    from flask_migrate import upgrade

    from app import create_app
    from config import TestingConfig
    from core.extensions import db

    settings = TestingConfig.from_environment()
    if os.environ.get("TEST_DATABASE_URL"):
        database_url = app.config["SQLALCHEMY_DATABASE_URI"]
    else:
        database_url = f"sqlite:///{tmp_path_factory.mktemp('live-db') / 'live.db'}"
    settings.update(
        SQLALCHEMY_DATABASE_URI=database_url,
        SECRET_KEY=secrets.token_urlsafe(32),
        WTF_CSRF_ENABLED=True,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_server.port,
        MAIL_USE_TLS=False,
        MAIL_USE_SSL=False,
        PUBLIC_BASE_URL="",
    )
    live_app = create_app(settings)
    with live_app.app_context():
        upgrade(directory=live_app.extensions["migrate"].directory)
        db.session.remove()
    _empty_database(live_app)
    try:
        yield live_app
    finally:
        _empty_database(live_app)
        with live_app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def _live_server_thread(_live_app):
    from werkzeug.serving import WSGIRequestHandler, make_server

    class QuietRequestHandler(WSGIRequestHandler):
        def log_request(self, code="-", size="-"):
            pass  # errors are still logged

    server = make_server("127.0.0.1", 0, _live_app, threaded=True,
                         request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    # Links in email come from the public address, so it must be the live server's.
    _live_app.config["PUBLIC_BASE_URL"] = url
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def live_server(_live_app, _live_server_thread, mailbox) -> LiveServer:
    """The running server; every table is emptied after each test."""
    try:
        yield LiveServer(app=_live_app, url=_live_server_thread)
    finally:
        _empty_database(_live_app)


# The browser ---------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), (
        f"{CHROMIUM} is missing: install Debian's chromium package (make test does).")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class PageProblems:
    """Console errors (CSP violations included) and uncaught exceptions seen by a page."""

    errors: list[str] = field(default_factory=list)


@pytest.fixture
def page_problems() -> PageProblems:
    return PageProblems()


def open_page(browser, page_problems: PageProblems, *, locale: str = "en-GB"):
    """A page in a new browser context, with CSP violations, console errors and uncaught
    exceptions collected in ``page_problems`` and axe-core ready for the quality checks."""
    context = browser.new_context(locale=locale, viewport=dict(DESKTOP))
    context.add_init_script(CSP_REPORTER)
    quality.install(context)
    page = context.new_page()
    quality.disable_cache(page)
    page.set_default_timeout(15_000)

    def on_console(message):
        if message.type == "error":
            where = message.location.get("url", "")
            if where == page.url and message.text.startswith("Failed to load resource"):
                return  # the document itself: a form shown again with its errors (422)
            page_problems.errors.append(f"console error: {message.text} ({where})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: page_problems.errors.append(f"page error: {error}"))
    return page


@pytest.fixture
def new_page(request, browser, page_problems):
    """Opens more pages, each in its own context (another person's browser); on failure
    their last state is saved as screenshots too."""
    pages = []

    def factory(locale: str = "en-GB"):
        pages.append(open_page(browser, page_problems, locale=locale))
        return pages[-1]

    try:
        yield factory
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            for number, extra in enumerate(pages, start=2):
                _save_failure_screenshot(extra, f"{request.node.name}-{number}")
    finally:
        for extra in pages:
            extra.context.close()


@pytest.fixture
def page(request, browser, page_problems):
    """A page in a fresh browser context; on failure its last state is saved as a screenshot
    in test-artifacts/browser/."""
    page = open_page(browser, page_problems)
    try:
        yield page
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            _save_failure_screenshot(page, request.node.name)
    finally:
        page.context.close()


def _save_failure_screenshot(page, test_name: str) -> None:
    from playwright.sync_api import Error as PlaywrightError

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=str(ARTIFACTS / f"{test_name}-failure.png"), full_page=True)
    except PlaywrightError:
        pass  # a crashed page has nothing to show; the failure itself is reported anyway


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


# Quality checks ------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def quality_report():
    """Every journey's accessibility and page-weight findings, written once at the end."""
    report = quality.QualityReport()
    yield report
    report.write(ARTIFACTS)


@pytest.fixture
def journey(request, page, quality_report, artifacts_dir):
    """Starts a journey: ``journey(name)`` watches the test's page and returns the
    ``quality.Journey`` whose ``check(page, step)`` each step calls; pages opened with
    ``new_page`` are watched with ``journey.watch(page)``. A journey that passed otherwise
    fails here when a check found a problem or a loaded page was never checked."""
    started = []

    def start(name: str) -> quality.Journey:
        started.append(quality.Journey(name, quality_report, artifacts_dir))
        started[-1].watch(page)
        return started[-1]

    yield start
    report = getattr(request.node, "report_call", None)
    if report is None or not report.passed:
        return  # the failure itself says more than the quality checks would
    problems = [problem for one in started for problem in one.problems]
    problems += [f"{one.name}: page loaded without a quality check after it: {url}"
                 for one in started for url in one.unchecked_pages()]
    if problems:
        pytest.fail("Quality checks failed:\n" + "\n".join(problems), pytrace=False)


# The demo programme ---------------------------------------------------------------------------

DEMO_LOGIN = re.compile(r"^\s+(\w+)\s+(\S+@demo\.example\.org)\s+(\S+)\s*$", re.M)


@pytest.fixture
def demo_logins(live_server) -> dict[str, tuple[str, str]]:
    """``flask demo load`` on the live server: each role's (email, password)."""
    result = live_server.app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return {role: (email, password)
            for role, email, password in DEMO_LOGIN.findall(result.output)}


def sign_in(steps, page, url: str, email: str, password: str) -> None:
    """Through the sign-in page (checked as a journey step), onto the home page."""
    page.goto(f"{url}/login")
    steps.check(page, "sign in")
    page.locator("main").get_by_label("Email address").fill(email)
    page.locator("main").get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/")
