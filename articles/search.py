"""Article search: full-text on PostgreSQL, a simpler substring search elsewhere.

PostgreSQL keeps a weighted ``tsvector`` per article (title above excerpt above
body, English stemming) in ``Article.search_vector``, refreshed on save and
indexed with GIN, so a query stays fast at 100,000 articles; matches are ranked
by a second, small vector of title and excerpt (``Article.rank_vector``), as
ranking on the full one would read every match's body-sized vector. SQLite has no
full-text search here: every word must appear in the title, excerpt or body,
title matches rank first, and a light suffix strip stands in for stemming.

Both return the same annotated queryset shape; on PostgreSQL a word most
articles contain ranks only its best candidates (``_full_text``), and its count
is then an estimate (``search_pages.ResultPages``: "about N results"), so every
search stays cheap at 100,000 articles. ``ResultPages`` reads it a page at a
time: one query ranks and counts the matches and returns the page's ids, a
second loads those rows with what their snippets need, and each result gets
a snippet around its matches (``search_snippets``).
"""

import json
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import OperationalError, connections, transaction
from django.db.models import (
    Case,
    F,
    Func,
    IntegerField,
    Min,
    Q,
    Subquery,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce

SEARCH_CONFIG = "english"
# PostgreSQL ranks at most these matches (see ``_full_text``): 41 pages of
# the newest, and the newest matching in their title or excerpt among the
# newest ``TITLE_WINDOW`` articles (walked in an index: 0.3 ms at 2,000).
CANDIDATES = 500
TITLE_CANDIDATES = 50
TITLE_WINDOW = 2_000
# Finding the newest matches by walking the newest articles costs this many
# times reading one match through the GIN index: each walked article's search
# vector is decompressed to test it, which PostgreSQL's plan costs leave out
# (measured at 100,000 articles: a word in 10% of them 13 ms walked, 9 ms
# read; in 14%, 9 ms walked, 13 ms read).
WALK_COST = 2.6
# A search that would read far more than any word needs (a quoted phrase of
# common words that rarely meet: every article holding all of them is read to
# check their order, 310 ms at 100,000) is cancelled after this long on
# PostgreSQL (``time_limit``); every other search takes under 20 ms there.
TIME_LIMIT_MS = 100
EARLIEST = datetime.min.replace(tzinfo=UTC)
NEWEST_FIRST = ("-published_at", "-pk")
MAX_QUERY_LENGTH = 200
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

    def words(self) -> "Query":
        """The same query with each phrase's words in any order ("-phrases"
        to leave out are kept: only whole phrases are left out)."""
        terms = (
            term.text if term.phrase and not term.left_out else term.typed
            for term in _terms(self.text)
        )
        return Query(" ".join(" ".join(terms).split()), self.truncated)

    @property
    def has_phrase(self) -> bool:
        """A quoted phrase to look for (which ``words`` unquotes)."""
        return any(term.phrase and not term.left_out for term in _terms(self.text))

    @property
    def only_leaves_out(self) -> bool:
        """Every word or phrase is one to leave out ("-career"): nothing is
        looked for, so nothing is found (``_matches``)."""
        terms = _terms(self.text)
        return bool(terms) and all(term.left_out for term in terms)


@dataclass(frozen=True)
class _Term:
    """A word or a quoted phrase of a query, and whether it is left out."""

    text: str
    phrase: bool
    left_out: bool

    @property
    def typed(self) -> str:
        """As the reader wrote it."""
        text = f'"{self.text}"' if self.phrase else self.text
        return f"-{text}" if self.left_out else text


def _terms(text: str) -> list[_Term]:
    """The words and quoted phrases of ``text``, each with its leading "-"."""
    return [
        _Term(phrase, True, bool(negative))
        if phrase
        else _Term(word, False, bool(negative_word))
        for negative, phrase, negative_word, word in _TERM.findall(text)
    ]


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


def reader_query(text: str) -> SearchQuery:
    """A reader's words as PostgreSQL reads them: web search syntax ("quoted
    phrases", or, -word), English stemming."""
    return SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)


def uses_full_text(queryset) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def search_queryset(queryset, text: str):
    """``queryset`` narrowed to matches of ``text``, best first, each with ``rank``."""
    if uses_full_text(queryset):
        return _full_text(queryset, text)
    return _substring(queryset, text)


class TooSlow(Exception):
    """A search ran past ``TIME_LIMIT_MS`` and was cancelled."""


@contextmanager
def time_limit(queryset):
    """Cancel the queries reading ``queryset`` that run past ``TIME_LIMIT_MS``
    (PostgreSQL's ``statement_timeout``, for this transaction or savepoint
    only), raising ``TooSlow``. Elsewhere, or when nothing is read, a no-op."""
    using = queryset.db
    connection = connections[using]
    if connection.vendor != "postgresql" or queryset.query.is_empty():
        yield
        return
    nested = connection.in_atomic_block
    try:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('statement_timeout', %s, true)",
                [f"{TIME_LIMIT_MS}ms"],
            )
            yield
            if nested:  # Released, a savepoint's setting would outlive it.
                cursor.execute("SET LOCAL statement_timeout TO DEFAULT")
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == "57014":  # query_canceled
            raise TooSlow from error
        raise


