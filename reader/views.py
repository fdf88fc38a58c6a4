from functools import cache, partial

from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.utils.functional import SimpleLazyObject
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import DetailView, ListView, TemplateView
from taggit.models import Tag

from articles import body, video
from articles.models import (
    CARD_FIELDS,
    Article,
    Author,
    SlugRedirect,
    live_topics,
    read_topics_together,
    topics_in_use,
)
from articles.ordering import PositionPaginator, TopicPaginator
from articles.related import related_rank_missing

from . import fragments
from .cache_headers import cache_publicly

ARTICLES_PER_PAGE = 12
# The fragments of articles/article_detail.html, each keyed by the article.
ARTICLE_FRAGMENTS = (
    "article-social",
    "article-json-ld",
    "article-main",
    "article-related",
)
# An author page's fragments, each keyed by the author.
AUTHOR_FRAGMENTS = ("author-count", "author-json-ld", "author-header")


class PublicPageMixin:
    """Pages every reader sees alike: cacheable by browsers and proxies.

    Nothing on them depends on the session or a CSRF token, so a shared cache
    may serve one copy to every anonymous reader.
    """

    UNSAFE_METHODS = ("post", "put", "patch", "delete")

    @classmethod
    def as_view(cls, **initkwargs):
        view = super().as_view(**initkwargs)
        if any(hasattr(cls, method) for method in cls.UNSAFE_METHODS):
            return view  # it changes something: CSRF is the view's to settle
        # Read-only: a forged request has nothing to change, so other methods
        # get their 405 rather than the CSRF check's 403 (as feeds do).
        return csrf_exempt(view)

    def dispatch(self, request, *args, **kwargs):
        return cache_publicly(super().dispatch(request, *args, **kwargs))


class PublicTemplateView(PublicPageMixin, TemplateView):
    """A plain page of the site (About, Privacy): the same for every reader."""


class LiveArticlesMixin(PublicPageMixin):
    def get_queryset(self):
        return Article.objects.live().card_fields().newest_first()


class CardsMixin(LiveArticlesMixin):
    """A page of article cards kept rendered between changes of content: the
    page's cards (with its pagination) are one fragment, read with the page's
    other fragments in one cache round trip, so a page shown before reads no
    article at all. Rendered anew, each card is a fragment of its own
    (``{% fragment_for %}`` in articles/_cards.html), and the articles'
    topics are read only if a card is rendered anew."""

    def get(self, request, *args, **kwargs):
        # Read before the articles (see ArticleDetailView.get).
        self.fragment_version = fragments.version()
        self.prefetched = fragments.prefetch_each(
            self.fragment_version, self.kept_fragments()
        )
        return super().get(request, *args, **kwargs)

    def kept_fragments(self) -> list[tuple[str, tuple]]:
        """The fragments (name, parts) the page shows, known from its address."""
        return []

    def requested_page(self) -> str:
        """The page number asked for, as the page's fragments name it."""
        return self.request.GET.get("page") or "1"

    def paginate_queryset(self, queryset, page_size):
        paginator, page, rows, paginated = super().paginate_queryset(
            queryset, page_size
        )
        page.object_list = SimpleLazyObject(lambda: self.cards(rows))
        return paginator, page, page.object_list, paginated

    def cards(self, rows) -> list:
        """The page's articles: read only if its cards are rendered anew."""
        return read_topics_together(rows)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            fragment_version=self.fragment_version,
            fragments_prefetched=self.prefetched,
            **kwargs,
        )

    def keep_count(self, paginator, name: str, *parts):
        """``paginator`` with its count kept like a fragment: how many live
        articles a list holds changes only with public content."""
        paginator.count = fragments.get_or_render(
            self.fragment_version,
            name,
            parts,
            lambda: paginator.count,
            self.prefetched,
        )
        return paginator


class HomeView(CardsMixin, TemplateView):
    template_name = "articles/home.html"

    def kept_fragments(self):
        return [("home-articles", ()), ("home-topics", ())]

    def get_context_data(self, **kwargs):
        articles = cache(self.featured_and_latest)
        # Each read only if the fragment showing them is rendered.
        return super().get_context_data(
            featured=SimpleLazyObject(lambda: articles()[0]),
            latest=SimpleLazyObject(lambda: articles()[1]),
            topics=SimpleLazyObject(lambda: list(topics_in_use()[:12])),
            **kwargs,
        )

    def featured_and_latest(self) -> tuple[list, list]:
        live = self.get_queryset()
        featured = list(live.filter(featured=True)[:3])
        latest = list(live.exclude(pk__in=[a.pk for a in featured])[:9])
        read_topics_together(featured + latest)
        return featured, latest


class ArticleListView(CardsMixin, ListView):
    template_name = "articles/article_list.html"
    context_object_name = "articles"
    paginate_by = ARTICLES_PER_PAGE
    paginator_class = PositionPaginator  # page 5,000 costs what page 1 costs

    def kept_fragments(self):
        return [("list-count", ()), ("list-cards", (self.requested_page(),))]

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        return self.keep_count(paginator, "list-count")


