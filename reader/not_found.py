"""The 404 page: a way on for a reader who followed a dead link (a search box
and the latest articles), fast, and never an error itself.

The latest articles cost one query (newest first, by index, a few rows); a
database that cannot be read leaves the list out and the page still answers.
Nothing is stored for it, so a 404 never keeps anything in the cache.
"""

import logging

from django.db import DatabaseError
from django.http import HttpResponseNotFound
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from articles.models import LISTING_DEFERRED_FIELDS, Article

logger = logging.getLogger(__name__)
LATEST_COUNT = 6


def latest_articles() -> list[Article]:
    """The latest live articles, or none if the database cannot be read."""
    try:
        return list(
            Article.objects.live()
            .select_related("author")
            .defer(*LISTING_DEFERRED_FIELDS)
            .newest_first()[:LATEST_COUNT]
        )
    except DatabaseError:
        logger.warning("404 page without its latest articles: database unavailable")
        return []


@requires_csrf_token
def page_not_found(request, exception):
    """The URLconf's handler404: Django's own, with the latest articles."""
    context = {"request_path": request.path, "latest": latest_articles()}
    return HttpResponseNotFound(loader.render_to_string("404.html", context, request))
