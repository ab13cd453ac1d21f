"""Security headers on every page, download and error page, with the production
configuration: a Content-Security-Policy whose scripts exclude inline code, no framing,
no MIME sniffing, a Referrer-Policy, and HSTS (production only). Files are downloaded as
attachments, never shown inline as HTML.

Every GET route of ``app.url_map`` is requested as an administrator and as the owner of
organisation Alpha (so pages, downloads, and 403/404 pages are all seen), on the app built
by ``create_app`` with ``ProductionConfig``.
"""

from __future__ import annotations

import re
from io import BytesIO

import pytest

from tests.security.foreign_routes import ROUTES, Foreign
from tests.security.routes import methods, rules, sign_in
from tests.security.world import World

A = lambda w: w.alpha  # noqa: E731
X = lambda w: w.extra  # noqa: E731

#: Addresses for the public routes with a variable part (the others come from ROUTES).
PUBLIC_URLS = {
    "static": lambda w: ["/static/css/app.css"],
    "accounts.confirm_email": lambda w: ["/confirm/not-a-token"],
    "accounts.reset_password": lambda w: ["/password/reset/not-a-token"],
    "accounts.accept_invitation": lambda w: ["/invitation/not-a-token"],
    "endorsements.respond": lambda w: ["/endorse/not-a-token"],
    "applications.start": lambda w: [f"/calls/{X(w)['published_call'].id}/apply"],
    "calls.public_detail": lambda w: [f"/calls/{X(w)['published_call'].id}"],
    "plans.public_plan": lambda w: [f"/action-plans/{X(w)['action_plan'].id}"],
    "plans.plan_docx_file": lambda w: [f"/action-plans/{X(w)['action_plan'].id}/plan.docx"],
    "plans.plan_json_file": lambda w: [f"/action-plans/{X(w)['action_plan'].id}/plan.json"],
    "forum.public_meeting": lambda w: [f"/forum/meetings/{X(w)['forum_meeting'].id}"],
    "forum.document_file": lambda w: [f"/forum/documents/{X(w)['forum_document'].id}/file"],
    "consultations.consultation": lambda w: [f"/consultations/{X(w)['consultation'].id}"],
    "consultations.proposals": lambda w: [f"/consultations/{X(w)['consultation'].id}/proposals"],
    "consultations.proposal": lambda w: [
        f"/consultations/proposals/{X(w)['consultation_proposal'].id}"],
    "consultations.commitment": lambda w: [
        f"/consultations/{X(w)['consultation'].id}/commitments/"
        f"{X(w)['consultation_commitment'].id}"],
    "consultations.propose": lambda w: [f"/consultations/{X(w)['consultation'].id}/propose"],
    "consultations.comment_proposal": lambda w: [
        f"/consultations/proposals/{X(w)['consultation_proposal'].id}/comments"],
    "consultations.comment_commitment": lambda w: [
        f"/consultations/{X(w)['consultation'].id}/commitments/"
        f"{X(w)['consultation_commitment'].id}/comments"],
    "consultations.support_proposal": lambda w: [
        f"/consultations/proposals/{X(w)['consultation_proposal'].id}/support"],
    "consultations.support_commitment": lambda w: [
        f"/consultations/{X(w)['consultation'].id}/commitments/"
        f"{X(w)['consultation_commitment'].id}/support"],
    "consultations.report_proposal": lambda w: [
        f"/consultations/proposals/{X(w)['consultation_proposal'].id}/report"],
    "consultations.report_comment": lambda w: [
        f"/consultations/comments/{X(w)['consultation_comment'].id}/report"],
    "portal.project": lambda w: [f"/projects/{A(w).award.reference}"],
    "portal.project_sheet": lambda w: [f"/projects/{A(w).award.reference}/sheet"],
    "portal.qr_png": lambda w: [f"/projects/{A(w).award.reference}/qr.png",
                                f"/projects/{A(w).award.reference}/qr.png?download=1"],
    "portal.qr_svg": lambda w: [f"/projects/{A(w).award.reference}/qr.svg",
                                f"/projects/{A(w).award.reference}/qr.svg?download=1"],
}

#: Content shown inline on purpose, and only these: style sheets, scripts and fonts of the
#: app, the QR images of public project pages, the health check's JSON.
INLINE_TYPES = frozenset({"text/html", "text/css", "text/javascript", "application/javascript",
                          "image/png", "image/svg+xml", "font/woff2", "font/woff",
                          "application/json"})
REFERRER_POLICIES = frozenset({"no-referrer", "same-origin", "strict-origin",
                               "strict-origin-when-cross-origin"})
ONE_YEAR = 365 * 24 * 3600


def _urls(app, world: World) -> list[str]:
    urls = []
    for rule in rules(app):
        if "GET" not in methods(rule):
            continue
        if not rule.arguments:
            urls.append(rule.rule)
        elif rule.endpoint in PUBLIC_URLS:
            urls += PUBLIC_URLS[rule.endpoint](world)
        else:
            case = ROUTES[rule.endpoint]
            assert isinstance(case, Foreign), rule.endpoint
            urls += case.urls(world)[:1]
            if case.own is not None:
                urls.append(case.own(world))
    return urls


def directives(csp: str) -> dict[str, list[str]]:
    parsed = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            parsed.setdefault(words[0].lower(), words[1:])
    return parsed


