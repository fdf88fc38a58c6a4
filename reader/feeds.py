"""RSS 2.0 and Atom feeds for the whole site, each topic and each author.

Items carry the excerpt as summary, the full sanitised body (content:encoded in
RSS, content in Atom), the author, publish and last-change dates, the topics
and the cover image (Media RSS). Every URL is absolute on ``settings.SITE_URL``.
"""

import html
import re
from dataclasses import dataclass, field
from io import StringIO

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.xmlutils import SimplerXMLGenerator

from articles import body
from articles.models import (
    TOPICS_ATTR,
    Article,
    Author,
    date_modified,
    latest_change,
    live_topics,
)

from . import fragments, front_keys, seo
from .cache_headers import cache_publicly
from .site_urls import absolute_url, site_parts, site_url

FEED_ITEMS = 20
# Feeds are read, never written: anything else (POST, TRACE...) is a 405.
SAFE_METHODS = ["GET", "HEAD"]
MEDIA_NS = "http://search.yahoo.com/mrss/"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
# Root-relative links and images in the body ("/articles/x/"), made absolute so
# they work in a feed reader.
_RELATIVE_URL = re.compile(r'(\s(?:href|src)=")/(?!/)')


def _media_content(handler, image):
    if not image:
        return
    attrs = {"url": image["url"], "medium": "image", "type": "image/jpeg"}
    if image.get("width") and image.get("height"):
        attrs.update(width=str(image["width"]), height=str(image["height"]))
    handler.startElement("media:content", attrs)
    if image.get("alt"):
        handler.addQuickElement("media:description", image["alt"])
    handler.endElement("media:content")


class StoredItemsMixin:
    """Items written as XML kept between requests (see ``ArticleFeed.get_feed``).

    ``item_xml`` holds every item's XML in order; ``self.items`` only those
    just rendered, so ``latest`` stands in for the date computed from them.
    """

    item_xml: list[str] | None = None
    latest = None

    def item_to_xml(self, item) -> str:
        buffer = StringIO()
        handler = SimplerXMLGenerator(buffer, "utf-8", short_empty_elements=True)
        everything, self.items = self.items, [item]
        try:
            super().write_items(handler)
        finally:
            self.items = everything
        return buffer.getvalue()

    def write_items(self, handler):
        if self.item_xml is None:
            return super().write_items(handler)
        for xml in self.item_xml:
            handler.ignorableWhitespace(xml)  # written as is: XML already

    def latest_post_date(self):
        return self.latest or super().latest_post_date()


class ArticleRssFeed(StoredItemsMixin, Rss201rev2Feed):
    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": CONTENT_NS}

    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:media": MEDIA_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content_html"])
        _media_content(handler, item["image"])


class ArticleAtomFeed(StoredItemsMixin, Atom1Feed):
    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:media": MEDIA_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content_html"], {"type": "html"})
        _media_content(handler, item["image"])


def feed_html(article, lookups: dict) -> str:
    """The article body as a feed reader shows it: cover, text (figures as one
    image of a sensible size, videos as links), absolute links."""
    text = body.for_outside(article, **lookups)
    image = seo.article_image(article)
    if image:
        cover = '<p><img src="{}" alt="{}"></p>'.format(
            html.escape(image["url"]), html.escape(image["alt"])
        )
        text = cover + text
    return _RELATIVE_URL.sub(lambda link: link[1] + site_url("/"), text)


class _Item:
    """A feed item before it is rendered: its id and dates."""

    def __init__(self, row):
        self.row = row
        self.pk = row[0]


@dataclass
class Channel:
    """What a feed is about (a topic, an author, or None for the whole
    site) and, while it is written, the items to render afresh."""

    subject: object = None
    fresh: list = field(default_factory=list)


