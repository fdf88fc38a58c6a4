"""The beacon: static/js/count.js posts here once per page a reader reads.

Why a beacon: pages come from the page cache (and may come from a CDN), so
the page's own request often never reaches Django. The script is same-origin
(CSP script-src and connect-src 'self' allow it) and sends only what the
page is (an article's id, a search term) and the referring site's host.

The answer is always 204 with nothing in it and nothing set (no cookie, no
storage): whether a view was counted is not told. Not counted: robots
(httpguard.robots), Do-Not-Track or Global Privacy Control, logged-in staff,
bodies over MAX_BODY_BYTES, and a client's views past
AUDIENCE_VIEWS_PER_MINUTE (quota.py).
"""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import View

from httpguard.clients import client_address
from httpguard.robots import not_counted

from . import flush as flushing
from . import quota
from .events import domain_of, parse
from .visitors import visitor_digest

logger = logging.getLogger(__name__)

# A beacon is about 100 bytes; anything much bigger is not ours.
MAX_BODY_BYTES = 1024
FORM = "application/x-www-form-urlencoded"


def declined(request) -> bool:
    """True for a request whose view is not to be counted (cheapest first)."""
    meta = request.META
    return not_counted(meta) or _too_big(meta) or _is_staff(request)


def _too_big(meta) -> bool:
    try:
        return int(meta.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES
    except ValueError:
        return True


def _is_staff(request) -> bool:
    """Readers have no session cookie: only with one is the user looked up."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    return request.user.is_staff


def _own_domains(request) -> frozenset[str]:
    return frozenset(
        {
            domain_of(request.get_host()),
            domain_of(urlsplit(settings.SITE_URL).netloc),
        }
    )


def count_view(request) -> bool:
    """Count the view a beacon reports, if it may be; True if counted."""
    if (
        not settings.AUDIENCE_COUNTING
        or declined(request)
        or request.content_type != FORM
    ):
        return False
    hit = parse(request.POST, own_domains=_own_domains(request))
    address = client_address(request)
    if hit is None or not quota.views.take(address, settings.AUDIENCE_VIEWS_PER_MINUTE):
        return False
    day = timezone.localdate()
    digest = visitor_digest(day, address, request.META.get("HTTP_USER_AGENT", ""))
    if flushing.buffer.add(day, hit, digest):
        flushing.flush()
    return True


@method_decorator(csrf_exempt, name="dispatch")
class BeaconView(View):
    """POST only (anything else: 405); no CSRF token, as the page that sends
    it is cached and the same for everyone, and a forged beacon is no worse
    than a real one (they are bounded per client)."""

    http_method_names = ["post"]

    def post(self, request):
        """Count a page view (maybe); always 204, whatever happened."""
        return beacon_answer(request)


def beacon_answer(request) -> HttpResponse:
    """Count the view (maybe) and answer 204, whatever happened, never cached."""
    try:
        count_view(request)
    except Exception:  # a count is never worth an error page
        logger.exception("A page view could not be counted.")
    response = HttpResponse(status=204)
    add_never_cache_headers(response)
    return response
