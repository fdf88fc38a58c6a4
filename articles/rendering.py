"""Markdown to safe HTML, excerpts and reading time.

"Read more" reference lines (articles/read_more.py) are kept as a paragraph
of their own, for the page to expand when it is served.
"""

import html
import math
import re

import nh3
from markdown_it import MarkdownIt

from .read_more import LINE as READ_MORE_LINE
from .read_more import TOKEN as READ_MORE_TOKEN

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
WORDS_PER_MINUTE = 230

_markdown = MarkdownIt("commonmark", {"typographer": True}).enable(
    ["table", "strikethrough", "replacements", "smartquotes"]
)


def _render_markdown(source: str) -> str:
    # A reference line is always a block of its own, even with no blank line
    # around it, so it renders as a paragraph the page can swap for a link.
    source = READ_MORE_LINE.sub(lambda m: f"\n\n{m.group(0).strip()}\n\n", source)
    env: dict = {}
    tokens = _markdown.parse(source, env)
    for token in tokens:
        # The page title is the only <h1>: body headings start at <h2>.
        if token.type in {"heading_open", "heading_close"} and token.tag == "h1":
            token.tag = "h2"
    return _markdown.renderer.render(tokens, _markdown.options, env)


def markdown_to_html(source: str) -> str:
    """Render editor Markdown to sanitised HTML (no script, handler or js: URL)."""
    rendered = _render_markdown(source or "")
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def html_to_text(fragment: str) -> str:
    """Plain text of sanitised HTML, whitespace collapsed."""
    text = nh3.clean(READ_MORE_TOKEN.sub(" ", fragment or ""), tags=set())
    return " ".join(html.unescape(text).split())


def excerpt_text(body_html: str) -> str:
    """Plain text of the body's paragraphs, lists and quotes, without headings.

    Headings read as fragments when run into the text ("Start here Most
    people..."), so a generated excerpt leaves them out.
    """
    return html_to_text(
        re.sub(r"<h([1-6])>.*?</h\1>", " ", body_html or "", flags=re.S)
    )


def cut_excerpt(text: str, limit: int = 200) -> str:
    """About ``limit`` characters, cut at a word boundary, ending in an ellipsis.

    Text that fits is returned whole, without an ellipsis: nothing was cut.
    """
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    space = cut.rfind(" ")
    text = cut[:space] if space > limit // 2 else text[:limit]
    return text.rstrip(" .,;:!?-–—…") + "…"


def reading_minutes(word_count: int) -> int:
    return max(1, math.ceil(word_count / WORDS_PER_MINUTE))
