"""anymail's webhooks, one per mail service, under /newsletter/esp/: tracking
(bounces and complaints, bounces.py) and inbound (mail to the unsubscribe
mailbox, inbound.py).

anymail accepts webhook posts without authentication (with a warning) when no
WEBHOOK_SECRET is set; here they do not exist until it is (404), so a site
without the secret cannot be fed false bounces. The inbound ones also need
NEWSLETTER_UNSUBSCRIBE_MAILBOX.

Wrong secrets are counted per client address: after
NEWSLETTER_WEBHOOK_FAILURE_LIMIT of them, that address gets 429 until the
period ends, so the secret cannot be guessed by trying. A post the service
itself cannot have meant (an address anymail cannot read, such as one with a
NUL) answers 400; bad events within a batch are skipped by the handlers
(bounces.py, inbound.py), so the rest of the batch is still recorded.
"""

import logging
from functools import wraps

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import (
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotAllowed,
    HttpResponseNotFound,
)
from django.urls import URLPattern

from httpguard import ratelimit
from httpguard.clients import client_address

logger = logging.getLogger(__name__)

try:
    from anymail.exceptions import (
        AnymailInvalidAddress,
        AnymailWebhookValidationFailure,
    )
    from anymail.urls import urlpatterns as anymail_urlpatterns
except ImportError:  # without the esp extra: no webhooks
    anymail_urlpatterns = []

FAILURES = "newsletter-webhook-failures"


def _too_many_failures(request, wait: int) -> HttpResponse:
    logger.warning(
        "Mail service webhook %r: too many failed logins from %r, refused for %ss",
        request.path,
        client_address(request),
        wait,
    )
    response = HttpResponse(
        "Too many failed logins to this webhook: try again later.",
        status=429,
        content_type="text/plain",
    )
    response["Retry-After"] = str(wait)
    return response


def require_webhook_secret(view, *, setting: str = ""):
    """Serve ``view`` only with the webhook secret (and ``setting``, if named)."""
    allowed = [method.upper() for method in view.view_class.http_method_names]

    @wraps(view)
    def guarded(request, *args, **kwargs):
        secret = getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET")
        missing = [
            name
            for name, value in [
                ("ANYMAIL_WEBHOOK_SECRET", secret),
                (setting, getattr(settings, setting) if setting else True),
            ]
            if not value
        ]
        if missing:
            if request.method not in allowed:
                return HttpResponseNotAllowed(allowed)
            return HttpResponseNotFound(
                f"Webhooks are off: set {' and '.join(missing)}.",
                content_type="text/plain",
            )
        rate = settings.NEWSLETTER_WEBHOOK_FAILURE_LIMIT
        if wait := ratelimit.over(request, scope=FAILURES, rate=rate):
            return _too_many_failures(request, wait)
        try:
            return view(request, *args, **kwargs)
        except AnymailWebhookValidationFailure:
            # A wrong or missing secret (or signature): Django answers 400.
            ratelimit.hit(request, scope=FAILURES, rate=rate)
            raise
        except AnymailInvalidAddress:
            logger.warning(
                "Mail service webhook %r: an address in the post cannot be read",
                request.path,
            )
            return HttpResponseBadRequest(
                "An email address in this post cannot be read (a control "
                "character?): nothing was recorded.",
                content_type="text/plain",
            )
        except ImproperlyConfigured:  # e.g. Mailgun's signing key not set
            logger.exception("Mail service webhook %s is not configured", request.path)
            return HttpResponseForbidden(
                "This webhook is not configured.", content_type="text/plain"
            )

    return guarded


# Which of anymail's webhooks are served, and the setting each also needs.
SERVED = {"tracking": "", "inbound": "NEWSLETTER_UNSUBSCRIBE_MAILBOX"}

urlpatterns = [
    URLPattern(
        pattern.pattern,
        require_webhook_secret(pattern.callback, setting=SERVED[kind]),
        pattern.default_args,
        pattern.name,
    )
    for pattern in anymail_urlpatterns
    for kind in SERVED
    if f"/{kind}" in str(pattern.pattern)
]
