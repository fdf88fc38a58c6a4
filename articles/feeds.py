"""RSS 2.0 and Atom feeds for the whole site, each topic and each author.

Items carry the excerpt as summary, the full sanitised body (content:encoded in
RSS, content in Atom), the author, publish and last-change dates, the topics
and the cover image (Media RSS). Every URL is absolute on ``settings.SITE_URL``.
"""

import html
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from . import fragments, read_more, seo
from .caching import cache_publicly
from .models import Article, Author, live_topics

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


class ArticleRssFeed(Rss201rev2Feed):
    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": CONTENT_NS}

    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:media": MEDIA_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content_html"])
        _media_content(handler, item["image"])


class ArticleAtomFeed(Atom1Feed):
    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:media": MEDIA_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content_html"], {"type": "html"})
        _media_content(handler, item["image"])


def feed_html(article, targets: dict) -> str:
    """The article body as a feed reader shows it: cover, text, absolute links."""
    body = read_more.expand(article.body_html, targets=targets)
    image = seo.article_image(article)
    if image:
        cover = '<p><img src="{}" alt="{}"></p>'.format(
            html.escape(image["url"]), html.escape(image["alt"])
        )
        body = cover + body
    return _RELATIVE_URL.sub(rf"\1{settings.SITE_URL}/", body)


def _feed_bodies(articles) -> dict:
    # "Read more" targets of every item in one query, not one per item.
    targets = read_more.targets_for(article.body_html for article in articles)
    return {article.pk: feed_html(article, targets) for article in articles}


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
        return seo.absolute_url(reverse("articles:home"))

    def url_kwargs(self, obj) -> dict:
        return {}

    def feed_url(self, obj):
        return seo.absolute_url(reverse(self.url_name, kwargs=self.url_kwargs(obj)))

    def live_articles(self, obj):
        return Article.objects.live()

    def items(self, obj):
        # Read before the articles (see ArticleDetailView.get).
        version = fragments.version()
        articles = list(
            self.live_articles(obj)
            .for_listing()
            .defer("search_vector", "related_ids")
            .newest_first()[:FEED_ITEMS]
        )
        bodies = fragments.many(
            version, "feed-html", articles, _feed_bodies
        )
        for article in articles:
            article.feed_html = bodies[article.pk]
        return articles

    # Item values ---------------------------------------------------------------
    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Readers treat the summary as HTML: escape the plain text.
        return html.escape(item.summary)

    def item_link(self, item):
        return seo.absolute_url(item.get_absolute_url())

    def item_guid(self, item):
        # Stable across slug changes, so readers never show an item twice.
        domain = urlsplit(settings.SITE_URL).hostname
        return f"tag:{domain},{item.created_at:%Y-%m-%d}:article-{item.pk}"

    item_guid_is_permalink = False

    def item_author_name(self, item):
        return item.author.name

    def item_author_link(self, item):
        return seo.absolute_url(item.author.get_absolute_url())

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

    def get_object(self, request, slug):
        # The topic page's rule: a topic only drafts use is not public yet.
        return get_object_or_404(live_topics().distinct(), slug=slug)

    def title(self, obj):
        return f"{settings.SITE_NAME}: {obj.name}"

    def about(self, obj):
        return f"Career advice about {obj.name} from {settings.SITE_NAME}."

    def link(self, obj):
        return seo.absolute_url(reverse("articles:topic", kwargs={"slug": obj.slug}))

    def url_kwargs(self, obj):
        return {"slug": obj.slug}

    def live_articles(self, obj):
        return Article.objects.live().with_topic(obj)


class TopicAtomFeed(AtomMixin, TopicFeed):
    pass


class AuthorFeed(ArticleFeed):
    url_name = "articles:author_feed"

    def get_object(self, request, slug):
        return get_object_or_404(Author, slug=slug)

    def title(self, obj):
        return f"{settings.SITE_NAME}: articles by {obj.name}"

    def about(self, obj):
        return f"Career advice written by {obj.name} for {settings.SITE_NAME}."

    def link(self, obj):
        return seo.absolute_url(obj.get_absolute_url())

    def url_kwargs(self, obj):
        return {"slug": obj.slug}

    def live_articles(self, obj):
        return Article.objects.live().filter(author=obj)


class AuthorAtomFeed(AtomMixin, AuthorFeed):
    pass
