"""Error views the URLconf names (handler500)."""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.views import defaults

# Errors meaning "the database cannot be reached now", not "this query is bad".
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def server_error(request):
    """The 500 page; while the database is unreachable, the 503 page instead.

    A 503 with Retry-After tells readers, crawlers and load balancers to come
    back soon rather than that the site is broken. Neither page queries the
    database (both render without context processors).
    """
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_UNAVAILABLE):
        return unavailable(loader.get_template("503.html").render())
    return defaults.server_error(request)


def unavailable(content: str) -> HttpResponse:
    """``content`` as a 503 asking to come back in RETRY_AFTER_SECONDS (the
    database is unreachable), never stored by any cache."""
    response = HttpResponse(content, status=503)
    response["Retry-After"] = str(settings.RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out client: the site's own page, 429.

    Says how long to wait; the lock lifts by itself (AXES_COOLOFF_TIME).
    """
    cooloff = settings.AXES_COOLOFF_TIME
    minutes = max(1, round(cooloff.total_seconds() / 60))
    response = HttpResponse(
        loader.get_template("registration/locked_out.html").render(
            {"minutes": minutes}, request
        ),
        status=429,
    )
    response["Retry-After"] = str(int(cooloff.total_seconds()))
    return response