def header_problems(response, *, production: bool) -> list[str]:
    headers, problems = response.headers, []
    csp = headers.get("Content-Security-Policy")
    if not csp:
        problems.append("no Content-Security-Policy")
    else:
        policy = directives(csp)
        scripts = policy.get("script-src", policy.get("default-src"))
        if scripts is None:
            problems.append("CSP without script-src or default-src")
        elif {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} \
                & {word.lower() for word in scripts}:
            problems.append(f"CSP lets scripts in: {scripts}")
        if policy.get("frame-ancestors") != ["'none'"] \
                and headers.get("X-Frame-Options") != "DENY":
            problems.append("may be framed")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    if headers.get("Referrer-Policy") not in REFERRER_POLICIES:
        problems.append(f"Referrer-Policy {headers.get('Referrer-Policy')!r}")
    hsts = headers.get("Strict-Transport-Security")
    if production:
        match = re.match(r"max-age=(\d+)", hsts or "")
        if not match or int(match.group(1)) < ONE_YEAR:
            problems.append(f"HSTS {hsts!r}")
    elif hsts:
        problems.append("HSTS sent without HTTPS in the configuration")
    disposition = headers.get("Content-Disposition", "")
    if not disposition.startswith("attachment") and response.mimetype not in INLINE_TYPES:
        problems.append(f"{response.mimetype} shown inline")
    if response.mimetype == "text/html" and disposition.startswith("attachment"):
        problems.append("HTML sent as a download")
    return problems


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
_EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def markup_problems(response) -> list[str]:
    """Pages must work under the CSP: no inline scripts or event handlers."""
    if response.mimetype != "text/html":
        return []
    body = response.get_data(as_text=True)
    problems = []
    if _INLINE_SCRIPT.search(body):
        problems.append("inline <script>")
    if _EVENT_HANDLER.search(body):
        problems.append("inline event handler")
    return problems


@pytest.fixture
def production_client(production_app, upload_folder, monkeypatch):
    monkeypatch.setitem(production_app.config, "UPLOAD_FOLDER", str(upload_folder))
    return production_app.test_client()


def test_production_config_builds_an_app_with_https_settings(production_app):
    config = production_app.config
    assert config["ENV_NAME"] == "production"
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["PREFERRED_URL_SCHEME"] == "https"
    assert config.get("WTF_CSRF_ENABLED", True)


@pytest.mark.parametrize("who", ["admin", "alpha", "anonymous"])
def test_every_get_route_sends_the_security_headers(who, app, production_client, world):
    user = {"admin": world.admin, "alpha": world.alpha.owner, "anonymous": None}[who]
    sign_in(production_client, user)
    problems, statuses, downloads = [], set(), 0
    for url in _urls(app, world):
        response = production_client.get(url)
        statuses.add(response.status_code)
        downloads += response.headers.get("Content-Disposition", "").startswith("attachment")
        found = header_problems(response, production=True) + markup_problems(response)
        problems += [f"{url} ({response.status_code}): {problem}" for problem in found]
        response.close()
    assert not problems, problems
    # Pages, refusals and (for the administrator) downloads were all seen.
    assert 200 in statuses and (403 in statuses or 302 in statuses)
    assert downloads >= (10 if who == "admin" else 1)


def test_downloads_are_attachments_with_nosniff(app, production_client, world):
    sign_in(production_client, world.admin)
    downloads = [f"/applications/{A(world).draft.id}/attachments/{A(world).attachment.id}",
                 f"/applications/{A(world).application.id}/endorsement/letter",
                 f"/awards/{A(world).award.id}/agreement",
                 f"/reports/{A(world).report.id}/files/{A(world).receipt.id}",
                 f"/reports/{A(world).report.id}/files/{A(world).evidence.id}",
                 f"/staff/events/{X(world)['event'].id}/agenda",
                 f"/coalitions/{X(world)['coalition'].id}/activities/"
                 f"{X(world)['coalition_activity'].id}/evidence",
                 f"/staff/panels/{X(world)['ranking_panel'].id}/scores.xlsx",
                 "/staff/events/template.xlsx"]
    for url in downloads:
        response = production_client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Content-Disposition"].startswith("attachment"), url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.mimetype != "text/html", url
        assert "private" in response.headers["Cache-Control"] \
            and "no-store" in response.headers["Cache-Control"], url
        assert not header_problems(response, production=True), url
        response.close()


def _raise(*args, **kwargs):
    raise RuntimeError("boom")


def test_error_pages_send_the_security_headers(production_app, production_client, world,
                                               monkeypatch):
    sign_in(production_client, world.alpha.owner)
    responses = {
        404: production_client.get("/no/such/page"),
        403: production_client.get("/staff/calls"),
        405: production_client.get("/logout"),
        # Production checks CSRF: a form without its token.
        400: production_client.post("/account", data={"name": "x"}),
    }
    monkeypatch.setitem(production_app.config, "MAX_CONTENT_LENGTH", 1024)
    responses[413] = production_client.post(
        "/account", data={"file": (BytesIO(b"x" * 4096), "big.pdf")})
    monkeypatch.setitem(production_app.view_functions, "core.health", _raise)
    responses[500] = production_client.get("/health")
    for status, response in responses.items():
        assert response.status_code == status
        assert response.mimetype == "text/html"
        assert not header_problems(response, production=True), status
        assert not markup_problems(response), status


def test_testing_config_sends_no_hsts_and_the_same_other_headers(client, login_as):
    login_as("staff")
    for url in ("/", "/staff/calls", "/no/such/page"):
        response = client.get(url)
        assert not header_problems(response, production=False), url


def test_the_rate_limit_page_sends_the_security_headers(client, login_rate_limit):
    login_rate_limit("1 per minute")
    client.post("/login", data={"email": "a@example.org", "password": "whatever pw"})
    response = client.post("/login", data={"email": "a@example.org", "password": "whatever"})
    assert response.status_code == 429
    assert not header_problems(response, production=False)
