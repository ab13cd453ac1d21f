"""The quality checks themselves: a page with an unlabelled field, unreadable text, content
wider than a phone, a table too wide for a desktop and a heavy script must fail them, and a
plain page must pass."""

from __future__ import annotations

import pytest

from tests.browser import quality

pytestmark = pytest.mark.browser

SITE = "http://quality.test"
BAD_PAGE = """<!doctype html><html lang="en"><head><title>Bad</title>
<script src="/heavy.js"></script></head><body><main><h1>Bad</h1>
<input type="text" name="unlabelled">
<p style="color:#ccc">Hard to read</p>
<div style="width:900px">Too wide for a phone</div>
<div class="table-wrap" style="overflow-x:auto"><table><tr><td>
<div style="width:1500px">Too wide for a desktop: it scrolls even at 1280 px</div>
</td></tr></table></div>
</main></body></html>"""
GOOD_PAGE = """<!doctype html><html lang="en"><head><title>Good</title></head><body><main>
<h1>Good</h1><label for="name">Name</label><input id="name" name="name">
<div style="overflow-x:auto"><table><caption>Wide</caption><tr><th scope="col">
<div style="width:900px">A wide table scrolls in its wrapper</div></th></tr></table></div>
</main></body></html>"""


def _serve(page, bodies: dict[str, tuple[str, str]]) -> None:
    """Answer the made-up site's requests in the browser, with Content-Length so the
    Performance API sees the sizes."""
    def handle(route):
        path = route.request.url.removeprefix(SITE)
        content_type, body = bodies[path]
        route.fulfill(status=200, body=body, headers={
            "Content-Type": content_type, "Content-Length": str(len(body.encode()))})

    page.route(f"{SITE}/**", handle)


@pytest.fixture
def checks(page, tmp_path):
    return quality.Journey("self-test", quality.QualityReport(), tmp_path)


def test_a_bad_page_fails_every_check(page, checks):
    _serve(page, {"/bad": ("text/html", BAD_PAGE),
                  "/heavy.js": ("text/javascript", "//" + "x" * 400_000)})
    checks.watch(page)
    page.goto(f"{SITE}/bad")
    checks.check(page, "bad")
    problems = "\n".join(checks.problems)
    assert "label" in problems and "color-contrast" in problems, problems
    assert "at 360 px the page is" in problems and "div" in problems, problems
    assert "at 1280 px wider than its container: div.table-wrap" in problems, problems
    assert "first load transfers" in problems and "heavy.js" in problems, problems
    assert {entry["rule"] for entry in checks.report.accessibility} >= {"label",
                                                                       "color-contrast"}
    assert checks.unchecked_pages() == []


def test_a_plain_page_passes_and_an_unchecked_visit_is_noticed(page, checks):
    _serve(page, {"/good": ("text/html", GOOD_PAGE)})
    checks.watch(page)
    page.goto(f"{SITE}/good")
    checks.check(page, "good")
    assert checks.problems == []
    page.reload()
    page.wait_for_load_state("load")
    assert checks.unchecked_pages() == [f"{SITE}/good"]
