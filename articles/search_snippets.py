"""Search results' snippets: the text around each result's matches, marked.

``with_snippets`` adds to the rows of a page of results what their snippets
need, and ``add_highlights`` gives each a snippet of its excerpt and body
around the matches, with the matches in <mark>, as safe HTML (PostgreSQL's
ts_headline picks the fragments; elsewhere the first match in the text does).
"""

import html
import re

from django.contrib.postgres.search import SearchHeadline
from django.db.models import TextField, Value
from django.db.models.functions import Concat
from django.utils.safestring import SafeString, mark_safe

from .rendering import cut_excerpt, markdown_plain, smart_quotes
from .search import SEARCH_CONFIG, reader_query, substring_terms, uses_full_text

# About two lines of a result: the snippet's length around the match.
SNIPPET_CHARS = 180
SNIPPET_LEAD = 50

# Private-use characters that mark matches in ts_headline output. The text is
# escaped first and only then are marker pairs turned into <mark>, so nothing
# in an article can smuggle HTML into the results page.
_START, _STOP = "\ue000", "\ue001"
_MARKED = re.compile(f"{_START}([^{_START}{_STOP}]*){_STOP}")


def with_snippets(queryset, text: str):
    """``queryset`` with what ``add_highlights`` needs of each row.

    On PostgreSQL that is ``headline``: the excerpt and body around the matches,
    the matches between markers. Elsewhere the snippet is cut in Python, so the
    body comes with the row.
    """
    if not uses_full_text(queryset):
        return queryset.defer(None).defer("body_html", "search_vector", "rank_vector")
    query = reader_query(text)
    return queryset.annotate(
        headline=SearchHeadline(
            _snippet_source(),
            query,
            config=SEARCH_CONFIG,
            start_sel=_START,
            stop_sel=_STOP,
            max_words=28,
            min_words=15,
            max_fragments=1,
        )
    )


def _snippet_source():
    """What a snippet is cut from: the editor's excerpt, then the body."""
    return Concat("excerpt", Value(" \n\n"), "body", output_field=TextField())


def _markers_to_html(marked: str) -> SafeString:
    escaped = html.escape(smart_quotes(marked), quote=False)
    highlighted = _MARKED.sub(r"<mark>\1</mark>", escaped)
    return mark_safe(highlighted.replace(_START, "").replace(_STOP, ""))


def _term_pattern(terms: list[str]) -> re.Pattern:
    return re.compile(
        r"(?<!\w)(?:"
        + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
        + r")\w*",
        re.IGNORECASE,
    )


def highlight_terms(text: str, terms: list[str]) -> SafeString:
    """``text`` escaped, with each word starting with one of ``terms`` marked."""
    if not terms:
        return _markers_to_html(text)
    pattern = _term_pattern(terms)
    return _markers_to_html(pattern.sub(lambda m: f"{_START}{m[0]}{_STOP}", text))


def snippet(text: str, terms: list[str], *, length: int = SNIPPET_CHARS) -> str:
    """About ``length`` characters of ``text`` around its first match of ``terms``.

    Starts at a word a little before the match, so the reader sees it in
    context; "…" marks text left out at either end. Without a match, the
    start of the text.
    """
    text = " ".join(text.split())
    match = _term_pattern(terms).search(text) if terms else None
    if match is None or match.start() < SNIPPET_LEAD:
        return cut_excerpt(text, length)
    start = text.rfind(" ", 0, match.start() - SNIPPET_LEAD) + 1
    return "…" + cut_excerpt(text[start:], length)


def _ellipsised(fragment: str) -> str:
    """A fragment from mid-text marked as such at either end."""
    plain = fragment.replace(_START, "").replace(_STOP, "")
    if plain[:1].islower():
        fragment = "…" + fragment
    if plain[-1:].isalnum():
        fragment += "…"
    return fragment


def add_highlights(articles, text: str) -> None:
    """Set ``article.highlight``: a snippet around the matches, as safe HTML
    with the matches in <mark>."""
    terms = None
    for article in articles:
        headline = getattr(article, "headline", None)
        if headline is not None:
            article.highlight = _markers_to_html(_ellipsised(markdown_plain(headline)))
            continue
        if terms is None:
            terms = substring_terms(text)[0]
        source = f"{article.excerpt} {markdown_plain(article.body)}"
        article.highlight = highlight_terms(snippet(source, terms), terms)
