"""Markdown to safe HTML, excerpts and reading time.

Reference lines ("Read more", figures, videos: articles/reference_syntax.py)
are kept as a paragraph of their own, for the page to expand when it is served.
"""

import html
import math
import re

import nh3
from markdown_it import MarkdownIt

from . import video
from .reference_syntax import ANY_LINE as REFERENCE_LINE
from .reference_syntax import ANY_TOKEN as REFERENCE_TOKEN
from .reference_syntax import LINE as READ_MORE_LINE  # noqa: F401 (importers)

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
    source = video.to_tokens(source)
    source = REFERENCE_LINE.sub(lambda m: f"\n\n{m.group(0).strip()}\n\n", source)
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
    text = nh3.clean(REFERENCE_TOKEN.sub(" ", fragment or ""), tags=set())
    return " ".join(html.unescape(text).split())


# Blocks whose text stands on its own in an excerpt: each ends a sentence.
_BLOCK_END = re.compile(r"</(?:p|li|blockquote|td|th|pre)>", re.I)
_HEADING = re.compile(r"<h([1-6])>.*?</h\1>", re.S | re.I)
_SENTENCE_END = re.compile(r"[.!?…][”’\"')\]]*(?=\s)")
# Words an excerpt must not end on: they promise a continuation ("…and the…").
DANGLING_WORDS = frozenset(
    "a an and as at but by for from if in into is it its nor of on or so than "
    "that the their then this to too was were what when where which while who "
    "with yet you your".split()
)


def excerpt_text(body_html: str) -> str:
    """Plain text of the body's paragraphs, lists and quotes, without headings.

    Headings read as fragments when run into the text ("Start here Most
    people..."), so a generated excerpt leaves them out; every paragraph and
    list item ends a sentence, so items never run together ("Meet your peers
    Write down...").
    """
    text = REFERENCE_TOKEN.sub(" ", _HEADING.sub(" ", body_html or ""))
    parts = (html_to_text(part) for part in _BLOCK_END.split(text))
    return " ".join(
        part if part[-1] in ".!?…:;”’\"')" else part + "." for part in parts if part
    )


def cut_excerpt(text: str, limit: int = 200) -> str:
    """About ``limit`` characters, ending at a sentence where possible.

    Text that fits is returned whole. Otherwise the cut falls at the last end
    of a sentence in the second half of the limit; failing that, at a word
    boundary without a dangling last word ("and", "the", "yet"), ending in an
    ellipsis.
    """
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text[: limit + 1] + " ")]
    ends = [end for end in ends if limit // 2 <= end <= limit]
    if ends:
        return text[: ends[-1]]
    cut = text[: limit + 1]
    space = cut.rfind(" ")
    if space <= limit // 2:
        return text[:limit].rstrip(" .,;:!?-–—…") + "…"
    words = cut[:space].split(" ")
    while len(words) > 1 and words[-1].strip(" ,;:-–—").lower() in DANGLING_WORDS:
        words.pop()
    return " ".join(words).rstrip(" .,;:!?-–—…") + "…"


def reading_minutes(word_count: int) -> int:
    return max(1, math.ceil(word_count / WORDS_PER_MINUTE))


_OPENING_CONTEXT = r"(^|[\s(\[{“‘—–-])"


def smart_quotes(text: str) -> str:
    """Straight quotes and apostrophes as typographic ones, as in article bodies.

    Titles and excerpts are typed as plain text; the body's Markdown already
    gets curly quotes, so headings and cards match it: "Tell me" becomes
    “Tell me”, it's becomes it’s.
    """
    text = re.sub(_OPENING_CONTEXT + '"', r"\1“", text or "")
    text = text.replace('"', "”")
    text = re.sub(_OPENING_CONTEXT + "'", r"\1‘", text)
    return text.replace("'", "’")


_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKDOWN_LINE_START = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]+|[-*+][ \t]+|\d+[.)][ \t]+|>[ \t]?)", re.M
)
_MARKDOWN_EMPHASIS = re.compile(r"\*\*|__|\*|`")


def markdown_plain(source: str) -> str:
    """Editor Markdown as readable plain text, for search snippets.

    A light clean-up (links keep their text; heading, list and quote marks and
    emphasis go), not a renderer: snippets must be cheap for many results.
    """
    text = REFERENCE_LINE.sub(" ", source or "")
    text = _MARKDOWN_LINK.sub(r"\1", text)
    text = _MARKDOWN_LINE_START.sub("", text)
    return " ".join(_MARKDOWN_EMPHASIS.sub("", text).split())
