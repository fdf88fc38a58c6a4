"""anymail's tracking webhooks, one per mail service, under /newsletter/esp/.

anymail accepts webhook posts without authentication (with a warning) when no
WEBHOOK_SECRET is set; here such posts are refused, so a site without the
secret cannot be fed false bounces.
"""

from functools import wraps

from django.conf import settings
from django.http import HttpResponseForbidden
from django.urls import URLPattern

try:
    from anymail.urls import urlpatterns as anymail_urlpatterns
except ImportError:  # without the esp extra: no webhooks
    anymail_urlpatterns = []


def require_webhook_secret(view):
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET"):
            return HttpResponseForbidden(
                "Webhooks are off: set ANYMAIL_WEBHOOK_SECRET.",
                content_type="text/plain",
            )
        return view(request, *args, **kwargs)

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
