from functools import partial
from urllib.parse import urlencode

from django.utils.cache import add_never_cache_headers
from django.views.generic import ListView

from articles.models import Article, topics_in_use
from articles.search import MAX_QUERY_LENGTH, Query, TooSlow
from articles.search_pages import ResultPages
from articles.search_snippets import add_highlights, with_snippets

from .views import ARTICLES_PER_PAGE, PublicPageMixin


def result_cards(ids, *, text: str):
    """The articles of a page of results, ready for cards with snippets."""
    cards = Article.objects.live().for_cards().filter(pk__in=ids)
    return with_snippets(cards, text)


class SearchView(PublicPageMixin, ListView):
    """Search results: any query gives a page (too long is cut, odd is harmless)."""

    template_name = "articles/search.html"
    context_object_name = "articles"
    paginate_by = ARTICLES_PER_PAGE
    public_query_parameters = ("q", "page")  # the page cache keys by these

    def get(self, request, *args, **kwargs):
        self.query = Query.parse(request.GET.get("q"))
        # What was asked, when a phrase took too long and its words were searched.
        self.phrase_too_slow = None
        # Even that took too long: no results, and advice.
        self.too_slow = False
        response = super().get(request, *args, **kwargs)
        # Result pages are endless and thin: keep them out of search engines.
        response.headers["X-Robots-Tag"] = "noindex"
        if self.phrase_too_slow or self.too_slow:
            # A busy moment's answer: never kept (``cache_publicly`` keeps this).
            add_never_cache_headers(response)
        return response

    def get_queryset(self):
        if not self.query.text or self.too_slow:
            return Article.objects.none()
        return Article.objects.live().search(self.query.text)

    def paginate_queryset(self, queryset, page_size):
        """A page of results; a search cancelled as too slow (``time_limit``)
        falls back to its words in any order, then to no results."""
        try:
            return super().paginate_queryset(queryset, page_size)
        except TooSlow:
            if self.phrase_too_slow is None and self.query.has_phrase:
                self.phrase_too_slow, self.query = self.query, self.query.words()
            else:
                self.too_slow = True
        return self.paginate_queryset(self.get_queryset(), page_size)

    def get_paginator(self, queryset, per_page, **kwargs):
        load = partial(result_cards, text=self.query.text)
        return ResultPages(queryset, per_page, load=load, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        add_highlights(context["articles"], self.query.text)
        if not context["articles"]:
            # Somewhere to go from an empty page.
            context["topics"] = topics_in_use()[:12]
        params = {"q": self.query.text} if self.query.text else {}
        context.update(
            query=self.query.text,
            truncated=self.query.truncated,
            only_leaves_out=self.query.only_leaves_out,
            phrase_too_slow=self.phrase_too_slow and self.phrase_too_slow.text,
            too_slow=self.too_slow,
            max_query_length=MAX_QUERY_LENGTH,
            query_string=urlencode(params),
            canonical_params=params,
        )
        return context
