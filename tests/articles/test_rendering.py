"""Markdown to safe HTML, generated excerpts and reading time."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from articles import rendering
from articles.rendering import cut_excerpt, markdown_to_html, reading_minutes
from articles.services import article_write
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------
# Markdown features editors use
# ---------------------------------------------------------------------------


def test_headings_render_below_the_page_title():
    html = markdown_to_html("# Before the interview\n\n## Research\n\n### The team")
    # The article title is the page's only <h1>.
    assert "<h1" not in html
    assert "<h2>Before the interview</h2>" in html
    assert "<h2>Research</h2>" in html
    assert "<h3>The team</h3>" in html


def test_underlined_heading_is_kept_as_a_heading():
    html = markdown_to_html("Before the interview\n====================\n\nText.")
    assert "<h2>Before the interview</h2>" in html


def test_hash_lines_in_a_code_block_are_left_as_written():
    html = markdown_to_html("```\n# a shell comment\nls\n```")
    assert "<pre><code># a shell comment\nls\n</code></pre>" in html


def test_lists_render_as_lists():
    html = markdown_to_html("- Research\n- Practise\n\n1. Apply\n2. Follow up\n")
    assert "<ul>\n<li>Research</li>\n<li>Practise</li>\n</ul>" in html
    assert "<ol>\n<li>Apply</li>\n<li>Follow up</li>\n</ol>" in html


@pytest.mark.parametrize(
    "url",
    ["https://example.com/guide", "/articles/cv-basics/", "mailto:hello@example.com"],
)
def test_links_keep_their_address_and_text(url):
    html = markdown_to_html(f"See [the guide]({url}).")
    assert f'<a href="{url}" rel="noopener noreferrer">the guide</a>' in html


def test_emphasis_and_strong_render():
    html = markdown_to_html("Be *specific* and **brief**, not ~~vague~~.")
    assert "<em>specific</em>" in html
    assert "<strong>brief</strong>" in html
    assert "<s>vague</s>" in html


def test_quotes_render_as_blockquotes():
    html = markdown_to_html("> Tell me about yourself.\n> In two minutes.")
    assert html.startswith("<blockquote>\n<p>Tell me about yourself.")
    assert "</blockquote>" in html


# ---------------------------------------------------------------------------
# Sanitising: nothing an editor types may run in a reader's browser
# ---------------------------------------------------------------------------

XSS_PAYLOADS = {
    "script tag": "<script>alert(1)</script>",
    "script tag upper case": "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "script inside text": "Hello <script>alert(1)</script> world",
    "img onerror": '<img src="x" onerror="alert(1)">',
    "body onload": "<body onload=alert(1)>",
    "handler on an allowed tag": '<a href="https://e.example" onclick="alert(1)">x</a>',
    "handler on a paragraph": '<p onmouseover="alert(1)">hover</p>',
    "details ontoggle": "<details open ontoggle=alert(1)>",
    "javascript href": '<a href="javascript:alert(1)">x</a>',
    "mixed-case javascript href": '<a href="JaVaScRiPt:alert(1)">x</a>',
    "entity-encoded javascript href": '<a href="&#106;avascript:alert(1)">x</a>',
    "hex entities and colon entity": (
        '<a href="&#x6A;&#x61;vascript&colon;alert(1)">x</a>'
    ),
    "tab inside javascript": '<a href="java\tscript:alert(1)">x</a>',
    "leading space javascript": '<a href=" javascript:alert(1)">x</a>',
    "data URL href": '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    "vbscript href": '<a href="vbscript:msgbox(1)">x</a>',
    "img javascript src": '<img src="javascript:alert(1)">',
    "img data src": '<img src="data:image/svg+xml;base64,PHN2Zy8+">',
    "markdown link javascript": "[x](javascript:alert(1))",
    "markdown link mixed case": "[x](JaVaScRiPt:alert(1))",
    "markdown link entity-encoded": "[x](&#106;avascript:alert(1))",
    "markdown link data URL": "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "markdown reference link javascript": "[x]: javascript:alert(1)\n\n[link][x]",
    "markdown image javascript": "![x](javascript:alert(1))",
    "markdown image data URL": "![x](data:image/svg+xml;base64,PHN2Zy8+)",
    "markdown link title breakout": (
        '[x](https://e.example "a\\" onmouseover=\\"alert(1)")'
    ),
    "autolink javascript": "<javascript:alert(1)>",
    "autolink breakout": '<https://e.example/" onmouseover="alert(1)>',
    "iframe": '<iframe src="https://evil.example"></iframe>',
    "iframe srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "object": '<object data="javascript:alert(1)"></object>',
    "embed": '<embed src="javascript:alert(1)">',
    "svg onload": "<svg onload=alert(1)>",
    "svg with script": "<svg><script>alert(1)</script></svg>",
    "math mglyph mutation": (
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"
    ),
    "style attribute": '<p style="background:url(javascript:alert(1))">x</p>',
    "style tag": "<style>body{background:url(javascript:alert(1))}</style>",
    "form action": '<form action="javascript:alert(1)"><button>go</button></form>',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "base href": '<base href="javascript:alert(1)//">',
    "comment hiding a script": "<!--<script>alert(1)</script>-->",
    "script between comments": "<!-- --><script>alert(1)</script><!-- -->",
    "conditional comment": (
        "<div><!--[if IE]><script>alert(1)</script><![endif]--></div>"
    ),
    "comment breaking out of an attribute": (
        '<a title="<!--" href="x">--><img src=x onerror=alert(1)>'
    ),
    "unclosed tag": '<a href="https://e.example" <script>alert(1)</script>',
}


class _TagCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


def parse_tags(html: str) -> list[tuple[str, dict]]:
    collector = _TagCollector()
    collector.feed(html)
    collector.close()
    return collector.tags


@pytest.mark.parametrize(
    "payload", XSS_PAYLOADS.values(), ids=list(XSS_PAYLOADS.keys())
)
def test_rendered_markdown_runs_no_script(payload):
    html = markdown_to_html(payload)

    assert "<script" not in html.lower()
    # Text may mention "javascript:" or "onclick=" (escaped, harmless), and so
    # may a quoted title; the tags themselves may not.
    tags = re.sub(r'"[^"]*"', '""', " ".join(re.findall(r"<[^>]*>", html)))
    assert "javascript:" not in tags.lower()
    assert not re.search(r"\son\w+\s*=", tags, re.IGNORECASE)
    for tag, attrs in parse_tags(html):
        assert tag in rendering.ALLOWED_TAGS
        assert not any(name.startswith("on") for name in attrs)
        assert "style" not in attrs
        for name, value in attrs.items():
            if name != "title":
                assert "javascript:" not in (value or "").lower()
        for name in ("href", "src"):
            if attrs.get(name):
                scheme = urlsplit(attrs[name].strip()).scheme.lower()
                assert scheme in {"", "http", "https", "mailto"}


def test_sanitising_keeps_the_safe_part_of_a_payload():
    html = markdown_to_html('<a href="https://e.example" onclick="alert(1)">Guide</a>')
    assert '<a href="https://e.example" rel="noopener noreferrer">Guide</a>' in html


def test_article_stores_sanitised_html():
    article = ArticleFactory(body="Hi <img src=x onerror=alert(1)><script>x</script>")
    assert article.body_html == "<p>Hi </p>\n"


# ---------------------------------------------------------------------------
# Excerpts
# ---------------------------------------------------------------------------

LONG_TEXT = (
    "Most interview questions are a version of three questions: can you do the "
    "job, will you do the job, and will we enjoy working with you. Prepare a "
    "short story for each, with a result you can measure, and practise saying it "
    "out loud until it sounds like you. Then prepare two questions of your own."
)


def assert_cut_at_word_boundary(excerpt: str, text: str) -> None:
    kept = excerpt.removesuffix("…")
    assert text.startswith(kept)
    # The next character in the text was a space or punctuation: no half word.
    assert not text[len(kept)].isalnum()


def test_excerpt_ends_at_the_last_sentence_that_fits():
    excerpt = cut_excerpt(LONG_TEXT)
    # A whole sentence reads better than one cut off: no ellipsis needed.
    assert excerpt == (
        "Most interview questions are a version of three questions: can you do the "
        "job, will you do the job, and will we enjoy working with you."
    )


def test_excerpt_without_a_sentence_end_is_cut_at_a_word_with_an_ellipsis():
    text = LONG_TEXT.replace(".", ",")
    excerpt = cut_excerpt(text)
    assert excerpt.endswith("…")
    assert 150 <= len(excerpt) <= 201
    assert_cut_at_word_boundary(excerpt, text)
    assert excerpt.endswith("with a result you can measure…")


def test_excerpt_does_not_start_a_sentence_it_cannot_finish():
    text = "A short opening sentence here. " + "Yet " + "more words " * 40
    # The sentence end falls in the first half of the limit, so the word cut
    # is used, but it never ends on a dangling word such as "and" or "the".
    excerpt = cut_excerpt(text.replace("more words", "more and the"), 100)
    assert excerpt.endswith("more…")


def test_excerpt_keeps_list_items_apart_and_leaves_headings_out():
    article = ArticleFactory(
        excerpt="",
        body="## Your first week\n\n- Meet your new peers\n- Write down your first "
        "30 days\n\nThen ask for feedback.",
    )
    assert article.auto_excerpt == (
        "Meet your new peers. Write down your first 30 days. Then ask for feedback."
    )


def test_excerpt_drops_trailing_punctuation_before_the_ellipsis():
    text = "word " * 39 + "done, and then a great deal more text follows here"
    excerpt = cut_excerpt(text, 200)
    assert excerpt.endswith("done…")


def test_short_text_is_kept_whole():
    assert cut_excerpt("Ask for feedback after every interview.") == (
        "Ask for feedback after every interview."
    )


def test_empty_text_gives_an_empty_excerpt():
    assert cut_excerpt("") == ""
    assert cut_excerpt("   \n\t ") == ""


def test_single_very_long_word_is_cut_to_the_limit():
    excerpt = cut_excerpt("a" * 500)
    assert excerpt == "a" * 200 + "…"


def test_long_word_after_a_short_one_is_cut_to_the_limit_not_to_one_word():
    excerpt = cut_excerpt("Hi " + "b" * 500)
    assert len(excerpt) == 201
    assert excerpt.startswith("Hi bbb")


def test_excerpt_collapses_whitespace():
    text = LONG_TEXT.replace(" ", " \n\t  ")
    excerpt = cut_excerpt(text)
    assert "  " not in excerpt
    assert "\n" not in excerpt
    assert "\t" not in excerpt
    assert excerpt == cut_excerpt(LONG_TEXT)


def test_excerpt_counts_characters_not_bytes_and_keeps_unicode_whole():
    text = " ".join(["Überraschung", "café", "naïve", "日本語の面接", "👩‍💻"] * 20)
    excerpt = cut_excerpt(text)
    assert 150 <= len(excerpt) <= 201
    assert_cut_at_word_boundary(excerpt, text)


def test_blank_excerpt_is_generated_from_the_body_text_without_headings():
    body = "## Why it matters\n\n" + LONG_TEXT + "\n\n- a list item\n"
    article = ArticleFactory(excerpt="", body=body)
    # A heading run into the first sentence reads as a fragment: left out.
    assert article.summary == cut_excerpt(LONG_TEXT)
    assert "#" not in article.summary
    assert "<" not in article.summary


def test_editor_excerpt_wins_over_the_generated_one():
    article = ArticleFactory(excerpt="Written by the editor.", body=LONG_TEXT)
    assert article.summary == "Written by the editor."


def test_excerpt_shows_entities_as_characters():
    article = ArticleFactory(body='Pay & perks: <b>salary</b> "talk" ' + LONG_TEXT)
    assert article.auto_excerpt.startswith("Pay & perks: salary “talk” ")


# ---------------------------------------------------------------------------
# Reading time
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "minutes"),
    [(0, 1), (1, 1), (230, 1), (231, 2), (460, 2), (461, 3), (2300, 10)],
)
def test_reading_time_is_words_over_230_rounded_up_at_least_one(words, minutes):
    assert reading_minutes(words) == minutes


def test_article_reading_time_counts_body_words_not_markup():
    body = "## Two words\n\n" + "**word** " * 459 + "\n\n[link](https://e.example)"
    article = ArticleFactory(body=body)
    assert article.word_count == 2 + 459 + 1
    assert article.reading_minutes == 3


def test_article_page_shows_reading_time(client):
    article = ArticleFactory(body="word " * 700)
    response = client.get(article.get_absolute_url())
    assert "4 min read" in response.text


def test_saving_only_the_body_also_stores_what_is_rendered_from_it():
    article = ArticleFactory(body="Old words.")
    article.body = "## New heading\n\nFresh advice about salary talks."
    article_write(article=article, update_fields=["body"])

    article.refresh_from_db()
    assert "<h2>New heading</h2>" in article.body_html
    assert article.auto_excerpt == "Fresh advice about salary talks."
    assert article.word_count == 7
