"""A reader's beacon answered before the rest of the stack.

Readers have no cookie, so a beacon without a session cookie needs nothing
the other middleware give (a session, a user, CSRF, a page from the cache,
headers for a page): it is counted and answered (204, never cached) here,
first in MIDDLEWARE, for about half the CPU. A beacon with a session cookie
(maybe an editor's, not to be counted) goes the whole way to the view,
which looks the user up.
"""

from django.conf import settings
from django.urls import reverse

from .beacon import beacon_answer


class BeaconMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._path = None  # the URLconf is read on the first request

    def __call__(self, request):
        if self._path is None:
            self._path = reverse("audience:count")
        if (
            request.method == "POST"
            and request.path_info == self._path
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        ):
            return beacon_answer(request)
        return self.get_response(request)
