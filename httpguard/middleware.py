"""Request checks before any view or query, and headers on every response."""

import functools
import logging

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http.multipartparser import MultiPartParserError
from django.urls import get_resolver, reverse

from .logsafe import printable

logger = logging.getLogger("httpguard")

NUL = "\x00"


class RejectNulMiddleware:
    """Answer 400 to a request with a NUL character where no view checks it.

    PostgreSQL refuses NUL in text: a DataError, i.e. a 500, deep in
    whichever query first meets it. No address, cookie or header of this site
    has a use for one, so those are checked for every request, before
    sessions and logins read them. Under the admin, parameters and form
    fields too: Django's admin puts them straight into queries (filters,
    search, autocomplete, the login's lockout records), and its views cannot be
    mended one by one. The public views check their own parameters, so that a
    form comes back with a message rather than an error page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            if self._carries_nul(request):
                raise BadRequest("The request contains a NUL character.")
        except BadRequest as error:
            # The site's 400 page, logged in one line: scanners send many.
            logger.warning(
                "Bad request to %s: %s",
                printable(request.path_info, 200),
                printable(error),
            )
            return get_resolver().resolve_error_handler(400)(request, error)
        return self.get_response(request)

    def _carries_nul(self, request) -> bool:
        if NUL in request.path_info or _any_nul(request.COOKIES.items()):
            return True
        headers = (
            (key, value) for key, value in request.META.items() if key[:5] == "HTTP_"
        )
        if _any_nul(headers):
            return True
        if not request.path_info.startswith(_admin_root()):
            return False
        if _any_nul(request.GET.lists()):
            return True
        if request.method == "POST":
            try:
                return _any_nul(request.POST.lists())
            except MultiPartParserError as error:
                raise BadRequest(f"The form data could not be read: {error}") from None
        return False


@functools.cache
def _admin_root() -> str:
    return reverse("admin:index")


def _any_nul(pairs) -> bool:
    for key, value in pairs:
        values = value if isinstance(value, list) else [value]
        if NUL in key or any(isinstance(v, str) and NUL in v for v in values):
            return True
    return False


class PermissionsPolicyMiddleware:
    """Set the Permissions-Policy header (settings.PERMISSIONS_POLICY).

    Browsers then refuse the camera, microphone, location and the like to the
    site and to anything it embeds. Django has no setting for it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allow)})"
            for feature, allow in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
