"""sitemap.xml: an index of sections, each split into pages of at most 50,000 URLs.

Only live articles, and topics and authors with live articles, are listed.
URLs are absolute on ``settings.SITE_URL``, whatever host the request used.
"""

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.db.models import Max, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from articles.models import Article, ArticleQuerySet, Author, latest_change, live_topics

from .cache_headers import cache_publicly
from .site_urls import site_parts, site_url


class SiteSitemap(Sitemap):
    """URLs on the public site address, not the request's host."""

    def get_protocol(self, protocol=None):
        return site_parts().scheme

    def get_domain(self, site=None):
        return site_parts().netloc


class PageSitemap(SiteSitemap):
    def items(self):
        return [
            "articles:home",
            "articles:list",
            "articles:topics",
            "newsletter:signup",
            "newsletter:editions",
            "about",
            "privacy",
        ]

    def location(self, item):
        return reverse(item)


class ArticleSitemap(SiteSitemap):
    def items(self):
        return (
            Article.objects.live()
            .only("slug", "published_at", "updated_at", "reviewed_at")
            .order_by("pk")
        )

    def lastmod(self, item):
        return item.date_modified

    def get_latest_lastmod(self):
        # One aggregate, not a walk over every article.
        latest = Article.objects.live().aggregate(
            published_at=Max("published_at"),
            updated_at=Max("updated_at"),
            # A review date in the future is not a change (see date_modified).
            reviewed_at=Max(
                "reviewed_at", filter=Q(reviewed_at__lte=timezone.localdate())
            ),
        )
        return latest_change(*latest.values())


class TopicSitemap(SiteSitemap):
    def items(self):
        # live_topics() filters on kept counts, not on a join of articles:
        # the date takes only live ones (a scheduled one would announce itself).
        return (
            live_topics()
            .annotate(
                last_published=Max(
                    "article__published_at",
                    filter=ArticleQuerySet.live_q("article__"),
                )
            )
            .order_by("pk")
        )

    def location(self, item):
        return reverse("articles:topic", kwargs={"slug": item.slug})

    def lastmod(self, item):
        return item.last_published

    def get_latest_lastmod(self):
        return (
            Article.objects.live()
            .filter(tags__isnull=False)
            .aggregate(latest=Max("published_at"))["latest"]
        )


class AuthorSitemap(SiteSitemap):
    def items(self):
        # Filter and annotate share the join: only live articles' dates count.
        return (
            Author.objects.filter(ArticleQuerySet.live_q("articles__"))
            .annotate(last_published=Max("articles__published_at"))
            .order_by("pk")
        )

    def lastmod(self, item):
        return item.last_published

    def get_latest_lastmod(self):
        return Article.objects.live().aggregate(latest=Max("published_at"))["latest"]


SITEMAPS = {
    "pages": PageSitemap,
    "articles": ArticleSitemap,
    "topics": TopicSitemap,
    "authors": AuthorSitemap,
}


@csrf_exempt  # read-only: other methods get the 405 below, not a CSRF 403
@require_safe
@x_robots_tag
def index(request):
    """The sitemap index, listing each section's pages (absolute on SITE_URL)."""
    entries = []
    for section, sitemap_class in SITEMAPS.items():
        sitemap = sitemap_class()
        location = site_url(reverse("sitemap-section", kwargs={"section": section}))
        lastmod = sitemap.get_latest_lastmod()
        entries.append(SitemapIndexItem(location, lastmod))
        for page in range(2, sitemap.paginator.num_pages + 1):
            entries.append(SitemapIndexItem(f"{location}?p={page}", lastmod))
    response = TemplateResponse(
        request,
        "sitemap_index.xml",
        {"sitemaps": entries},
        content_type="application/xml",
    )
    return cache_publicly(response)
