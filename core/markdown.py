"""Markdown written by staff (call texts and the like), rendered as safe HTML.

Two layers: Python-Markdown is told to treat raw HTML as text (so ``<script>`` is shown, not
run), and its output is then cleaned by nh3 with a small allow-list of tags and attributes, web
and mail links only, and ``rel="noopener noreferrer"`` on every link.
"""

from __future__ import annotations

import markdown as _markdown
import nh3
from markdown.extensions.tables import TableExtension
from markupsafe import Markup

#: The tags the rendered text may contain; anything else is dropped (its text is kept).
ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "h4", "blockquote",
    "code", "pre", "table", "thead", "tbody", "tr", "th", "td",
})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
#: Removed together with their content.
REMOVED_WITH_CONTENT = frozenset({"script", "style"})
#: Headings move under the page's own: the page title is the only h1, and h5-h6 become h4.
HEADING_LEVELS = {"h1": "h2", "h5": "h4", "h6": "h4"}


class _NoRawHtml(_markdown.Extension):
    """Raw HTML in the source is escaped and shown as text."""

    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_HeadingLevels(md), "heading_levels", 5)


class _HeadingLevels(_markdown.treeprocessors.Treeprocessor):
    def run(self, root):
        for element in root.iter():
            if element.tag in HEADING_LEVELS:
                element.tag = HEADING_LEVELS[element.tag]


def _converter() -> _markdown.Markdown:
    return _markdown.Markdown(
        extensions=["fenced_code", "sane_lists",
                    # Column alignment as an attribute: the cleaner removes style attributes.
                    TableExtension(use_align_attribute=True), _NoRawHtml()],
        output_format="html")


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(REMOVED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render_markdown(text: str | None) -> Markup:
    """``text`` (Markdown) as sanitised HTML, safe to put in a page."""
    if not text:
        return Markup("")
    # A converter keeps state between documents, so each text gets a fresh one.
    html = _converter().convert(str(text))
    # Safe to mark: nh3 has just removed every tag and attribute outside the allow-list.
    return Markup(sanitise_html(html))  # nosec B704
