"""anymail's tracking webhooks, one per mail service, under /newsletter/esp/.

anymail accepts webhook posts without authentication (with a warning) when no
WEBHOOK_SECRET is set; here they do not exist until it is (404), so a site
without the secret cannot be fed false bounces.
"""

import logging
from functools import wraps

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import (
    HttpResponseForbidden,
    HttpResponseNotAllowed,
    HttpResponseNotFound,
)
from django.urls import URLPattern

logger = logging.getLogger(__name__)

try:
    from anymail.urls import urlpatterns as anymail_urlpatterns
except ImportError:  # without the esp extra: no webhooks
    anymail_urlpatterns = []


def require_webhook_secret(view):
    allowed = [method.upper() for method in view.view_class.http_method_names]

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET"):
            if request.method not in allowed:
                return HttpResponseNotAllowed(allowed)
            return HttpResponseNotFound(
                "Webhooks are off: set ANYMAIL_WEBHOOK_SECRET.",
                content_type="text/plain",
            )
        try:
            return view(request, *args, **kwargs)
        except ImproperlyConfigured:  # e.g. Mailgun's signing key not set
            logger.exception("Mail service webhook %s is not configured", request.path)
            return HttpResponseForbidden(
                "This webhook is not configured.", content_type="text/plain"
            )

    return guarded


urlpatterns = [
    URLPattern(
        pattern.pattern,
        require_webhook_secret(pattern.callback),
        pattern.default_args,
        pattern.name,
    )
    for pattern in anymail_urlpatterns
    if "tracking" in str(pattern.pattern)
]
