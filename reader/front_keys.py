"""The keys of what a public page shows, for the shared cache in front.

Varnish (``xkey``), Fastly (``Surrogate-Key``) and Cloudflare (``Cache-Tag``)
keep each page under the keys it carries and drop every page carrying a key
when told to purge it. Both halves of the rule live here, so they cannot
drift apart:

- ``page_keys(request, response)``: the keys a page carries, from what its
  view already has in hand (no query is added to any page);
- ``touched_by_article``, ``touched_by_author``, ``touched_by_topic``,
  ``touched_by_edition``: the keys a change touches.

Keys are short (``a12`` an article, ``u3`` an author's pages, ``t7`` a
topic's pages, ``b3`` a page showing author 3's byline, ``n7`` a page showing
topic 7's name, ``e5`` an edition, a word for a list) and at most
``FRONT_CACHE_MAX_KEYS`` a page. An article page carries its author's byline
key and its topics' name keys, not their page keys: publishing or editing an
article changes its author's and topics' lists, not the other article pages
by that author or on those topics (a few hundred pages at 1,000 articles,
each fetched anew); renaming the author or topic changes both.
A list page carries the list's key, not one per article on it: any change to
a live article purges every list (``LISTS``), since any list may show it or
move because of it. A page showing more articles than the cap (an edition)
carries ``ARTICLES`` instead, which every article change purges.
"""

from django.conf import settings

from articles.models.querysets import TOPICS_ATTR

from . import fragments, pagecache

# Every public page: a purge of it empties the front cache (a layout change,
# a change no finer rule describes).
ALL = "all"
# A page showing more articles than it may carry keys for.
ARTICLES = "articles"
# Pages showing the newest articles: lists, feeds, sitemaps, search results,
# and article pages whose related list is topped up with the newest.
HOME, LIST, LATEST, FEED, SITEMAP, TOPICS, SEARCH = (
    "home",
    "list",
    "latest",
    "feed",
    "sitemap",
    "topics",
    "search",
)
LISTS = (HOME, LIST, LATEST, FEED, SITEMAP, TOPICS, SEARCH, ARTICLES)
# The edition archive and the sign-up page that shows the latest edition.
EDITIONS, SIGNUP = "editions", "signup"
RELATED_SHOWN = 6  # ArticleQuerySet.related_to's limit


def article(pk) -> str:
    return f"a{pk}"


def is_article(key: str) -> bool:
    return key[:1] == "a" and key[1:].isdigit()


def author(pk) -> str:
    return f"u{pk}"


def topic(pk) -> str:
    return f"t{pk}"


def byline(pk) -> str:
    """Pages showing author ``pk``'s name beside an article's (article pages)."""
    return f"b{pk}"


def topic_name(pk) -> str:
    """Pages showing topic ``pk``'s name on an article (article pages)."""
    return f"n{pk}"


def edition(pk) -> str:
    return f"e{pk}"


# ---------------------------------------------------------------------------
# What a page carries
# ---------------------------------------------------------------------------

_NOTED = "_front_keys"


def note(request, *keys: str) -> None:
    """Record keys a view knows and the URL does not tell (a feed's topic)."""
    setattr(request, _NOTED, [*getattr(request, _NOTED, []), *keys])


def note_subject(request, subject) -> None:
    """A feed's subject: a topic or an author (None for the site's feeds)."""
    from articles.models import Author

    if isinstance(subject, Author):
        note(request, author(subject.pk))
    elif subject is not None:
        note(request, topic(subject.pk))


def _loaded(instance, field: str):
    """A field's value if it was read with the row, else None (no query)."""
    if field in instance.get_deferred_fields():
        return None
    return getattr(instance, field)


def _topic_pks(shown, version) -> list:
    """The article's topics without a query of their own: read if a fragment
    showing them was rendered, and kept as a fragment beside it for the pages
    served from fragments (``reader.fragments``), where they are not read."""
    loaded = getattr(shown, TOPICS_ATTR, None)
    if loaded is None:
        return fragments.get_or_render(
            version, "article-topic-keys", (str(shown.pk),), lambda: _pks(shown)
        )
    pks = [tag.pk for tag in loaded]
    if version:
        pagecache.guarded(
            pagecache.page_cache().set,
            fragments.key(version, "article-topic-keys", str(shown.pk)),
            pks,
            timeout=fragments.FRAGMENT_SECONDS,
        )
    return pks