def _full_text(queryset, text: str):
    """Matches ranked among the best candidates a cheap bound finds.

    Ranking every match of a word most articles contain read 100,000 rows
    (0.4 s). Only those that can rank are ranked: the newest ``CANDIDATES``
    matches (found the cheaper way: ``_candidates_order``) and the newest
    ``TITLE_CANDIDATES`` matching in the title or excerpt (the only ones
    ranked above a match in the body alone, which rank by date). A word with
    fewer matches than that is ranked whole, and counted exactly.
    """
    query = reader_query(text)
    matches = _matches(queryset, query)
    newest = matches.order_by(*_candidates_order(queryset, matches)).values("pk")[
        :CANDIDATES
    ]
    # Walked in an index alone (``article_budget_recent_idx``) over the
    # newest ``TITLE_WINDOW`` articles at most (a word in no title would
    # otherwise walk them all), or read from the rank vector's GIN index when
    # titles rarely hold it; whether the article is live and the whole query
    # matches (a "-word" in the body) is checked on these few.
    titled = (
        queryset.model.objects.published_or_scheduled()
        .filter(rank_vector=query, published_at__gte=_window_start(queryset.model))
        .order_by(*NEWEST_FIRST)
        .values("pk")
    )[:TITLE_CANDIDATES]
    titled = matches.filter(pk__in=titled).values("pk")
    return (
        # A union, not OR: the candidates are then read by primary key.
        queryset.filter(pk__in=newest.union(titled))
        .annotate(
            rank=SearchRank(F("rank_vector"), query),
            # For ``ResultPages.estimate``: how far back the newest reached
            # (title matches older than that left out, unless all are).
            sample_oldest=Coalesce(
                Window(Min("list_position", filter=~Q(rank_vector=query))),
                Window(Min("list_position")),
            ),
            live_newest=_live_newest(queryset.model),
        )
        .order_by("-rank", *NEWEST_FIRST)
    )


def _matches(queryset, query):
    """The articles of ``queryset`` that match ``query``.

    A query with nothing to look for ("-career": every article without the
    word, which only reading every article can find) matches nothing, as on
    SQLite. PostgreSQL settles that test while planning, and reads nothing.
    """
    looked_for = Func(query, function="querytree", output_field=TextField())
    return (
        queryset.filter(search_vector=query)
        .alias(looked_for=looked_for)
        .exclude(looked_for="T")
    )


def _candidates_order(queryset, matches) -> tuple:
    """Newest first, written so PostgreSQL finds the newest ``CANDIDATES``
    ``matches`` the cheaper way.

    Walking the newest articles reads CANDIDATES / (matches / articles) of
    them, each at ``WALK_COST``; reading every match through the GIN index
    reads each match once. PostgreSQL estimates both counts well but not the
    walk's cost, and walked for words in 3-10% of articles (21 ms for one in
    5% at 100,000, where reading them takes 3 ms). So the counts are asked of
    its planner (two EXPLAINs, 0.1 ms each), and when reading is cheaper the
    order is given as an expression no index holds: the same order, which
    only the GIN index can then serve.
    """
    found, articles = _planned_rows(matches), _planned_rows(queryset)
    walked = CANDIDATES * articles / max(found, 1)
    if found < WALK_COST * walked:
        # published_at is never null in a live article: the order is unchanged.
        return (Coalesce("published_at", Value(EARLIEST)).desc(), "-pk")
    return NEWEST_FIRST


def _planned_rows(queryset) -> float:
    """How many rows PostgreSQL's planner expects ``queryset`` to return."""
    plan = json.loads(queryset.order_by().values("pk").explain(format="json"))
    return plan[0]["Plan"]["Plan Rows"]


def _live_newest(model):
    """The list position of the newest live article (see articles/ordering.py)."""
    return Subquery(
        model.objects.live().order_by(*NEWEST_FIRST).values("list_position")[:1]
    )


def _window_start(model):
    """When the newest ``TITLE_WINDOW`` live articles begin, found by list
    position in two index lookups (an OFFSET walked the whole window: 2 ms at
    100,000 articles); the earliest date when there are fewer, or no positions.

    The walk it bounds reads published and scheduled articles alike
    (``_full_text`` keeps the live ones of the few it finds): with the live
    filter, ``published_at`` would be bounded on both sides, and PostgreSQL,
    reading that as a narrow range, intersected the title matches with the
    window's 10,000 entries in a second index (2.6 ms at 100,000).
    """
    first = (
        model._base_manager.filter(
            list_position__lte=_live_newest(model) - (TITLE_WINDOW - 1)
        )
        .order_by("-list_position")
        .values("published_at")[:1]
    )
    return Coalesce(Subquery(first), Value(EARLIEST))


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
    for term in _terms(text):
        found = unwanted if term.left_out else wanted
        if term.phrase:
            if phrase := " ".join(term.text.lower().split()):
                found.append(phrase)
            continue
        # Punctuation splits words ("full-time" is "full" and "time").
        for part in _WORD.findall(term.text):
            if part.lower() not in _STOP_WORDS:
                found.append(_stem(part))
    return wanted, unwanted


def _anywhere(term: str) -> Q:
    return (
        Q(title__icontains=term) | Q(excerpt__icontains=term) | Q(body__icontains=term)
    )


def _substring(queryset, text: str):
    wanted, unwanted = substring_terms(text)
    if not wanted:
        return queryset.none()
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
    return queryset.annotate(rank=rank).order_by("-rank", *NEWEST_FIRST)