class TopicListView(PublicPageMixin, ListView):
    """Every topic with live articles, most written about first."""

    template_name = "articles/topic_list.html"
    context_object_name = "topics"

    def get_queryset(self):
        return topics_in_use().select_related("topic_description")


class TopicView(CardsMixin, ListView):
    template_name = "articles/topic.html"
    context_object_name = "articles"
    paginate_by = ARTICLES_PER_PAGE

    def kept_fragments(self):
        slug = self.kwargs["slug"]
        return [("live-topic", (slug,)), ("topic-cards", (slug, self.requested_page()))]

    def get_queryset(self):
        self.topic = self.live_topic(self.kwargs["slug"])
        # The topic's pages are ranges of places in it (``TopicPosition``):
        # page 600 costs what page 1 costs.
        return super().get_queryset()

    def live_topic(self, slug: str) -> Tag:
        """The live topic at ``slug`` (else 404) with its ``article_count``
        and ``description``, kept like a fragment: both change only with
        public content, and its query costs more to build than a page of
        kept cards costs whole."""
        shown = fragments.get_or_render(
            self.fragment_version,
            "live-topic",
            (slug,),
            lambda: _topic_shown(slug),
            self.prefetched,
        )
        topic = Tag(id=shown["id"], name=shown["name"], slug=shown["slug"])
        topic.article_count = shown["article_count"]
        topic.description = shown["description"]
        return topic

    def get_paginator(self, queryset, per_page, **kwargs):
        return TopicPaginator(queryset, per_page, topic=self.topic, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(topic=self.topic, **kwargs)


def _topic_shown(slug: str) -> dict:
    topic = get_object_or_404(
        live_topics().select_related("topic_description"), slug=slug
    )
    description = getattr(topic, "topic_description", None)
    return {
        "id": topic.pk,
        "name": topic.name,
        "slug": topic.slug,
        "article_count": topic.article_count,
        "description": description.description if description else "",
    }


class AuthorView(CardsMixin, ListView):
    template_name = "articles/author.html"
    context_object_name = "articles"
    paginate_by = ARTICLES_PER_PAGE

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        pk = str(self.author.pk)
        self.prefetched = fragments.prefetch_each(
            self.fragment_version,
            [
                *((name, (pk,)) for name in AUTHOR_FRAGMENTS),
                ("author-cards", (pk, self.requested_page())),
            ],
        )
        # The author is known: no need to join it again for every row.
        return (
            Article.objects.live()
            .filter(author=self.author)
            .only(*CARD_FIELDS)
            .newest_first()
        )

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        return self.keep_count(paginator, "author-count", str(self.author.pk))

    def cards(self, rows):
        articles = super().cards(rows)
        for article in articles:
            article.author = self.author
        return articles

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class ArticleDetailView(LiveArticlesMixin, DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"
    preview = False
    fragment_version = None  # none in previews: rendered for their viewer

    def get_queryset(self):
        # Topics are read only if a fragment showing them is rendered.
        return Article.objects.live().select_related("author")

    def get(self, request, *args, **kwargs):
        # Read before the article: a change committed meanwhile then starts a
        # newer version, and what is rendered from older data is never shown.
        self.fragment_version = fragments.version()
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            redirect = (
                SlugRedirect.objects.to_live(kwargs["slug"])
                .select_related("article")
                .first()
            )
            if redirect is None:
                raise
            return HttpResponsePermanentRedirect(redirect.article.get_absolute_url())

    def get_context_data(self, **kwargs):
        article = self.object
        # Worked out only when the fragments showing them are rendered.
        related = SimpleLazyObject(
            lambda: self.related_list(article, ask_ranking=not self.preview)
        )
        return super().get_context_data(
            body=partial(
                body.for_page,
                article,
                viewer=self.request.user if self.preview else None,
            ),
            has_video=video.has_video(article.body_html),
            related=related,
            # After the related list, which it leaves out (read by then).
            more_in_topic=SimpleLazyObject(
                lambda: list(Article.objects.more_in_topic(article, shown=related))
            ),
            preview=self.preview,
            fragment_version=self.fragment_version,
            fragments_prefetched=fragments.prefetch(
                self.fragment_version, ARTICLE_FRAGMENTS, article.pk
            ),
            **kwargs,
        )

    @staticmethod
    def related_list(article, *, ask_ranking=True):
        """The related list; a live page never ranked asks the worker to rank
        it. A preview asks nothing: saving the draft ranks it, and a preview
        leaves no trace on the server (no cache entry either)."""
        if ask_ranking and article.related_ids is None and article.pk is not None:
            related_rank_missing(article_id=article.pk)  # ranked by the worker
        return Article.objects.related_to(article)