def _pks(shown) -> list:
    return [tag.pk for tag in shown.topics]


def _article_page(context) -> list[str]:
    shown = context.get("article")
    if shown is None:
        return []
    keys = [article(shown.pk), byline(shown.author_id)]
    version = context.get("fragment_version")
    keys += [topic_name(pk) for pk in _topic_pks(shown, version)]
    related = _loaded(shown, "related_ids")
    if related is None or len(related) < RELATED_SHOWN:
        keys.append(LATEST)  # topped up with the newest articles
    keys += [article(pk) for pk in (related or ())[:RELATED_SHOWN]]
    references = _loaded(shown, "read_more_refs") or {}
    keys += [article(pk) for pk in references.values() if pk is not None]
    return keys


def _edition_page(context) -> list[str]:
    shown = context.get("edition")
    if shown is None:
        return []
    return [edition(shown.pk), *(article(a.pk) for a in context.get("articles", ()))]


def _subject(name, attribute):
    def keys(context):
        shown = context.get(attribute)
        return [name(shown.pk)] if shown is not None else []

    return keys


def _fixed(*keys):
    return lambda context: list(keys)


# url name: the keys of that page from its view's context.
PAGES = {
    "articles:home": _fixed(HOME, LATEST),
    "articles:list": _fixed(LIST),
    "articles:detail": _article_page,
    "articles:topics": _fixed(TOPICS),
    "articles:topic": _subject(topic, "topic"),
    "articles:author": _subject(author, "author"),
    "articles:search": _fixed(SEARCH),
    "articles:feed": _fixed(FEED),
    "articles:feed_atom": _fixed(FEED),
    "articles:topic_feed": _fixed(FEED),
    "articles:topic_feed_atom": _fixed(FEED),
    "articles:author_feed": _fixed(FEED),
    "articles:author_feed_atom": _fixed(FEED),
    "sitemap": _fixed(SITEMAP),
    "sitemap-section": _fixed(SITEMAP),
    "newsletter:signup": _fixed(SIGNUP),
    "newsletter:editions": _fixed(EDITIONS),
    "newsletter:edition": _edition_page,
}


def page_keys(request, response) -> list[str]:
    """The keys of what this public page shows, unique, at most
    ``FRONT_CACHE_MAX_KEYS`` (past it, ``ARTICLES`` stands for the articles)."""
    match = getattr(request, "resolver_match", None)
    keys_of = PAGES.get(match.view_name) if match else None
    context = getattr(response, "context_data", None) or {}
    found = keys_of(context) if keys_of else []
    found += getattr(request, _NOTED, [])
    keys = list(dict.fromkeys([ALL, *found]))
    limit = settings.FRONT_CACHE_MAX_KEYS
    if len(keys) > limit:
        kept = [key for key in keys if not is_article(key)][: limit - 1]
        keys = [*kept, ARTICLES]
    return keys


# ---------------------------------------------------------------------------
# What a change touches
# ---------------------------------------------------------------------------


def touched_by_article(*, pk, author_pk, topic_pks) -> set[str]:
    """An article saved, published, unpublished, deleted or going live: its
    page and every page showing it (related lists, Read more links, editions
    carry its key), its author's and topics' pages and feeds, every list;
    not the other article pages by its author or on its topics."""
    return {
        article(pk),
        *([author(author_pk)] if author_pk else []),
        *(topic(t) for t in topic_pks),
        *LISTS,
    }


def touched_by_author(*, pk, topic_pks) -> set[str]:
    """An author's name, bio or photo: their page and feed (``u``), every
    article page by them (``b``), and the lists showing their bylines."""
    return {author(pk), byline(pk), *(topic(t) for t in topic_pks), *LISTS}


def touched_by_topic(*, pk, author_pks) -> set[str]:
    """A topic renamed or removed: its page and feed (``t``), every article
    page tagged with it (``n``), the author pages and lists showing its name."""
    return {topic(pk), topic_name(pk), *(author(a) for a in author_pks), *LISTS}


def touched_by_topic_description(*, pk) -> set[str]:
    """A topic's description: its page and the topics index, which show it."""
    return {topic(pk), TOPICS}


def touched_by_edition(*, pk) -> set[str]:
    """An edition going out, edited or withdrawn: its page, the archive, and
    the sign-up page showing the latest one."""
    return {edition(pk), EDITIONS, SIGNUP}


def touched_by_newsletter_settings() -> set[str]:
    return {SIGNUP}