class ArticleFeed(Feed):
    """The newest live articles; subclasses narrow them to a topic or author."""

    feed_type = ArticleRssFeed
    url_name = "articles:feed"
    # Nothing is ever written through a feed: no CSRF check stands before
    # the 405 that any method but GET and HEAD gets.
    csrf_exempt = True

    def __call__(self, request, *args, **kwargs):
        if request.method not in SAFE_METHODS:
            return HttpResponseNotAllowed(SAFE_METHODS)
        return cache_publicly(super().__call__(request, *args, **kwargs))

    def get_object(self, request, *args, **kwargs):
        subject = self.get_subject(request, *args, **kwargs)
        front_keys.note_subject(request, subject)  # the feed's topic or author
        return Channel(subject)

    def get_subject(self, request, *args, **kwargs):
        return None

    def get_feed(self, obj, request):
        """The feed, each item's XML kept as a fragment (``reader.fragments``):
        only items new or changed since the last request are rendered."""
        # Read before the articles (see ArticleDetailView.get).
        version = fragments.version()
        # Which items, and their dates: no model rows until one is rendered.
        rows = list(
            self.live_articles(obj.subject)
            .newest_first()
            .values_list("pk", "published_at", "updated_at", "reviewed_at")[:FEED_ITEMS]
        )
        kind = "feed-item-" + self.feed_type.__name__
        feed = None

        def render(pks: list) -> dict:
            nonlocal feed
            found = (
                Article.objects.filter(pk__in=[pk for pk, *_ in pks])
                .select_related("author")
                .defer("body", "search_vector", "rank_vector", "related_ids")
                .in_bulk()
            )
            obj.fresh = [found[pk] for pk, *_ in pks]
            feed = super(ArticleFeed, self).get_feed(obj, request)
            return {
                article.pk: feed.item_to_xml(item)
                for article, item in zip(obj.fresh, feed.items, strict=True)
            }

        # By article: an item's XML is the same in every feed listing it.
        items = [_Item(row) for row in rows]
        item_xml = fragments.many(
            version, kind, items, lambda missing: render([i.row for i in missing])
        )
        if feed is None:  # every item was stored: the channel alone
            obj.fresh = []
            feed = super().get_feed(obj, request)
        feed.item_xml = [item_xml[item.pk] for item in items]
        feed.latest = max(
            (
                latest_change(published, date_modified(published, updated, reviewed))
                for _, published, updated, reviewed in rows
            ),
            default=None,
        )
        return feed

    # Feed-level values -------------------------------------------------------
    def title(self, obj):
        return settings.SITE_NAME

    # The channel's description, as plain text (each feed says its own).
    def about(self, obj):
        return seo.SITE_DESCRIPTION

    def description(self, obj):
        # RSS readers treat <description> as HTML, as they do items' summaries:
        # escape both alike, so "Q&A" or "<b>" in a name stays text.
        return html.escape(self.about(obj))

    def subtitle(self, obj):
        # Atom's <subtitle> is text: the XML writer escapes it once.
        return self.about(obj)

    def link(self, obj):
        return absolute_url(reverse("articles:home"))

    def url_kwargs(self, obj) -> dict:
        return {}

    def feed_url(self, obj):
        return absolute_url(reverse(self.url_name, kwargs=self.url_kwargs(obj)))

    def live_articles(self, subject):
        return Article.objects.live()

    def items(self, obj):
        """The items of ``obj.fresh`` (see ``get_feed``), with what they show."""
        articles = obj.fresh
        if not articles:
            return []
        # Their topics, "Read more" targets and figures: a query each for all.
        prefetch_related_objects(articles, Prefetch("tags", to_attr=TOPICS_ATTR))
        lookups = body.lookups(articles)
        for article in articles:
            article.feed_html = feed_html(article, lookups)
        return articles

    # Item values ---------------------------------------------------------------
    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Readers treat the summary as HTML: escape the plain text.
        return html.escape(item.summary)

    def item_link(self, item):
        return absolute_url(item.get_absolute_url())

    def item_guid(self, item):
        # Stable across slug changes, so readers never show an item twice.
        domain = site_parts().hostname
        return f"tag:{domain},{item.created_at:%Y-%m-%d}:article-{item.pk}"

    item_guid_is_permalink = False

    def item_author_name(self, item):
        return item.author.name

    def item_author_link(self, item):
        return absolute_url(item.author.get_absolute_url())

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.date_modified

    def item_categories(self, item):
        return [tag.name for tag in item.topics]

    def item_extra_kwargs(self, item):
        return {"content_html": item.feed_html, "image": seo.article_image(item)}


class AtomMixin:
    feed_type = ArticleAtomFeed

    @property
    def url_name(self):
        return super().url_name + "_atom"


class SiteAtomFeed(AtomMixin, ArticleFeed):
    pass


class TopicFeed(ArticleFeed):
    url_name = "articles:topic_feed"

    def get_subject(self, request, slug):
        # The topic page's rule: a topic only drafts use is not public yet.
        return get_object_or_404(live_topics().distinct(), slug=slug)

    def title(self, obj):
        return f"{settings.SITE_NAME}: {obj.subject.name}"

    def about(self, obj):
        return f"Career advice about {obj.subject.name} from {settings.SITE_NAME}."

    def link(self, obj):
        return absolute_url(
            reverse("articles:topic", kwargs={"slug": obj.subject.slug})
        )

    def url_kwargs(self, obj):
        return {"slug": obj.subject.slug}

    def live_articles(self, subject):
        return Article.objects.live().with_topic(subject)


class TopicAtomFeed(AtomMixin, TopicFeed):
    pass


class AuthorFeed(ArticleFeed):
    url_name = "articles:author_feed"

    def get_subject(self, request, slug):
        return get_object_or_404(Author, slug=slug)

    def title(self, obj):
        return f"{settings.SITE_NAME}: articles by {obj.subject.name}"

    def about(self, obj):
        return f"Career advice written by {obj.subject.name} for {settings.SITE_NAME}."

    def link(self, obj):
        return absolute_url(obj.subject.get_absolute_url())

    def url_kwargs(self, obj):
        return {"slug": obj.subject.slug}

    def live_articles(self, subject):
        return Article.objects.live().filter(author=subject)


class AuthorAtomFeed(AtomMixin, AuthorFeed):
    pass
