"""Article search: full-text on PostgreSQL, a simpler substring search elsewhere.

PostgreSQL keeps a weighted ``tsvector`` per article (title above excerpt above
body, English stemming) in ``Article.search_vector``, refreshed on save and
indexed with GIN, so a query stays fast at 100,000 articles; matches are ranked
by a second, small vector of title and excerpt (``Article.rank_vector``), as
ranking on the full one would read every match's body-sized vector. SQLite has no
full-text search here: every word must appear in the title, excerpt or body,
title matches rank first, and a light suffix strip stands in for stemming.

Both return the same annotated queryset shape; ``add_highlights`` then gives
each result a snippet of its summary and body around the matches, with the
matches marked, as safe HTML (PostgreSQL's ts_headline picks the fragments;
elsewhere the first match in the text does).
"""

import html
import re
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connections
from django.db.models import Case, F, IntegerField, Q, TextField, Value, When
from django.db.models.functions import Coalesce, Concat, NullIf
from django.utils.safestring import SafeString, mark_safe

from .rendering import cut_excerpt, markdown_plain, smart_quotes

SEARCH_CONFIG = "english"
MAX_QUERY_LENGTH = 200
# About two lines of a result: the snippet's length around the match.
SNIPPET_CHARS = 180
SNIPPET_LEAD = 50

# Private-use characters that mark matches in ts_headline output. The text is
# escaped first and only then are marker pairs turned into <mark>, so nothing
# in an article can smuggle HTML into the results page.
_START, _STOP = "\ue000", "\ue001"
_MARKED = re.compile(f"{_START}([^{_START}{_STOP}]*){_STOP}")
# NUL cannot be sent to PostgreSQL; other control characters mean nothing here.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ue000\ue001]")
_TERM = re.compile(r'(-?)"([^"]+)"|(-?)(\S+)')
_WORD = re.compile(r"\w+")
# Words too common to narrow a substring search (PostgreSQL drops its own list).
_STOP_WORDS = frozenset(
    "a an and are as at be by do does for from how i in is it my of on or "
    "the to what when why with you your".split()
)
_SUFFIXES = ("ations", "ation", "ions", "ing", "ion", "ies", "es", "ed", "s")


@dataclass(frozen=True)
class Query:
    """A reader's query, cleaned: what was searched for and whether it was cut."""

    text: str
    truncated: bool = False

    @classmethod
    def parse(cls, raw: str | None) -> "Query":
        text = " ".join(_CONTROL.sub(" ", raw or "").split())
        if len(text) <= MAX_QUERY_LENGTH:
            return cls(text)
        cut = text[: MAX_QUERY_LENGTH + 1]
        space = cut.rfind(" ")
        # At a word boundary, unless that would throw most of it away.
        cut = cut[:space] if space > MAX_QUERY_LENGTH // 2 else cut[:MAX_QUERY_LENGTH]
        return cls(cut.rstrip(), truncated=True)


def article_search_vector():
    """The weighted document a search matches: title A, excerpt B, body C."""
    return (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("excerpt", weight="B", config=SEARCH_CONFIG)
        + SearchVector("body", weight="C", config=SEARCH_CONFIG)
    )


def article_rank_vector():
    """What a match is ranked by: the title (A) and the editor's excerpt (B).

    Small enough to stay inline in the row, so ranking thousands of matches
    reads no TOAST; the full ``search_vector`` (body included) only decides
    which articles match, through its GIN index. Matches in the body alone
    rank equal and fall back to newest first.
    """
    return SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
        "excerpt", weight="B", config=SEARCH_CONFIG
    )


def uses_full_text(queryset) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def search_queryset(queryset, text: str):
    """``queryset`` narrowed to matches of ``text``, best first.

    Each row carries ``rank`` and, on PostgreSQL, ``headline`` (the excerpt
    with matches between markers, made safe by ``add_highlights``).
    """
    if uses_full_text(queryset):
        return _full_text(queryset, text)
    return _substring(queryset, text)


def _summary():
    return Coalesce(
        NullIf("excerpt", Value("")), "auto_excerpt", output_field=TextField()
    )


def _snippet_source():
    """What a snippet is cut from: the editor's excerpt, then the body."""
    return Concat("excerpt", Value(" \n\n"), "body", output_field=TextField())


def _full_text(queryset, text: str):
    query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
    return (
        queryset.filter(search_vector=query)
        .annotate(
            rank=SearchRank(F("rank_vector"), query),
            # Computed for the page's rows only: PostgreSQL evaluates costly
            # output columns after the sort and limit.
            headline=SearchHeadline(
                _snippet_source(),
                query,
                config=SEARCH_CONFIG,
                start_sel=_START,
                stop_sel=_STOP,
                max_words=28,
                min_words=15,
                max_fragments=1,
            ),
        )
        .order_by("-rank", "-published_at", "-pk")
    )


def _stem(word: str) -> str:
    """A crude stem so "interviews" finds "interview" as a substring."""
    word = word.lower()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def substring_terms(text: str) -> tuple[list[str], list[str]]:
    """Terms every match must contain, and terms it must not ("-word")."""
    wanted, unwanted = [], []
    for negative_phrase, phrase, negative_word, word in _TERM.findall(text):
        if phrase:
            if term := " ".join(phrase.lower().split()):
                (unwanted if negative_phrase else wanted).append(term)
            continue
        # Punctuation splits words ("full-time" is "full" and "time").
        for part in _WORD.findall(word):
            if part.lower() not in _STOP_WORDS:
                (unwanted if negative_word else wanted).append(_stem(part))
    return wanted, unwanted


def _anywhere(term: str) -> Q:
    return (
        Q(title__icontains=term) | Q(excerpt__icontains=term) | Q(body__icontains=term)
    )


def _substring(queryset, text: str):
    wanted, unwanted = substring_terms(text)
    if not wanted:
        return queryset.none()
    # The snippet is cut from the body in Python here: load it with the row.
    queryset = queryset.defer(None).defer("body_html", "search_vector", "rank_vector")
    for term in wanted:
        queryset = queryset.filter(_anywhere(term))
    for term in unwanted:
        queryset = queryset.exclude(_anywhere(term))
    # Title matches first, then excerpt, then body; every term counts.
    rank = sum(
        (
            Case(
                When(title__icontains=term, then=Value(4)),
                When(excerpt__icontains=term, then=Value(2)),
                default=Value(1),
                output_field=IntegerField(),
            )
            for term in wanted
        ),
        start=Value(0),
    )
    return queryset.annotate(rank=rank).order_by("-rank", "-published_at", "-pk")


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
