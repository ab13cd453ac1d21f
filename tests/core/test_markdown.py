from __future__ import annotations

import re

import pytest
from markupsafe import Markup

from core.markdown import render_markdown


def test_formatting_is_rendered():
    html = render_markdown("Intro with **bold** and *emphasis*.\n\n- one\n- two\n\n1. first\n"
                           "2. second\n\n> quoted\n\n`code`")
    assert isinstance(html, Markup)
    assert "<strong>bold</strong>" in html and "<em>emphasis</em>" in html
    assert "<ul>\n<li>one</li>" in html and "<ol>\n<li>first</li>" in html
    assert "<blockquote>" in html and "<code>code</code>" in html


def test_headings_stay_below_the_page_title():
    html = render_markdown("# Big\n\n## About\n\n### Detail\n\n###### Tiny")
    assert "<h1" not in html
    assert "<h2>Big</h2>" in html and "<h2>About</h2>" in html
    assert "<h3>Detail</h3>" in html and "<h4>Tiny</h4>" in html


def test_tables_and_fenced_code():
    html = render_markdown("| Area | Amount |\n|---|--:|\n| Open data | 5000 |\n\n"
                           "```\nline <b>one</b>\n```")
    assert "<table>" in html and "<th>Area</th>" in html
    assert '<td align="right">5000</td>' in html
    assert "<pre><code>line &lt;b&gt;one&lt;/b&gt;" in html


def test_links_get_rel_noopener():
    html = render_markdown("See [the portal](https://example.org/calls) or <https://a.example>.")
    assert ('<a href="https://example.org/calls" rel="noopener noreferrer">the portal</a>'
            in html)
    assert '<a href="https://a.example" rel="noopener noreferrer">' in html


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>",
    "Hello <script>alert(1)</script> world",
    "<div>\n<script>\nalert(1)\n</script>\n</div>",
    "```\n</code></pre><script>alert(1)</script>\n```",
])
def test_script_tags_never_survive(source):
    html = render_markdown(source)
    assert "<script" not in html.lower()


@pytest.mark.parametrize("source", [
    "<img src=x onerror=alert(1)>",
    '<a href="https://example.org" onclick="alert(1)">x</a>',
    '<p onmouseover="alert(1)">text</p>',
    '<svg onload="alert(1)"></svg>',
])
def test_raw_html_is_shown_as_text_and_event_handlers_are_gone(source):
    html = render_markdown(source)
    assert "&lt;" in html  # shown as text
    # No real tag carries an event handler, an image or an SVG.
    assert not re.search(r"<[a-z][^>]*\son\w+\s*=", html, re.IGNORECASE)
    assert "<img" not in html and "<svg" not in html


@pytest.mark.parametrize("source", [
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java&#115;cript:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    "[click](vbscript:msgbox(1))",
    "<javascript:alert(1)>",
])
def test_dangerous_link_targets_are_removed(source):
    html = render_markdown(source)
    lowered = html.lower()
    assert "href=\"javascript" not in lowered and "href=\"data:" not in lowered
    assert "href=\"vbscript" not in lowered
    assert "javascript:" not in lowered or "href" not in lowered


def test_mail_links_are_allowed():
    html = render_markdown("[write to us](mailto:grants@example.org)")
    assert 'href="mailto:grants@example.org"' in html


def test_images_and_styles_are_dropped():
    html = render_markdown('![logo](https://example.org/logo.png)\n\n<style>p{}</style>')
    assert "<img" not in html and "<style" not in html


@pytest.mark.parametrize("empty", [None, ""])
def test_empty_text(empty):
    assert render_markdown(empty) == Markup("")


def test_the_cleaner_alone_removes_what_markdown_might_let_through():
    from core.markdown import sanitise_html

    html = sanitise_html('<p onclick="x()">a</p><img src=x onerror=alert(1)>'
                         '<a href="javascript:alert(1)">b</a><script>alert(2)</script>'
                         '<iframe src="https://example.org"></iframe><h1>c</h1>')
    assert html == '<p>a</p><a rel="noopener noreferrer">b</a>c'
