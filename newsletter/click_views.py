"""The digest's article links: count the click, then send the reader on.

GET only (mail programs follow links with GET), a 302 every time the link is
ours, counted or not; the answer is never cached and sets no cookie. What is
counted is a number per article per edition (newsletter/clicks.py), never who
clicked.
"""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from articles.models import Article
from httpguard import ratelimit
from httpguard.robots import not_counted

from . import clicks
from .models import Edition

RATE_SCOPE = "newsletter-click"
# Browsers announce prefetches and prerenders (Sec-Purpose; Purpose and
# X-Moz from older ones): nobody clicked.
PURPOSE_HEADERS = ("HTTP_SEC_PURPOSE", "HTTP_PURPOSE", "HTTP_X_MOZ", "HTTP_X_PURPOSE")


def is_prefetch(request) -> bool:
    return any(
        "prefetch" in request.META.get(name, "").lower()
        or "prerender" in request.META.get(name, "").lower()
        for name in PURPOSE_HEADERS
    )


def is_countable(request) -> bool:
    """A person's click: a GET from a browser, not a robot's or a prefetch,
    from a reader who has not asked not to be tracked (httpguard.robots).
    Checked before the rate limit, so robots do not use up a reader's share."""
    return (
        request.method == "GET"
        and not not_counted(request.META)
        and not is_prefetch(request)
    )


@method_decorator(never_cache, name="dispatch")  # private, no-store, ...
class ClickView(View):
    http_method_names = ["get", "head"]

    def get(self, request, token):
        link = clicks.read_click_token(token)
        if link is None:
            return render(request, "newsletter/click_unknown.html", status=404)
        # 1 query each: the article, the edition if it went out (only
        # editions that went out are counted, so editors' test mails are not).
        article = Article.objects.filter(pk=link.article_id).first()
        edition = Edition.objects.archived().filter(pk=link.edition_id).first()
        if article is not None and edition is not None and self.counts(request):
            clicks.edition_click_count(edition_id=edition.pk, article_id=article.pk)
        return HttpResponseRedirect(self.target(article, edition))

    @staticmethod
    def counts(request) -> bool:
        if not is_countable(request):
            return False
        # Over the limit, the reader still goes on, uncounted.
        rate = settings.NEWSLETTER_CLICK_RATE_LIMIT
        return ratelimit.hit(request, scope=RATE_SCOPE, rate=rate) is None

    @staticmethod
    def target(article, edition) -> str:
        """The live article, else the edition's archive page, else home: a
        path on this site, whatever the link said."""
        if article is not None and article.is_live:
            return article.get_absolute_url()
        if edition is not None:
            return edition.get_absolute_url()
        return reverse("articles:home")
